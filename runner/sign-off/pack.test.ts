import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDirs } from '../reports/testing/temp-dir.ts';
import { IssueInvalidError } from './close-commands.ts';
import { writePack } from './pack.ts';
import type { SignOffPack, SignOffRow } from './types.ts';

const tempDir = useTempDirs();
const row = (profile: string, verdict: SignOffRow['verdict'], p95FirstTokenMs: number, extra: Partial<SignOffRow> = {}): SignOffRow => ({
  scenario: 'chat-llm',
  profile,
  verdict,
  reasons: verdict === 'PASS' ? [] : ['threshold faultline_first_token p(95)<=3500 failed (observed 4120.5)'],
  numbers: { requests: profile === 'stress' ? 300 : 20, successRate: verdict === 'PASS' ? 1 : 0.97, p95TotalMs: 2450.2, p95FirstTokenMs },
  files: { summary: `${profile}-summary.json`, report: `${profile}-report.md`, html: `${profile}-report.html`, junit: `${profile}-junit.xml` },
  replay: `npx faultline chaos scenarios/chat-llm/scenario.ts --profile ${profile} --seed 7 --target https://chat.example.com --allow-remote-target --secret-env APP_JWT_SECRET`,
  ...extra,
});
const pack = (rows: SignOffRow[], verdict: SignOffPack['verdict'], issue?: string): SignOffPack => ({
  kind: 'faultline-sign-off',
  verdict,
  exitCode: verdict === 'PASS' ? 0 : 1,
  startedAt: '2026-11-02T10:00:00.000Z',
  finishedAt: '2026-11-02T10:09:00.000Z',
  target: 'https://chat.example.com',
  remote: true,
  scenarios: ['chat-llm'],
  profiles: rows.map((r) => r.profile),
  rows,
  ...(issue ? { issue } : {}),
  attempts: [],
  context: { faults: 'none (the scenarios play none)', secrets: '$APP_JWT_SECRET' },
});

describe('the sign-off pack', () => {
  it('shows first-token p95 for streamed rows, attributes gateway failures to a dependency, and writes the close commands for an all-PASS pack', async () => {
    const dir = tempDir();
    await writePack(dir, pack([row('smoke', 'PASS', 310.4), row('stress', 'PASS', 1904)], 'PASS', 'https://github.com/acme/chat/issues/14'), {});
    const overview = readFileSync(join(dir, 'OVERVIEW.md'), 'utf8');
    expect(overview).toContain('| Scenario | Profile | Verdict | Requests | Success rate | p95 total | p95 first token | Report |');
    expect(overview).toContain('| chat-llm | stress | ✅ PASS | 300 | 100.00% | 2450 ms | 1904 ms | [stress-report.md](stress-report.md) |');
    expect(readFileSync(join(dir, 'COMMENT.md'), 'utf8')).not.toMatch(/\]\(/); // no links that would not resolve in an issue
    expect(readFileSync(join(dir, 'CLOSE-COMMANDS.sh'), 'utf8')).toContain("issue='https://github.com/acme/chat/issues/14'");
    const steps = readFileSync(join(dir, 'FINAL-STEPS.md'), 'utf8');
    expect(steps).toMatch(/client side only: look at its own dashboards/);
    expect(steps).toMatch(/No fault was played/);
    expect(steps).toMatch(/The secret in \$APP_JWT_SECRET was read from the environment/);
  });

  it('writes no close commands when a row did not pass, and names the failures attributed to a dependency with their trace ids', async () => {
    const dir = tempDir();
    const failures = [{ method: 'POST', name: 'chat', status: 503, count: 9, phases: ['load'], firstMs: 12_000, lastMs: 48_500, traceIds: ['4bf92f3577b34da6'], attribution: 'external dependency' as const }];
    await writePack(dir, pack([row('smoke', 'PASS', 310), row('stress', 'FAIL', 4120, { failures })], 'FAIL', '14'), {});
    expect(existsSync(join(dir, 'CLOSE-COMMANDS.sh'))).toBe(false);
    const closure = readFileSync(join(dir, 'CLOSURE.md'), 'utf8');
    expect(closure).toContain('| POST chat | HTTP 503 | 9 | load | 12.00 s – 48.50 s | external dependency | `4bf92f3577b34da6` |');
    expect(closure).toMatch(/## Attributed to an external dependency\n\n9 of the 9 failed requests answered 502, 503 or 504/);
    expect(closure).toContain('- chat-llm (stress): 9 × HTTP 503 on POST chat in load, e.g. trace `4bf92f3577b34da6`');
    expect(readFileSync(join(dir, 'FINAL-STEPS.md'), 'utf8')).toMatch(/Confirm the 9 failed requests attributed to an external dependency .* \(their trace ids are listed\)/);
  });

  it('refuses an issue gh cannot name', async () => {
    await expect(writePack(tempDir(), pack([row('smoke', 'PASS', 1)], 'PASS', 'fourteen'), {})).rejects.toThrow(IssueInvalidError);
  });
});
