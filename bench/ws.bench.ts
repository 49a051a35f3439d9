/**
 * `npm run bench:ws`: the most concurrent Socket.IO connections this machine holds with p99
 * delivery lag < 1 s at 2 Hz (target: 10k on a 2-core machine), the memory each connection
 * costs in k6 and in the app, and, in the same run, the lag of a bare `ws` server's fan-out
 * to as many sockets as the floor. The app is the reference app (Socket.IO with the Redis
 * adapter, its publisher at 2 Hz) as its own process; k6 is the real binary with
 * faultline/k6/socketio (many sockets per VU). Steps up 500 → 1k → 2.5k → 5k → 10k and stops at the
 * first step that misses the bound. A few minutes at most.
 */
import { spawn } from 'node:child_process';
import { readFileSync, mkdtempSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../env/ports.ts';
import { Toolbox } from '../env/tools/toolbox.ts';
import { startAppProcess } from '../test/support/app-process.ts';
import { testEnvironment } from '../test/support/environment.ts';

// BENCH_WS_STEPS=500,1000 tries other counts.
const STEPS = process.env.BENCH_WS_STEPS ? process.env.BENCH_WS_STEPS.split(',').map(Number) : [500, 1000, 2500, 5000, 10_000];
const TARGET = 10_000;
const VUS = 8;
const HOLD_MS = 10_000;
const LAG_BOUND_MS = 1000;
const dir = import.meta.dirname;
const work = mkdtempSync(join(tmpdir(), 'faultline-bench-ws-'));

interface Step {
  connections: number;
  p50: number;
  p99: number;
  dropped: number;
  connectFailed: number;
  /** Failed attempts by reason (timeout, error, closed), counts. */
  failures: Record<string, number>;
  k6Mb: number;
  serverMb: number;
  /** CPU k6 and the server used over the step, as a share of one core (a starved machine shows here). */
  k6Cpu: number;
  serverCpu: number;
}

/** CPU seconds a process has used so far (user + system; 0 when it is gone). */
function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** Resident memory of a process now, MB (0 when it is gone). */
function rssMb(pid: number): number {
  try {
    const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Number(kb) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** One k6 run holding `connections` sockets to `url`; the lag over the hold phase and the peak memory of k6 and of `serverPid`. */
async function hold(k6: string, kind: 'socketio' | 'ws', url: string, connections: number, serverPid: number): Promise<Step> {
  const rampMs = Math.max(2000, connections); // ≈ 1000 handshakes a second
  const originMs = Date.now() + 500;
  const plan = { originMs, target: url, thresholds: {}, phases: [{ name: 'connect', startMs: 0, endMs: rampMs + 2000 }, { name: 'hold', startMs: rampMs + 2000, endMs: rampMs + 2000 + HOLD_MS }] };
  const summary = join(work, `${kind}-${connections}.json`);
  const child = spawn(k6, ['run', '--no-usage-report', '--quiet', '--summary-export', summary, '--summary-trend-stats', 'p(50),p(99),max', join(dir, 'ws/hold.js')], {
    env: { ...process.env, FAULTLINE_PLAN: JSON.stringify(plan), KIND: kind, URL: url, CONNECTIONS: String(connections), VUS: String(VUS), RAMP_MS: String(rampMs), STREAMER: 'bench', K6_NO_USAGE_REPORT: 'true' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr = (stderr + chunk).slice(-2000)));
  let k6Peak = 0;
  let serverPeak = 0;
  let k6Cpu = 0;
  const startedAt = Date.now();
  const serverCpuBefore = cpuSeconds(serverPid);
  const sampler = setInterval(() => {
    k6Peak = Math.max(k6Peak, rssMb(child.pid!));
    serverPeak = Math.max(serverPeak, rssMb(serverPid));
    k6Cpu = Math.max(k6Cpu, cpuSeconds(child.pid!));
  }, 250);
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  clearInterval(sampler);
  const wall = (Date.now() - startedAt) / 1000;
  if (code !== 0 && code !== 99) throw new Error(`k6 failed (exit ${code}):\n${stderr}`);
  const metrics = JSON.parse(readFileSync(summary, 'utf8')).metrics as Record<string, Record<string, number>>;
  const lag = metrics['faultline_ws_lag{phase:hold}'] ?? {};
  return {
    connections,
    p50: lag['p(50)'] ?? Number.NaN,
    p99: lag['p(99)'] ?? Number.NaN,
    dropped: metrics['faultline_ws_dropped{phase:hold}']?.value ?? Number.NaN,
    connectFailed: metrics.faultline_ws_connect_failed?.value ?? Number.NaN,
    failures: Object.fromEntries(['connect timeout', 'error', 'closed'].map((r) => [r, metrics[`faultline_ws_connect_failed{reason:${r}}`]?.passes ?? 0])),
    k6Mb: k6Peak,
    serverMb: serverPeak,
    k6Cpu: k6Cpu / wall,
    serverCpu: (cpuSeconds(serverPid) - serverCpuBefore) / wall,
  };
}

const perConnectionKb = (peakMb: number, baseMb: number, connections: number) => ((Math.max(0, peakMb - baseMb) * 1024) / connections).toFixed(1);
const held = (s: Step) => s.p99 < LAG_BOUND_MS && s.connectFailed < 0.01 && s.dropped < 0.01;
const row = (label: string, s: Step, k6Base: number, serverBase: number) =>
  `${label.padEnd(22)} ${String(s.connections).padStart(6)}  lag p50 ${s.p50.toFixed(0).padStart(5)} ms  p99 ${s.p99.toFixed(0).padStart(5)} ms  dropped ${(s.dropped * 100).toFixed(2)} %  connect failed ${(s.connectFailed * 100).toFixed(2)} %` +
  // (A server that frees memory it held idle comes out below its base: ≈ 0 a connection.)
  `  k6 ${perConnectionKb(s.k6Mb, k6Base, s.connections)} KB/conn  server ${perConnectionKb(s.serverMb, serverBase, s.connections)} KB/conn` +
  `  cpu k6 ${(s.k6Cpu * 100).toFixed(0)} %  server ${(s.serverCpu * 100).toFixed(0)} %` +
  (s.connectFailed > 0 ? `  (failed: ${Object.entries(s.failures).filter(([, n]) => n > 0).map(([r, n]) => `${n} ${r}`).join(', ')})` : '');

const started = Date.now();
const k6 = (await new Toolbox().get('k6')).path;
const env = await testEnvironment({ services: { postgres: true, redis: true, anvil: true } });
const app = await startAppProcess(env, 'all', { PUBLISH_HZ: '2', PUBLISH_STREAMERS: 'bench', LOG_LEVEL: 'error' });
const floorPort = await freePort();
const floor = spawn(process.execPath, ['--import', 'tsx', join(dir, 'ws/floor-server.ts')], { env: { ...process.env, PORT: String(floorPort), PUBLISH_HZ: '2' }, stdio: ['ignore', 'pipe', 'inherit'] });
try {
  await new Promise<void>((resolve) => floor.stdout!.once('data', () => resolve()));
  // What k6 and the servers take with no sockets at all.
  const idle = await hold(k6, 'socketio', app.url, 0, app.pid);
  const appBase = rssMb(app.pid);
  const floorBase = rssMb(floor.pid!);
  console.log(`ws bench: Socket.IO fan-out at 2 Hz, reference app (Redis adapter) vs a bare ws server; ${VUS} k6 VUs; p99 lag bound ${LAG_BOUND_MS} ms over a ${HOLD_MS / 1000} s hold`);
  console.log(`machine: ${availableParallelism()} cores, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} (others' work shares the cores: a loaded machine reaches less)`);
  console.log(`idle: k6 ${idle.k6Mb.toFixed(0)} MB with ${VUS} VUs, app ${appBase.toFixed(0)} MB, floor server ${floorBase.toFixed(0)} MB`);
  let reached: Step | undefined;
  let last: Step | undefined;
  for (const connections of STEPS) {
    const step = await hold(k6, 'socketio', app.url, connections, app.pid);
    console.log(row(held(step) ? 'socket.io (held)' : 'socket.io (missed)', step, idle.k6Mb, appBase));
    last = step;
    if (!held(step)) break;
    reached = step;
  }
  const floorStep = await hold(k6, 'ws', `ws://127.0.0.1:${floorPort}`, (reached ?? last)!.connections, floor.pid!);
  console.log(row('bare ws floor', floorStep, idle.k6Mb, floorBase));
  const most = reached?.connections ?? 0;
  console.log(`load average now ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  console.log(`reached: ${most} concurrent Socket.IO connections with p99 lag < ${LAG_BOUND_MS} ms (target ${TARGET}); floor p99 at that count ${floorStep.p99.toFixed(0)} ms; ${((Date.now() - started) / 1000).toFixed(0)} s`);
  if (most < TARGET) console.log(`target missed: ${TARGET} connections`);
  process.exitCode = most >= TARGET ? 0 : 1;
} finally {
  floor.kill();
  await app.close();
  await env.stop();
}
