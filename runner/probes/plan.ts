import type { ResolvedConfig } from '../../env/config.ts';
import { services as builtins } from '../../env/services/index.ts';
import type { ProbesOptions } from './options.ts';
import type { PlannedProbe, ProbePlanInfo } from './source.ts';
import sources from './sources/index.ts';

/** What the probes can know before the run: the services the environment will have (or has), the target, the scenario's `probes`. */
export function probePlanInfo(config: ResolvedConfig, serviceNames: string[], targetService: string | undefined, probes: ProbesOptions): ProbePlanInfo {
  return {
    services: Object.fromEntries(serviceNames.map((name) => [name, { definition: config.definitions[name] ?? builtins[name], options: (config.services[name] ?? {}) as Record<string, unknown> }])),
    targetService,
    runtime: config.runtime,
    probes,
  };
}

/** Every source's probes for that environment, in source file order; none when probes are off. */
export function planProbes(info: ProbePlanInfo): PlannedProbe[] {
  if (!info.probes.enabled) return [];
  return Object.values(sources).flatMap((source) => source.plan(info));
}
