import { existsSync, readFileSync, statSync } from 'node:fs';
import { relative } from 'node:path';
import type { FailureKind, FailureSample } from './result.ts';

/** What the k6 helper writes into a sample's metadata (runner/k6/samples.js), with the phase and kind tags. */
export type RawFailureSample = Record<string, unknown> & { phase: string; kind: string };

const text = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);

/** The k6 helper's raw samples on the run's time axis, oldest first. */
export function failureSamples(raw: RawFailureSample[], originMs: number, header?: string): FailureSample[] {
  return raw
    .map((r): FailureSample => {
      const sample: FailureSample = {
        tMs: Math.round(Number(r.t ?? originMs) - originMs - Number(r.ms ?? 0)),
        phase: r.phase,
        kind: r.kind as FailureKind,
        method: String(r.method ?? ''),
        name: String(r.name ?? ''),
        status: Number(r.status ?? 0),
        durationMs: Number(r.ms ?? 0),
      };
      // k6 also gives an HTTP error status a code (1503 for 503): kept only where there was no answer.
      if (r.code && !(Number(r.status) >= 100)) sample.errorCode = Number(r.code);
      if (text(r.error)) sample.error = text(r.error);
      if (text(r.rid)) sample.requestId = text(r.rid);
      if (text(r.tp)) sample.traceparent = text(r.tp);
      if (header && text(r.hv)) sample.header = { name: header, value: text(r.hv)! };
      if (text(r.body)) sample.body = text(r.body);
      return sample;
    })
    .sort((a, b) => a.tMs - b.tMs);
}

/** Bytes of a log read per file: enough for a smoke or baseline run, bounded for a long one (the tail is kept). */
const MAX_LOG_BYTES = 32 << 20;

/**
 * Fills each sample's `foundIn` with the service logs its request id (or trace id) appears
 * in: where to look next. Each log is read once, whatever the number of samples.
 */
export function locateInLogs(samples: FailureSample[], logs: Record<string, string>, rootDir: string): void {
  const wanted = samples.filter((s) => s.requestId || s.traceparent);
  if (wanted.length === 0) return;
  for (const [, file] of Object.entries(logs)) {
    if (!existsSync(file)) continue;
    const size = statSync(file).size;
    const content = size > MAX_LOG_BYTES ? readFileSync(file).subarray(size - MAX_LOG_BYTES).toString('utf8') : readFileSync(file, 'utf8');
    const inside = relative(rootDir, file);
    const where = inside && !inside.startsWith('..') ? inside : file;
    for (const s of wanted) {
      // A W3C traceparent is version-traceid-spanid-flags: the trace id is what other services log.
      const traceId = s.traceparent?.split('-')[1];
      if ((s.requestId && content.includes(s.requestId)) || (traceId && content.includes(traceId))) (s.foundIn ??= []).push(where);
    }
  }
}
