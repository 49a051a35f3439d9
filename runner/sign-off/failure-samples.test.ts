import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDirs } from '../reports/testing/temp-dir.ts';
import { attribute, failureGroups } from './failure-samples.ts';

const tempDir = useTempDirs();
const origin = Date.parse('2026-11-02T10:00:00.000Z');
const point = (metric: string, value: number, atMs: number, tags: Record<string, string>, metadata?: Record<string, string>) =>
  JSON.stringify({ metric, type: 'Point', data: { time: new Date(origin + atMs).toISOString(), value, tags, ...(metadata ? { metadata } : {}) } });

describe('failureGroups', () => {
  it('groups failed requests by request and answer, with phases, times, trace ids and who they are attributed to', () => {
    const file = join(tempDir(), 'k6-points.json');
    const chat = { method: 'POST', name: 'chat', phase: 'load' };
    writeFileSync(
      file,
      [
        JSON.stringify({ type: 'Metric', metric: 'http_req_failed', data: {} }),
        point('http_req_failed', 0, 100, { ...chat, status: '200' }),
        point('http_req_failed', 1, 1200, { ...chat, status: '503' }, { trace_id: 'trace-a' }),
        point('http_req_failed', 1, 2400, { ...chat, status: '503', trace_id: 'trace-b' }),
        point('http_req_failed', 1, 2500, { ...chat, status: '503', phase: 'fault' }),
        point('http_req_failed', 1, 3000, { method: 'GET', name: 'health', phase: 'fault', status: '0', error_code: '1212' }),
        point('http_req_failed', 1, 50, { method: 'GET', name: 'setup', status: '500' }), // setup: no phase
        point('http_req_duration', 900, 1200, { ...chat, status: '503' }),
      ].join('\n'),
    );
    expect(failureGroups(file, origin)).toEqual([
      { method: 'POST', name: 'chat', status: 503, count: 3, phases: ['load', 'fault'], firstMs: 1200, lastMs: 2500, traceIds: ['trace-a', 'trace-b'], attribution: 'external dependency' },
      { method: 'GET', name: 'health', status: 0, errorCode: 1212, count: 1, phases: ['fault'], firstMs: 3000, lastMs: 3000, traceIds: [], attribution: 'network' },
    ]);
  });

  it('attributes by status: gateway statuses to a dependency, 429 to a limit, no answer to the network, other 5xx to the app, 4xx to the request', () => {
    expect([502, 503, 504, 429, 0, 500, 401].map((s) => attribute(s))).toEqual(['external dependency', 'external dependency', 'external dependency', 'rate limit', 'network', 'app', 'request']);
    expect(attribute(0, 1050)).toBe('network');
  });
});
