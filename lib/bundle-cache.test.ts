import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cachedBundle } from './bundle-cache.ts';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A fake "bundler": concatenates the input files and the listed folder's names, and counts its builds. */
function setup() {
  const root = mkdtempSync(join(tmpdir(), 'faultline-bundle-cache-'));
  dirs.push(root);
  const cache = join(root, 'cache');
  const registry = join(root, 'registry');
  const input = join(root, 'a.ts');
  writeFileSync(input, 'one');
  mkdirSync(registry);
  writeFileSync(join(registry, '.keep'), '');
  writeFileSync(join(registry, 'x.ts'), '');
  let builds = 0;
  const build = async () => {
    builds++;
    const listing = readdirSync(registry).sort();
    return { code: Buffer.from(readFileSync(input, 'utf8') + listing.join(',')), inputs: [input], listings: { [registry]: listing } };
  };
  const list = (dir: string) => readdirSync(dir).sort();
  const bundle = (key = 'k') => cachedBundle(cache, 'mock', key, build, list);
  return { input, registry, bundle, builds: () => builds };
}

describe('cachedBundle', () => {
  it('builds once and reuses the bundle while its inputs are unchanged', async () => {
    const s = setup();
    const first = await s.bundle();
    const second = await s.bundle();
    expect(second).toBe(first);
    expect(s.builds()).toBe(1);
    expect(readFileSync(first, 'utf8')).toBe('one.keep,x.ts');
  });

  it('builds again when an input file changes, even to the same size', async () => {
    const s = setup();
    const first = await s.bundle();
    writeFileSync(s.input, 'two');
    const second = await s.bundle();
    expect(s.builds()).toBe(2);
    expect(second).not.toBe(first);
    expect(readFileSync(second, 'utf8')).toBe('two.keep,x.ts');
  });

  it('builds again when a file is added to a folder it listed (a new plug-in)', async () => {
    const s = setup();
    await s.bundle();
    writeFileSync(join(s.registry, 'y.ts'), '');
    const second = await s.bundle();
    expect(s.builds()).toBe(2);
    expect(readFileSync(second, 'utf8')).toBe('one.keep,x.ts,y.ts');
  });

  it('builds again when an input is gone, and keeps separate entries per key', async () => {
    const s = setup();
    await s.bundle('a');
    await s.bundle('b');
    expect(s.builds()).toBe(2);
    rmSync(s.input);
    writeFileSync(s.input, 'one');
    await s.bundle('a');
    expect(s.builds()).toBe(2); // same content again: still valid
  });

  it('two concurrent first builds both end with a whole bundle', async () => {
    const s = setup();
    const [a, b] = await Promise.all([s.bundle(), s.bundle()]);
    expect(readFileSync(a, 'utf8')).toBe('one.keep,x.ts');
    expect(b).toBe(a);
  });
});
