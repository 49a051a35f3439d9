/**
 * The `chaos:<name>` npm scripts, one per scenario, derived from the scenarios folder
 * (npm has no wildcard scripts). Each runs what the project's `chaos` script runs, plus
 * the name; without a `chaos` script, `faultline chaos`. Scripts of scenarios that are
 * gone are dropped; every other script is left as it is.
 */
export function chaosScripts(scripts: Record<string, string>, scenarios: string[]): Record<string, string> {
  const chaos = scripts.chaos ?? 'faultline chaos';
  const next: Record<string, string> = {};
  for (const [name, body] of Object.entries(scripts)) {
    const generated = name.startsWith('chaos:') && body === `${chaos} ${name.slice('chaos:'.length)}`;
    if (!generated || scenarios.includes(name.slice('chaos:'.length))) next[name] = body;
  }
  for (const scenario of scenarios) next[`chaos:${scenario}`] ??= `${chaos} ${scenario}`;
  return sortChaosLast(next);
}

/** Keeps the chaos:* scripts together, in name order, right after `chaos` (or at the end). */
function sortChaosLast(scripts: Record<string, string>): Record<string, string> {
  const entries = Object.entries(scripts);
  const named = entries.filter(([n]) => n.startsWith('chaos:')).sort(([a], [b]) => a.localeCompare(b));
  const others = entries.filter(([n]) => !n.startsWith('chaos:'));
  const at = others.findIndex(([n]) => n === 'chaos');
  const ordered = at === -1 ? [...others, ...named] : [...others.slice(0, at + 1), ...named, ...others.slice(at + 1)];
  return Object.fromEntries(ordered);
}
