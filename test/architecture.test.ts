import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './support/environment.ts';

/** Every TypeScript file of Faultline's own tree (not node_modules, not the reference app's package). */
function sources(dir = REPO_ROOT): string[] {
  return readdirSync(dir).flatMap((entry) => {
    if (entry === 'node_modules' || entry.startsWith('.') || entry === 'reports') return [];
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.(ts|mts)$/.test(entry) && !entry.endsWith('.d.ts') ? [path] : [];
  });
}

/** The relative imports of a file (static, re-exports and dynamic), as repository paths. */
function importsOf(file: string): Array<{ to: string; typeOnly: boolean }> {
  const text = readFileSync(file, 'utf8');
  const found: Array<{ to: string; typeOnly: boolean }> = [];
  const pattern = /(?:^|\n)\s*(import|export)\s+(type\s+)?(?:[^'"]*?\sfrom\s+)?['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g;
  for (const m of text.matchAll(pattern)) {
    const spec = m[3] ?? m[4]!;
    found.push({ to: relative(REPO_ROOT, resolve(dirname(file), spec)), typeOnly: !!m[2] });
  }
  return found;
}

const graph = new Map(sources().map((file) => [relative(REPO_ROOT, file), importsOf(file)]));
const top = (path: string) => path.split('/')[0]!;

describe('the dependency stack', () => {
  it('has no import cycle (runtime imports; a type-only import erases at compile time)', () => {
    const state = new Map<string, 'open' | 'done'>();
    const cycles: string[][] = [];
    const visit = (file: string, path: string[]) => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'open') {
        cycles.push([...path.slice(path.indexOf(file)), file]);
        return;
      }
      state.set(file, 'open');
      for (const { to, typeOnly } of graph.get(file) ?? []) if (!typeOnly && graph.has(to)) visit(to, [...path, file]);
      state.set(file, 'done');
    };
    for (const file of graph.keys()) visit(file, []);
    expect(cycles.map((c) => c.join(' → '))).toEqual([]);
  });

  it('layers only look down: lib/ imports nothing of Faultline, env/ and mocks/ no runner or fault presets, nothing generic an example or a scenario', () => {
    const allowed: Record<string, string[]> = {
      lib: ['lib'],
      env: ['lib', 'env', 'mocks'],
      mocks: ['lib', 'env', 'mocks'],
      toxics: ['lib', 'env', 'mocks', 'toxics'],
      runner: ['lib', 'env', 'mocks', 'toxics', 'runner'],
      scripts: ['lib', 'env', 'mocks', 'toxics', 'runner', 'scripts'],
    };
    const violations: string[] = [];
    for (const [from, imports] of graph) {
      const layer = allowed[top(from)];
      if (!layer || from.endsWith('.test.ts')) continue;
      for (const { to } of imports) if (!layer.includes(top(to))) violations.push(`${from} imports ${to}`);
    }
    expect(violations).toEqual([]);
  });

  it('finds the imports it checks (a parser that saw none would pass every rule)', () => {
    expect(graph.get('env/environment.ts')!.map((i) => i.to)).toContain('env/bring-up.ts');
    expect(graph.size).toBeGreaterThan(100);
  });
});
