import { describe, expect, it } from 'vitest';
import { renderClosure } from './closure.ts';
import { runFixture } from './testing/fixture.ts';

describe('renderClosure', () => {
  it('sums up a FAIL in a few lines: verdict, reasons, phases, faults, replay', () => {
    const result = runFixture({ pass: false });
    const note = renderClosure(result);
    expect(note.split('\n')[0]).toBe('### FAIL — rpc-throttle (smoke profile)');
    for (const reason of result.reasons) expect(note).toContain(`- ${reason}`);
    expect(note).toContain('| fault | 392 | 18.30% | 3120 ms |');
    expect(note).toContain('Faults: rpc-throttle on rpc 20.0–40.0 s; db-latency on postgres 25.0–35.0 s (largest timing drift +12 ms).');
    expect(note).toContain('mitigations: rpc-fallback off');
    expect(note).toContain('Replay: `npx faultline chaos scenarios/rpc-throttle/scenario.ts --profile smoke --seed 424242`');
    expect(note.split('\n').length).toBeLessThan(30);
  });

  it('says PASS with the assertion count when everything held', () => {
    expect(renderClosure(runFixture({ pass: true }))).toMatch(/^### PASS — rpc-throttle \(smoke profile\)\n\nAll 10 assertions held/);
  });
});
