import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Toolbox } from '../env/tools/toolbox.ts';
import { DEFAULT_LEAD_MS, leadFor, leadNote, MIN_FITTED_LEAD_MS, readyBeforeOrigin, recordNeed } from './k6-lead.ts';
import { startK6 } from './k6-driver.ts';

describe('the k6 lead', () => {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-k6-lead-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is the declared one as declared, the default the first time, then fitted to what k6 needed last time with room to spare', () => {
    const state = join(dir, 'state');
    expect(leadFor(state, 'a.ts smoke', 2500)).toEqual({ ms: 2500, how: 'declared' });
    expect(leadFor(state, 'a.ts smoke', undefined)).toEqual({ ms: DEFAULT_LEAD_MS, how: 'default' });
    recordNeed(state, 'a.ts smoke', 120);
    recordNeed(state, 'b.ts smoke', 2000);
    expect(leadFor(state, 'a.ts smoke', undefined)).toEqual({ ms: MIN_FITTED_LEAD_MS, how: 'fitted' });
    expect(leadFor(state, 'b.ts smoke', undefined)).toEqual({ ms: 4000, how: 'fitted' });
    // A run that was late records what it really needed, so the next one waits longer.
    recordNeed(state, 'a.ts smoke', 900);
    expect(leadFor(state, 'a.ts smoke', undefined)).toEqual({ ms: 1800, how: 'fitted' });
    expect(leadFor(state, 'a.ts baseline', undefined).how).toBe('default');
    expect(leadFor(state, 'a.ts smoke', 100).ms).toBe(100);
  });

  it('falls back to the default on a damaged record', () => {
    const state = join(dir, 'damaged');
    recordNeed(state, 'x', 100);
    writeFileSync(join(state, 'k6-lead.json'), '{"x": "soon"');
    expect(leadFor(state, 'x', undefined).how).toBe('default');
    writeFileSync(join(state, 'k6-lead.json'), '{"x": -5}');
    expect(leadFor(state, 'x', undefined).how).toBe('default');
  });

  it('notes how much of it k6 needed, or how late k6 was', () => {
    expect(leadNote(500, 380, 'fitted')).toBe('k6 ready after 120 ms of 500 ms (fitted to the last run)');
    expect(leadNote(1500, -200, 'declared')).toBe('k6 ready 200 ms after the origin (lead 1500 ms, load.lead): raise load.lead');
    expect(leadNote(1500, -200, 'default')).toBe('k6 ready 200 ms after the origin (lead 1500 ms, default)');
    expect(leadNote(1500, undefined, 'default')).toBe('k6 did not say when it was ready');
  });

  it('is read from what the helper makes a real k6 log, setup() and its VUs included', async () => {
    const script = join(dir, 'script.js');
    const helper = resolve(import.meta.dirname, 'k6/faultline.js');
    writeFileSync(
      script,
      `import * as faultline from '${helper}';\nexport const options = faultline.options();\nexport function setup() { const until = Date.now() + 300; while (Date.now() < until); faultline.waitForOrigin(); }\nexport default faultline.iteration(() => {});\n`,
    );
    const leadMs = 3000;
    const spawned = Date.now();
    const originMs = spawned + leadMs;
    const k6 = startK6({
      k6: (await new Toolbox().get('k6')).path,
      script,
      runDir: dir,
      seed: 1,
      plan: {
        originMs,
        target: 'http://127.0.0.1:1',
        phases: [{ name: 'only', startMs: 0, endMs: 500 }],
        thresholds: {},
        profile: {} as never,
        maxRedirects: 0,
        scenarios: { faultline: { executor: 'shared-iterations', vus: 5, iterations: 5, maxDuration: '10s' } },
        groups: { faultline: { vus: 5, targets: ['http://127.0.0.1:1'] } },
        shaped: false,
      },
    });
    const exit = await k6.exited;
    const log = readFileSync(k6.logFile, 'utf8');
    expect(exit.code, log).toBe(0);
    const before = readyBeforeOrigin(log);
    expect(before, log).toBeDefined();
    // Ready no sooner than setup's own 300 ms of work, and well before the origin.
    expect(leadMs - before!).toBeGreaterThanOrEqual(300);
    expect(before!).toBeGreaterThan(0);
    expect(Date.now()).toBeGreaterThanOrEqual(originMs);
  }, 30_000);
});
