// k6 side of `npm run bench:ws`: CONNECTIONS sockets spread over VUS VUs, held for the phases
// of the plan (connect, hold), each receiving the server's 2 Hz stamped events. KIND=socketio
// joins the reference app's streamer room over Socket.IO; KIND=ws reads a bare ws server.
import exec from 'k6/execution';
import * as faultline from '../../runner/k6/faultline.js';
import * as sio from '../../runner/k6/socketio.js';
import * as ws from '../../runner/k6/ws.js';
import { token } from '../../scenarios/support/app.js';

const total = Number(__ENV.CONNECTIONS || 0);
const vus = Number(__ENV.VUS || 1);
const rampMs = Number(__ENV.RAMP_MS || 2000);

export const options = {
  scenarios: { hold: { executor: 'per-vu-iterations', vus, iterations: 1, maxDuration: '5m' } },
  // Thresholds make k6 export these submetrics; the bench reads the values, not the verdict.
  thresholds: {
    'faultline_ws_lag{phase:hold}': ['p(99)<1000'],
    'faultline_ws_dropped{phase:hold}': ['rate<0.01'],
    faultline_ws_connect_failed: ['rate<0.01'],
    // Why attempts failed (delivery.js tags each failure with its reason).
    'faultline_ws_connect_failed{reason:connect timeout}': ['rate<0.01'],
    'faultline_ws_connect_failed{reason:error}': ['rate<0.01'],
    'faultline_ws_connect_failed{reason:closed}': ['rate<0.01'],
  },
};

export default function () {
  const index = exec.vu.idInTest - 1;
  const count = Math.floor(total / vus) + (index < total % vus ? 1 : 0);
  const first = index * Math.floor(total / vus) + Math.min(index, total % vus);
  const common = { count, first, urls: [__ENV.URL], rampMs, connectTimeoutMs: 20000, untilMs: faultline.remainingMs() };
  if (__ENV.KIND === 'ws') ws.hold(common);
  else sio.hold(Object.assign(common, { rooms: [`streamer:${__ENV.STREAMER}`], auth: (n) => ({ token: token(`bench-${n}`) }) }));
}
