import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without types
import { appBundle } from '../../examples/reference-app/scripts/bundle.mjs';

const roots: string[] = [];
afterEach(() => roots.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A stand-in app folder: src/main.ts importing src/part.ts. */
function app(): string {
  const root = mkdtempSync(join(tmpdir(), 'faultline-app-bundle-'));
  roots.push(root);
  mkdirSync(join(root, 'src'));
  writeFileSync(join(root, 'src', 'main.ts'), "import { part } from './part.ts';\nconsole.log(part);\n");
  writeFileSync(join(root, 'src', 'part.ts'), "export const part: string = 'one';\n");
  return root;
}

describe('the reference app bundle (scripts/bundle.mjs)', () => {
  it('is reused while no input changed, and rebuilt when an imported file changes', async () => {
    const root = app();
    const first: string = await appBundle(root);
    expect(readFileSync(first, 'utf8')).toContain('"one"');
    expect(await appBundle(root)).toBe(first);
    writeFileSync(join(root, 'src', 'part.ts'), "export const part: string = 'two';\n");
    const second: string = await appBundle(root);
    expect(second).not.toBe(first);
    expect(readFileSync(second, 'utf8')).toContain('"two"');
  });

  it('two concurrent first starts both get a whole bundle', async () => {
    const root = app();
    const [a, b] = await Promise.all([appBundle(root), appBundle(root)]);
    expect(a).toBe(b);
    expect(readFileSync(a, 'utf8')).toContain('"one"');
  });

  it('waits while another start holds the build lock, and takes over a lock left by a start that died', async () => {
    const root = app();
    const lock = join(root, '.bundle', 'building.lock');
    mkdirSync(lock, { recursive: true });
    writeFileSync(join(lock, 'pid'), String(process.pid));
    let built = false;
    const waiting = appBundle(root).then((file: string) => ((built = true), file));
    await new Promise((r) => setTimeout(r, 300));
    expect(built).toBe(false);
    rmSync(lock, { recursive: true });
    expect(readFileSync(await waiting, 'utf8')).toContain('"one"');

    writeFileSync(join(root, 'src', 'part.ts'), "export const part: string = 'two';\n");
    mkdirSync(lock);
    const old = new Date(Date.now() - 10 * 60_000);
    utimesSync(lock, old, old);
    expect(readFileSync(await appBundle(root), 'utf8')).toContain('"two"');

    // A builder that is gone (no such process): its lock is taken over at once, however young.
    writeFileSync(join(root, 'src', 'part.ts'), "export const part: string = 'three';\n");
    mkdirSync(lock);
    writeFileSync(join(lock, 'pid'), '2147483646');
    expect(readFileSync(await appBundle(root), 'utf8')).toContain('"three"');
  });
});
