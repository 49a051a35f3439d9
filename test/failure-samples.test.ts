import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readState } from '../env/state.ts';
import { resolveConfig } from '../env/config.ts';
import { runScenario } from '../runner/run.ts';
import { resolveScenario } from '../runner/scenario.ts';
import { testConfig } from './support/environment.ts';
import { SHOP_DIR, shopService } from './support/shop.ts';

const shopDir = SHOP_DIR;

// The shop fixture as a team's app (started by the run), Redis cut off with its fallback switched off.
describe('failure samples and the status breakdown (a Redis outage)', () => {
  it('name the status and the request id the app logged, and say in which log it appears', async () => {
    const config = resolveConfig(
      testConfig({
        services: {
          postgres: {},
          redis: true,
          shop: shopService({
            mitigations: { env: 'SHOP_MITIGATIONS', names: ['cache-fallback'] },
          }),
        },
      }),
    );
    const scenario = resolveScenario(
      {
        name: 'shop-redis-outage',
        description: 'Redis down; the shop without its cache fallback answers 503',
        services: ['postgres', 'redis', 'shop'],
        load: { script: join(shopDir, 'load.js'), profiles: { smoke: { rps: 10 } } },
        phases: [
          { name: 'baseline', duration: '2s' },
          { name: 'fault', duration: '3s' },
          { name: 'recovery', duration: '1s' },
        ],
        faults: [{ fault: 'down', target: 'redis', at: 'fault' }],
        assertions: { thresholds: { 'http_req_failed{phase:fault}': ['rate<0.05'] }, profileThresholds: false },
        probes: { samples: { perKind: 5 } },
      },
      join(shopDir, 'scenario.ts'),
    );
    const reportsDir = mkdtempSync(join(tmpdir(), 'faultline-samples-'));
    const { result, runDir } = await runScenario({ scenario, config, mitigations: '-cache-fallback', reportsDir, out: { write: () => true } });
    expect(result.verdict).toBe('FAIL');
    const d = result.diagnostics!;

    const samples = d.failureSamples.filter((s) => s.kind === '5xx');
    expect(samples.length).toBeGreaterThan(0);
    expect(samples.length).toBeLessThanOrEqual(5 * 2); // bounded per phase and kind (fault, and perhaps the first of recovery)
    for (const s of samples) {
      expect(s).toMatchObject({ status: 503, method: 'GET', phase: expect.stringMatching(/fault|recovery/) });
      expect(s.requestId).toMatch(/^req-[0-9a-f]+$/);
      expect(s.body).toContain('cache:');
      expect(s.foundIn).toEqual([join('state', 'logs', 'shop.log')].map((p) => expect.stringContaining(p)));
    }
    // The id really is in that log (the environment is gone; its log file stays until the temp folder goes).
    expect(readFileSync(join(config.stateDir, 'logs', 'shop.log'), 'utf8')).toContain(samples[0]!.requestId!);
    expect(readState(config.stateDir)).toBeUndefined();

    const fault = d.statusBreakdown.find((p) => p.phase === 'fault')!;
    expect(fault.byStatus['503']).toBeGreaterThan(10);
    expect(d.statusBreakdown.find((p) => p.phase === 'baseline')!.byStatus).toEqual({ '2xx': expect.any(Number) });

    // Why it failed: the fault in that window, and the errors there.
    const why = d.attribution.find((a) => a.threshold === 'http_req_failed{phase:fault} rate<0.05')!;
    expect(why.notes[0]).toMatch(/^down@redis in force 2\.[01]–5\.[01] s$/); // actual apply and revert times
    expect(why.notes[1]).toMatch(/^errors \d+\.\d\d% of \d+ requests in this window, most often 503 \(\d+\)$/);
    expect(result.reasons[0]).toMatch(/^threshold http_req_failed\{phase:fault\} rate<0\.05 failed \(observed \d+\.\d\d%\)$/);
    expect(readFileSync(join(runDir, 'summary.json'), 'utf8')).toContain('"failureSamples"');
  });
});
