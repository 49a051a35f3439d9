import { z } from 'zod';
import { portSchema } from '../../lib/schema.ts';
import { MockOptionsInvalidError, parseMockOptions } from '../control/options.ts';
import { distributionSchema } from '../control/random.ts';

/** How many tokens a completion has: a fixed count, or uniform in [min, max] per request. */
export const lengthSchema = z.union([
  z.number().int().min(1).max(100_000),
  z.strictObject({ min: z.number().int().min(1).max(100_000), max: z.number().int().min(1).max(100_000) }).refine((l) => l.min <= l.max, { message: 'min must not exceed max', path: ['max'] }),
]);
export type Length = z.infer<typeof lengthSchema>;

/**
 * Options of the LLM mock (faultline.config.ts `services.llm`, or `llmHandlers({...})`).
 * @example { ttft: { kind: 'fixed', ms: 200 }, tokensPerSecond: 20, responseTokens: 40 }
 */
export const llmOptionsSchema = z.strictObject({
  /** Listening port under env:up; a free one when omitted. */
  port: portSchema.optional(),
  /** Time to first token. Real models: a few hundred ms, long-tailed. */
  ttft: distributionSchema.default({ kind: 'lognormal', medianMs: 300, sigma: 0.3 }),
  /** Streaming speed after the first token. */
  tokensPerSecond: z.number().positive().max(100_000).default(50),
  /** Completion length in tokens (a request's max_tokens / max_completion_tokens caps it, finish_reason "length"). */
  responseTokens: lengthSchema.default({ min: 20, max: 60 }),
  /** What GET /v1/models lists. */
  models: z.array(z.string().min(1)).min(1).default(['gpt-4o-mini', 'gpt-4o', 'gpt-4.1-mini', 'o4-mini']),
  /** Answer 404 model_not_found for a model not in `models` (off: any model name works). */
  strictModels: z.boolean().default(false),
  /** Advertised in the x-ratelimit-limit-* headers. */
  rateLimits: z.strictObject({ requests: z.number().int().min(1), tokens: z.number().int().min(1) }).default({ requests: 10_000, tokens: 30_000_000 }),
});
export type LlmOptions = z.infer<typeof llmOptionsSchema>;
export type LlmOptionsInput = z.input<typeof llmOptionsSchema>;

/** Mock options that do not parse: which field, what was expected. */
export class LlmOptionsInvalidError extends MockOptionsInvalidError {
  constructor(issues: string[]) {
    super('LLM', issues, 'mocks/llm/options.ts');
    this.name = 'LlmOptionsInvalidError'; // explicit: a bundler may rename the class
  }
}

/** Parses options with every default filled in; throws LlmOptionsInvalidError with dotted paths. */
export function parseLlmOptions(input: unknown): LlmOptions {
  return parseMockOptions(llmOptionsSchema, input, (issues) => new LlmOptionsInvalidError(issues));
}
