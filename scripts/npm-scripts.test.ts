import { describe, expect, it } from 'vitest';
import { chaosScripts } from './npm-scripts.ts';

describe('chaosScripts', () => {
  it("adds one chaos:<name> per scenario running the project's chaos script, and drops those of scenarios that are gone", () => {
    const before = { build: 'tsc', chaos: 'faultline chaos', 'chaos:old': 'faultline chaos old', test: 'vitest' };
    expect(chaosScripts(before, ['b', 'a'])).toEqual({ build: 'tsc', chaos: 'faultline chaos', 'chaos:a': 'faultline chaos a', 'chaos:b': 'faultline chaos b', test: 'vitest' });
    expect(Object.keys(chaosScripts(before, ['b', 'a']))).toEqual(['build', 'chaos', 'chaos:a', 'chaos:b', 'test']);
  });

  it('keeps a chaos:<name> script the user wrote differently, and falls back to `faultline chaos` without a chaos script', () => {
    expect(chaosScripts({ 'chaos:x': 'faultline chaos x --profile stress' }, [])).toEqual({ 'chaos:x': 'faultline chaos x --profile stress' });
    expect(chaosScripts({}, ['x'])).toEqual({ 'chaos:x': 'faultline chaos x' });
  });
});
