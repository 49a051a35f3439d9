import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { K6PointScanner, type ScannedPoint } from './k6-point-scan.ts';
import { k6Time } from './k6-time.ts';

// A line as k6 v1.8 writes it with the runner's system tags (checked against a real k6 run).
const duration =
  '{"metric":"http_req_duration","type":"Point","data":{"time":"2026-12-02T01:10:19.46401402Z","value":33.499703,"tags":{"expected_response":"true","method":"GET","name":"http://127.0.0.1:18765/x/{id}","phase":"baseline","scenario":"default","status":"200"}}}';
const failed = duration.replace('http_req_duration', 'http_req_failed').replace('"value":33.499703', '"value":0');
const lines = [
  '{"type":"Metric","data":{"name":"http_reqs","type":"counter","contains":"default","thresholds":[],"submetrics":null},"metric":"http_reqs"}',
  duration.replace('http_req_duration', 'http_reqs').replace('"value":33.499703', '"value":1'),
  duration,
  duration.replace('http_req_duration', 'http_req_waiting'),
  failed,
  duration.replace('"value":33.499703', '"value":1e-7').replace('19.46401402Z', '20.000001Z'),
  duration.replace('"value":33.499703', '"value":-0.5').replace('19.46401402Z', '20.9Z'),
  duration.replace('"value":33.499703', '"value":12345678901234567890.5'),
  duration.replace('"value":33.499703', '"value":7').replace('19.46401402Z', '21Z'),
  duration.replace('"phase":"baseline"', '"phase":"fault"').replace('Z"', '+02:00"'),
  duration.replace('"phase":"baseline"', '"phase":"base\\"line"'),
  duration.replace('/x/{id}', '/ünïcode'),
  '{"metric":"faultline_failure_sample","type":"Point","data":{"time":"2026-12-02T01:10:22.1Z","value":1,"tags":{"kind":"status","phase":"fault"},"metadata":{"faultline_sample":"{\\"status\\":503}"}}}',
  '{"metric":"faultline_ws_lag","type":"Point","data":{"time":"2026-12-02T01:10:22.123456789Z","value":3.5,"tags":{"phase":"baseline","scenario":"default"}}}',
  '{"metric":"vus","type":"Point","data":{"time":"2026-12-02T01:10:22Z","value":4,"tags":null}}',
  '{"metric":"http_req_duration","data":{"time":"2026-12-02T01:10:23.5Z","value":2,"tags":{"phase":"x"}},"type":"Point"}',
  '{"type":"Point","data":{"time":"2026-12-02T01:10:23.5Z","value":3,"tags":null},"metric":"http_req_duration"}',
  'not json',
];
const wanted = new Set(['http_req_duration', 'http_req_failed', 'faultline_failure_sample']);

/** What the scanner must hand on: every wanted Point, read by JSON.parse. */
function expected(): ScannedPoint[] {
  return lines.flatMap((line) => {
    let p: { type?: string; metric?: string; data?: { time: string; value: number; tags?: Record<string, string> | null; metadata?: Record<string, string> } };
    try {
      p = JSON.parse(line);
    } catch {
      return [];
    }
    if (p.type !== 'Point' || !(wanted.has(p.metric!) || p.metric!.startsWith('faultline_ws_'))) return [];
    const frac = /^.{19}\.\d{3}(\d{1,6})/.exec(p.data!.time);
    return [{ metric: p.metric!, timeMs: Date.parse(p.data!.time), subNs: frac ? Number(frac[1]!.padEnd(6, '0')) : 0, value: p.data!.value, tags: p.data!.tags ?? undefined, metadata: p.data!.metadata }];
  });
}

const dir = mkdtempSync(join(tmpdir(), 'faultline-scan-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function scanned(text: string, chunk: number): { points: ScannedPoint[]; position: number } {
  const file = join(dir, `points-${chunk}.json`);
  writeFileSync(file, text);
  const fd = openSync(file, 'r');
  const points: ScannedPoint[] = [];
  try {
    const scanner = new K6PointScanner(wanted, ['faultline_ws_'], chunk);
    const position = scanner.scanFile(fd, 0, (p) => points.push({ ...p }));
    return { points, position };
  } finally {
    closeSync(fd);
  }
}

describe('K6PointScanner', () => {
  it('hands on exactly the wanted points JSON.parse reads, whatever the chunk size (lines split, longer than a chunk)', () => {
    const text = `${lines.join('\n')}\n`;
    for (const chunk of [16, 100, 333, 1 << 20]) {
      const { points, position } = scanned(text, chunk);
      expect(points, `chunk ${chunk}`).toEqual(expected());
      expect(position).toBe(Buffer.byteLength(text));
    }
  });

  it('stops before a line k6 has not finished writing, and reads it whole next time', () => {
    const text = `${duration}\n${failed.slice(0, 40)}`;
    const { points, position } = scanned(text, 64);
    expect(points.map((p) => p.metric)).toEqual(['http_req_duration']);
    expect(position).toBe(duration.length + 1);
  });

  it('reads a real k6 stamp to the ms as Date.parse does, and its nanoseconds apart', () => {
    const { points } = scanned(`${duration}\n${failed}\n`, 1 << 16);
    expect(points[0]!.timeMs).toBe(Date.parse('2026-12-02T01:10:19.46401402Z'));
    expect(points[0]!.subNs).toBe(14020);
    expect(points[1]!.timeMs).toBe(points[0]!.timeMs);
  });
});

describe('k6Time', () => {
  it('equals Date.parse for k6 timestamps (nanoseconds, offsets, no fraction), across second changes', () => {
    const stamps = ['2026-12-01T22:45:51.235975176Z', '2026-12-01T22:45:51.2Z', '2026-12-01T22:45:52.000001Z', '2017-05-09T14:34:45.239531499+02:00', '2017-05-09T14:34:45.23-05:30', '2026-12-01T22:45:51Z', '2026-12-01T22:45:51.99Z', 'nonsense'];
    for (const s of [...stamps, ...stamps.reverse()]) expect(k6Time(s), s).toEqual(Date.parse(s));
  });
});
