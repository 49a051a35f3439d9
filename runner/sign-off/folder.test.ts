import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDirs } from '../reports/testing/temp-dir.ts';
import { earlierAttempts, newPackFolder } from './folder.ts';

const tempDir = useTempDirs();
const now = new Date('2026-11-02T10:15:00.123Z');

describe('the sign-off folder', () => {
  it('is the requested one while it is new or empty, and a timestamped sibling once it holds anything', () => {
    const root = tempDir();
    expect(newPackFolder(join(root, 'llm'), root, now)).toBe(join(root, 'llm'));
    mkdirSync(join(root, 'llm'));
    expect(newPackFolder(join(root, 'llm'), root, now)).toBe(join(root, 'llm'));
    writeFileSync(join(root, 'llm', 'OVERVIEW.md'), 'x');
    expect(newPackFolder(join(root, 'llm'), root, now)).toBe(join(root, 'llm-20261102T101500Z'));
    mkdirSync(join(root, 'llm-20261102T101500Z'));
    expect(newPackFolder(join(root, 'llm'), root, now)).toBe(join(root, 'llm-20261102T101500Z-2'));
    expect(newPackFolder(undefined, root, now)).toBe(join(root, 'sign-off-20261102T101500Z'));
  });

  it('finds the earlier attempts of the same sign-off beside it, newest first, and no other', () => {
    const root = tempDir();
    const pack = (dir: string, startedAt: string, target = 'https://chat.example.com', profiles = ['smoke', 'stress']) => {
      mkdirSync(join(root, dir));
      writeFileSync(join(root, dir, 'pack.json'), JSON.stringify({ kind: 'faultline-sign-off', verdict: 'FAIL', startedAt, target, scenarios: ['chat-llm'], profiles }));
    };
    pack('a', '2026-11-01T10:00:00.000Z');
    pack('b', '2026-11-02T09:00:00.000Z');
    pack('other-target', '2026-11-02T09:30:00.000Z', 'https://staging.example.com');
    pack('other-profiles', '2026-11-02T09:40:00.000Z', undefined, ['smoke']);
    expect(earlierAttempts(join(root, 'c'), { scenarios: ['chat-llm'], profiles: ['stress', 'smoke'], target: 'https://chat.example.com' })).toEqual([
      { dir: '../b', verdict: 'FAIL', startedAt: '2026-11-02T09:00:00.000Z' },
      { dir: '../a', verdict: 'FAIL', startedAt: '2026-11-01T10:00:00.000Z' },
    ]);
  });
});
