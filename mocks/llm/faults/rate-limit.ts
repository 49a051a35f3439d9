import { z } from 'zod';
import { openAIError } from '../errors.ts';
import { defineLlmFault } from './_fault.ts';

/** OpenAI's 429: the error body, retry-after, and x-ratelimit-* headers saying which limit ran out. */
export default defineLlmFault({
  type: 'rate-limit',
  description: '429 rate_limit_exceeded with retry-after and x-ratelimit-* headers',
  params: z.strictObject({
    retryAfterSeconds: z.number().int().min(0).max(3600).default(1),
    /** Which limit ran out: the error's `type` and the x-ratelimit-remaining-* header that reads 0. */
    limit: z.enum(['requests', 'tokens']).default('requests'),
  }),
  refuse({ chat, requestId, options }, { params: { retryAfterSeconds: wait, limit } }) {
    const reset = `${wait}s`;
    const [name, cap] = limit === 'requests' ? ['requests per min (RPM)', options.rateLimits.requests] : ['tokens per min (TPM)', options.rateLimits.tokens];
    return openAIError(
      429,
      {
        message: `Rate limit reached for ${chat.model} in organization org-faultline on ${name}: Limit ${cap}, Used ${cap}, Requested 1. Please try again in ${wait}s. Visit https://platform.openai.com/account/rate-limits to learn more.`,
        type: limit,
        param: null,
        code: 'rate_limit_exceeded',
      },
      {
        'retry-after': String(wait),
        'x-request-id': requestId,
        'x-ratelimit-limit-requests': String(options.rateLimits.requests),
        'x-ratelimit-limit-tokens': String(options.rateLimits.tokens),
        'x-ratelimit-remaining-requests': limit === 'requests' ? '0' : String(options.rateLimits.requests - 1),
        'x-ratelimit-remaining-tokens': limit === 'tokens' ? '0' : String(options.rateLimits.tokens),
        'x-ratelimit-reset-requests': limit === 'requests' ? reset : '0s',
        'x-ratelimit-reset-tokens': limit === 'tokens' ? reset : '0s',
      },
    );
  },
});
