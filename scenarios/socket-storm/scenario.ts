import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineScenario } from 'faultline';

/** What the k6 summary says about the storm (metric counts). */
function stormCounts(runDir: string) {
  const { metrics } = JSON.parse(readFileSync(join(runDir, 'k6-summary.json'), 'utf8')) as { metrics: Record<string, Record<string, number>> };
  const count = (name: string, field = 'count') => Number(metrics[name]?.[field] ?? 0);
  return {
    posted: count('storm_posted'),
    // Sessions minus re-established ones: the listeners.
    listeners: count('faultline_ws_connections') - count('faultline_ws_reconnects'),
    received: count('faultline_ws_messages'),
    duplicates: count('faultline_ws_duplicates', 'passes'),
  };
}

/**
 * A message storm in one chat room: writers post through one app node at a rising rate
 * (POST → Postgres → BullMQ → Socket.IO through the Redis adapter) while listeners on the other
 * node receive. Mid-storm the listeners' node is cut off (its proxy down): they reconnect and
 * rejoin. With socket-recovery the app replays what each listener missed from the room's
 * stream; without it, the messages posted while they were away never reach them.
 */
export default defineScenario({
  name: 'socket-storm',
  description: 'Writers post to a room at a rising rate while listeners on the other node receive; every message reaches every listener exactly once, p99 lag < 1 s',
  services: { postgres: true, redis: true, anvil: true, app: true, app2: true },
  target: { service: 'app' },
  load: {
    script: './load.js',
    groups: {
      listeners: { executor: 'per-vu-iterations', vus: 5, iterations: 1, connections: 100, targets: ['app'] },
      // 5 → 20 → 40 posts a second (smoke: half), each by its own user (per-user rate limits stay out of it);
      // past the room's own limit (10/s) the app answers 429, which the writers count apart: what it accepted must reach everyone.
      // The room's history read through the writers' node the whole time (readers and writers at once).
      readers: { executor: 'constant-arrival-rate', rate: 5, vus: 2, maxVUs: 10, targets: ['app2'] },
      writers: { executor: 'ramping-arrival-rate', rate: 5, startTime: 'storm', vus: 10, maxVUs: 60, targets: ['app2'], phases: { storm: { rate: 20, ramp: true }, storm2: { rate: 40, ramp: true }, drain: { rate: 0 } } },
    },
    profiles: { smoke: { groups: { listeners: { connections: 20, vus: 2 }, readers: { rate: 2 }, writers: { scale: 0.5 } } } },
  },
  phases: [
    { name: 'warmup', duration: '3s' },
    { name: 'storm', duration: '6s' },
    { name: 'cut', duration: '3s' },
    { name: 'storm2', duration: '5s' },
    { name: 'drain', duration: '4s' },
  ],
  faults: [{ name: 'listeners-cut-off', fault: 'down', target: 'app', at: 'cut' }],
  assertions: {
    profileThresholds: false,
    thresholds: {
      'faultline_ws_lag{phase:storm}': ['p(99)<1000'],
      faultline_ws_dropped: ['rate==0'],
      faultline_ws_duplicates: ['rate==0'],
      'http_req_failed{scenario:writers}': ['rate<0.01'],
      'http_req_failed{scenario:readers}': ['rate<0.01'],
    },
  },
  invariants: [
    {
      name: 'every posted message reached every listener exactly once',
      check: ({ runDir }) => {
        const c = stormCounts(runDir);
        const expected = c.posted * c.listeners;
        const ok = c.posted > 0 && c.received === expected && c.duplicates === 0;
        return { ok, detail: `${c.posted} posted × ${c.listeners} listeners = ${expected} deliveries expected; ${c.received} received, ${c.duplicates} twice` };
      },
    },
  ],
});
