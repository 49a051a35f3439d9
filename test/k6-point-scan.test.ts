import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Toolbox } from '../env/tools/toolbox.ts';
import { K6PointScanner, type ScannedPoint } from '../runner/k6-point-scan.ts';

// Real k6 with the system tags runner/k6/faultline.js asks for: the byte scanner must read
// exactly what JSON.parse reads from every line k6 writes (200s, 503s, refused connections,
// a custom trend, a point with metadata), since it skips what it does not need undecoded.
describe('K6PointScanner on a real k6 output', () => {
  let dir: string;
  let server: Server;
  let port = 0;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'faultline-scan-k6-'));
    let n = 0;
    server = createServer((_req, res) => {
      res.statusCode = n++ % 3 === 0 ? 503 : 200;
      res.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('hands on the wanted points exactly as JSON.parse reads them', async () => {
    const helper = readFileSync(join(import.meta.dirname, '../runner/k6/faultline.js'), 'utf8');
    const systemTags = /systemTags: (\[[^\]]*\])/.exec(helper)![1]!.replaceAll("'", '"');
    const script = join(dir, 'script.js');
    writeFileSync(
      script,
      `import http from 'k6/http';
import exec from 'k6/execution';
import { Trend, Counter } from 'k6/metrics';
const lag = new Trend('faultline_ws_lag', true);
const sample = new Counter('faultline_failure_sample');
export const options = { vus: 3, iterations: 30, systemTags: ${systemTags} };
export default function () {
  exec.vu.metrics.tags.phase = exec.vu.iterationInScenario < 5 ? 'baseline' : 'fault';
  http.get('http://127.0.0.1:${port}/x/' + exec.vu.iterationInScenario, { tags: { name: 'http://127.0.0.1:${port}/x/{id}' } });
  http.get('http://127.0.0.1:1/refused');
  lag.add(exec.vu.iterationInScenario * 1.25);
  exec.vu.metrics.metadata.faultline_sample = JSON.stringify({ status: 503, note: 'é "quoted"' });
  sample.add(1, { kind: 'status' });
  delete exec.vu.metrics.metadata.faultline_sample;
}
`,
    );
    const out = join(dir, 'points.json');
    const k6 = (await new Toolbox().get('k6')).path;
    // Asynchronously: the server answering k6 runs in this process.
    const child = spawn(k6, ['run', '--quiet', '--out', `json=${out}`, script], { env: { ...process.env, K6_NO_USAGE_REPORT: 'true' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(status, stderr).toBe(0);

    const wanted = new Set(['http_req_duration', 'http_req_failed', 'iteration_duration', 'faultline_failure_sample']);
    const expected: ScannedPoint[] = [];
    for (const line of readFileSync(out, 'utf8').split('\n')) {
      if (!line) continue;
      const p = JSON.parse(line) as { type: string; metric: string; data: { time: string; value: number; tags?: Record<string, string> | null; metadata?: Record<string, string> } };
      if (p.type !== 'Point' || !(wanted.has(p.metric) || p.metric.startsWith('faultline_ws_'))) continue;
      const frac = /^.{19}\.\d{3}(\d{1,6})/.exec(p.data.time);
      expected.push({ metric: p.metric, timeMs: Date.parse(p.data.time), subNs: frac ? Number(frac[1]!.padEnd(6, '0')) : 0, value: p.data.value, tags: p.data.tags ?? undefined, metadata: p.data.metadata });
    }
    const got: ScannedPoint[] = [];
    const fd = openSync(out, 'r');
    try {
      new K6PointScanner(wanted, ['faultline_ws_'], 4096).scanFile(fd, 0, (p) => got.push({ ...p }));
    } finally {
      closeSync(fd);
    }
    expect(got).toEqual(expected);
    expect(got.filter((p) => p.metric === 'http_req_duration')).toHaveLength(60);
    expect(got.filter((p) => p.metadata?.faultline_sample)).toHaveLength(30);
    expect(new Set(got.map((p) => p.tags?.status).filter(Boolean))).toEqual(new Set(['200', '503', '0']));
  }, 60_000);
});
