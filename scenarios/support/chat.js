// Shared k6 load: POST /api/chat, which streams SSE and sends its 200 with the first token,
// so time to first byte is time to first token.
import http from 'k6/http';
import * as faultline from '../../runner/k6/faultline.js';
import { asUser, runUser } from './app.js';

const timeout = __ENV.CHAT_TIMEOUT || '30s';

export function chat() {
  const params = asUser(runUser(__ENV.CHAT_PREFIX || 'chat'));
  params.timeout = timeout;
  const response = http.post(`${faultline.target}/api/chat`, JSON.stringify({ messages: [{ role: 'user', content: 'Write a short note for a red packet.' }] }), params);
  if (response.status === 200) faultline.firstToken.add(response.timings.waiting);
}
