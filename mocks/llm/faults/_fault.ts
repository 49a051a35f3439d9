import type { z } from 'zod';
import { defineFault, type Fault, type FaultDefinition, type FaultFamily, faultKind, type FaultSource } from '../../control/fault.ts';
import type { Distribution } from '../../control/random.ts';
import type { ChatRequest } from '../chat-request.ts';
import type { Length, LlmOptions } from '../options.ts';
import type { StreamPlan } from '../stream.ts';

/**
 * What the LLM mock's chat completions pipeline (handlers.ts) asks a fault, in this order:
 *   refuse → generation → stream (streaming requests only)
 * `refuse` is asked newest applied fault first and the first answer is sent instead of a
 * completion. `generation` and `stream` shape the completion: every fault's answer fills
 * the fields a newer fault left unset (see FaultController.merge), the mock's options the rest.
 */
export interface LlmFaultHooks<P = any, S = any> {
  /** An OpenAI-shaped error to answer instead of a completion, or undefined. */
  refuse?(request: LlmRequest, fault: Fault<P, S>): Response | undefined;
  /** How the completion is generated (time to first token, speed, length), where it differs from the options. */
  generation?(request: LlmRequest, fault: Fault<P, S>): Partial<Generation> | undefined;
  /** How the SSE stream breaks (cut, stall, malformed chunk); asked for streaming requests only. */
  stream?(request: LlmRequest, fault: Fault<P, S>): StreamBreak | undefined;
}

/** One chat completion request as the hooks see it. */
export interface LlmRequest {
  chat: ChatRequest;
  /** Its x-request-id, which error answers carry too. */
  requestId: string;
  options: LlmOptions;
}

export interface Generation {
  /** Drawn from the mock's latency stream, as the configured one is. */
  ttft: Distribution;
  tokensPerSecond: number;
  responseTokens: Length;
}

export type StreamBreak = Pick<StreamPlan, 'cutAfterChunks' | 'stallAfterFirstToken' | 'malformedAtChunk'>;

// `target` of an LLM fault is a model name: the fault then hits only requests for that model.
const LLM_FAULTS: FaultFamily = { what: 'llm fault', methods: false };

export type LlmFault = FaultDefinition & LlmFaultHooks;

/** An LLM mock fault: its schema and its behaviour (the hooks above). */
export function defineLlmFault<Own extends z.ZodObject, S = undefined>(source: FaultSource<Own, S> & LlmFaultHooks<z.output<Own>, S>): LlmFault {
  return defineFault(LLM_FAULTS, source);
}

export const llmFaultKind = faultKind<LlmFault>(LLM_FAULTS);
