import type { ResolvedConfig } from '../config.ts';
import { localRuntime } from './local.ts';
import type { Runtime, RuntimeName } from './runtime.ts';

/**
 * The runtime a new environment runs on: the configured one, or for `auto` containers
 * when a Docker engine answers and local processes otherwise.
 */
export async function chooseRuntime(config: ResolvedConfig): Promise<Runtime> {
  if (config.runtime !== 'auto') return runtimeNamed(config.runtime, config);
  const { dockerAnswers } = await import('./containers.ts');
  return runtimeNamed((await dockerAnswers()) ? 'containers' : 'local', config);
}

/** The runtime an environment recorded in env.json runs on (to stop it or ask after it). */
export async function runtimeNamed(name: RuntimeName | undefined, config: ResolvedConfig): Promise<Runtime> {
  if (!name || name === 'local') return localRuntime;
  // Loaded on demand: testcontainers and dockerode cost the local runtime nothing.
  const { containersRuntime } = await import('./containers.ts');
  return containersRuntime(config);
}
