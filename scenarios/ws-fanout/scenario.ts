import { defineScenario } from 'faultline';

/**
 * The load-test plan's S6: clients hold Socket.IO connections to a streamer's room, spread
 * over two app nodes behind the Redis adapter, while the app publishes EVENT_UPDATED at 2 Hz.
 * First the adapter's path to Redis is cut (its own proxy, redis-adapter): events published
 * on one node stop reaching the other's clients. Then one node freezes (SIGSTOP): its clients
 * miss pings, give up on it and reconnect to the other node. With socket-recovery the app
 * replays what a client missed, from a Redis stream, when it reconnects or asks for a gap
 * (and its adapter drops broadcasts it cannot send rather than flush them late): nothing is
 * lost and nothing arrives twice. Without it, every event sent while a client was away is
 * lost to it. (What is published while the adapter is cut off is measured, not asserted.)
 */
export default defineScenario({
  name: 'ws-fanout',
  description: 'Socket.IO fan-out over two app nodes at 2 Hz while the adapter loses Redis and a node freezes; p99 lag < 1 s, dropped < 0.5 %, no duplicates',
  services: { postgres: true, redis: { proxies: ['adapter'] }, anvil: true, app: true, app2: true },
  target: { service: 'app' },
  load: {
    script: './load.js',
    env: { STREAMER_ID: '1' },
    groups: {
      // The plan's 10k connections per node are the bench's (npm run bench:ws); baseline here 1000, smoke 200.
      listeners: { executor: 'per-vu-iterations', vus: 10, iterations: 1, connections: 1000, targets: ['app', 'app2'] },
      pollers: { executor: 'constant-arrival-rate', rate: 10, vus: 10, maxVUs: 40, targets: ['app', 'app2'] },
    },
    profiles: { smoke: { groups: { listeners: { connections: 200, vus: 4 } } } },
  },
  phases: [
    { name: 'baseline', duration: '5s' },
    { name: 'adapter-down', duration: '4s' },
    { name: 'adapter-back', duration: '5s' },
    { name: 'node-pause', duration: '5s' },
    // The frozen node's clients are still coming back over the other one (the reconnect bound below).
    { name: 'rejoin', duration: '3s' },
    { name: 'recovery', duration: '6s' },
  ],
  faults: [
    { name: 'adapter-cut', fault: 'down', target: 'redis-adapter', at: 'adapter-down' },
    { name: 'app2-frozen', fault: 'pause', target: 'app2', at: 'node-pause' },
  ],
  assertions: {
    profileThresholds: ['baseline'],
    thresholds: {
      // Outside the faults and their aftermath (adapter-back, rejoin): delivered within a second.
      'faultline_ws_lag{phase:baseline}': ['p(99)<1000'],
      'faultline_ws_lag{phase:recovery}': ['p(99)<1000'],
      // Nothing lost, also of what was sent while the adapter reconnected or a node was frozen (replayed, late).
      'faultline_ws_dropped{phase:baseline}': ['rate<0.005'],
      'faultline_ws_dropped{phase:adapter-back}': ['rate<0.005'],
      'faultline_ws_dropped{phase:node-pause}': ['rate<0.005'],
      'faultline_ws_dropped{phase:rejoin}': ['rate<0.005'],
      'faultline_ws_dropped{phase:recovery}': ['rate<0.005'],
      faultline_ws_duplicates: ['rate==0'],
      'faultline_ws_connect_failed{phase:baseline}': ['rate<0.01'],
      // Clients of the frozen node are back, on the other one, within the bound.
      faultline_ws_reconnect_time: ['max<5000'],
    },
  },
});
