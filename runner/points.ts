import { closeSync, openSync } from 'node:fs';
import { K6PointScanner, type ScannedPoint } from './k6-point-scan.ts';
import { type Metric, RequestStats } from './request-stats.ts';
import { QuantileSketch } from './sketch.ts';

/** One k6 sample the runner uses, on the run's time axis. */
export interface Sample {
  /** ms since the time origin when the request started. */
  tMs: number;
  value: number;
  phase: string;
  /** On duration samples: k6's `status` tag ("0" without a response) and `error_code` tag, when set. */
  status?: string;
  errorCode?: string;
}

/** How much load each group (k6 scenario) put out, for the load account. */
export interface GroupSamples {
  /** Iterations that ran to their end, by start. */
  iterations: GroupSample[];
  /** Arrivals k6 could not start (every VU busy), by when they were due. */
  dropped: GroupSample[];
}

/** Real-time delivery (faultline/k6/socketio, faultline/k6/ws), aggregated per phase the message was sent in. */
export interface WsSamples {
  /** Per phase: the lag of each message received, in a sketch (exact up to WS_EXACT values). */
  lag: Map<string, QuantileSketch>;
  /** Per phase: the dropped shares the sessions reported, summed, and how many. */
  dropped: Map<string, { sum: number; count: number }>;
  /** Sessions established. */
  connections: number;
}

/** Lag values a phase keeps exactly before its sketch folds them into buckets (runner/sketch.ts). */
export const WS_EXACT = 10_000;

/** A sample of one load group: when, which k6 scenario, and (for iterations) its phase tag; `count` of them (1 when absent). */
export interface GroupSample {
  tMs: number;
  scenario: string;
  phase?: string;
  count?: number;
}

/** What arrived since the progress line last asked: the requests' durations and how many of them failed. */
export interface RecentRequests {
  durations: QuantileSketch;
  failed: number;
}

const METRICS: Record<string, Metric> = {
  http_req_duration: 'duration',
  http_req_failed: 'failed',
  faultline_first_token: 'firstToken',
};

/** The metrics a line is parsed for (any other line is skipped unparsed). */
const WANTED = new Set([...Object.keys(METRICS), 'faultline_failure_sample', 'iteration_duration', 'dropped_iterations']);

/**
 * Reads k6's JSON output incrementally (it is written while k6 runs), so the progress
 * line and the final analysis share one parse. The per-request samples are aggregated as
 * they come (`stats`, runner/request-stats.ts); only the failure samples are kept raw.
 */
export class PointsReader {
  readonly stats = new RequestStats();
  private recent: RecentRequests = { durations: new QuantileSketch(10_000), failed: 0 };
  /** Failure samples the k6 helper kept (runner/k6/samples.js), at most `samplesPerKind` per phase and kind. */
  readonly failures: Array<Record<string, unknown> & { phase: string; kind: string }> = [];
  private readonly kept = new Map<string, number>();
  private readonly iterations = new Map<string, GroupSample>();
  private readonly dropped = new Map<string, GroupSample>();
  readonly ws: WsSamples = { lag: new Map(), dropped: new Map(), connections: 0 };
  private offset = 0;
  private readonly scanner = new K6PointScanner(WANTED, ['faultline_ws_']);
  /** k6 stamps a request's samples with its end time; the duration sample before (same stamp) tells the start. */
  private readonly lastDuration = { timeMs: Number.NaN, subNs: 0, value: 0 };

  constructor(
    private readonly file: string,
    private readonly originMs: number,
    private readonly samplesPerKind = 20,
  ) {}

  /** Reads what k6 appended since the last call. Returns how many samples were added. */
  poll(): number {
    let fd: number;
    try {
      fd = openSync(this.file, 'r');
    } catch {
      return 0; // k6 has not created it yet
    }
    let added = 0;
    try {
      this.offset = this.scanner.scanFile(fd, this.offset, (point) => void (added += this.parse(point)));
    } finally {
      closeSync(fd);
    }
    return added;
  }

  /** The load groups' iterations (per group and phase) and dropped arrivals (per group and ms). */
  get groups(): GroupSamples {
    return { iterations: [...this.iterations.values()], dropped: [...this.dropped.values()] };
  }

  /** The requests since the last call (for the progress line). */
  takeRecent(): RecentRequests {
    const recent = this.recent;
    this.recent = { durations: new QuantileSketch(10_000), failed: 0 };
    return recent;
  }

  private parse(point: ScannedPoint): number {
    const metric = point.metric;
    if (metric === 'faultline_failure_sample') return this.failure(point);
    if (metric === 'iteration_duration' || metric === 'dropped_iterations') return this.parseGroup(point);
    if (metric.startsWith('faultline_ws_')) return this.parseWs(point);
    const key = METRICS[metric];
    if (!key) return 0;
    // Setup/teardown requests (group ::setup) carry no phase and belong to no phase.
    const phase = point.tags?.phase;
    if (!phase) return 0;
    const endMs = point.timeMs - this.originMs;
    // Date.parse drops sub-ms digits; that is fine at the 1 s / 250 ms granularity used.
    let startMs = endMs;
    const paired = key === 'failed' && this.lastDuration.timeMs === point.timeMs && this.lastDuration.subNs === point.subNs;
    if (key === 'duration') {
      this.lastDuration.timeMs = point.timeMs;
      this.lastDuration.subNs = point.subNs;
      this.lastDuration.value = point.value;
      startMs = endMs - point.value;
    } else if (paired) {
      startMs = endMs - this.lastDuration.value;
    } // firstToken: recorded when the token arrived; close enough for bucketing
    const sample: Sample = { tMs: Math.round(startMs), value: point.value, phase };
    if (key === 'duration') {
      if (point.tags?.status !== undefined) sample.status = point.tags.status;
      if (point.tags?.error_code) sample.errorCode = point.tags.error_code;
      this.recent.durations.add(sample.value);
    }
    if (key === 'failed' && sample.value > 0) this.recent.failed++;
    this.stats.add(key, sample, paired ? sample.tMs + this.lastDuration.value : undefined);
    return 1;
  }

  private failure(point: ScannedPoint): number {
    const phase = point.tags?.phase;
    const kind = point.tags?.kind;
    const raw = point.metadata?.faultline_sample;
    if (!phase || !kind || !raw) return 0;
    const slot = `${phase} ${kind}`;
    const count = this.kept.get(slot) ?? 0;
    if (count >= this.samplesPerKind) return 0;
    try {
      this.failures.push({ ...(JSON.parse(raw) as Record<string, unknown>), phase, kind });
      this.kept.set(slot, count + 1);
      return 1;
    } catch {
      return 0;
    }
  }

  private parseWs(point: ScannedPoint): number {
    const phase = point.tags?.phase;
    if (!phase) return 0;
    if (point.metric === 'faultline_ws_lag') {
      let lag = this.ws.lag.get(phase);
      if (!lag) this.ws.lag.set(phase, (lag = new QuantileSketch(WS_EXACT)));
      lag.add(point.value);
    } else if (point.metric === 'faultline_ws_dropped') {
      const dropped = this.ws.dropped.get(phase);
      if (dropped) {
        dropped.sum += point.value;
        dropped.count++;
      } else this.ws.dropped.set(phase, { sum: point.value, count: 1 });
    } else if (point.metric === 'faultline_ws_connections') this.ws.connections += point.value;
    else return 0;
    return 1;
  }

  /** Load accounting: an iteration by its start (its end minus its duration), a dropped arrival by when it was due. */
  private parseGroup(point: ScannedPoint): number {
    const scenario = point.tags?.scenario;
    if (!scenario) return 0;
    const endMs = point.timeMs - this.originMs;
    if (point.metric === 'dropped_iterations') {
      const n = Math.max(0, Math.ceil(point.value));
      const slot = `${scenario} ${endMs}`;
      const seen = this.dropped.get(slot);
      if (seen) seen.count! += n;
      else if (n > 0) this.dropped.set(slot, { tMs: endMs, scenario, count: n });
      return 1;
    }
    const phase = point.tags?.phase;
    if (!phase) return 0; // setup and teardown
    const slot = `${scenario} ${phase}`;
    const seen = this.iterations.get(slot);
    if (seen) seen.count! += 1;
    else this.iterations.set(slot, { tMs: Math.round(endMs - point.value), scenario, phase, count: 1 });
    return 1;
  }
}
