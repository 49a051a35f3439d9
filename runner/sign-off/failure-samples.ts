import { forEachLine } from '../../lib/lines.ts';

/** Failed requests of one kind (same method, name and status or k6 error code), with a few of them as samples. */
export interface FailureGroup {
  method: string;
  /** k6's `name` tag: the URL unless the script named the request. */
  name: string;
  /** HTTP status; 0 when no answer came. */
  status: number;
  /** k6's error code (1050 timeout, 1211 dial timeout, 1212 connection refused, ...), when it set one. */
  errorCode?: number;
  count: number;
  phases: string[];
  /** ms since the run's time origin of the first and last of them (request end). */
  firstMs: number;
  lastMs: number;
  /** Trace or request ids the script recorded for them (a `trace_id` / `request_id` tag or metadata), at most a few. */
  traceIds: string[];
  /** Who this most likely is, read from the status: the app, a dependency it calls, the network, the request itself. */
  attribution: Attribution;
}

export type Attribution = 'external dependency' | 'rate limit' | 'network' | 'app' | 'request';

const MAX_TRACE_IDS = 5;
const ID_KEY = /^(trace|request|correlation)[_-]?id$/i;

/**
 * The failed requests of a run, from k6's `--out json` points, grouped by kind and sorted
 * by count. A script that wants trace ids in the sign-off sets them as metadata
 * (`exec.vu.metrics.metadata.trace_id = id`, which keeps the metric's cardinality) or as a
 * `trace_id` tag on the request.
 */
export function failureGroups(pointsFile: string, originMs: number): FailureGroup[] {
  const groups = new Map<string, FailureGroup>();
  forEachLine(pointsFile, (line) => {
    if (!line.includes('"http_req_failed"') || !line.includes('"Point"')) return;
    let point: { metric: string; type: string; data: { time: string; value: number; tags?: Record<string, string>; metadata?: Record<string, string> } };
    try {
      point = JSON.parse(line);
    } catch {
      return;
    }
    if (point.type !== 'Point' || point.metric !== 'http_req_failed' || point.data.value !== 1) return;
    const tags = point.data.tags ?? {};
    if (!tags.phase) return; // setup/teardown requests belong to no phase
    const status = Number(tags.status ?? 0) || 0;
    const errorCode = tags.error_code ? Number(tags.error_code) : undefined;
    const method = tags.method ?? 'GET';
    const name = tags.name ?? tags.url ?? '(unnamed)';
    const key = `${method} ${name} ${status} ${errorCode ?? ''}`;
    const tMs = Date.parse(point.data.time) - originMs;
    let group = groups.get(key);
    if (!group) {
      group = { method, name, status, ...(errorCode ? { errorCode } : {}), count: 0, phases: [], firstMs: tMs, lastMs: tMs, traceIds: [], attribution: attribute(status, errorCode) };
      groups.set(key, group);
    }
    group.count++;
    group.firstMs = Math.min(group.firstMs, tMs);
    group.lastMs = Math.max(group.lastMs, tMs);
    if (!group.phases.includes(tags.phase)) group.phases.push(tags.phase);
    const id = Object.entries({ ...tags, ...point.data.metadata }).find(([k]) => ID_KEY.test(k))?.[1];
    if (id && group.traceIds.length < MAX_TRACE_IDS && !group.traceIds.includes(id)) group.traceIds.push(id);
  });
  return [...groups.values()].sort((a, b) => b.count - a.count);
}

/**
 * The most likely culprit, from what the client saw. A gateway status (502, 503, 504) is
 * how an app reports a dependency that failed it (an LLM provider, an RPC node); 429 is a
 * limit; no answer at all is the network path (or a target that is gone); other 5xx are
 * the app's own; 4xx the request's (a token, a tenant, a payload).
 */
export function attribute(status: number, errorCode?: number): Attribution {
  if (status === 502 || status === 503 || status === 504) return 'external dependency';
  if (status === 429) return 'rate limit';
  if (status === 0 || (errorCode !== undefined && errorCode >= 1000 && errorCode < 1400)) return 'network';
  if (status >= 500) return 'app';
  return 'request';
}
