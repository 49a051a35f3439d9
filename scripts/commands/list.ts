import { type Command, Argument } from 'commander';
import { loadConfig, type ResolvedConfig } from '../../env/config.ts';
import { services as builtins } from '../../env/services/index.ts';
import { listScenarios, loadScenario } from '../../runner/scenario.ts';
import { presets } from '../../toxics/index.ts';
import { rel } from '../../lib/hints.ts';
import { table } from '../table.ts';

const KINDS = ['scenarios', 'faults', 'services', 'mitigations'] as const;
type Kind = (typeof KINDS)[number];

/** `faultline list [kind]`: what the registries hold, a line each, straight from the files that declare them. */
export function registerList(program: Command, global: () => { config?: string }): void {
  program
    .command('list')
    .description('what exists: scenarios, faults, services, and the mitigations your apps declare')
    .addArgument(new Argument('[kind]', 'one of them (default: all)').choices(KINDS))
    .action(async (kind?: Kind) => {
      const config = await loadConfig(global().config);
      const sections: Record<Kind, () => Promise<string>> = {
        scenarios: () => scenarios(config),
        faults: async () => faults(),
        services: async () => services(config),
        mitigations: async () => mitigations(config),
      };
      const chosen = kind ? [kind] : KINDS;
      const parts: string[] = [];
      for (const k of chosen) parts.push(`${chosen.length > 1 ? `${k}\n` : ''}${await sections[k]()}`);
      console.log(parts.join('\n\n'));
    });
}

async function scenarios(config: ResolvedConfig): Promise<string> {
  const names = listScenarios(config.scenariosDir);
  if (names.length === 0) return `(none in ${rel(config.scenariosDir)})`;
  const rows = await Promise.all(
    names.map(async (name) => {
      try {
        const s = await loadScenario(name, config.scenariosDir);
        return [name, s.description, s.faults.map((f) => `${f.fault}@${f.target}`).join(', ') || '-'];
      } catch (error) {
        return [name, `INVALID: ${(error as Error).message.split('\n')[1]?.trim() ?? (error as Error).message}`, ''];
      }
    }),
  );
  return table(['scenario', 'description', 'faults'], rows);
}

function faults(): string {
  const rows = Object.values(presets).map((p) => [p.name, p.layer, p.description]);
  for (const [service, definition] of Object.entries(builtins)) {
    for (const fault of Object.values(definition.faults ?? {})) rows.push([`http ${service} ${fault.type}`, 'http', fault.description]);
  }
  return table(['fault', 'layer', 'what it does'], rows);
}

function services(config: ResolvedConfig): string {
  const rows = Object.values(builtins).map((d) => [d.name, config.services[d.name] ? 'enabled' : '-', d.envVar, d.description]);
  for (const [name, d] of Object.entries(config.definitions)) if (!builtins[name]) rows.push([name, 'enabled (your app)', d.envVar, d.description]);
  return table(['service', 'in config', 'variable', 'what it is'], rows);
}

function mitigations(config: ResolvedConfig): string {
  const rows: string[][] = [];
  for (const [app, d] of Object.entries(config.definitions)) {
    const names = d.app?.mitigations?.names ?? [];
    for (const [name, description] of Array.isArray(names) ? names.map((n) => [n, '']) : Object.entries(names)) rows.push([app, name, description ?? '']);
  }
  return rows.length ? table(['app', 'mitigation', 'what it protects'], rows) : `(no app in ${rel(config.file)} declares mitigations)`;
}
