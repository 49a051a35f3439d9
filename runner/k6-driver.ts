import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { logTail } from '../lib/files.ts';
import { join } from 'node:path';
import type { Profile } from './profiles.ts';
import type { ScheduledPhase } from './scenario.ts';

/** What the k6 helper (runner/k6/faultline.js) reads from `__ENV.FAULTLINE_PLAN`. */
export interface K6Plan {
  originMs: number;
  target: string;
  phases: ScheduledPhase[];
  thresholds: Record<string, string[]>;
  profile: Profile;
  /** Redirects k6 may follow: 0 unless the run allows a remote target, since a redirect can lead off this machine. */
  maxRedirects: number;
  /** Failure samples (runner/k6/samples.js): per phase and kind, slower than `slowMs` counts as slow; absent: none. */
  samples?: { perKind: number; slowMs: number; header?: string; bodyBytes: number };
  load:
    | { executor: 'rate'; ratePerMinute: number; duration: string; vus: number; gracefulStop?: string }
    | { executor: 'iterations'; vus: number; iterations: number; maxDuration: string };
}

export interface K6Process {
  pid: number;
  pointsFile: string;
  summaryFile: string;
  logFile: string;
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
export function startK6(options: { k6: string; script: string; plan: K6Plan; runDir: string; env?: Record<string, string>; seed: number }): K6Process {
  const { runDir } = options;
  const pointsFile = join(runDir, 'k6-points.json');
  const summaryFile = join(runDir, 'k6-summary.json');
  const logFile = join(runDir, 'k6.log');
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
    options.script,
  ];
  const child = spawn(options.k6, args, {
    cwd: runDir,
    env: {
      ...process.env,
      ...options.env,
      FAULTLINE_PLAN: JSON.stringify(options.plan),
      FAULTLINE_TARGET: options.plan.target,
      FAULTLINE_SEED: String(options.seed),
      K6_NO_USAGE_REPORT: 'true',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = createWriteStream(logFile);
  child.stdout.pipe(log, { end: false });
  child.stderr.pipe(log, { end: false });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('error', (error) => {
      log.write(`\n${error.message}\n`);
      resolve({ code: 127, signal: null });
    });
    child.once('close', (code, signal) => log.end(() => resolve({ code, signal })));
  });
  return {
    pid: child.pid ?? -1,
    pointsFile,
    summaryFile,
    logFile,
    exited,
    interrupt: () => void child.kill('SIGINT'),
    kill: () => void child.kill('SIGKILL'),
    logTail: (lines = 15) => logTail(logFile, lines),
  };
}

/** The load shape for a profile: a constant arrival rate over the phases, or shared iterations. */
export function loadPlan(executor: 'rate' | 'iterations', profile: Profile, durationMs: number): K6Plan['load'] {
  if (executor === 'iterations') {
    return { executor, vus: profile.concurrency, iterations: profile.requests, maxDuration: `${Math.max(60_000, durationMs * 2)}ms` };
  }
  const rps = profile.rps ?? profile.requests / (durationMs / 1000);
  // Requests still running when the phases end (a hung dependency) get time to finish and be counted.
  return { executor, ratePerMinute: Math.max(1, Math.round(rps * 60)), duration: `${durationMs}ms`, vus: profile.concurrency, gracefulStop: '30s' };
}
