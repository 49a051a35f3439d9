import { closeSync, openSync, readSync } from 'node:fs';

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

/** The per-request samples of a run, as read from k6's `--out json` file. */
export interface Samples {
  duration: Sample[];
  failed: Sample[];
  firstToken: Sample[];
}

/** How much load each group (k6 scenario) put out, for the load account. */
export interface GroupSamples {
  /** Iterations that ran to their end, by start. */
  iterations: GroupSample[];
  /** Arrivals k6 could not start (every VU busy), by when they were due. */
  dropped: GroupSample[];
}

/** Real-time delivery samples (faultline/k6/socketio, faultline/k6/ws), tagged with the phase the message was sent in. */
export interface WsSamples {
  lag: Sample[];
  dropped: Sample[];
  /** Sessions established. */
  connections: number;
}

/** A sample of one load group: when, which k6 scenario, and (for iterations) its phase tag. */
export interface GroupSample {
  tMs: number;
  scenario: string;
  phase?: string;
}

const METRICS: Record<string, keyof Samples> = {
  http_req_duration: 'duration',
  http_req_failed: 'failed',
  faultline_first_token: 'firstToken',
};

/**
 * Reads k6's JSON output incrementally (it is written while k6 runs), so the progress
 * line and the final analysis share one parse.
 */
export class PointsReader {
  readonly samples: Samples = { duration: [], failed: [], firstToken: [] };
  /** Failure samples the k6 helper kept (runner/k6/samples.js), at most `samplesPerKind` per phase and kind. */
  readonly failures: Array<Record<string, unknown> & { phase: string; kind: string }> = [];
  private readonly kept = new Map<string, number>();
  readonly groups: GroupSamples = { iterations: [], dropped: [] };
  readonly ws: WsSamples = { lag: [], dropped: [], connections: 0 };
  private offset = 0;
  private rest = '';
  /** k6 stamps a request's samples with its end time; the duration sample before tells the start. */
  private lastDuration?: { time: string; value: number };

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
      const buffer = Buffer.alloc(1 << 20);
      for (;;) {
        const n = readSync(fd, buffer, 0, buffer.length, this.offset);
        if (n <= 0) break;
        this.offset += n;
        const lines = (this.rest + buffer.toString('utf8', 0, n)).split('\n');
        this.rest = lines.pop() ?? '';
        for (const line of lines) added += this.parse(line);
      }
    } finally {
      closeSync(fd);
    }
    return added;
  }

  private parse(line: string): number {
    if (!line.startsWith('{"metric"') && !line.includes('"type":"Point"')) return 0;
    let point: { type: string; metric: string; data: { time: string; value: number; tags?: Record<string, string>; metadata?: Record<string, string> } };
    try {
      point = JSON.parse(line);
    } catch {
      return 0;
    }
    if (point.type !== 'Point') return 0;
    if (point.metric === 'faultline_failure_sample') return this.failure(point.data);
    if (point.metric === 'iteration_duration' || point.metric === 'dropped_iterations') return this.parseGroup(point);
    if (point.metric.startsWith('faultline_ws_')) return this.parseWs(point);
    const key = METRICS[point.metric];
    if (!key) return 0;
    // Setup/teardown requests (group ::setup) carry no phase and belong to no phase.
    const phase = point.data.tags?.phase;
    if (!phase) return 0;
    let endMs = Date.parse(point.data.time) - this.originMs;
    // Date.parse drops sub-ms digits; that is fine at the 1 s / 250 ms granularity used.
    let startMs = endMs;
    if (key === 'duration') {
      this.lastDuration = { time: point.data.time, value: point.data.value };
      startMs = endMs - point.data.value;
    } else if (key === 'failed' && this.lastDuration?.time === point.data.time) {
      startMs = endMs - this.lastDuration.value;
    } else if (key === 'firstToken') {
      startMs = endMs; // recorded when the token arrived; close enough for bucketing
    }
    const sample: Sample = { tMs: Math.round(startMs), value: point.data.value, phase };
    if (key === 'duration') {
      if (point.data.tags?.status !== undefined) sample.status = point.data.tags.status;
      if (point.data.tags?.error_code) sample.errorCode = point.data.tags.error_code;
    }
    this.samples[key].push(sample);
    return 1;
  }

  private failure(data: { tags?: Record<string, string>; metadata?: Record<string, string> }): number {
    const phase = data.tags?.phase;
    const kind = data.tags?.kind;
    const raw = data.metadata?.faultline_sample;
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

  private parseWs(point: { metric: string; data: { time: string; value: number; tags?: Record<string, string> } }): number {
    const phase = point.data.tags?.phase;
    if (!phase) return 0;
    const sample = { tMs: Date.parse(point.data.time) - this.originMs, value: point.data.value, phase };
    if (point.metric === 'faultline_ws_lag') this.ws.lag.push(sample);
    else if (point.metric === 'faultline_ws_dropped') this.ws.dropped.push(sample);
    else if (point.metric === 'faultline_ws_connections') this.ws.connections += point.data.value;
    else return 0;
    return 1;
  }

  /** Load accounting: an iteration by its start (its end minus its duration), a dropped arrival by when it was due. */
  private parseGroup(point: { metric: string; data: { time: string; value: number; tags?: Record<string, string> } }): number {
    const scenario = point.data.tags?.scenario;
    if (!scenario) return 0;
    const endMs = Date.parse(point.data.time) - this.originMs;
    if (point.metric === 'dropped_iterations') {
      for (let i = 0; i < point.data.value; i++) this.groups.dropped.push({ tMs: endMs, scenario });
      return 1;
    }
    const phase = point.data.tags?.phase;
    if (!phase) return 0; // setup and teardown
    this.groups.iterations.push({ tMs: Math.round(endMs - point.data.value), scenario, phase });
    return 1;
  }
}
