import { type ResolvedConfig, resolveConfig } from '../env/config.ts';
import { mitigationProblems } from '../env/command.ts';
import { services as builtins } from '../env/services/index.ts';
import type { EnvironmentState } from '../env/state.ts';
import type { TargetInfo } from '../toxics/index.ts';
import { ScenarioInvalidError, ServiceMissingError } from './errors.ts';
import { type Scenario, targetProblems } from './scenario.ts';
import { FaultlineError } from '../lib/errors.ts';

/** What a run asks of its environment, checked before anything is provisioned or started. */
export interface EnvironmentPlan {
  /** The config an environment this run starts is started with; a running one must already match it. */
  config: ResolvedConfig;
  /** The service the load goes to (through its proxy), unless the target is a URL or a variable. */
  targetService?: string;
  /** The mitigations asked of the app: `--mitigations`, or the app's variable from the shell. */
  mitigations?: string;
}

export interface PlanOptions {
  /** `--target`: the load goes there instead, and the target service need not run. */
  target?: string;
  /** `--mitigations` for the app this run starts. */
  mitigations?: string;
  seed?: number;
}

/**
 * The environment a scenario needs: the config's services plus the built-in services the
 * scenario names (with the options it needs of them), the requested mitigations on the
 * target app and the seed. Throws a FaultlineError naming what is wrong: a service the
 * scenario needs that the config cannot provide, a fault target the environment will not
 * have, a mitigation the app does not declare.
 */
export function planEnvironment(scenario: Scenario, config: ResolvedConfig, planOptions: PlanOptions, running?: EnvironmentState): EnvironmentPlan {
  const targetService = planOptions.target ? undefined : targetServiceOf(scenario, config);
  const options = { ...planOptions, mitigations: mitigationsWanted(config, targetService, planOptions.mitigations) };
  if (running && options.seed !== undefined && running.seed !== options.seed) {
    throw new FaultlineError(
      `--seed ${options.seed}: the environment that is up runs with seed ${running.seed}, and a running environment keeps its seed. ` +
        'Stop it (`npx faultline env down`) to run with this seed, or leave --seed out to reuse it.',
    );
  }
  // With --target the load goes to an app run elsewhere: the scenario's own app need not run here.
  const needed = Object.entries(scenario.services).filter(([name]) => !(options.target && (isApp(config, name) || !builtins[name])));
  const missing = needed.filter(([name]) => !builtins[name] && !config.services[name]).map(([name]) => name);
  if (targetService && !config.services[targetService]) missing.push(targetService);
  if (missing.length > 0) throw new ServiceMissingError(scenario.name, [...new Set(missing)], config.file);

  let planned = config;
  if (!running) {
    const services: Record<string, any> = { ...config.services };
    for (const [name, wanted] of needed) services[name] = merge(services[name] ?? {}, wanted);
    if (options.mitigations !== undefined && targetService) {
      const app = services[targetService];
      if (!app.mitigations) throw new FaultlineError(`--mitigations ${options.mitigations}: the app "${targetService}" declares no mitigations in ${config.file} (add \`mitigations: { env, names }\` to its service entry).`);
      services[targetService] = { ...app, mitigations: { ...app.mitigations, value: options.mitigations } };
    }
    planned = resolveConfig({ seed: options.seed ?? config.seed, home: config.home, stateDir: config.stateDir, dotenvFile: config.dotenvFile, scenariosDir: config.scenariosDir, runtime: config.runtime, containers: config.containers, toxiproxy: config.toxiproxy, services }, config.file, config.rootDir);
  } else {
    const absent = needed.map(([name]) => name).filter((name) => !running.services[name]);
    if (absent.length > 0) throw new ServiceMissingError(scenario.name, absent, config.file);
    const current = targetService ? running.services[targetService]?.mitigations : undefined;
    if (options.mitigations !== undefined && targetService && current !== options.mitigations) {
      throw new FaultlineError(
        `The running app "${targetService}" was started with mitigations "${current ?? 'its default'}", not "${options.mitigations}" (--mitigations). ` +
          'Mitigations are fixed when the app starts: stop the environment (`npx faultline env down`), then run again; the run starts one with them.',
      );
    }
  }

  if (options.mitigations !== undefined && targetService) {
    const spec = planned.definitions[targetService]?.app?.mitigations;
    const problems = spec ? mitigationProblems(options.mitigations, spec.names) : [];
    if (problems.length > 0) throw new FaultlineError(`--mitigations ${options.mitigations}: ${problems.join('; ')}`);
  }

  const problems = targetProblems(scenario.faults, targetInfo(planned, running));
  if (problems.length > 0) throw new ScenarioInvalidError(scenario.file, problems);
  return { config: planned, targetService, mitigations: options.mitigations };
}

/**
 * One source of truth for the mitigations: `--mitigations`, or else the app's variable set
 * in this shell (FAULTLINE_MITIGATIONS=-rpc-fallback), which an app this run starts would
 * otherwise silently not get. Both set and different is refused.
 */
function mitigationsWanted(config: ResolvedConfig, targetService: string | undefined, flag: string | undefined): string | undefined {
  const variable = targetService ? config.definitions[targetService]?.app?.mitigations?.env : undefined;
  const shell = variable ? process.env[variable] : undefined;
  if (shell === undefined || shell === '') return flag;
  if (flag !== undefined && flag !== shell) {
    throw new FaultlineError(`--mitigations ${flag} and ${variable}=${shell} in your shell disagree: use one of them (the flag, or unset ${variable}).`);
  }
  return shell;
}

/** The services and proxies a timeline can reach: the running environment's, or those the config will start. */
export function targetInfo(config: ResolvedConfig, running?: EnvironmentState): TargetInfo {
  const names = running ? Object.keys(running.services) : Object.keys(config.services);
  const services = Object.fromEntries(names.map((name) => [name, { faults: (config.definitions[name] ?? builtins[name])?.faults }]));
  const proxies = running
    ? Object.values(running.services).flatMap((r) => [r.name, ...(r.endpoints ?? []).map((e) => e.proxy)])
    : names.flatMap((name) => [name, ...(config.definitions[name]?.endpoints?.(config.services[name]) ?? []).map((e) => e.proxy)]);
  return { services, proxies };
}

/** The service the load goes to: the scenario's `target.service`, or the one app the config declares. */
function targetServiceOf(scenario: Scenario, config: ResolvedConfig): string | undefined {
  if (scenario.target.url || scenario.target.envVar) return undefined;
  if (scenario.target.service) return scenario.target.service;
  const apps = Object.keys(config.definitions).filter((name) => isApp(config, name));
  if (apps.length === 1) return apps[0];
  if (apps.length === 0) {
    throw new FaultlineError(
      `Scenario ${scenario.name} sends load to your app, and ${config.file} declares none. Add it as a service with a \`command\` ` +
        '(e.g. `shop: { command: "node server.js", health: "/health" }`), or pass --target http://127.0.0.1:<port> for an app you run yourself.',
    );
  }
  throw new FaultlineError(`Scenario ${scenario.name} does not say which app gets the load, and ${config.file} declares ${apps.join(', ')}: set \`target: { service: '${apps[0]}' }\` in ${scenario.file}.`);
}

const isApp = (config: ResolvedConfig, name: string) => !!config.definitions[name]?.app;

/** A scenario's wishes on a service's options: fields replace, lists are unions (it adds what it needs, removes nothing). */
function merge(current: Record<string, any>, wanted: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...current, ...wanted };
  for (const [key, value] of Object.entries(wanted)) {
    if (Array.isArray(value) && Array.isArray(current[key])) merged[key] = [...new Set([...current[key], ...value])];
  }
  return merged;
}
