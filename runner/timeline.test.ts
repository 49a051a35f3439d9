import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { definePreset, type FaultPreset } from '../toxics/fault.ts';
import { applyLateness, TimelineExecutor } from './timeline.ts';

/** A preset that records what it did to a shared log; `failApply` / `failRevert` make it throw. */
function recorder(log: string[], options: { failApply?: boolean; failRevertTimes?: number } = {}): FaultPreset {
  let revertFailures = options.failRevertTimes ?? 0;
  return definePreset({
    name: 'rec',
    layer: 'network',
    description: 'test',
    params: z.object({}),
    async apply(_ctx, target) {
      if (options.failApply) throw new Error(`cannot break ${target}`);
      log.push(`apply ${target}`);
      return {
        revert: async () => {
          if (revertFailures-- > 0) throw new Error('revert refused');
          log.push(`revert ${target}`);
        },
      };
    },
  });
}

const ctx = { env: {}, toxiproxyUrl: 'http://127.0.0.1:1', seed: 1, serviceOptions: {} };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('TimelineExecutor', () => {
  it('applies and reverts on schedule from the shared origin and records both times', async () => {
    const log: string[] = [];
    const executor = new TimelineExecutor({ ctx, originMs: Date.now() + 20, presets: { rec: recorder(log) } });
    executor.start([{ name: 'f', fault: 'rec', target: 'a', atMs: 10, durationMs: 40, params: {} }]);
    await sleep(45);
    expect(executor.active()).toEqual(['f']);
    await sleep(60);
    expect(executor.active()).toEqual([]);
    expect(log).toEqual(['apply a', 'revert a']);
    const [apply, revert] = executor.events;
    expect(apply).toMatchObject({ action: 'apply', scheduledMs: 10, ok: true });
    expect(revert).toMatchObject({ action: 'revert', scheduledMs: 50, ok: true });
    expect(apply!.actualMs).toBeGreaterThanOrEqual(10);
    expect(applyLateness(executor.events)[0]).toBeLessThan(50);
    await executor.finish();
    expect(log).toEqual(['apply a', 'revert a']); // nothing reverted twice
  });

  it('reverts every fault still applied when finished early (error or Ctrl-C), latest first, and cancels what had not started', async () => {
    const log: string[] = [];
    const executor = new TimelineExecutor({ ctx, originMs: Date.now(), presets: { rec: recorder(log) } });
    executor.start([
      { name: 'one', fault: 'rec', target: 'a', atMs: 0, params: {} },
      { name: 'two', fault: 'rec', target: 'b', atMs: 5, durationMs: 10_000, params: {} },
      { name: 'later', fault: 'rec', target: 'c', atMs: 5000, params: {} },
    ]);
    await sleep(30);
    await executor.finish();
    expect(log).toEqual(['apply a', 'apply b', 'revert b', 'revert a']);
    expect(executor.active()).toEqual([]);
  });

  it('records a failed apply and carries on with the rest of the timeline', async () => {
    const log: string[] = [];
    const executor = new TimelineExecutor({ ctx, originMs: Date.now(), presets: { rec: recorder(log), bad: recorder(log, { failApply: true }) } });
    executor.start([
      { name: 'broken', fault: 'bad', target: 'x', atMs: 0, durationMs: 10, params: {} },
      { name: 'fine', fault: 'rec', target: 'a', atMs: 0, params: {} },
    ]);
    await sleep(30);
    await executor.finish();
    expect(executor.events.find((e) => e.fault === 'broken')).toMatchObject({ action: 'apply', ok: false, error: 'cannot break x' });
    expect(log).toEqual(['apply a', 'revert a']);
  });

  it('retries a revert that failed once, and reports a revert that keeps failing', async () => {
    const log: string[] = [];
    const flaky = new TimelineExecutor({ ctx, originMs: Date.now(), presets: { rec: recorder(log, { failRevertTimes: 1 }) } });
    flaky.start([{ name: 'f', fault: 'rec', target: 'a', atMs: 0, params: {} }]);
    await sleep(10);
    await flaky.finish();
    expect(log).toEqual(['apply a', 'revert a']);
    expect(flaky.events.map((e) => `${e.action}:${e.ok}`)).toEqual(['apply:true', 'revert:false', 'revert:true']);

    const stuck = new TimelineExecutor({ ctx, originMs: Date.now(), presets: { rec: recorder([], { failRevertTimes: 99 }) } });
    stuck.start([{ name: 'g', fault: 'rec', target: 'b', atMs: 0, params: {} }]);
    await sleep(10);
    await expect(stuck.finish()).resolves.toBeUndefined();
    expect(stuck.active()).toEqual(['g']);
    expect(stuck.events.filter((e) => e.action === 'revert').every((e) => !e.ok && e.error === 'revert refused')).toBe(true);
  });

  it('waits for an apply under way before rolling back, so it is not left behind', async () => {
    const log: string[] = [];
    const slow = definePreset({
      name: 'slow',
      layer: 'network',
      description: 'test',
      params: z.object({}),
      async apply() {
        await sleep(40);
        log.push('apply');
        return { revert: async () => void log.push('revert') };
      },
    });
    const executor = new TimelineExecutor({ ctx, originMs: Date.now(), presets: { slow } });
    executor.start([{ name: 's', fault: 'slow', target: 'a', atMs: 0, params: {} }]);
    await sleep(10);
    await executor.finish();
    expect(log).toEqual(['apply', 'revert']);
  });
});
