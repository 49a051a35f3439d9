import type { Environment } from '../../env/environment.ts';
import type { ServiceDefinition } from '../../env/service.ts';
import type { ProbesOptions } from './options.ts';

/**
 * How a metric's points combine over a window (a phase, the run) and across label sets:
 * `gauge`: a value at an instant (connections, RSS); `counter`: an increase per interval,
 * its value the rate per second (refusals, evictions); `ratio`: a numerator over a
 * denominator per interval (hit ratio), pooled as Σn / Σd.
 */
export type MetricKind = 'gauge' | 'counter' | 'ratio';

export interface MetricInfo {
  kind: MetricKind;
  /** For people and the charts: '%' (a 0..1 fraction), 'ms', 'MB', '/s', ''. */
  unit?: string;
  description: string;
}

/** One metric's reading at one tick. */
export interface ProbeReading {
  metric: string;
  labels?: Record<string, string>;
  /** The value at this tick: a gauge's value, a ratio (n/d), a counter's rate per second. */
  value: number;
  /** Counter: the increase since the previous tick. Ratio: the numerator. */
  n?: number;
  /** Ratio: the denominator. */
  d?: number;
}

/** A probe against the running environment: asked once per tick. */
export interface OpenProbe {
  /** The readings now; throws (or rejects) when the source does not answer: the sampler records a gap. */
  sample(signal: AbortSignal): Promise<ProbeReading[]>;
  /** Settings seen on the way (e.g. Redis `maxmemory-policy`), for the report. */
  facts?(): Record<string, string>;
  close?(): Promise<void> | void;
}

/** One group of series a source will produce (`redis`, `app`, `prom`, `rpc`). */
export interface PlannedProbe {
  /** The name thresholds use: `probe:<group>.<metric>`. */
  group: string;
  source: string;
  /** The metrics it reports, by name. */
  metrics: Record<string, MetricInfo>;
  /** True when its metrics are only known at run time (a Prometheus endpoint): any metric name is accepted. */
  anyMetric?: boolean;
  open(environment: Environment): Promise<OpenProbe> | OpenProbe;
}

/** What a source may look at to decide what it probes, before anything starts. */
export interface ProbePlanInfo {
  services: Record<string, { definition?: ServiceDefinition; options: Record<string, unknown> }>;
  /** The service the load goes to, when the environment runs it. */
  targetService?: string;
  /** `containers` or `local`: which services run as containers. */
  runtime: string;
  probes: ProbesOptions;
}

/** A probe source: one file in runner/probes/sources/, named after it. */
export interface ProbeSource {
  name: string;
  description: string;
  /** What it would probe in that environment ([] for nothing). */
  plan(info: ProbePlanInfo): PlannedProbe[];
}

/**
 * Typed helper for runner/probes/sources/<name>.ts.
 * @example export default defineProbeSource({ name: 'redis', description: 'Redis INFO', plan: (info) => [...] })
 */
export function defineProbeSource(source: ProbeSource): ProbeSource {
  return source;
}

/** True for a mock (a simulated third party with a control API): it declares its own faults. */
export const isMock = (definition?: ServiceDefinition) => !!definition?.faults;
/** True for a team's app (a `command` entry). */
export const isApp = (definition?: ServiceDefinition) => !!definition?.app;
