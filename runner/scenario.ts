import { existsSync, readdirSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';
import { durationSchema } from '../lib/durations.ts';
import { loadFile } from '../lib/load-module.ts';
import { describeValue } from '../env/config.ts';
import { byKey, formatIssue } from '../lib/schema.ts';
import { presets, type TargetInfo } from '../toxics/index.ts';
import { ScenarioInvalidError } from './errors.ts';
import { type DeclarativeInvariant, declarativeInvariant, declarativeInvariantSchemas } from './invariants.ts';
import { DEFAULT_PROFILES, type Profile, profileOverrideSchema, profileSchema } from './profiles.ts';
import { explainSchema, type PlanCheckEntry } from './diagnostics/explain-schema.ts';
import { type ProbesInput, type ProbesOptions, probesSchema } from './probes/options.ts';
import { type ThresholdEntry, thresholdsSchema } from './thresholds.ts';
import { type LoadGroupInput, loadGroupSchema } from './load-groups.ts';
import { shapeLoad } from './load-shape.ts';

/** What an invariant check gets: the environment's variables and the run so far. */
export interface InvariantContext {
  env: Record<string, string>;
  target: string;
  profile: string;
  seed: number;
  /** Mitigations requested for the app (`FAULTLINE_MITIGATIONS`), if any. */
  mitigations?: string;
  /** The target service's own URL, bypassing its proxy, when the environment runs it. */
  directTarget?: string;
  /** This run's report folder (k6 runs there): a place for files the load needs. */
  runDir: string;
  /** Options of the environment's services as configured (e.g. the farcaster mock's users). */
  serviceOptions: Record<string, unknown>;
}

/** A post-run check (SQL, Redis, chain). Return `true`/`false`, or `{ ok, detail }`. */
export interface Invariant {
  name: string;
  check(ctx: InvariantContext): Promise<boolean | { ok: boolean; detail: string }> | boolean | { ok: boolean; detail: string };
}

/** One fault of a timeline: which preset, on what, when, for how long. */
export interface FaultEntry {
  /** Name in reports; default `<fault>@<target>`. */
  name?: string;
  /** A preset from toxics/index.ts: latency, down, http, mining-stopped, pause, ... */
  fault: string;
  /** Proxy / service the fault hits: `redis`, `rpc-infura`, `anvil`, `llm`. */
  target: string;
  /** A phase name (start of that phase) or an offset from the start like "10s". */
  at: string | number;
  /** How long it stays; default: to the end of the phase named in `at`, or to the end of the run. */
  duration?: string | number;
  params?: Record<string, unknown>;
}

export interface PhaseEntry {
  name: string;
  duration: string | number;
}

export interface ScenarioDefinition {
  name: string;
  description: string;
  /**
   * Services the environment must run, e.g. `['redis', 'app']`, or with the options they
   * need, e.g. `{ rpc: true, app: { uses: ['rpc'] } }`. An environment the run starts gets
   * them added to the config; a running one must already have them.
   */
  services: string[] | Record<string, true | Record<string, unknown>>;
  /**
   * Where load goes: a service of the environment (through its proxy; default: the one
   * app the environment declares), a variable of the environment, or a fixed URL.
   * `--target` overrides it.
   */
  target?: { service?: string; envVar?: string; url?: string };
  load: {
    /** k6 script, relative to the scenario file. It imports runner/k6/faultline.js. */
    script: string;
    /** `rate`: constant arrival rate over the phases (default); `iterations`: `requests` iterations shared by `concurrency` VUs. */
    executor?: 'rate' | 'iterations';
    /** Time between starting k6 and the time origin, for k6 to initialise and run setup(). Default: fitted to what k6 needed the last time (1500 ms the first time; runner/k6-lead.ts). */
    lead?: string | number;
    /** Extra `__ENV` variables for the script. */
    env?: Record<string, string>;
    /** Profile overrides or additional profiles. */
    profiles?: Record<string, Partial<Profile>>;
    defaultProfile?: string;
    /** Requests stream (LLM chat): the profile's first-token p95 becomes a threshold. */
    streaming?: boolean;
    /**
     * Load groups, each one k6 scenario with its own function, executor and tags, e.g.
     * `{ readers: { executor: 'constant-arrival-rate', rate: 50 }, writers: { executor: 'ramping-arrival-rate', phases: { spike: { rate: 200 } } } }`.
     * Without groups the load is one group shaped by `executor` and the profile.
     */
    groups?: Record<string, LoadGroupInput>;
    /** Share of the planned iterations the load generator may fall short by before a PASS becomes INCONCLUSIVE (default 0.05). */
    maxShortfall?: number;
  };
  /** Named phases in order; the load runs for their total duration. */
  phases: PhaseEntry[];
  faults?: FaultEntry[];
  assertions?: {
    /**
     * k6 thresholds; expressions may use {p95TotalMs}, {p95FirstTokenMs}, {maxErrorRate}. An entry is an
     * expression or k6's object form `{ threshold, abortOnFail, delayAbortEval }` (a crossed abortOnFail threshold stops the run).
     */
    thresholds?: Record<string, ThresholdEntry[]>;
    /** Apply the profile's success / p95 thresholds to the whole run (true, default), to these phases, or not at all. */
    profileThresholds?: boolean | string[];
    recovery?: {
      /** Maximum recovery time after each reverted fault. */
      bound: string | number;
      /** Phase whose error rate and p95 define "recovered"; default the first phase. */
      baselinePhase?: string;
      /** Allowed error-rate excess over the baseline, absolute. Default 0.05. */
      errorRateMargin?: number;
      /** Allowed p95 as a multiple of the baseline's. Default 1.5. */
      p95Factor?: number;
    };
  };
  /** Post-run checks: code (`{ name, check(ctx) }`) or data (`{ name, sql, expect }`, `{ name, redis, expect }`, `{ name, http, expect }`). */
  invariants?: Array<Invariant | DeclarativeInvariant>;
  /** Server-side sampling while the load runs (README "Probes"); thresholds on it are `probe:<group>.<metric>` keys of `assertions.thresholds`. */
  probes?: ProbesInput;
  /** Plan checks after the load: the query's EXPLAIN ANALYZE must contain `expect` (e.g. `Index Scan using messages_room_created_idx`). */
  explain?: PlanCheckEntry[];
  /**
   * Runs after the environment is up and before the load, e.g. to prepare data. What it
   * returns is added to the k6 script's `__ENV` (e.g. the path of a file it wrote).
   */
  before?(ctx: InvariantContext): Promise<void | Record<string, string>> | void | Record<string, string>;
}

/**
 * Typed helper for scenarios/<name>/scenario.ts.
 * @example export default defineScenario({ name: 'redis-outage', services: ['redis', 'app'], load: { script: './load.js' }, phases: [...], faults: [...] })
 */
export function defineScenario(definition: ScenarioDefinition): ScenarioDefinition {
  return definition;
}

const fn = <T>(what: string) => z.custom<T>((v) => typeof v === 'function', `expected a function (${what})`);
const phaseName = z.string().regex(/^[A-Za-z][\w-]*$/, 'expected a name of letters, digits, "_" or "-", starting with a letter');
const groupName = z.string().regex(/^[A-Za-z][\w-]*$/, 'expected a group name of letters, digits, "_" or "-", starting with a letter');
const atSchema = z.union([z.number().min(0), z.string().min(1)]);

export const faultEntrySchema = z.strictObject({
  name: z.string().min(1).optional(),
  fault: z.string().min(1),
  target: z.string().min(1),
  at: atSchema,
  duration: durationSchema.optional(),
  params: z.record(z.string(), z.unknown()).default({}),
});

export const phaseSchema = z.strictObject({ name: phaseName, duration: durationSchema });

const scenarioSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'expected a lower-case name with dashes, e.g. "rpc-throttle"'),
  description: z.string().min(1),
  services: z.union([z.array(z.string().min(1)), z.record(z.string(), z.union([z.literal(true), z.record(z.string(), z.unknown())]))]),
  target: z.strictObject({ service: z.string().min(1).optional(), envVar: z.string().min(1).optional(), url: z.string().url().optional() }).optional(),
  load: z.strictObject({
    script: z.string().min(1),
    executor: z.enum(['rate', 'iterations']).default('rate'),
    lead: durationSchema.optional(),
    env: z.record(z.string(), z.string()).default({}),
    profiles: z.record(z.string(), profileOverrideSchema).default({}),
    defaultProfile: z.string().default('smoke'),
    streaming: z.boolean().default(false),
    groups: z.record(groupName, loadGroupSchema).optional(),
    maxShortfall: z.number().min(0).max(1).default(0.05),
  }),
  phases: z.array(phaseSchema).min(1, 'expected at least one phase'),
  faults: z.array(faultEntrySchema).default([]),
  assertions: z
    .strictObject({
      thresholds: thresholdsSchema.default({}),
      profileThresholds: z.union([z.boolean(), z.array(phaseName)]).default(true),
      recovery: z
        .strictObject({
          bound: durationSchema,
          baselinePhase: phaseName.optional(),
          errorRateMargin: z.number().min(0).max(1).default(0.05),
          p95Factor: z.number().min(1).default(1.5),
        })
        .optional(),
    })
    .default({ thresholds: {}, profileThresholds: true }),
  invariants: z
    .array(
      byKey(
        { check: z.strictObject({ name: z.string().min(1), check: fn<Invariant['check']>('check(ctx)') }), ...declarativeInvariantSchemas },
        '{ name, check(ctx) }, or { name, sql | redis | http, expect }',
      ),
    )
    .default([])
    .transform((list) => list.map((i): Invariant => ('check' in i ? i : declarativeInvariant(i)))),
  before: fn<NonNullable<ScenarioDefinition['before']>>('before(ctx)').optional(),
  probes: probesSchema,
  explain: explainSchema,
});

/** k6 expressions for k6 metrics, probe expressions (an aggregate may be omitted, `last`) for `probe:` keys. */

type ParsedScenario = z.output<typeof scenarioSchema>;

/** A fault of the timeline with its offset resolved against the phases. */
export interface ScheduledFault {
  name: string;
  fault: string;
  target: string;
  atMs: number;
  /** Undefined: applied until the end of the run. */
  durationMs?: number;
  params: unknown;
}

export interface ScheduledPhase {
  name: string;
  startMs: number;
  endMs: number;
}

/** A validated scenario, with phases and faults on one time axis (ms from the time origin). */
export interface Scenario {
  file: string;
  dir: string;
  name: string;
  description: string;
  /** Needed services with the options the scenario requires of them (`{}` for none). */
  services: Record<string, Record<string, unknown>>;
  target: { service?: string; envVar?: string; url?: string };
  load: Omit<ParsedScenario['load'], 'lead' | 'profiles'> & { scriptPath: string; /** As declared; undefined: fitted (runner/k6-lead.ts). */ leadMs?: number; profiles: Record<string, Profile> };
  phases: ScheduledPhase[];
  durationMs: number;
  faults: ScheduledFault[];
  assertions: ParsedScenario['assertions'];
  invariants: Invariant[];
  before?: ScenarioDefinition['before'];
  probes: ProbesOptions;
  explain: PlanCheckEntry[];
}

/**
 * Validates a scenario definition; throws ScenarioInvalidError listing every problem
 * as "dotted.path: what was expected".
 */
export function resolveScenario(input: unknown, file = '(inline scenario)'): Scenario {
  const parsed = scenarioSchema.safeParse(input);
  if (!parsed.success) throw new ScenarioInvalidError(file, parsed.error.issues.map((i) => formatIssue(i)));
  const s = parsed.data;
  const problems: string[] = [];

  const profiles: Record<string, Profile> = { ...DEFAULT_PROFILES };
  for (const [name, override] of Object.entries(s.load.profiles)) {
    const merged = profileSchema.safeParse({ ...DEFAULT_PROFILES[name], ...override });
    if (merged.success) profiles[name] = merged.data;
    else problems.push(...merged.error.issues.map((i) => formatIssue(i, ['load', 'profiles', name])));
  }
  if (!profiles[s.load.defaultProfile]) problems.push(`load.defaultProfile: unknown profile "${s.load.defaultProfile}"; known: ${Object.keys(profiles).join(', ')}`);

  const { phases, faults, problems: timelineProblems } = scheduleTimeline(s.phases, s.faults);
  problems.push(...timelineProblems);

  const phaseNames = new Set(phases.map((p) => p.name));
  if (Array.isArray(s.assertions.profileThresholds)) {
    s.assertions.profileThresholds.forEach((p, i) => {
      if (!phaseNames.has(p)) problems.push(`assertions.profileThresholds.${i}: unknown phase "${p}"; phases are ${[...phaseNames].join(', ')}`);
    });
  }
  if (timelineProblems.length === 0) {
    for (const profile of Object.values(profiles)) for (const problem of shapeLoad(s.load, phases, profile).problems) if (!problems.includes(problem)) problems.push(problem);
  }
  const baseline = s.assertions.recovery?.baselinePhase;
  if (baseline && !phaseNames.has(baseline)) problems.push(`assertions.recovery.baselinePhase: unknown phase "${baseline}"; phases are ${[...phaseNames].join(', ')}`);
  if (problems.length > 0) throw new ScenarioInvalidError(file, problems);

  const dir = file.startsWith('(') ? process.cwd() : dirname(file);
  const { lead, profiles: _p, ...load } = s.load;
  return {
    file,
    dir,
    name: s.name,
    description: s.description,
    services: Array.isArray(s.services)
      ? Object.fromEntries(s.services.map((name) => [name, {}]))
      : Object.fromEntries(Object.entries(s.services).map(([name, options]) => [name, options === true ? {} : options])),
    target: s.target ?? {},
    load: { ...load, scriptPath: isAbsolute(load.script) ? load.script : resolve(dir, load.script), ...(lead !== undefined ? { leadMs: lead } : {}), profiles },
    phases,
    durationMs: phases.at(-1)!.endMs,
    faults,
    assertions: s.assertions,
    invariants: s.invariants,
    before: s.before,
    probes: s.probes,
    explain: s.explain,
  };
}

/**
 * Puts phases end to end from 0 and resolves each fault's `at` (phase name or offset),
 * validating its preset and params. Problems come back as dotted-path lines.
 */
export function scheduleTimeline(
  phaseEntries: Array<{ name: string; duration: number }>,
  faultEntries: Array<z.output<typeof faultEntrySchema>>,
  prefix = '',
): { phases: ScheduledPhase[]; faults: ScheduledFault[]; problems: string[] } {
  const problems: string[] = [];
  const phases: ScheduledPhase[] = [];
  let t = 0;
  phaseEntries.forEach((p, i) => {
    if (phases.some((q) => q.name === p.name)) problems.push(`${prefix}phases.${i}.name: duplicate phase "${p.name}"`);
    phases.push({ name: p.name, startMs: t, endMs: t + p.duration });
    t += p.duration;
  });
  const total = t;
  const faults: ScheduledFault[] = [];
  const names = new Set<string>();
  faultEntries.forEach((f, i) => {
    const path = `${prefix}faults.${i}`;
    const preset = presets[f.fault];
    if (!preset) {
      problems.push(`${path}.fault: unknown fault "${f.fault}"; known faults are: ${Object.keys(presets).join(', ')}`);
      return;
    }
    const params = preset.params.safeParse(f.params);
    if (!params.success) {
      problems.push(...params.error.issues.map((issue) => formatIssue(issue, [...(prefix ? [prefix.replace(/\.$/, '')] : []), 'faults', i, 'params'])));
      return;
    }
    let atMs: number;
    let durationMs = f.duration;
    const phase = typeof f.at === 'string' ? phases.find((p) => p.name === f.at) : undefined;
    if (phase) {
      atMs = phase.startMs;
      durationMs ??= phase.endMs - phase.startMs;
    } else if (typeof f.at === 'number' || /^\d/.test(f.at)) {
      const parsed = durationSchema.safeParse(f.at);
      if (!parsed.success) {
        problems.push(`${path}.at: expected a phase name (${phases.map((p) => p.name).join(', ')}) or an offset like "10s"`);
        return;
      }
      atMs = parsed.data;
    } else {
      problems.push(`${path}.at: unknown phase "${f.at}"; expected one of ${phases.map((p) => p.name).join(', ')} or an offset like "10s"`);
      return;
    }
    if (atMs >= total) problems.push(`${path}.at: starts at ${atMs} ms, at or after the end of the run (${total} ms)`);
    const name = f.name ?? `${f.fault}@${f.target}`;
    if (names.has(name)) problems.push(`${path}.name: two faults are named "${name}"; give one a \`name\``);
    names.add(name);
    faults.push({ name, fault: f.fault, target: f.target, atMs, durationMs, params: params.data });
  });
  problems.push(...overlapProblems(faults, total, prefix));
  return { phases, faults, problems };
}

/** Faults that set the same state of one target (see FaultPreset.exclusive) must not be in force at the same time. */
function overlapProblems(faults: ScheduledFault[], totalMs: number, prefix: string): string[] {
  const problems: string[] = [];
  const end = (f: ScheduledFault) => (f.durationMs === undefined ? totalMs : f.atMs + f.durationMs);
  faults.forEach((a, i) => {
    const key = presets[a.fault]!.exclusive;
    if (!key) return;
    faults.slice(0, i).forEach((b, j) => {
      if (presets[b.fault]!.exclusive !== key || b.target !== a.target) return;
      if (a.atMs < end(b) && b.atMs < end(a)) {
        problems.push(`${prefix}faults.${i}.at: "${a.name}" overlaps "${b.name}" (faults.${j}) on ${a.target} (${b.atMs}–${end(b)} ms and ${a.atMs}–${end(a)} ms); both set its ${key} state, so reverting one would undo the other: make them follow each other`);
      }
    });
  });
  return problems;
}

/**
 * Checks every fault's target against the environment the run will have (its services
 * and proxies): an unknown proxy, a process fault on a service that is not there, a mock
 * fault that mock does not know. Problems are "faults.N.field: what was expected" lines.
 */
export function targetProblems(faults: ScheduledFault[], info: TargetInfo): string[] {
  return faults.flatMap((f, i) => (presets[f.fault]!.validate?.(f.target, f.params, info) ?? []).map(([field, message]) => `faults.${i}.${field}: ${message}`));
}

/** The files a scenario folder may hold its definition in, in order of preference. */
export const SCENARIO_FILES = ['scenario.ts', 'scenario.mts', 'scenario.js', 'scenario.mjs', 'scenario.yaml', 'scenario.yml'];

/**
 * Finds `<scenariosDir>/<name>/scenario.ts` (or .js, or a scenario.yaml with the same
 * fields), or takes a path, and validates its default export.
 */
export async function loadScenario(nameOrPath: string, scenariosDir = join(process.cwd(), 'scenarios')): Promise<Scenario> {
  const isPath = /[/\\]|\.(m?[tj]s|ya?ml|json)$/.test(nameOrPath);
  const file = isPath ? resolve(nameOrPath) : scenarioFile(join(scenariosDir, nameOrPath));
  if (!existsSync(file)) {
    const known = listScenarios(scenariosDir);
    throw new ScenarioInvalidError(file, [
      isPath ? 'file not found' : `no scenario "${nameOrPath}" in ${scenariosDir} (scenarios live in <scenariosDir>/<name>/scenario.ts; known: ${known.join(', ') || 'none'})`,
    ]);
  }
  const module = await loadFile(file, ScenarioInvalidError);
  if (module.default === undefined) throw new ScenarioInvalidError(file, ['(root): expected a default export, e.g. `export default defineScenario({...})`']);
  const kind = describeValue(module.default);
  if (kind) throw new ScenarioInvalidError(file, [`(root): expected an object (defineScenario({ ... })), got ${kind}`]);
  const scenario = resolveScenario(module.default, file);
  if (!existsSync(scenario.load.scriptPath)) throw new ScenarioInvalidError(file, [`load.script: ${scenario.load.scriptPath} does not exist`]);
  return scenario;
}

/** The definition file in a scenario folder (the first of SCENARIO_FILES there), or its scenario.ts path when none is. */
function scenarioFile(folder: string): string {
  return SCENARIO_FILES.map((f) => join(folder, f)).find((f) => existsSync(f)) ?? join(folder, 'scenario.ts');
}

/** The scenarios in a folder: every sub-folder with a scenario file. */
export function listScenarios(scenariosDir = join(process.cwd(), 'scenarios')): string[] {
  try {
    return readdirSync(scenariosDir, { withFileTypes: true })
      .filter((d) => d.isDirectory() && SCENARIO_FILES.some((f) => existsSync(join(scenariosDir, d.name, f))))
      .map((d) => d.name)
      .sort();
  } catch {
    return [];
  }
}
