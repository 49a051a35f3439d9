import { FaultlineError } from '../../lib/errors.ts';

/** Everything needed to stream one completion, decided before the first byte. */
export interface StreamPlan {
  id: string;
  created: number;
  model: string;
  systemFingerprint: string;
  tokens: string[];
  finishReason: 'stop' | 'length';
  ttftMs: number;
  tokensPerSecond: number;
  /** Present when the request set stream_options.include_usage. */
  usage?: Usage;
  /** Close the connection after this many chunks (stream-cut fault). */
  cutAfterChunks?: number;
  /** Send nothing after the first token, keep the stream open (stall fault). */
  stallAfterFirstToken?: boolean;
  /** Send chunk number N as an unparseable data line (malformed-sse fault). */
  malformedAtChunk?: number;
}

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details: { cached_tokens: number; audio_tokens: number };
  completion_tokens_details: { reasoning_tokens: number; audio_tokens: number; accepted_prediction_tokens: number; rejected_prediction_tokens: number };
}

/** Raised into the body stream by the stream-cut fault; the HTTP server destroys the socket on it. */
export class StreamCutError extends FaultlineError {
  constructor(chunks: number) {
    super(`stream-cut fault: connection closed after ${chunks} chunks`);
    this.name = 'StreamCutError';
  }
}

// Small Buffers come from Node's shared pool: far less garbage than one ArrayBuffer per chunk.
const bytes = (text: string): Uint8Array => Buffer.from(text, 'utf8');

/** Where a stream's chunks go: a web stream's controller (msw) or a node:http response (the direct path). */
export interface ChunkSink {
  write(text: string): void;
  close(): void;
  /** The stream-cut fault: the connection goes down mid-response. */
  cut(error: StreamCutError): void;
}

/**
 * The SSE body of a streaming chat completion: the role chunk and first token at the
 * time to first token, then one `chat.completion.chunk` per token at the configured
 * rate, a finish chunk, the usage chunk when asked for, and `data: [DONE]`.
 * One timer per stream, scheduled against the start time so delays never accumulate;
 * every chunk but the token text is serialized once.
 */
export function completionStream(plan: StreamPlan, startedAt = performance.now()): ReadableStream<Uint8Array> {
  let cancel: (() => void) | undefined;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      cancel = streamChunks(plan, { write: (text) => controller.enqueue(bytes(text)), close: () => controller.close(), cut: (error) => controller.error(error) }, startedAt);
    },
    cancel() {
      cancel?.(); // the client hung up: stop generating
    },
  });
}

/**
 * Writes the chunks of `plan` to `sink` on schedule (see completionStream); returns the
 * function that stops it when the client hangs up.
 */
export function streamChunks(plan: StreamPlan, sink: ChunkSink, startedAt = performance.now()): () => void {
  const head = `data: {"id":"${plan.id}","object":"chat.completion.chunk","created":${plan.created},"model":${JSON.stringify(plan.model)},"service_tier":"default","system_fingerprint":"${plan.systemFingerprint}","choices":[`;
  const tail = plan.usage ? '],"usage":null}\n\n' : ']}\n\n';
  const tokenHead = `${head}{"index":0,"delta":{"content":`;
  const tokenTail = `},"logprobs":null,"finish_reason":null}${tail}`;
  const role = `${head}{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}${tail}`;
  const finish = `${head}{"index":0,"delta":{},"logprobs":null,"finish_reason":"${plan.finishReason}"}${tail}`;
  const usage = plan.usage ? `${head}],"usage":${JSON.stringify(plan.usage)}}\n\n` : '';
  const malformed = `data: {"id":"${plan.id}","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"cont\n\n`;

  const count = plan.tokens.length;
  const intervalMs = 1000 / plan.tokensPerSecond;
  let tick = 0;
  let sent = 0;
  let timer: NodeJS.Timeout | undefined;
  const schedule = (at: number, run: () => void) => {
    // Whole milliseconds: Node keeps one timer list per distinct duration, so thousands of
    // streams share a few lists instead of each fractional delay getting its own.
    timer = setTimeout(run, Math.max(0, Math.round(startedAt + at - performance.now())));
  };
  const plain = plan.cutAfterChunks === undefined && plan.malformedAtChunk === undefined;
  const emit = () => {
    if (plain && tick > 0 && tick < count - 1) {
      // The hot path: one token, nothing to check.
      sink.write(tokenHead + JSON.stringify(plan.tokens[tick]) + tokenTail);
      sent++;
      if (plan.stallAfterFirstToken) return;
      tick++;
      return schedule(plan.ttftMs + tick * intervalMs, emit);
    }
    // Chunks due at the same moment go out as one write.
    const due = tick === 0 ? [role, tokenHead + JSON.stringify(plan.tokens[0]) + tokenTail] : [tokenHead + JSON.stringify(plan.tokens[tick]) + tokenTail];
    if (tick === count - 1) due.push(finish, usage, 'data: [DONE]\n\n');
    let out = '';
    for (const chunk of due) {
      if (!chunk) continue;
      if (sent === plan.cutAfterChunks) {
        if (out) sink.write(out);
        // Cut when the next chunk would have come, after the server has written what precedes it.
        schedule(plan.ttftMs + (tick + 1) * intervalMs, () => sink.cut(new StreamCutError(sent)));
        return;
      }
      out += sent === plan.malformedAtChunk ? malformed : chunk;
      sent++;
    }
    sink.write(out);
    if (plan.stallAfterFirstToken) return; // open, silent, until the client gives up
    if (++tick >= count) return sink.close();
    schedule(plan.ttftMs + tick * intervalMs, emit);
  };
  schedule(plan.ttftMs, emit);
  return () => clearTimeout(timer);
}
