/** The body of every OpenAI API error: `{"error":{"message","type","param","code"}}`. */
export interface OpenAIErrorBody {
  message: string;
  type: string;
  param: string | null;
  code: string | null;
}

/** An OpenAI-shaped error response. */
export function openAIError(status: number, error: OpenAIErrorBody, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify({ error }), { status, headers: { 'content-type': 'application/json', ...headers } });
}

/** 400 invalid_request_error for one request field, as the real API words it. */
export function invalidRequest(message: string, param: string | null, code: string | null): Response {
  return openAIError(400, { message, type: 'invalid_request_error', param, code });
}

export const BAD_JSON_MESSAGE =
  "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. " +
  'The OpenAI API expects a JSON payload, but what was sent was not valid JSON. If you have trouble figuring out how to fix this, ' +
  'please contact us through our help center at help.openai.com.)';
