import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { importUserModule } from './load-module.ts';

describe('importUserModule', () => {
  it("gives each bundled file its own import.meta.dirname, filename and url, not the temporary bundle's", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'faultline-load-'));
    mkdirSync(join(dir, 'app'));
    writeFileSync(join(dir, 'app', 'service.ts'), 'export const where = { dir: import.meta.dirname, file: import.meta.filename, url: import.meta.url };\n');
    writeFileSync(join(dir, 'config.ts'), "import { where } from './app/service.ts';\nexport default { where, mine: import.meta.dirname };\n");
    const { default: config } = (await importUserModule(join(dir, 'config.ts'))) as { default: { where: Record<string, string>; mine: string } };
    expect(config.where).toEqual({ dir: join(dir, 'app'), file: join(dir, 'app', 'service.ts'), url: pathToFileURL(join(dir, 'app', 'service.ts')).href });
    expect(config.mine).toBe(dir);
  });
});
