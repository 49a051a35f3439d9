import { fetchJson } from '../lib/http.ts';
import type { Environment } from './environment.ts';
import { readState } from './state.ts';

/**
 * Brings a running environment back to how it was configured, whatever faults are in
 * force: every Toxiproxy proxy enabled and every toxic removed (Toxiproxy's own /reset),
 * every paused service thawed and every stopped one started again, and each service's own
 * `reset` (a mock's faults cleared, anvil's mining mode restored). For a run that finds
 * what a killed run left applied; it must hold the environment alone. Returns what it did.
 */
export async function restoreEnvironment(environment: Pick<Environment, 'toxiproxyUrl' | 'config' | 'stateDir' | 'services' | 'resume' | 'startService'>): Promise<string[]> {
  const done: string[] = [];
  await fetchJson(`${environment.toxiproxyUrl}/reset`, { method: 'POST' });
  done.push('Toxiproxy reset (every proxy enabled, every toxic removed)');
  const state = readState(environment.stateDir);
  for (const record of Object.values(state?.services ?? {})) {
    if (record.paused) {
      await environment.resume(record.name);
      done.push(`${record.name} resumed`);
    }
    if (record.stopped) {
      await environment.startService(record.name);
      done.push(`${record.name} started again`);
    }
  }
  for (const [name, service] of Object.entries(environment.services)) {
    const definition = environment.config.definitions[name];
    if (!definition?.reset || state?.services[name]?.external) continue;
    await definition.reset(service.directUrl, environment.config.services[name]);
    done.push(`${name} reset`);
  }
  return done;
}
