/**
 * `npm run bench` (this file: `npx tsx bench/probes.bench.ts`): what the diagnostics cost.
 *
 * 1. The sampler's CPU at 1 Hz over the full default environment of this repository
 *    (postgres, redis, anvil, rpc, farcaster, llm and the reference app: 7 process probes,
 *    Postgres, Redis, the app's /metrics, 3 mocks), as a share of one core, next to the same
 *    process idle for as long in the same call. Target: < 2 % of one core.
 * 2. The latency the failure sampling adds per request in k6 (1 VU, sequential requests
 *    to a local server, 1 in 10 answered 500): blocks of requests with and without the
 *    wrapper taking turns in one VU; the median difference per request, against a target of
 *    10 % of what k6 itself spends on one.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { resolveConfig } from '../env/config.ts';
import { startEnvironment } from '../env/environment.ts';
import { Toolbox } from '../env/tools/toolbox.ts';
import { referenceApp } from '../examples/reference-app/service.ts';
import { probesSchema } from '../runner/probes/options.ts';
import { planProbes, probePlanInfo } from '../runner/probes/plan.ts';
import { ProbeSampler } from '../runner/probes/sampler.ts';
import { table } from '../scripts/table.ts';

const ROOT = resolve(import.meta.dirname, '..');
const ROUNDS = 3;
const K6_ROUNDS = 30;
const K6_BLOCK = 500;
const ROUND_MS = 10_000;
const CPU_TARGET = 0.02;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const pct = (v: number) => `${(v * 100).toFixed(2)} %`;

/** CPU of this process over `ms` (user + system) as a share of one core. */
async function cpuShare(ms: number, during: () => Promise<void>): Promise<number> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  await during();
  const used = process.cpuUsage(cpu);
  return (used.user + used.system) / 1000 / (performance.now() - started);
}

async function samplerCost(): Promise<string[][]> {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-bench-probes-'));
  chmodSync(dir, 0o755);
  // The services of faultline.config.ts (the repository's default environment), in a state dir of its own.
  const services = {
    postgres: { database: 'app', user: 'app', password: 'app' },
    redis: true,
    anvil: { chainId: 31337, accounts: 10, balance: 10_000 },
    rpc: true,
    farcaster: true,
    llm: true,
    app: referenceApp({ uses: ['rpc', 'llm', 'farcaster'] }),
  };
  const config = resolveConfig({ home: join(ROOT, '.faultline'), stateDir: join(dir, 'state'), dotenvFile: join(dir, '.env'), services }, '(bench config)', ROOT);
  const started = performance.now();
  const environment = await startEnvironment(config);
  console.log(`environment up in ${Math.round(performance.now() - started)} ms: ${Object.keys(environment.services).join(', ')}`);
  try {
    const planned = planProbes(probePlanInfo(config, Object.keys(environment.services), 'app', probesSchema.parse({})));
    const idle: number[] = [];
    const probing: number[] = [];
    let series = 0;
    let gaps = 0;
    for (let round = 0; round < ROUNDS; round++) {
      idle.push(await cpuShare(ROUND_MS, async () => { await sleep(ROUND_MS); }));
      const sampler = new ProbeSampler(planned, { environment, originMs: Date.now() + 200, phases: [{ name: 'bench', startMs: 0, endMs: ROUND_MS }], intervalMs: 1000 });
      probing.push(
        await cpuShare(ROUND_MS, async () => {
          sampler.start();
          await sleep(ROUND_MS);
          const data = await sampler.stop();
          series = data.series.length;
          gaps = data.gaps.length;
        }),
      );
    }
    const added = median(probing) - median(idle);
    console.log(`${planned.length} probes, ${series} series, ${gaps} gaps in the last round; load average ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores`);
    return [
      ['runner idle (no sampler)', pct(median(idle)), '', ''],
      ['runner sampling at 1 Hz', pct(median(probing)), `< ${pct(CPU_TARGET)} added`, added < CPU_TARGET ? 'ok' : 'OVER'],
      ['  added by the sampler', pct(added), '', ''],
    ];
  } finally {
    await environment.stop();
  }
}

const SERVER = `
const http = require('node:http');
let n = 0;
http.createServer((req, res) => { n++; const bad = n % 10 === 0; res.writeHead(bad ? 500 : 200, { 'x-request-id': 'req-' + n }); res.end(bad ? 'boom' : 'ok'); })
  .listen(0, '127.0.0.1', function () { console.log(this.address().port); });
`;

async function samplingCost(): Promise<string[][]> {
  const k6 = await new Toolbox().get('k6');
  const server = spawn(process.execPath, ['-e', SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<string>((r) => server.stdout.once('data', (d: Buffer) => r(d.toString().trim())));
  const dir = mkdtempSync(join(tmpdir(), 'faultline-bench-k6-'));
  const script = join(dir, 'load.js');
  const samples = pathToFileURL(join(ROOT, 'runner/k6/samples.js')).href;
  // One VU, blocks of requests taking turns with and without the wrapper, so machine load drifts hit both alike.
  writeFileSync(
    script,
    `import http from 'k6/http';
import { installFailureSamples } from '${samples}';
const plain = http.get;
installFailureSamples({ perKind: 20, slowMs: 1000, bodyBytes: 200 });
const sampled = http.get;
export const options = { vus: 1, iterations: 1 };
const url = 'http://127.0.0.1:${port}/';
export default function () {
  for (let i = 0; i < 200; i++) { plain(url); sampled(url); }
  const off = [];
  const on = [];
  for (let round = 0; round < ${K6_ROUNDS}; round++) {
    // Which goes first alternates, so neither side always runs on a warmer connection.
    for (const side of round % 2 ? ['on', 'off'] : ['off', 'on']) {
      const f = side === 'on' ? sampled : plain;
      const t = Date.now();
      for (let i = 0; i < ${K6_BLOCK}; i++) f(url);
      (side === 'on' ? on : off).push((Date.now() - t) * 1000 / ${K6_BLOCK});
    }
  }
  console.log('FAULTLINE_BENCH ' + off.join(',') + ' / ' + on.join(','));
}
`,
  );
  try {
    const result = spawnSync(k6.path, ['run', '--quiet', '--no-usage-report', script], { encoding: 'utf8' });
    const line = /FAULTLINE_BENCH ([\d.,]+) \/ ([\d.,]+)/.exec(result.stderr + result.stdout);
    if (!line) throw new Error(`k6 failed: ${result.stderr}`);
    const off = line[1]!.split(',').map(Number);
    const on = line[2]!.split(',').map(Number);
    const diffs = on.map((v, i) => v - off[i]!);
    const added = median(diffs);
    const mean = diffs.reduce((a, b) => a + b, 0) / diffs.length;
    console.log(`k6 ${k6.version}: ${K6_ROUNDS} rounds of ${K6_BLOCK} requests each way, taking turns in one VU (1 in 10 answered 500)`);
    return [
      ['k6 request, no failure sampling', `${median(off).toFixed(1)} µs`, '', ''],
      ['k6 request, failure sampling on', `${median(on).toFixed(1)} µs`, '', ''],
      ['  added per request (median of round differences)', `${added.toFixed(1)} µs`, '< 10 % of a request', added < 0.1 * median(off) ? 'ok' : 'OVER'],
      ['  added per request (mean of round differences)', `${mean.toFixed(1)} µs`, '', ''],
    ];
  } finally {
    server.kill();
  }
}

const rows = process.env.ONLY_K6 ? await samplingCost() : [...(await samplerCost()), ...(await samplingCost())];
console.log(table(['what', 'median', 'target', 'verdict'], rows));
