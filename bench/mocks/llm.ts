/**
 * bench:mocks section "llm": 1,000 concurrent SSE streams at 20 tokens/s against the LLM
 * mock run as a separate process exactly as env:up launches it (the service's own
 * LaunchSpec), with the same measurement at 10 streams in the same run as the baseline,
 * and the same 1,000 streams from a bare node:http SSE server (sse-floor-server.ts) as the
 * floor: what the machine itself allows, so the mock's own share of the error is visible.
 * Streams start at a fixed rate (open loop) and the first-token time counts from the
 * *scheduled* start, so a slow client or server cannot hide its own delay. The client is
 * raw node:http in a plain node process of its own (sse-client.mjs) that never decodes the
 * bytes, only spots the first token and [DONE]; it shares the machine's cores with the
 * mock, which the report says.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../../env/ports.ts';
import type { ServiceContext, ServiceDefinition } from '../../env/service.ts';
import llm from '../../mocks/llm/service.ts';
import { mockService } from '../../mocks/service.ts';
import type { LlmOptionsInput } from '../../mocks/llm/options.ts';

/** A mock process started from its service definition, as env:up would start it. */
interface MockProcess {
  root: string;
  port: number;
  pid: number;
  /** Peak resident set size so far (VmHWM), in MB. */
  peakRssMb(): number;
  rssMb(): number;
  /** CPU time (user + system) used so far, in ms. */
  cpuMs(): number;
  stop(): Promise<void>;
}

async function startMock<O>(definition: ServiceDefinition<O>, options: O, seed = 1): Promise<MockProcess> {
  const port = await freePort();
  const spec = await definition.prepare({ seed, upstreams: {} } as unknown as ServiceContext, options, port);
  const child: ChildProcess = spawn(spec.command, spec.args, { cwd: spec.cwd, env: { ...process.env, ...spec.env }, stdio: ['ignore', 'ignore', 'inherit'] });
  let exited = false;
  child.once('exit', () => (exited = true));
  const url = definition.url(options, '127.0.0.1', port);
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (exited) throw new Error(`${definition.name} mock exited during start-up (command: ${spec.command} ${spec.args.slice(0, -1).join(' ')})`);
    try {
      await definition.probe(url, options);
      break;
    } catch (error) {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`${definition.name} mock not ready after 30 s: ${(error as Error).message}`);
      }
      await sleep(20);
    }
  }
  const status = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? NaN) / 1024;
  return {
    root: `http://127.0.0.1:${port}`,
    port,
    pid: child.pid!,
    peakRssMb: () => status('VmHWM'),
    rssMb: () => status('VmRSS'),
    cpuMs: () => {
      const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
    },
    async stop() {
      if (exited) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ on Linux

const run = promisify(execFile);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Nearest-rank percentile. */
function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

function table(log: (line: string) => void, rows: string[][]): void {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const row of rows) log(`  ${row.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')}`);
}

const LLM_STREAMS = 1000;
const LLM_BASELINE_STREAMS = 10;
const LLM_TTFT_MS = 200;
const LLM_TOKENS_PER_SECOND = 20;
const LLM_TOKENS = 120; // 6 s per stream: longer than the ramp, so all streams overlap at the end
const LLM_STARTS_PER_SECOND = 250; // a 4 s ramp; the connection burst is not what is measured
const LLM_TARGET_FIRST_TOKEN_P99_MS = 15;
/** Mock and floor take turns, so a burst of noise on a shared machine spoils one round, not one side; medians are judged. */
const LLM_ROUNDS = 3;
const LLM_TARGET_RSS_MB = 300;

interface StreamResult {
  ok: boolean;
  /** From the scheduled start to the first content token, ms. */
  firstTokenMs: number;
  /** From the scheduled start to [DONE], ms. */
  endMs: number;
  error?: string;
}

const CLIENT = join(import.meta.dirname, 'sse-client.mjs');

/**
 * Starts `count` streams at `perSecond` from the client process (sse-client.mjs) and waits
 * for all of them: each stream's result, and the client's CPU time.
 */
async function llmLoad(port: number, count: number, perSecond: number): Promise<{ results: StreamResult[]; cpuMs: number }> {
  const { stdout } = await run(process.execPath, [CLIENT, String(port), String(count), String(perSecond)], { maxBuffer: 64 << 20 });
  return JSON.parse(stdout) as { results: StreamResult[]; cpuMs: number };
}

function summarize(results: StreamResult[]) {
  const ok = results.filter((r) => r.ok);
  const expectedEnd = LLM_TTFT_MS + ((LLM_TOKENS - 1) * 1000) / LLM_TOKENS_PER_SECOND;
  const firstError = ok.map((r) => r.firstTokenMs - LLM_TTFT_MS);
  const endError = ok.map((r) => r.endMs - expectedEnd);
  return {
    ok: ok.length,
    failed: results.length - ok.length,
    errors: [...new Set(results.filter((r) => !r.ok).map((r) => r.error ?? 'stream ended without [DONE]'))].slice(0, 3),
    first: { p50: percentile(firstError, 50), p99: percentile(firstError, 99), max: Math.max(...firstError) },
    end: { p50: percentile(endError, 50), p99: percentile(endError, 99) },
  };
}

/** The floor: the same streams from a bare node:http server, launched the same way (see sse-floor-server.ts). */
const floorServer = mockService({ name: 'sse-floor', description: 'bare node:http SSE server', options: llm.options, envVar: 'SSE_FLOOR_URL', entry: 'bench/mocks/sse-floor-server.ts' });

export interface LlmBenchResult {
  baseline: Summary;
  load: Summary;
  floor: Summary;
  peakRssMb: number;
  pass: boolean;
}
type Summary = ReturnType<typeof summarize>;

/** Runs the LLM section, prints its report with `log`, and says whether the targets were met. */
export async function runLlmBench(log: (line: string) => void = console.log): Promise<LlmBenchResult> {
  const options: LlmOptionsInput = { ttft: { kind: 'fixed', ms: LLM_TTFT_MS }, tokensPerSecond: LLM_TOKENS_PER_SECOND, responseTokens: LLM_TOKENS };
  const parsed = llm.options.parse(options);
  const mock = await startMock(llm, parsed);
  // The same load against the bare server: the part of the error that is the machine, not the mock.
  const bare = await startMock(floorServer, parsed).catch(async (error: unknown) => {
    await mock.stop();
    throw error;
  });
  let baseline: Summary, idleRss: number, baselineRss: number, peakRss: number, loadAverage: number;
  const loads: Summary[] = [];
  const floors: Summary[] = [];
  const cpu = { server: 0, client: 0, floor: 0, wallMs: 0 };
  try {
    idleRss = mock.rssMb();
    // Warm both sides (JIT, the first connections) with streams that are not measured.
    await llmLoad(mock.port, 20, LLM_STARTS_PER_SECOND);
    await llmLoad(bare.port, 20, LLM_STARTS_PER_SECOND);
    baseline = summarize((await llmLoad(mock.port, LLM_BASELINE_STREAMS, LLM_STARTS_PER_SECOND)).results);
    baselineRss = mock.peakRssMb();
    loadAverage = loadavg()[0]!;
    for (let round = 0; round < LLM_ROUNDS; round++) {
      const [serverCpu, wallStart] = [mock.cpuMs(), performance.now()];
      const round = await llmLoad(mock.port, LLM_STREAMS, LLM_STARTS_PER_SECOND);
      loads.push(summarize(round.results));
      cpu.wallMs += performance.now() - wallStart;
      cpu.server += mock.cpuMs() - serverCpu;
      cpu.client += round.cpuMs;
      const floorCpu = bare.cpuMs();
      floors.push(summarize((await llmLoad(bare.port, LLM_STREAMS, LLM_STARTS_PER_SECOND)).results));
      cpu.floor += bare.cpuMs() - floorCpu;
    }
    peakRss = mock.peakRssMb();
  } finally {
    await Promise.all([mock.stop(), bare.stop()]);
  }
  // The round with the median first-token p99 stands for each side.
  const median = (rounds: Summary[]) => [...rounds].sort((a, b) => a.first.p99 - b.first.p99)[Math.floor(rounds.length / 2)]!;
  const load = median(loads);
  const floor = median(floors);
  const failed = loads.reduce((sum, r) => sum + r.failed, 0);
  {
    const chunks = LLM_ROUNDS * LLM_STREAMS * (LLM_TOKENS + 3); // role, tokens, finish, [DONE]
    const overlapS = (LLM_TTFT_MS + ((LLM_TOKENS - 1) * 1000) / LLM_TOKENS_PER_SECOND - (LLM_STREAMS * 1000) / LLM_STARTS_PER_SECOND) / 1000;

    log(`LLM mock: ${LLM_STREAMS} concurrent SSE streams at ${LLM_TOKENS_PER_SECOND} tokens/s, ${LLM_TOKENS} tokens each, TTFT fixed ${LLM_TTFT_MS} ms,`);
    log(`started at ${LLM_STARTS_PER_SECOND}/s, times from the scheduled start (all ${LLM_STREAMS} open together for the last ${overlapS.toFixed(2)} s).`);
    log(`${LLM_ROUNDS} rounds, mock and floor taking turns; each side is shown by its median round (first-token p99).`);
    log(`server: mocks/llm as env:up launches it (pid ${mock.pid}); client: raw node:http in a plain node process (sse-client.mjs), the same for mock and floor.`);
    log(`client and server share ${cpus().length} cores (load average ${loadAverage.toFixed(1)} before the run): the client's own work and other work on the machine are in these numbers.\n`);
    const ms = (x: number) => `${x.toFixed(1)} ms`;
    const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(1)}×` : '-');
    const row = (name: string, r: Summary) => [name, String(r.ok), String(r.failed), ms(r.first.p50), ms(r.first.p99), ms(r.first.max), ms(r.end.p50), ms(r.end.p99)];
    table(log, [
      ['streams', 'ok', 'failed', 'first-token error p50', 'p99', 'max', 'stream-end error p50', 'p99'],
      row(`${LLM_BASELINE_STREAMS} (baseline)`, baseline),
      row(`${LLM_STREAMS} (median round)`, load),
      row(`${LLM_STREAMS} bare node:http (floor)`, floor),
      ['ratio 1000 / baseline', '', '', ratio(load.first.p50, baseline.first.p50), ratio(load.first.p99, baseline.first.p99), '', ratio(load.end.p50, baseline.end.p50), ratio(load.end.p99, baseline.end.p99)],
      ['ratio mock / floor', '', '', ratio(load.first.p50, floor.first.p50), ratio(load.first.p99, floor.first.p99), '', ratio(load.end.p50, floor.end.p50), ratio(load.end.p99, floor.end.p99)],
    ]);
    log(`  first-token p99 by round, mock / floor: ${loads.map((r, i) => `${ms(r.first.p99)} / ${ms(floors[i]!.first.p99)}`).join(', ')}`);
    const errors = [...new Set(loads.flatMap((r) => r.errors))];
    if (errors.length) log(`  failures: ${errors.join('; ')}`);
    log(`\n  CPU over the ${LLM_ROUNDS} mock rounds (${(cpu.wallMs / 1000).toFixed(1)} s): mock ${cpu.server.toFixed(0)} ms (${((cpu.server / cpu.wallMs) * 100).toFixed(0)}% of a core, ${((cpu.server * 1000) / chunks).toFixed(0)} µs per SSE chunk), client ${cpu.client.toFixed(0)} ms; the bare server: ${cpu.floor.toFixed(0)} ms (${((cpu.floor * 1000) / chunks).toFixed(0)} µs per chunk)`);
    log(`  mock process RSS: idle ${idleRss.toFixed(0)} MB, peak after baseline ${baselineRss.toFixed(0)} MB, peak after ${LLM_STREAMS} streams ${peakRss.toFixed(0)} MB (VmHWM)\n`);
    const verdicts = [
      { what: `first-token error p99 at ${LLM_STREAMS} streams (median round)`, value: ms(load.first.p99), target: `≤ ${LLM_TARGET_FIRST_TOKEN_P99_MS} ms`, ok: load.first.p99 <= LLM_TARGET_FIRST_TOKEN_P99_MS },
      { what: `mock peak RSS at ${LLM_STREAMS} streams`, value: `${peakRss.toFixed(0)} MB`, target: `≤ ${LLM_TARGET_RSS_MB} MB`, ok: peakRss <= LLM_TARGET_RSS_MB },
      { what: 'streams completed with [DONE]', value: `${LLM_ROUNDS * LLM_STREAMS - failed} / ${LLM_ROUNDS * LLM_STREAMS}`, target: 'all', ok: failed === 0 },
    ];
    table(log, [['target', 'value', 'wanted', 'verdict'], ...verdicts.map((v) => [v.what, v.value, v.target, v.ok ? 'ok' : 'MISSED'])]);
    return { baseline, load, floor, peakRssMb: peakRss, pass: verdicts.every((v) => v.ok) };
  }
}
