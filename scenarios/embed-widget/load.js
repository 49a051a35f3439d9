// A user opens the embed widget: token → nonce validation (sent twice at once, as a retrying
// browser or a replaying attacker does: exactly one may pass) → widget handshake; then a
// second of think time.
import http from 'k6/http';
import { sleep } from 'k6';
import { Counter, Rate, Trend } from 'k6/metrics';
import * as faultline from '../../runner/k6/faultline.js';
import { asUser, runUser } from '../support/app.js';

/** Share of flows that ended with a widget: token, exactly one validation passed, handshake. */
export const handshakeOk = new Rate('embed_handshake_ok');
/** The whole flow, token request to handshake answer, ms. */
export const handshakeDuration = new Trend('embed_handshake_duration', true);
/** Flows in which both validations of one nonce passed (the client saw a double use). */
export const doubleUse = new Counter('embed_nonce_double_use');

// The duplicate validation's 409 is the expected answer, not a failed request.
const expected = http.expectedStatuses(200, 409);

export const options = faultline.options();
export const setup = faultline.setup;

export const widget = faultline.iteration(() => {
  const params = asUser(runUser('embed'));
  params.timeout = '5s';
  const started = Date.now();
  const token = http.get(`${faultline.target}/api/embed/token`, Object.assign({}, params, { tags: { name: 'token' } }));
  let ok = token.status === 200;
  if (ok) {
    const body = JSON.stringify({ token: token.json('token'), nonce: token.json('nonce') });
    const validate = Object.assign({}, params, { tags: { name: 'nonce' }, responseCallback: expected });
    const answers = http.batch([
      ['POST', `${faultline.target}/api/embed/validate`, body, validate],
      ['POST', `${faultline.target}/api/embed/validate`, body, validate],
    ]);
    const passed = answers.filter((r) => r.status === 200);
    if (passed.length > 1) doubleUse.add(1);
    ok = passed.length >= 1 && answers.every((r) => r.status === 200 || r.status === 409);
    if (ok) {
      const handshake = http.post(`${faultline.target}/api/embed/handshake`, JSON.stringify({ session: passed[0].json('session') }), Object.assign({}, params, { tags: { name: 'handshake' } }));
      ok = handshake.status === 200;
    }
  }
  handshakeOk.add(ok);
  if (ok) handshakeDuration.add(Date.now() - started);
  sleep(1);
});
