import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateFrameActionPool } from '../../mocks/farcaster/actions.ts';
import { defineScenario } from 'faultline';
import { appInvariants, CLAIM_INVARIANTS } from '../support/app-invariants.ts';

/**
 * Many fids claim the same gift through frames at once, each press sent twice (clients
 * resend). The gift has fewer shares than fids. With idempotency (the message hash as the
 * key, one claim per wallet per gift in the database) every share is paid once; without
 * it, a resent press and its original both get through: a wallet is paid twice.
 */
export default defineScenario({
  name: 'frame-claim-storm',
  description: 'Many fids claim one gift through frames at once, every press sent twice; no over-claim, no double claim',
  services: { postgres: true, redis: true, anvil: true, farcaster: true, app: true },
  // The config runs two app instances (app, app2): this load goes to the first.
  target: { service: 'app' },
  load: {
    script: './load.js',
    executor: 'iterations',
    env: { STORM_SHARES: '10' },
    // A storm: many presses at once. `requests` presses, two per frame action.
    profiles: { smoke: { requests: 40, concurrency: 20 }, baseline: { requests: 100, concurrency: 50 }, stress: { requests: 300, concurrency: 100 } },
  },
  phases: [{ name: 'storm', duration: '60s' }],
  // The chain answers a little slower, as it does under load: the window for a race is realistic, not zero.
  faults: [{ name: 'anvil-slow', fault: 'latency', target: 'anvil', at: 'storm', params: { latency: 50, jitter: 20 } }],
  invariants: appInvariants(CLAIM_INVARIANTS),
  async before(ctx) {
    const options = (ctx.serviceOptions.farcaster ?? {}) as Record<string, unknown>;
    const pool = await generateFrameActionPool({ seed: ctx.seed, options, count: 30 });
    const file = join(ctx.runDir, 'frame-actions.json');
    writeFileSync(file, JSON.stringify(pool));
    return { FRAME_ACTIONS_FILE: file };
  },
});
