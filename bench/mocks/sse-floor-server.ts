/**
 * The floor under the LLM mock in bench:mocks: the same SSE schedule and about the same
 * bytes (role chunk and first token at the TTFT, one chunk per token, finish chunk,
 * [DONE]) written straight to node:http with pre-built strings: no msw, no web streams,
 * no fault checks, no content generation. What this machine can do at best.
 * Launched like a mock: `node --import tsx sse-floor-server.ts '{"port":…,"options":{…}}'`.
 */
import { createServer } from 'node:http';

const launch = JSON.parse(process.argv[2] ?? '{}') as { port: number; options: { ttft: { ms: number }; tokensPerSecond: number; responseTokens: number } };
const { ttft, tokensPerSecond, responseTokens } = launch.options;
const intervalMs = 1000 / tokensPerSecond;
const head = 'data: {"id":"chatcmpl-floorfloorfloorfloorfloorfloo","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini","service_tier":"default","system_fingerprint":"fp_floor","choices":[{"index":0,"delta":';
const role = `${head}{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}]}\n\n`;
const token = (i: number) => `${head}{"content":" word${i}"},"logprobs":null,"finish_reason":null}]}\n\n`;
const end = `${head}{},"logprobs":null,"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n`;

const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/__faultline/health') {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true, service: 'sse-floor', seed: 0 }));
    return;
  }
  req.resume();
  req.on('end', () => {
    const started = performance.now();
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
    res.flushHeaders();
    let i = 0;
    let timer: NodeJS.Timeout;
    const emit = () => {
      const last = i === responseTokens - 1;
      res.write((i === 0 ? role : '') + token(i) + (last ? end : ''));
      if (last) return void res.end();
      i++;
      timer = setTimeout(emit, started + ttft.ms + i * intervalMs - performance.now());
    };
    timer = setTimeout(emit, ttft.ms);
    res.once('close', () => clearTimeout(timer));
  });
});
server.listen(launch.port, '127.0.0.1');
process.once('SIGTERM', () => process.exit(0));
