import { durationSchema, k6Duration } from '../lib/durations.ts';
import { ARRIVAL_RATE, type Executor, ITERATIONS, type LoadGroup, VU_BASED } from './load-groups.ts';
import type { Profile } from './profiles.ts';
import type { ScheduledPhase } from './scenario.ts';

/** A breakpoint of a piecewise-linear plan over the run: at `t` ms from the time origin, `v` per second (or VUs). */
export interface PlanPoint {
  t: number;
  v: number;
}

/** One load group as k6 runs it, with what the run needs to judge it. */
export interface ShapedGroup {
  /** The k6 scenario's name: the group's (`faultline` for a scenario without groups). */
  name: string;
  /** The k6 executor that runs it (a constant one with phase targets becomes its ramping form). */
  executor: Executor;
  /** The k6 scenario, as `options.scenarios[name]`. */
  k6: Record<string, unknown>;
  /** Arrival-rate groups: the planned iterations per second over the run, piecewise linear. */
  rate?: PlanPoint[];
  /** VUs the group may use (its share of connections is split over them). */
  vus: number;
  /** Sockets the group holds, spread over its VUs. */
  connections?: number;
  /** Services or URLs its load goes to (resolved to URLs by the run). */
  targets?: string[];
}

/** Where the load groups come from: a scenario's `load` (the one-group form when it has no `groups`). */
export interface LoadSpec {
  executor: 'rate' | 'iterations';
  groups?: Record<string, LoadGroup>;
}

/** Time for iterations still running when the phases end (a hung dependency) to finish and be counted. */
const GRACEFUL_STOP_MS = 30_000;

/**
 * The k6 scenarios of a run: one per load group, its numbers scaled by the profile, phase
 * targets turned into k6 stages on the shared time origin. `exports` (the script's) chooses
 * each group's function; problems come back as "load.groups.<name>.<field>: ..." lines.
 */
export function shapeLoad(load: LoadSpec, phases: ScheduledPhase[], profile: Profile, exports?: string[]): { groups: ShapedGroup[]; problems: string[] } {
  const durationMs = phases.at(-1)!.endMs;
  if (!load.groups) return { groups: [singleGroup(load.executor, profile, durationMs)], problems: [] };
  const problems: string[] = [];
  const groups = Object.entries(load.groups).flatMap(([name, group]) => {
    const shaped = shapeGroup(name, group, phases, profile, exports);
    problems.push(...shaped.problems.map((p) => `load.groups.${name}${p}`));
    return shaped.group ? [shaped.group] : [];
  });
  for (const name of Object.keys(profile.groups ?? {})) {
    if (!load.groups[name]) problems.push(`load.profiles: a profile sets numbers for group "${name}", which the scenario does not have; groups are ${Object.keys(load.groups).join(', ')}`);
  }
  return { groups, problems };
}

/** A scenario without groups: a constant arrival rate over the phases, or shared iterations, from the profile. */
function singleGroup(executor: 'rate' | 'iterations', profile: Profile, durationMs: number): ShapedGroup {
  if (executor === 'iterations') {
    return {
      name: 'faultline',
      executor: 'shared-iterations',
      vus: profile.concurrency,
      k6: { executor: 'shared-iterations', vus: profile.concurrency, iterations: profile.requests, maxDuration: k6Duration(Math.max(60_000, durationMs * 2)) },
    };
  }
  const perMinute = Math.max(1, Math.round((profile.rps ?? profile.requests / (durationMs / 1000)) * 60));
  return {
    name: 'faultline',
    executor: 'constant-arrival-rate',
    vus: profile.concurrency,
    rate: [
      { t: 0, v: perMinute / 60 },
      { t: durationMs, v: perMinute / 60 },
    ],
    k6: {
      executor: 'constant-arrival-rate',
      rate: perMinute,
      timeUnit: '1m',
      duration: k6Duration(durationMs),
      preAllocatedVUs: profile.concurrency,
      maxVUs: profile.concurrency,
      gracefulStop: k6Duration(GRACEFUL_STOP_MS),
    },
  };
}

function shapeGroup(name: string, g: LoadGroup, phases: ScheduledPhase[], profile: Profile, exports?: string[]): { group?: ShapedGroup; problems: string[] } {
  const problems: string[] = [];
  const endMs = phases.at(-1)!.endMs;
  const override = profile.groups?.[name] ?? {};
  const scale = override.scale ?? profile.scale ?? 1;
  const scaled = (field: 'rate' | 'vus' | 'maxVUs' | 'iterations' | 'connections', whole = true): number | undefined => {
    const value = override[field] ?? (g[field] === undefined ? undefined : g[field]! * scale);
    return value === undefined ? undefined : whole ? Math.max(field === 'connections' ? 0 : 1, Math.ceil(value - 1e-9)) : value;
  };
  const arrival = ARRIVAL_RATE.includes(g.executor);
  const vuBased = VU_BASED.includes(g.executor);
  const targets = Object.entries(g.phases);

  const startMs = startOf(g.startTime, phases, problems);
  if (startMs >= endMs) problems.push(`.startTime: starts at ${startMs} ms, at or after the end of the run (${endMs} ms)`);

  // Which phase settings fit which executor.
  const names = new Set(phases.map((p) => p.name));
  for (const [phase, target] of targets) {
    const at = `.phases.${phase}`;
    if (!names.has(phase)) problems.push(`${at}: unknown phase "${phase}"; phases are ${[...names].join(', ')}`);
    if (ITERATIONS.includes(g.executor)) problems.push(`${at}: ${g.executor} runs a fixed number of iterations, so a phase cannot set its ${target.vus !== undefined ? 'VUs' : 'rate'}; use an arrival-rate or VU executor`);
    else if (arrival && target.vus !== undefined) problems.push(`${at}.vus: ${g.executor} is shaped by its arrival rate: set \`rate\` (iterations per second) for the phase`);
    else if (vuBased && target.rate !== undefined) problems.push(`${at}.rate: ${g.executor} is shaped by its VUs: set \`vus\` for the phase, or use an arrival-rate executor`);
    else if ((arrival ? target.rate : target.vus) === undefined) problems.push(`${at}: sets no ${arrival ? 'rate' : 'vus'}`);
  }
  if (g.stages && targets.length > 0) problems.push('.phases: a group is shaped either by its stages or by phase targets, not both');
  if (g.stages && !['ramping-arrival-rate', 'ramping-vus'].includes(g.executor)) problems.push(`.stages: ${g.executor} takes no stages; use ramping-arrival-rate or ramping-vus`);
  if (g.executor === 'constant-arrival-rate' && g.rate === undefined && override.rate === undefined) problems.push('.rate: constant-arrival-rate needs a rate (iterations per second)');
  if (g.executor === 'constant-vus' && g.vus === undefined && override.vus === undefined) problems.push('.vus: constant-vus needs a number of VUs');
  if (g.executor.startsWith('ramping-') && !g.stages && targets.length === 0) problems.push(`.stages: ${g.executor} needs stages, or phases that set its ${arrival ? 'rate' : 'VUs'}`);
  if (ITERATIONS.includes(g.executor) && g.iterations === undefined && override.iterations === undefined) problems.push(`.iterations: ${g.executor} needs a number of iterations`);
  if (g.stages) {
    const stagesEnd = startMs + g.stages.reduce((sum, s) => sum + s.duration, 0);
    if (stagesEnd < endMs) problems.push(`.stages: the stages end at ${stagesEnd} ms, before the phases do (${endMs} ms); extend them to the end of the run`);
  }
  const exec = g.exec ?? (exports && !exports.includes(name) ? 'default' : name);
  if (exports && !exports.includes(exec)) {
    problems.push(
      g.exec ? `.exec: the script exports no function "${exec}" (it exports ${exports.join(', ') || 'nothing'})` : `: the script exports neither a function "${name}" nor a default function (it exports ${exports.join(', ') || 'nothing'})`,
    );
  }
  if (problems.length > 0) return { problems };

  const common = {
    exec,
    startTime: k6Duration(startMs),
    tags: g.tags,
    env: g.env,
    gracefulStop: k6Duration(g.gracefulStop ?? GRACEFUL_STOP_MS),
  };
  const shaped = (executor: Executor, k6: Record<string, unknown>, vus: number, rate?: PlanPoint[]): { group: ShapedGroup; problems: string[] } => ({
    group: { name, executor, vus, rate, k6: { executor, ...common, ...k6 }, connections: scaled('connections'), targets: g.targets },
    problems: [],
  });

  if (ITERATIONS.includes(g.executor)) {
    const vus = scaled('vus') ?? 1;
    return shaped(g.executor, { vus, iterations: scaled('iterations'), maxDuration: k6Duration(g.maxDuration ?? Math.max(60_000, endMs * 2)) }, vus);
  }

  // The plan as a function of time: the base value, then each phase's target or k6's own stages.
  const base = (arrival ? scaled('rate', false) : scaled('vus')) ?? 0;
  const plan = g.stages
    ? stagesPlan(startMs, base, g.stages.map((s) => ({ duration: s.duration, target: s.target * scale })))
    : phasePlan(base, phases, Object.fromEntries(targets.map(([phase, t]) => [phase, { value: (arrival ? t.rate! : t.vus!) * scale, ramp: t.ramp }])), endMs);
  const clipped = clip(plan, startMs, endMs, !!g.stages);
  const constant = clipped.every((p) => p.v === clipped[0]!.v);

  if (arrival) {
    const perMinute = clipped.map((p) => ({ t: p.t, v: Math.round(p.v * 60) }));
    const peak = Math.max(...perMinute.map((p) => p.v)) / 60;
    // VUs started mid-test take time to initialise, and arrivals meanwhile are dropped: start with enough for 250 ms iterations.
    const preAllocatedVUs = scaled('vus') ?? Math.max(1, Math.ceil(peak / 4));
    const maxVUs = Math.max(preAllocatedVUs, scaled('maxVUs') ?? Math.ceil(peak * 2));
    const rate = perMinute.map((p) => ({ t: p.t, v: p.v / 60 }));
    if (constant && !g.stages && g.executor === 'constant-arrival-rate') {
      return shaped('constant-arrival-rate', { rate: perMinute[0]!.v, timeUnit: '1m', duration: k6Duration(endMs - startMs), preAllocatedVUs, maxVUs }, maxVUs, rate);
    }
    return shaped('ramping-arrival-rate', { startRate: perMinute[0]!.v, timeUnit: '1m', stages: stagesOf(perMinute), preAllocatedVUs, maxVUs }, maxVUs, rate);
  }
  const vus = Math.max(1, ...clipped.map((p) => Math.ceil(p.v)));
  if (constant && !g.stages && g.executor === 'constant-vus') return shaped('constant-vus', { vus: clipped[0]!.v, duration: k6Duration(endMs - startMs) }, vus);
  return shaped('ramping-vus', { startVUs: Math.round(clipped[0]!.v), stages: stagesOf(clipped.map((p) => ({ t: p.t, v: Math.round(p.v) }))) }, vus);
}

/** A phase name's start, or an offset; unknown names are a problem. */
function startOf(startTime: LoadGroup['startTime'], phases: ScheduledPhase[], problems: string[]): number {
  if (startTime === undefined) return 0;
  const phase = typeof startTime === 'string' ? phases.find((p) => p.name === startTime) : undefined;
  if (phase) return phase.startMs;
  const offset = durationSchema.safeParse(startTime);
  if (offset.success) return offset.data;
  problems.push(`.startTime: expected a phase name (${phases.map((p) => p.name).join(', ')}) or an offset like "10s"`);
  return 0;
}

/** The base value until a phase sets another: a step at its start, or a ramp over the phase or over `ramp`. */
function phasePlan(base: number, phases: ScheduledPhase[], targets: Record<string, { value: number; ramp?: true | number }>, endMs: number): PlanPoint[] {
  const points: PlanPoint[] = [{ t: 0, v: base }];
  let current = base;
  for (const phase of phases) {
    const target = targets[phase.name];
    const ramp = target?.ramp;
    if (target && ramp === true) {
      points.push({ t: phase.endMs, v: target.value });
    } else if (target) {
      const reached = Math.min(phase.endMs, phase.startMs + (typeof ramp === 'number' ? ramp : 0));
      points.push({ t: reached, v: target.value }, { t: phase.endMs, v: target.value });
    } else {
      points.push({ t: phase.endMs, v: current });
    }
    current = target?.value ?? current;
  }
  if (points.at(-1)!.t < endMs) points.push({ t: endMs, v: current });
  return points;
}

/** k6 stages as a plan from the group's start. */
function stagesPlan(startMs: number, base: number, stages: Array<{ duration: number; target: number }>): PlanPoint[] {
  const points: PlanPoint[] = [{ t: startMs, v: base }];
  let t = startMs;
  for (const stage of stages) points.push({ t: (t += stage.duration), v: stage.target });
  return points;
}

/** The plan between `from` and `to` (stages may run past the phases: k6 runs them as written). */
function clip(points: PlanPoint[], from: number, to: number, keepTail: boolean): PlanPoint[] {
  const out: PlanPoint[] = [{ t: from, v: valueAt(points, from) }];
  for (const p of points) if (p.t > from && (keepTail || p.t <= to)) out.push(p);
  if (!keepTail && out.at(-1)!.t < to) out.push({ t: to, v: valueAt(points, to) });
  return out;
}

/** The plan's value at `t`, the later one where a step puts two points at one time. */
export function valueAt(points: PlanPoint[], t: number): number {
  let value = points[0]!.v;
  for (let i = 0; i < points.length; i++) {
    const p = points[i]!;
    if (p.t <= t) {
      value = p.v;
      continue;
    }
    const prev = points[i - 1];
    if (prev && prev.t < t) value = prev.v + ((p.v - prev.v) * (t - prev.t)) / (p.t - prev.t);
    break;
  }
  return value;
}

/** Consecutive breakpoints as k6 stages: a step is a zero-length stage (k6 ramps linearly within a stage). */
function stagesOf(points: PlanPoint[]): Array<{ duration: string; target: number }> {
  const stages: Array<{ duration: string; target: number }> = [];
  for (let i = 1; i < points.length; i++) stages.push({ duration: k6Duration(points[i]!.t - points[i - 1]!.t), target: points[i]!.v });
  return stages;
}

/** Planned iterations of an arrival-rate plan between `from` and `to` (ms): the integral of its rate. */
export function plannedIterations(rate: PlanPoint[], from: number, to: number): number {
  let total = 0;
  for (let i = 1; i < rate.length; i++) {
    const a = rate[i - 1]!;
    const b = rate[i]!;
    const lo = Math.max(a.t, from);
    const hi = Math.min(b.t, to);
    if (hi <= lo) continue;
    total += ((valueAt([a, b], lo) + valueAt([a, b], hi)) / 2) * ((hi - lo) / 1000);
  }
  return total;
}

/** One line per group for the report, e.g. "readers: ramping arrival rate 2 → 40 → 2/s, up to 80 VUs". */
export function describeShape(groups: ShapedGroup[]): string {
  return groups
    .map((g) => {
      const k6 = g.k6 as Record<string, number | string>;
      const prefix = g.name === 'faultline' ? '' : `${g.name}: `;
      const values = (g.rate ?? []).map((p) => Number(p.v.toFixed(2)));
      const rates = values.filter((v, i) => i === 0 || v !== values[i - 1]);
      if (g.executor === 'constant-arrival-rate') return `${prefix}constant arrival rate ${rates[0]?.toFixed(1)}/s, up to ${k6.maxVUs} VUs`;
      if (g.executor === 'ramping-arrival-rate') return `${prefix}ramping arrival rate ${rates.join(' → ')}/s, up to ${k6.maxVUs} VUs`;
      const sockets = g.connections ? `, ${g.connections} connections` : '';
      if (g.executor === 'constant-vus') return `${prefix}${k6.vus} VUs${sockets}`;
      if (g.executor === 'ramping-vus') return `${prefix}ramping VUs ${k6.startVUs} → ${(k6.stages as unknown as Array<{ target: number }>).map((s) => s.target).filter((v, i, all) => i === 0 || v !== all[i - 1]).join(' → ')}${sockets}`;
      return `${prefix}${k6.iterations} iterations ${g.executor === 'per-vu-iterations' ? 'per VU' : 'shared'} by ${k6.vus} VUs${sockets}`;
    })
    .join('; ');
}
