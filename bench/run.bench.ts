/**
 * `npm run bench:run`: what a chaos run costs beyond its phases. The smoke run of one
 * scenario (rpc-throttle, 14 s of phases) on a reused environment, 3 times, as a user
 * types it (`npm run chaos:rpc-throttle -- --timings`), timed from outside; median wall,
 * phases and overhead next to the 3 s target, with the run's own split (--timings). The
 * floors, measured in the same run: `npm run` of a no-op script, `node --import tsx` of an
 * empty file (together what the command costs before any of Faultline's code runs), and
 * `k6 run` of a trivial script at the same rate for the same duration with no Faultline
 * around it.
 * Uses the default config's environment when it is up; otherwise starts it first (and
 * stops it at the end), which the report says.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadConfig } from '../env/config.ts';
import { readState } from '../env/state.ts';
import { Toolbox } from '../env/tools/toolbox.ts';
import { table } from '../scripts/table.ts';

const ROOT = resolve(import.meta.dirname, '..');
const SCENARIO = 'rpc-throttle';
const PHASES_MS = 14_000; // its smoke profile: baseline 4 s, fault 6 s, recovery 4 s
const RATE = 4; // its smoke rate, requests/s
const RUNS = 3;
const TARGET_OVERHEAD_MS = 3000;

/** Runs a command, resolves with its wall time and what it wrote. */
function timed(command: string, args: string[], cwd = ROOT): Promise<{ ms: number; code: number | null; output: string }> {
  return new Promise((done, fail) => {
    const started = performance.now();
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d));
    child.stderr.on('data', (d: Buffer) => (output += d));
    child.on('error', fail);
    child.on('exit', (code) => done({ ms: performance.now() - started, code, output }));
  });
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** `timings: start-up 1.2 s · prepare 73 ms · …` → step → ms. */
function splitOf(output: string): Record<string, number> {
  const line = /^timings: (.*) · total /m.exec(output)?.[1];
  if (!line) return {};
  return Object.fromEntries(
    line.split(' · ').map((part) => {
      const m = /^(.*?) ([\d.]+) (ms|s)(?: \(.*\))?$/.exec(part)!;
      return [m[1]!, Number(m[2]) * (m[3] === 's' ? 1000 : 1)];
    }),
  );
}

const config = await loadConfig(undefined);
const upBefore = readState(config.stateDir)?.status === 'up';
if (!upBefore) {
  console.log('environment not up: starting it (npm run env:up), stopped again at the end');
  const up = await timed('npm', ['run', 'env:up']);
  if (up.code !== 0) throw new Error(`env up failed:\n${up.output.slice(-2000)}`);
}

const k6 = (await new Toolbox().get('k6')).path;
const dir = mkdtempSync(join(tmpdir(), 'faultline-run-bench-'));
const trivial = join(dir, 'trivial.js');
writeFileSync(
  trivial,
  `export const options = { scenarios: { load: { executor: 'constant-arrival-rate', rate: ${RATE}, timeUnit: '1s', duration: '${PHASES_MS / 1000}s', preAllocatedVUs: 12 } } };\nexport default function () {}\n`,
);
const empty = join(dir, 'empty.ts');
writeFileSync(empty, '');
// npm's own cost: a project of one no-op script (what npm does is the same in any project; this one's package.json is not touched).
writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'noop', private: true, scripts: { noop: ':' } }));

const runs: Array<{ ms: number; verdict: string; split: Record<string, number>; k6Ready?: string }> = [];
const k6Floor: number[] = [];
const npmFloor: number[] = [];
const tsxFloor: number[] = [];
const loadAverage = loadavg()[0]!;
try {
  for (let i = 0; i < RUNS; i++) {
    // Taking turns, so a burst of noise on a shared machine spoils one round, not one side.
    const run = await timed('npm', ['run', `chaos:${SCENARIO}`, '--', '--timings']);
    const verdict = /^(PASS|FAIL|INCONCLUSIVE)\b/m.exec(run.output)?.[1] ?? `exit ${run.code}`;
    if (run.code !== 0) console.log(`run ${i + 1}: ${verdict}\n${run.output.slice(-1500)}`);
    runs.push({ ms: run.ms, verdict, split: splitOf(run.output), k6Ready: / · k6 start [^(]*\((k6 .*?)\) · load /.exec(run.output)?.[1] });
    k6Floor.push((await timed(k6, ['run', '--no-usage-report', '--quiet', trivial])).ms);
    npmFloor.push((await timed('npm', ['run', 'noop'], dir)).ms);
    tsxFloor.push((await timed(process.execPath, ['--import', 'tsx', empty])).ms);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
  if (!upBefore) await timed('npm', ['run', 'env:down']);
}

const wall = median(runs.map((r) => r.ms));
const overhead = wall - PHASES_MS;
const k6Overhead = median(k6Floor) - PHASES_MS;
const steps = [...new Set(runs.flatMap((r) => Object.keys(r.split)))];
console.log(`chaos ${SCENARIO} (smoke, ${s(PHASES_MS)} of phases) on a ${upBefore ? 'reused' : 'reused (started by this bench)'} environment, ${RUNS} runs, median;`);
console.log(`${cpus().length} cores shared with other work (load average ${loadAverage.toFixed(1)} before the runs): every figure includes it.\n`);
const floors = (i: number) => npmFloor[i]! + tsxFloor[i]! + (k6Floor[i]! - PHASES_MS);
const rows = [
  [`wall (npm run chaos:${SCENARIO} -- --timings)`, s(wall), runs.map((r) => s(r.ms)).join(', ')],
  ['  beyond the phases', s(overhead), runs.map((r) => s(r.ms - PHASES_MS)).join(', ')],
  ...steps.map((step) => [`  ${step}`, s(median(runs.map((r) => r.split[step] ?? 0))), runs.map((r) => s(r.split[step] ?? 0)).join(', ')]),
  ['  outside the process (npm, sh, exit)', s(median(runs.map((r) => r.ms - Object.values(r.split).reduce((a, b) => a + b, 0)))), ''],
  ['floor: npm run <no-op script>', s(median(npmFloor)), npmFloor.map(s).join(', ')],
  ['floor: node --import tsx <empty file>', s(median(tsxFloor)), tsxFloor.map(s).join(', ')],
  ['floor: k6 run, trivial script, same rate and duration', s(median(k6Floor)), k6Floor.map(s).join(', ')],
  ['  beyond the duration', s(k6Overhead), ''],
  ["overhead beyond the three floors (Faultline's own)", s(median(runs.map((r, i) => r.ms - PHASES_MS - floors(i)))), runs.map((r, i) => s(r.ms - PHASES_MS - floors(i))).join(', ')],
  ['  k6 ready (of the k6 start step)', '', runs.map((r) => r.k6Ready ?? '?').join(', ')],
  ['verdicts', '', runs.map((r) => r.verdict).join(', ')],
];
for (const line of table(['', 'median', 'runs'], rows).split('\n')) console.log(`  ${line}`);
const ok = overhead <= TARGET_OVERHEAD_MS && runs.every((r) => r.verdict === 'PASS');
console.log(
  `\n  overhead beyond the phases: ${s(overhead)} (target ≤ ${s(TARGET_OVERHEAD_MS)}; the floors: npm run alone ${s(median(npmFloor))}, node --import tsx alone ${s(median(tsxFloor))}, k6 alone ${s(k6Overhead)}) ${ok ? 'ok' : 'MISSED'}`,
);
process.exitCode = ok ? 0 : 1;
