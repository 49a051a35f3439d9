import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaultController } from '../control/faults.ts';
import { controlHandlers } from '../control/handlers.ts';
import { type ServedHandlers, serveHandlers } from './serve.ts';

describe("a mock's control API over HTTP", () => {
  let served: ServedHandlers;
  beforeAll(async () => {
    served = await serveHandlers(controlHandlers(new FaultController('test', {}, 1)));
  });
  afterAll(() => served.close());
  /** node:http, since fetch will not send a Host of our choosing. */
  const send = (method: string, path: string, headers: Record<string, string>, body = '') =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(`${served.url}${path}`, { method, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
        let text = '';
        res.on('data', (c) => (text += c)).on('end', () => resolve({ status: res.statusCode!, body: text }));
      });
      req.once('error', reject).end(body);
    });
  const post = (headers: Record<string, string>, body = '{}') => send('POST', '/__faultline/reset', headers, body);

  it('answers JSON from a loopback host', async () => {
    expect((await post({ 'content-type': 'application/json' })).status).toBe(204);
  });

  it('refuses a Host that is not loopback (DNS rebinding) and a body that is not JSON (a cross-origin form)', async () => {
    const rebinding = await post({ 'content-type': 'application/json', host: 'attacker.example' });
    expect(rebinding.status).toBe(403);
    expect(rebinding.body).toContain('loopback hosts only');
    const form = await post({ 'content-type': 'text/plain' }, '{"type":"down"}');
    expect(form.status).toBe(415);
    expect((await send('GET', '/__faultline/health', { host: 'attacker.example' })).status).toBe(200); // reads are fine
  });
});
