import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import { main } from '../scripts/main.ts';
import { REPO_ROOT } from './support/environment.ts';

/**
 * The bad-input corpus (test/fixtures/bad-inputs/*.yaml): config files, scenario files,
 * timelines and flags a careless or hostile user gives. Each case must end with its exit
 * code and a message containing its fragment, before anything is started, and none may be
 * an "Unexpected error". In a case, {dir} is its project folder and {repo} this repository.
 */
interface Case {
  name: string;
  files?: Record<string, string>;
  args: string[];
  env?: Record<string, string>;
  exit: number;
  message: string;
  /** A fragment the output must not contain (e.g. a secret from a file it was given). */
  absent?: string;
}

const corpus = readdirSync(join(REPO_ROOT, 'test/fixtures/bad-inputs'))
  .filter((f) => f.endsWith('.yaml'))
  .flatMap((file) => (parse(readFileSync(join(REPO_ROOT, 'test/fixtures/bad-inputs', file), 'utf8')) as Case[]).map((c) => ({ ...c, file })));

/** A minimal valid project every case starts from: a config with Redis only and a scenario that needs nothing more. */
const BASE: Record<string, string> = {
  'package.json': '{ "name": "bad-inputs", "private": true, "type": "module" }\n',
  'faultline.config.ts': "export default { scenariosDir: 'scenarios', services: { redis: true } };\n",
  'scenarios/ok/scenario.ts':
    "export default { name: 'ok', description: 'fine', services: ['redis'], target: { url: 'http://127.0.0.1:9' }, load: { script: './load.js' }, phases: [{ name: 'a', duration: '1s' }] };\n",
  'scenarios/ok/load.js': "import * as f from 'faultline/k6';\nexport const options = f.options();\nexport default function () {}\n",
};

describe('the bad-input corpus', () => {
  let busy: Server;
  let busyPort = 0;
  beforeAll(async () => {
    busy = createServer().listen(0, '127.0.0.1');
    await new Promise((r) => busy.once('listening', r));
    busyPort = (busy.address() as { port: number }).port;
  });
  afterAll(() => busy.close());

  it('has at least 100 cases', () => expect(corpus.length).toBeGreaterThanOrEqual(100));

  it.each(corpus.map((c) => [`${c.file}: ${c.name}`, c] as const))('%s', async (_title, c) => {
    const dir = mkdtempSync(join(tmpdir(), 'faultline-bad-'));
    const fill = (text: string) => text.replaceAll('{dir}', dir).replaceAll('{repo}', REPO_ROOT).replaceAll('{busy_port}', String(busyPort));
    for (const [path, content] of Object.entries({ ...BASE, ...c.files })) {
      if (content === null) continue; // a case removes a base file with `path: null`
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), fill(content));
    }
    let output = '';
    const capture = (chunk: unknown) => void (output += `${String(chunk)}\n`);
    const spies = [
      vi.spyOn(console, 'log').mockImplementation(capture),
      vi.spyOn(console, 'error').mockImplementation(capture),
      vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (capture(chunk), true)),
      vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => (capture(chunk), true)),
    ];
    const saved = { cwd: process.cwd(), env: { ...process.env } };
    process.chdir(dir);
    Object.assign(process.env, Object.fromEntries(Object.entries(c.env ?? {}).map(([k, v]) => [k, fill(v)])));
    let code: number;
    try {
      code = await main(c.args.map(fill));
    } finally {
      process.chdir(saved.cwd);
      process.env = saved.env;
      for (const spy of spies) spy.mockRestore();
    }
    expect(output, 'a user mistake is never "a Faultline bug"').not.toContain('Unexpected error');
    expect(output).toContain(fill(c.message));
    if (c.absent) expect(output).not.toContain(c.absent);
    expect(code, output).toBe(c.exit);
  });
});
