/**
 * bench:mocks section "rpc": the gateway's overhead over direct Anvil, measured in the same
 * run. A fixed-rate (open-loop) scheduler sends eth_blockNumber at 500 req/s on keep-alive
 * node:http sockets, alternately straight to anvil and to the gateway (its direct port,
 * not through Toxiproxy); latency counts from the *scheduled* send time, so a stall is not
 * hidden by the scheduler waiting for it (coordinated omission).
 */
import { chmodSync, mkdtempSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startEnvironment } from '../../env/environment.ts';

const RATE = 500; // requests per second
const WARMUP_MS = 2_000;
const ROUNDS = 10; // alternate direct and gateway in 1 s slices: load from elsewhere on the machine hits both alike
const ROUND_MS = 1_000; // 10 rounds × 1 s = 10 s per target
const TARGET_ADDED_P50_MS = 0.5;
const TARGET_ADDED_P99_MS = 3;

export interface RpcBenchResult {
  rate: number;
  seconds: number;
  direct: Stats;
  gateway: Stats;
  addedP50Ms: number;
  addedP99Ms: number;
  pass: boolean;
}

interface Stats {
  requests: number;
  errors: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

const BODY = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_blockNumber', params: [] });

/** Sends at a fixed rate for `durationMs`; resolves to latencies (ms from scheduled send) and the error count. */
async function fixedRate(url: string, durationMs: number): Promise<{ latencies: number[]; errors: number }> {
  const target = new URL(url);
  const agent = new Agent({ keepAlive: true, maxSockets: 128 });
  const latencies: number[] = [];
  let errors = 0;
  const total = Math.round((durationMs / 1000) * RATE);
  const interval = 1000 / RATE;
  const start = performance.now() + 5;
  let sent = 0;
  let done = 0;
  await new Promise<void>((finish) => {
    const send = (scheduled: number) => {
      const req = request(
        { host: target.hostname, port: target.port, path: target.pathname, method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': BODY.length } },
        (res) => {
          res.resume();
          res.on('end', () => {
            if (res.statusCode === 200) latencies.push(performance.now() - scheduled);
            else errors++;
            if (++done === total) finish();
          });
        },
      );
      req.on('error', () => {
        errors++;
        if (++done === total) finish();
      });
      req.end(BODY);
    };
    const tick = () => {
      const now = performance.now();
      while (sent < total && start + sent * interval <= now) send(start + sent++ * interval);
      if (sent < total) setTimeout(tick, Math.max(0, start + sent * interval - performance.now()));
    };
    setTimeout(tick, 5);
  });
  agent.destroy();
  return { latencies, errors };
}

function stats(latencies: number[], errors: number): Stats {
  const sorted = [...latencies].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
  return { requests: latencies.length + errors, errors, p50Ms: round(at(0.5)), p99Ms: round(at(0.99)), maxMs: round(sorted.at(-1) ?? NaN) };
}

const round = (n: number) => Math.round(n * 1000) / 1000;

export async function runRpcBench(log: (line: string) => void = console.log): Promise<RpcBenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-bench-rpc-'));
  chmodSync(dir, 0o755);
  const env = await startEnvironment({
    home: resolve(import.meta.dirname, '..', '..', '.faultline'),
    stateDir: join(dir, 'state'),
    dotenvFile: join(dir, '.env.faultline'),
    seed: 1,
    // A provider whose limit is never reached: this measures the gateway's plumbing, not its refusals.
    services: { anvil: {}, rpc: { providers: { bench: { style: 'public', perSecond: 1e9 } } } },
  });
  try {
    const direct = env.services.anvil!.directUrl;
    const gateway = env.env.RPC_BENCH_DIRECT_URL!;
    log(`rpc: ${RATE} req/s of eth_blockNumber, ${(ROUNDS * ROUND_MS) / 1000} s each: anvil ${direct} vs gateway ${gateway}`);
    await fixedRate(direct, WARMUP_MS);
    await fixedRate(gateway, WARMUP_MS);
    const samples = { direct: { latencies: [] as number[], errors: 0 }, gateway: { latencies: [] as number[], errors: 0 } };
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, url] of [['direct', direct], ['gateway', gateway]] as const) {
        const run = await fixedRate(url, ROUND_MS);
        samples[name].latencies.push(...run.latencies);
        samples[name].errors += run.errors;
      }
    }
    const d = stats(samples.direct.latencies, samples.direct.errors);
    const g = stats(samples.gateway.latencies, samples.gateway.errors);
    const addedP50Ms = round(g.p50Ms - d.p50Ms);
    const addedP99Ms = round(g.p99Ms - d.p99Ms);
    const pass = addedP50Ms <= TARGET_ADDED_P50_MS && addedP99Ms <= TARGET_ADDED_P99_MS && d.errors + g.errors === 0;
    log(`  direct : p50 ${d.p50Ms} ms  p99 ${d.p99Ms} ms  max ${d.maxMs} ms  (${d.requests} requests, ${d.errors} errors)`);
    log(`  gateway: p50 ${g.p50Ms} ms  p99 ${g.p99Ms} ms  max ${g.maxMs} ms  (${g.requests} requests, ${g.errors} errors)`);
    log(`  added  : p50 ${addedP50Ms} ms (target ≤ ${TARGET_ADDED_P50_MS})  p99 ${addedP99Ms} ms (target ≤ ${TARGET_ADDED_P99_MS})  → ${pass ? 'PASS' : 'FAIL'}`);
    return { rate: RATE, seconds: (ROUNDS * ROUND_MS) / 1000, direct: d, gateway: g, addedP50Ms, addedP99Ms, pass };
  } finally {
    await env.stop();
  }
}
