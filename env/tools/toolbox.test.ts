import { appendFileSync, chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Toolbox } from './toolbox.ts';

// A stand-in k6 (FAULTLINE_K6) that says its version and counts how often it was asked.
describe('tool versions', () => {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-toolbox-'));
  const binary = join(dir, 'k6');
  const asked = join(dir, 'asked');
  const saved = process.env.FAULTLINE_K6;
  const standIn = (version: string) => {
    writeFileSync(binary, `#!/bin/sh\necho x >> "${asked}"\necho "k6 ${version} (stand-in, linux/amd64)"\n`);
    chmodSync(binary, 0o755);
  };
  const timesAsked = () => readFileSync(asked, 'utf8').split('\n').filter(Boolean).length;
  afterEach(() => (saved === undefined ? delete process.env.FAULTLINE_K6 : (process.env.FAULTLINE_K6 = saved)));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('asks a binary its version once, remembers it across toolboxes, and asks again once the file is replaced', async () => {
    standIn('v1.8.1');
    writeFileSync(asked, '');
    process.env.FAULTLINE_K6 = binary;
    const binDir = join(dir, 'bin');
    expect((await new Toolbox(binDir).get('k6')).version).toBe('v1.8.1');
    expect((await new Toolbox(binDir).get('k6')).version).toBe('v1.8.1');
    expect(timesAsked()).toBe(1);

    standIn('v1.9.0');
    appendFileSync(binary, '# a different build\n');
    expect((await new Toolbox(binDir).get('k6')).version).toBe('v1.9.0');
    expect(timesAsked()).toBe(2);
  });

  it('still answers when the memo cannot be written', async () => {
    standIn('v1.8.1');
    writeFileSync(asked, '');
    process.env.FAULTLINE_K6 = binary;
    // The bin folder is a file: nothing can be written below it.
    const notADir = join(dir, 'not-a-dir');
    writeFileSync(notADir, '');
    expect((await new Toolbox(notADir).get('k6')).version).toBe('v1.8.1');
    expect((await new Toolbox(notADir).get('k6')).version).toBe('v1.8.1');
    expect(timesAsked()).toBe(2);
  });
});
