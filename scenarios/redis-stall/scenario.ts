import { defineScenario } from 'faultline';
import redisOutage from '../redis-outage/scenario.ts';

/**
 * Redis stalls: its process is frozen (SIGSTOP) for a window while users read chat rooms
 * and claim gifts. Unlike an outage, connections stay open and nothing is refused; every
 * command just waits. With cache-fallback, commands time out after 250 ms and reads go to
 * Postgres; without it, reads wait on the frozen cache until the client gives up.
 * redis-outage's load, phases and assertions, so the two failure modes compare directly.
 */
export default defineScenario({
  ...redisOutage,
  name: 'redis-stall',
  description: 'Redis frozen (SIGSTOP) for a window during chat-room reads and claims; reads must fall back to Postgres',
  load: { ...redisOutage.load, script: '../redis-outage/load.js', env: { ...redisOutage.load.env, CLAIM_PREFIX: 'redis-stall' } },
  faults: [{ name: 'redis-frozen', fault: 'pause', target: 'redis', at: 'fault' }],
});
