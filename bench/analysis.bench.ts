/**
 * `npm run bench` (this file: `npx tsx bench/analysis.bench.ts [requests]`): the runner's
 * analysis of a big run in bounded memory, and the size of a long run's report.
 *
 * Writes a k6 `--out json` file for 1 million requests (default) as k6 v1.8 writes it with the
 * system tags runner/k6/faultline.js asks for (checked against a real k6 run,
 * test/k6-point-scan.test.ts): per request the http_reqs, http_req_duration,
 * blocked/connecting/tls/sending/waiting/receiving and http_req_failed points with their tags
 * (error_code on failures), then per iteration data_sent, data_received, iteration_duration
 * and iterations (phase and scenario tags), the metric lines, a vus gauge per second: 13 lines
 * and ≈ 2.9 KB per request. Three phases (baseline, fault with 503s and slow answers,
 * recovery) over 10 minutes. Then, each in a fresh process:
 *   - the I/O floor: the file's bytes read in order into one 4 MiB buffer, nothing else;
 *   - the newline floor: that, and every newline found (what any line reader must do);
 *   - the runner: PointsReader over the file (runner/k6-point-scan.ts skips the lines it does
 *     not use undecoded), then phaseMetrics, timeSeries, recoveryTimes and the status
 *     breakdown, as a run's end does.
 * Prints peak RSS and wall time against the targets (300 MB, 10 s), the part spent on the
 * aggregates once read (in a run the reading happens while k6 runs, a poll a second), each
 * phase's p95 against the exact percentile of the generated latencies (target: within 1 %),
 * and report.html of a synthetic 10-minute 100 rps run with probes against 200 KB.
 * On a shared 2-core machine the I/O floor alone varies from 1.5 s to 8 s for the 2.8 GB.
 * The file goes to the OS temp dir and is removed afterwards (FAULTLINE_BENCH_KEEP=1 keeps
 * it, and a kept file of the same size is reused).
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { percentile, phaseMetrics, recoveryTimes, timeSeries } from '../runner/analysis.ts';
import { statusBreakdown } from '../runner/diagnostics/status-breakdown.ts';
import { PointsReader } from '../runner/points.ts';
import type { TimelineEvent } from '../runner/result.ts';
import { RELATIVE_ERROR } from '../runner/sketch.ts';
import { renderChart } from '../runner/reports/chart.ts';
import { renderHtml } from '../runner/reports/html.ts';
import { renderProbeCharts } from '../runner/reports/probe-charts.ts';
import { longRun } from '../runner/reports/testing/long-run.ts';
import { table } from '../scripts/table.ts';
import { seededRandom as random } from '../lib/random.ts';

const RSS_TARGET = 300 * 1024 * 1024;
const TIME_TARGET_MS = 10_000;
const P95_TARGET = 0.01;
const REPORT_TARGET = 200 * 1024;
const RUN_MS = 600_000;
const ORIGIN = Date.parse('2026-01-01T00:00:00Z');
const PHASES = [
  { name: 'baseline', startMs: 0, endMs: 200_000 },
  { name: 'fault', startMs: 200_000, endMs: 400_000 },
  { name: 'recovery', startMs: 400_000, endMs: RUN_MS },
];
const FAULTS = [{ name: 'latency@rpc', fault: 'latency', target: 'rpc', atMs: 200_000, durationMs: 200_000, params: {} }];
const TIMELINE: TimelineEvent[] = [
  { fault: 'latency@rpc', layer: 'network', target: 'rpc', action: 'apply', scheduledMs: 200_000, actualMs: 200_004, ok: true },
  { fault: 'latency@rpc', layer: 'network', target: 'rpc', action: 'revert', scheduledMs: 400_000, actualMs: 400_007, ok: true },
];

/** k6's timestamps: RFC 3339 with nanoseconds. */
const stamp = (ms: number, ns: number) => new Date(ORIGIN + Math.floor(ms)).toISOString().replace('Z', `${String(Math.floor((ms % 1) * 1000) * 1000 + ns).padStart(6, '0')}Z`);

/** Writes the points file; returns the exact latencies per phase (by tag). */
function generate(file: string, requests: number): Map<string, Float64Array> {
  const next = random(42);
  const exact = new Map(PHASES.map((p) => [p.name, new Float64Array(requests)]));
  const filled = new Map(PHASES.map((p) => [p.name, 0]));
  const fd = openSync(file, 'w');
  const chunk: string[] = [];
  let size = 0;
  const out = (line: string) => {
    chunk.push(line);
    size += line.length;
    if (size > 4 << 20) flush();
  };
  const flush = () => {
    writeSync(fd, chunk.join(''));
    chunk.length = 0;
    size = 0;
  };
  const declared = new Set<string>();
  const metric = (name: string, type: string, contains: string) => {
    if (declared.has(name)) return;
    declared.add(name);
    out(`{"type":"Metric","data":{"name":"${name}","type":"${type}","contains":"${contains}","thresholds":[],"submetrics":null},"metric":"${name}"}\n`);
  };
  const url = 'http://127.0.0.1:3000/gifts/claim';
  let lastSecond = -1;
  for (let i = 0; i < requests; i++) {
    const startMs = (i * RUN_MS) / requests;
    const phase = startMs < 200_000 ? 'baseline' : startMs < 400_000 ? 'fault' : 'recovery';
    // Log-normal-ish latencies; the fault phase slow with 20 % 503s, the recovery easing back.
    const base = 8 + Math.exp(next() * 3.2) + (next() < 0.02 ? next() * 400 : 0);
    const failedNow = phase === 'fault' && next() < 0.2;
    const duration = phase === 'fault' ? base * 4 + (failedNow ? 1 : 250) : phase === 'recovery' && startMs < 410_000 ? base * 2 : base;
    const status = failedNow ? '503' : '200';
    exact.get(phase)![filled.get(phase)!] = duration;
    filled.set(phase, filled.get(phase)! + 1);
    const second = Math.floor(startMs / 1000);
    if (second !== lastSecond) {
      lastSecond = second;
      metric('vus', 'gauge', 'default');
      out(`{"metric":"vus","type":"Point","data":{"time":"${stamp(startMs, 0)}","value":${40 + (second % 7)},"tags":null}}\n`);
    }
    const end = stamp(startMs + duration, 123);
    // The tags k6 v1.8 writes with the system tags runner/k6/faultline.js asks for (status,
    // method, name, expected_response, error_code, scenario) plus the phase tag, in k6's
    // (sorted) order; error_code only on failures.
    const tags = `{${failedNow ? '"error_code":"1503",' : ''}"expected_response":"${failedNow ? 'false' : 'true'}","method":"POST","name":"${url}","phase":"${phase}","scenario":"default","status":"${status}"}`;
    const point = (name: string, type: string, contains: string, value: number) => {
      metric(name, type, contains);
      out(`{"metric":"${name}","type":"Point","data":{"time":"${end}","value":${value},"tags":${tags}}}\n`);
    };
    point('http_reqs', 'counter', 'default', 1);
    point('http_req_duration', 'trend', 'time', duration);
    point('http_req_blocked', 'trend', 'time', i % 50 === 0 ? 1.2 : 0.004512);
    point('http_req_connecting', 'trend', 'time', i % 50 === 0 ? 0.9 : 0);
    point('http_req_tls_handshaking', 'trend', 'time', 0);
    point('http_req_sending', 'trend', 'time', 0.021337);
    point('http_req_waiting', 'trend', 'time', duration - 0.2);
    point('http_req_receiving', 'trend', 'time', 0.178663);
    point('http_req_failed', 'rate', 'default', failedNow ? 1 : 0);
    const after = stamp(startMs + duration + 0.05, 456);
    const vuTags = `{"phase":"${phase}","scenario":"default"}`;
    const iteration = (name: string, type: string, contains: string, value: number) => {
      metric(name, type, contains);
      out(`{"metric":"${name}","type":"Point","data":{"time":"${after}","value":${value},"tags":${vuTags}}}\n`);
    };
    iteration('data_sent', 'counter', 'data', 312);
    iteration('data_received', 'counter', 'data', failedNow ? 190 : 1244);
    iteration('iteration_duration', 'trend', 'time', duration + 0.4);
    iteration('iterations', 'counter', 'default', 1);
  }
  flush();
  closeSync(fd);
  return new Map([...exact].map(([name, values]) => [name, values.subarray(0, filled.get(name)!).sort()]));
}

/** In a fresh process: what one pass costs. */
function measure(mode: 'read' | 'newlines' | 'runner', file: string): { ms: number; rss: number; readMs?: number; phases?: Record<string, number> } {
  const child = spawnSync(process.execPath, ['--import', 'tsx', import.meta.filename, `--${mode}`, file], { encoding: 'utf8', maxBuffer: 1 << 24, cwd: join(import.meta.dirname, '..') });
  if (child.status !== 0) throw new Error(`${mode} pass failed: ${child.stderr}`);
  return JSON.parse(child.stdout.trim().split('\n').at(-1)!);
}

function child(mode: string, file: string): void {
  const started = performance.now();
  if (mode === '--read' || mode === '--newlines') {
    // The floors: the file's bytes read in order into one buffer (the I/O), and that plus finding every newline.
    const fd = openSync(file, 'r');
    const buffer = Buffer.allocUnsafe(4 << 20);
    let position = 0;
    let lines = 0;
    for (;;) {
      const n = readSync(fd, buffer, 0, buffer.length, position);
      if (n <= 0) break;
      position += n;
      if (mode === '--newlines') {
        const data = buffer.subarray(0, n);
        for (let at = data.indexOf(10); at >= 0; at = data.indexOf(10, at + 1)) lines++;
      }
    }
    closeSync(fd);
    console.log(JSON.stringify({ ms: performance.now() - started, rss: process.resourceUsage().maxRSS * 1024, lines }));
    return;
  }
  const reader = new PointsReader(file, ORIGIN, 20);
  reader.poll();
  const readMs = performance.now() - started;
  const phases = phaseMetrics(reader.stats, PHASES);
  timeSeries(reader.stats, PHASES, RUN_MS);
  recoveryTimes(reader.stats, TIMELINE, FAULTS, RUN_MS, { baselinePhase: 'baseline', errorRateMargin: 0.05, p95Factor: 1.5 });
  statusBreakdown(reader.stats, PHASES);
  const ms = performance.now() - started;
  console.log(JSON.stringify({ ms, readMs, rss: process.resourceUsage().maxRSS * 1024, phases: Object.fromEntries(phases.map((p) => [p.name, p.latency.p95])) }));
}

/** report.html of a synthetic 10-minute run at 100 rps with probes (runner/reports/testing/long-run.ts): its size and its charts' share. */
function reportSize(): { bytes: number; charts: number } {
  const result = longRun({ minutes: 10, rps: 100 });
  return { bytes: Buffer.byteLength(renderHtml(result)), charts: Buffer.byteLength(renderChart(result)) + Buffer.byteLength(renderProbeCharts(result)) };
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

function main(): void {
  const requests = Number(process.argv[2] ?? 1_000_000);
  const file = join(tmpdir(), `faultline-bench-analysis-${requests}.json`);
  const keep = process.env.FAULTLINE_BENCH_KEEP === '1';
  console.log(`analysis: ${requests.toLocaleString('en')} requests over ${RUN_MS / 60_000} min, 3 phases`);
  const generatedAt = performance.now();
  // Exact percentiles need the latencies: regenerated (deterministic) even when a kept file is reused.
  const reuse = keep && existsSync(file);
  const exact = generate(reuse ? '/dev/null' : file, requests);
  const bytes = statSync(file).size;
  console.log(`  ${reuse ? 'reused' : 'wrote'} ${mb(bytes)} of k6 points (${(bytes / requests / 1024).toFixed(1)} KB per request) in ${s(performance.now() - generatedAt)}: ${file}`);
  try {
    const floor = measure('read', file);
    const newlines = measure('newlines', file);
    const runner = measure('runner', file);
    console.log(
      table(
        ['', 'peak RSS', 'wall time', 'target'],
        [
          ['floor: read the file into a buffer (I/O)', mb(floor.rss), s(floor.ms), ''],
          ['floor: read it and find every newline', mb(newlines.rss), s(newlines.ms), ''],
          ['runner: read + aggregate, then analyse', mb(runner.rss), `${s(runner.ms)} (${(runner.ms / floor.ms).toFixed(2)}× I/O floor)`, `RSS < ${mb(RSS_TARGET)}, time < ${s(TIME_TARGET_MS)}`],
          // In a run the reading happens while k6 runs (a poll a second); this part is what is left once the load ends.
          ['  of which the analysis of the aggregates', '', s(runner.ms - runner.readMs!), ''],
        ],
      ),
    );
    const rows = PHASES.map((p) => {
      const truth = percentile(Array.from(exact.get(p.name)!), 95);
      const got = runner.phases![p.name]!;
      const error = Math.abs(got - truth) / truth;
      return { row: [p.name, `${truth.toFixed(2)} ms`, `${got.toFixed(1)} ms`, `${(error * 100).toFixed(3)} %`, `≤ ${(P95_TARGET * 100).toFixed(0)} % (sketch α ${(RELATIVE_ERROR * 100).toFixed(1)} %)`], error };
    });
    console.log(table(['phase', 'p95 exact', 'p95 runner', 'error', 'target'], rows.map((r) => r.row)));
    const misses = [
      ...(runner.rss >= RSS_TARGET ? [`peak RSS ${mb(runner.rss)}`] : []),
      ...(runner.ms >= TIME_TARGET_MS ? [`time ${s(runner.ms)}`] : []),
      ...rows.filter((r) => r.error > P95_TARGET).map((r) => `p95 error ${(r.error * 100).toFixed(2)} % in ${r.row[0]}`),
    ];
    const report = reportSize();
    console.log(
      table(
        ['report.html, 10 min at 100 rps with probes', 'size', 'target'],
        [
          ['whole page', kb(report.bytes), `< ${kb(REPORT_TARGET)}`],
          ['  of which the charts (downsampled)', kb(report.charts), ''],
          ['  of which the rest, tables whole (the floor)', kb(report.bytes - report.charts), ''],
        ],
      ),
    );
    if (report.bytes >= REPORT_TARGET) misses.push(`report.html ${kb(report.bytes)}`);
    console.log(misses.length ? `  target missed: ${misses.join(', ')}` : '  every target met');
  } finally {
    if (!keep) rmSync(file, { force: true });
  }
}

if (process.argv[2]?.startsWith('--')) child(process.argv[2], process.argv[3]!);
else main();
