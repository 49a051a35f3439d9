import { invalidRequest } from './errors.ts';

/** The parts of a chat completion request the mock acts on. */
export interface ChatRequest {
  model: string;
  messages: { role: string; content?: unknown }[];
  stream: boolean;
  includeUsage: boolean;
  /** max_completion_tokens, or the older max_tokens. */
  maxTokens?: number;
  /** The request's own `seed`: part of what makes the answer, as with the real API. */
  seed?: number;
}

const ROLES = ['system', 'assistant', 'user', 'function', 'tool', 'developer'];

/**
 * Validates a request body the way the real API does and answers what it would:
 * a 400 invalid_request_error naming the `param` at fault.
 */
export function parseChatRequest(body: unknown): ChatRequest | Response {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return invalidRequest(`Invalid type for request body: expected an object, but got ${kind(body)} instead.`, null, 'invalid_type');
  }
  const b = body as Record<string, unknown>;
  if (b.model === undefined || b.model === null) return missing('model');
  if (typeof b.model !== 'string') return wrongType('model', 'a string', b.model);
  if (b.messages === undefined || b.messages === null) return missing('messages');
  if (!Array.isArray(b.messages)) return wrongType('messages', 'an array of objects', b.messages);
  if (b.messages.length === 0) {
    return invalidRequest("Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.", 'messages', 'empty_array');
  }
  for (const [i, message] of b.messages.entries()) {
    const at = `messages[${i}]`;
    if (typeof message !== 'object' || message === null || Array.isArray(message)) return wrongType(at, 'an object', message);
    const { role, content } = message as Record<string, unknown>;
    if (role === undefined) return missing(`${at}.role`);
    if (typeof role !== 'string' || !ROLES.includes(role)) {
      return invalidRequest(
        `Invalid value: ${JSON.stringify(role)}. Supported values are: ${ROLES.slice(0, -1).map((r) => `'${r}'`).join(', ')}, and '${ROLES.at(-1)}'.`,
        `${at}.role`,
        'invalid_value',
      );
    }
    // Assistant turns may carry tool_calls instead of text; every other role needs content.
    if (role !== 'assistant' && (content === undefined || content === null)) return missing(`${at}.content`);
  }
  if (b.stream !== undefined && b.stream !== null && typeof b.stream !== 'boolean') return wrongType('stream', 'a boolean', b.stream);
  const stream = b.stream === true;
  if (b.stream_options !== undefined && b.stream_options !== null && !stream) {
    return invalidRequest("The 'stream_options' parameter is only allowed when 'stream' is enabled.", 'stream_options', null);
  }
  let maxTokens: number | undefined;
  for (const param of ['max_completion_tokens', 'max_tokens']) {
    const value = b[param];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'number' || !Number.isInteger(value)) return wrongType(param, 'an integer', value);
    if (value < 1) return invalidRequest(`Invalid '${param}': integer below minimum value. Expected a value >= 1, but got ${value} instead.`, param, 'integer_below_min_value');
    maxTokens ??= value;
  }
  if (b.seed !== undefined && b.seed !== null && (typeof b.seed !== 'number' || !Number.isInteger(b.seed))) return wrongType('seed', 'an integer', b.seed);
  const options = b.stream_options as { include_usage?: unknown } | undefined;
  return {
    model: b.model,
    messages: b.messages as ChatRequest['messages'],
    stream,
    includeUsage: stream && options?.include_usage === true,
    maxTokens,
    seed: typeof b.seed === 'number' ? b.seed : undefined,
  };
}

function missing(param: string): Response {
  return invalidRequest(`Missing required parameter: '${param}'.`, param, 'missing_required_parameter');
}

function wrongType(param: string, expected: string, value: unknown): Response {
  return invalidRequest(`Invalid type for '${param}': expected ${expected}, but got ${kind(value)} instead.`, param, 'invalid_type');
}

function kind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'an integer' : 'a decimal';
  if (typeof value === 'object') return 'an object';
  return typeof value === 'string' ? 'a string' : typeof value === 'boolean' ? 'a boolean' : `a ${typeof value}`;
}
