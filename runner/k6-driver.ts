import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { logTail } from '../lib/files.ts';
import { join } from 'node:path';
import type { Profile } from './profiles.ts';
import type { ScheduledPhase } from './scenario.ts';
import type { ThresholdEntry } from './thresholds.ts';

/** What the k6 helper (runner/k6/faultline.js) reads from `__ENV.FAULTLINE_PLAN`. */
export interface K6Plan {
  originMs: number;
  target: string;
  phases: ScheduledPhase[];
  thresholds: Record<string, ThresholdEntry[]>;
  profile: Profile;
  /** Redirects k6 may follow: 0 unless the run allows a remote target, since a redirect can lead off this machine. */
  maxRedirects: number;
  /** Failure samples (runner/k6/samples.js): per phase and kind, slower than `slowMs` counts as slow; absent: none. */
  samples?: { perKind: number; slowMs: number; header?: string; bodyBytes: number };
  /** The k6 scenarios, one per load group (runner/load-shape.ts). */
  scenarios: Record<string, Record<string, unknown>>;
  /** Per group what its script reads through the helper: connections to hold, VUs to spread them over, targets. */
  groups: Record<string, { connections?: number; vus: number; targets: string[] }>;
  /** The scenario declares load groups: they shape the load even of a script with its own options. */
  shaped: boolean;
}

export interface K6Process {
  pid: number;
  pointsFile: string;
  summaryFile: string;
  logFile: string;
  /** k6's own end-of-test summary (its stdout), as it prints it. */
  textSummaryFile: string;
  /** Resolves when k6 exits. 0: thresholds held; 99: thresholds failed; anything else: k6 could not run. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Asks k6 to stop (SIGINT: it stops the load and still writes its summary). */
  interrupt(): void;
  kill(): void;
  logTail(lines?: number): string;
}

/** k6 exits with this when thresholds failed: a FAIL verdict, not a crash. */
export const K6_THRESHOLDS_FAILED = 99;

export const TREND_STATS = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)'];

/** Starts the real k6 binary on `script` with the plan; points and summary go to `runDir`. */
export function startK6(options: { k6: string; script: string; plan: K6Plan; runDir: string; env?: Record<string, string>; seed: number; args?: string[] }): K6Process {
  const { runDir } = options;
  const pointsFile = join(runDir, 'k6-points.json');
  const summaryFile = join(runDir, 'k6-summary.json');
  const textSummaryFile = join(runDir, 'k6-summary.txt');
  const logFile = join(runDir, 'k6.log');
  const env = { ...process.env, ...options.env };
  const args = [
    'run',
    '--no-usage-report',
    '--no-color',
    '--quiet',
    '--out',
    `json=${pointsFile}`,
    '--summary-export',
    summaryFile,
    '--summary-trend-stats',
    TREND_STATS.join(','),
    // k6 takes K6_OUT only when no --out flag is given: the user's outputs go beside Faultline's own.
    ...k6Outputs(env.K6_OUT).flatMap((output) => ['--out', output]),
    ...(options.args ?? []),
    options.script,
  ];
  delete env.K6_OUT;
  const child = spawn(options.k6, args, {
    cwd: runDir,
    env: {
      ...env,
      FAULTLINE_PLAN: JSON.stringify(options.plan),
      FAULTLINE_TARGET: options.plan.target,
      FAULTLINE_SEED: String(options.seed),
      K6_NO_USAGE_REPORT: 'true',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = createWriteStream(logFile);
  // Its stdout is the end-of-test summary (--quiet leaves nothing else there); its log lines go to stderr.
  const text = createWriteStream(textSummaryFile);
  child.stdout.pipe(text);
  const textWritten = new Promise<void>((resolve) => text.once('close', () => resolve()).once('error', () => resolve()));
  child.stdout.pipe(log, { end: false });
  child.stderr.pipe(log, { end: false });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('error', (error) => {
      log.write(`\n${error.message}\n`);
      resolve({ code: 127, signal: null });
    });
    child.once('close', (code, signal) => log.end(() => void textWritten.then(() => resolve({ code, signal }))));
  });
  return {
    pid: child.pid ?? -1,
    pointsFile,
    summaryFile,
    logFile,
    textSummaryFile,
    exited,
    interrupt: () => void child.kill('SIGINT'),
    kill: () => void child.kill('SIGKILL'),
    logTail: (lines = 15) => logTail(logFile, lines),
  };
}

/** `K6_OUT`'s outputs (k6 reads it as a comma-separated list). */
export function k6Outputs(value: string | undefined): string[] {
  return (value ?? '').split(',').map((o) => o.trim()).filter(Boolean);
}

/** k6 flags a run cannot take: Faultline reads the summary export and the JSON points itself. */
const RESERVED_FLAGS: Array<[RegExp, string]> = [
  [/^--summary-export(=|$)/, 'Faultline writes k6-summary.json itself (it judges the thresholds from it)'],
  [/^--no-summary$|^--summary-mode(=|\s)disabled$/, 'Faultline needs the summary export, which k6 skips with the summary disabled (k6-summary.txt keeps the printed summary)'],
  [/^--new-machine-readable-summary$/, 'Faultline reads the summary export in its current format'],
  [/^--summary-trend-stats(=|$)/, 'Faultline asks k6 for the trend stats its reports show'],
];

/** Problems with `--k6-arg` / `--` passthrough flags: the ones that would break what Faultline reads. */
export function k6ArgProblems(args: string[]): string[] {
  // A flag's value may be the next argument (`--summary-mode disabled`).
  const flags = args.map((arg, i) => (arg === '--summary-mode' && args[i + 1] ? `${arg} ${args[i + 1]}` : arg));
  return flags.flatMap((arg) => RESERVED_FLAGS.filter(([flag]) => flag.test(arg)).map(([, why]) => `k6 flag ${arg} cannot be passed through: ${why}`));
}
