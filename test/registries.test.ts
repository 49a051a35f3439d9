import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from './support/environment.ts';

const run = promisify(execFile);

// Adding a fault preset, a service or a scenario is one file (or folder): `faultline list` shows it
// at once, and it is gone again when the file is. Nothing else is edited, no list, no index.
describe('registries are their folders', () => {
  const suffix = `zz-${process.pid}`;
  const preset = join(REPO_ROOT, 'toxics/presets', `${suffix}-fault.ts`);
  const service = join(REPO_ROOT, 'env/services', `${suffix}-service.ts`);
  const dir = mkdtempSync(join(tmpdir(), 'faultline-registries-'));
  const config = join(dir, 'faultline.config.ts');
  writeFileSync(config, `export default { scenariosDir: ${JSON.stringify(join(dir, 'scenarios'))}, services: { redis: true } };\n`);
  const files = [preset, service];
  afterAll(() => {
    for (const file of files) rmSync(file, { force: true });
    rmSync(dir, { recursive: true, force: true });
  });

  const list = async () => (await run(process.execPath, ['--import', 'tsx', 'scripts/cli.ts', '--config', config, 'list'], { cwd: REPO_ROOT })).stdout;

  it('registers a new preset, service and scenario from their files alone, and forgets them when the files go', async () => {
    writeFileSync(
      preset,
      `import { z } from 'zod';
import { definePreset } from '../fault.ts';
export default definePreset({ name: '${suffix}-fault', layer: 'network', description: 'a test preset', params: z.strictObject({}), apply: async () => ({ revert: async () => {} }) });
`,
    );
    writeFileSync(
      service,
      `import { z } from 'zod';
import { defineService } from '../service.ts';
export default defineService({ name: '${suffix}-service', description: 'a test service', options: z.strictObject({}), envVar: 'ZZ_URL',
  url: (_o, host, port) => \`http://\${host}:\${port}\`, prepare: async () => ({ command: 'true', args: [] }), probe: async () => 'ok' });
`,
    );
    mkdirSync(join(dir, 'scenarios', 'zz-scenario'), { recursive: true });
    writeFileSync(join(dir, 'scenarios', 'zz-scenario', 'load.js'), 'export default function () {}\n');
    writeFileSync(
      join(dir, 'scenarios', 'zz-scenario', 'scenario.yaml'),
      'name: zz-scenario\ndescription: a test scenario\nservices: [redis]\ntarget: { url: "http://127.0.0.1:1" }\nload: { script: ./load.js }\nphases: [{ name: only, duration: 1s }]\n',
    );

    const with_ = await list();
    expect(with_).toMatch(new RegExp(`${suffix}-fault\\s+network\\s+a test preset`));
    expect(with_).toMatch(new RegExp(`${suffix}-service\\s+-\\s+ZZ_URL\\s+a test service`));
    expect(with_).toMatch(/zz-scenario\s+a test scenario/);

    for (const file of files) rmSync(file);
    rmSync(join(dir, 'scenarios'), { recursive: true });
    const without = await list();
    expect(without).not.toContain(suffix);
    expect(without).not.toContain('zz-scenario');
    expect(without).toMatch(/latency\s+network/); // the real ones are still there
  }, 60_000);

  it('names the file when a plug-in in a registry folder is not one', async () => {
    writeFileSync(preset, 'export default { name: "nope" };\n');
    const failed = await list().then(
      () => undefined,
      (error: { stderr: string }) => error.stderr,
    );
    rmSync(preset);
    expect(failed).toContain(`${suffix}-fault.ts: expected a default export that is a fault preset`);
  }, 60_000);
});
