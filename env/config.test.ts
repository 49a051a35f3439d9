import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SERVICES, loadConfig, resolveConfig } from './config.ts';
import { ConfigInvalidError } from './errors.ts';
import { services as knownServices } from './services/index.ts';

function invalid(run: () => unknown): ConfigInvalidError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigInvalidError);
    return error as ConfigInvalidError;
  }
  throw new Error('expected a ConfigInvalidError, but the config was accepted');
}

describe('resolveConfig', () => {
  it('names the file, the dotted path and the expected type of a wrong option', () => {
    const error = invalid(() => resolveConfig({ services: { postgres: { port: 'five' } } }, '/repo/faultline.config.ts'));
    expect(error.file).toBe('/repo/faultline.config.ts');
    expect(error.message).toContain('/repo/faultline.config.ts is invalid');
    expect(error.message).toMatch(/services\.postgres\.port: .*expected number/);
  });

  it('reports every problem at once, nested paths included', () => {
    const error = invalid(() =>
      resolveConfig({ toxiproxy: { port: 70_000 }, services: { anvil: { chainId: -1 }, postgres: { database: 'Bad-Name' } } }, 'cfg.ts'),
    );
    expect(error.issues.some((i) => i.startsWith('toxiproxy.port:'))).toBe(true);
    // Top-level problems stop before services are looked at; fix those first.
    const services = invalid(() => resolveConfig({ services: { anvil: { chainId: -1 }, postgres: { database: 'Bad-Name' } } }, 'cfg.ts'));
    expect(services.issues).toHaveLength(2);
    expect(services.message).toMatch(/services\.anvil\.chainId: /);
    expect(services.message).toMatch(/services\.postgres\.database: a lower-case SQL identifier/);
  });

  it('names unknown fields, at the top level and inside a service', () => {
    expect(invalid(() => resolveConfig({ sevices: {} })).message).toContain('(root): unknown field "sevices"');
    expect(invalid(() => resolveConfig({ services: { redis: { prot: 1 } } })).message).toContain('services.redis: unknown field "prot"');
  });

  it('lists the known services when a service name is unknown', () => {
    const error = invalid(() => resolveConfig({ services: { postgress: true } }, 'faultline.config.ts'));
    expect(error.message).toContain('services.postgress: unknown service "postgress"');
    for (const name of Object.keys(knownServices)) expect(error.message).toContain(name);
    expect(error.message).toMatch(/postgres, redis, anvil/);
  });

  it('fills in defaults: the default services, .faultline home, state in home, .env.faultline', () => {
    const config = resolveConfig(undefined, 'cfg.ts', '/project');
    expect(Object.keys(config.services)).toEqual(DEFAULT_SERVICES);
    expect(config.home).toBe('/project/.faultline');
    expect(config.stateDir).toBe('/project/.faultline');
    expect(config.dotenvFile).toBe('/project/.env.faultline');
    expect(config.runtime).toBe('local');
    expect(config.services.postgres).toMatchObject({ database: 'app', user: 'app', migrations: [] });
    expect(config.services.anvil).toMatchObject({ chainId: 31337, accounts: 10 });
  });

  it('starts only the listed services, leaves out `false` ones and resolves paths against the config folder', () => {
    const config = resolveConfig({ home: 'tools', stateDir: '/var/tmp/s', services: { redis: true, postgres: false, anvil: { blockTime: 2 } } }, 'f', '/p');
    expect(Object.keys(config.services)).toEqual(['redis', 'anvil']);
    expect(config.services.anvil.blockTime).toBe(2);
    expect(config.home).toBe('/p/tools');
    expect(config.stateDir).toBe('/var/tmp/s');
  });
});

describe('loadConfig', () => {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-config-'));

  it('loads a config file and resolves it against its folder', async () => {
    const file = join(dir, 'ok.config.ts');
    writeFileSync(file, `export default { services: { redis: true } };\n`);
    const config = await loadConfig(file);
    expect(config.file).toBe(file);
    expect(Object.keys(config.services)).toEqual(['redis']);
    expect(config.home).toBe(join(dir, '.faultline'));
  });

  it('names the file when its content is invalid', async () => {
    const file = join(dir, 'bad.config.ts');
    writeFileSync(file, `export default { services: { redis: { port: 'x' } } };\n`);
    const error = await loadConfig(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigInvalidError);
    expect((error as Error).message).toContain(`${file} is invalid`);
    expect((error as Error).message).toMatch(/services\.redis\.port: .*expected number/);
  });

  it('rejects a file without a default export, and an explicit path that does not exist', async () => {
    const file = join(dir, 'nodefault.config.ts');
    writeFileSync(file, `export const services = {};\n`);
    await expect(loadConfig(file)).rejects.toThrow(/expected a default export/);
    await expect(loadConfig(join(dir, 'missing.ts'))).rejects.toThrow(/missing\.ts is invalid:\n {2}- file not found/);
  });

  it('uses the defaults when no config file exists and none was asked for', async () => {
    const config = await loadConfig(undefined, dir);
    expect(config.file).toBe('(default config)');
    expect(Object.keys(config.services)).toEqual(DEFAULT_SERVICES);
  });
});

describe('your app in the config', () => {
  it('names a dependsOn that is not a service, and a cycle', () => {
    const unknown = invalid(() => resolveConfig({ services: { redis: true, shop: { command: 'node server.js', dependsOn: ['redis', 'mongo'] } } }, 'f.ts'));
    expect(unknown.message).toContain('services.shop.dependsOn: needs service "mongo", which is not enabled (no such service; enabled are: redis, shop)');
    const cycle = invalid(() => resolveConfig({ services: { api: { command: 'a', dependsOn: ['worker'] }, worker: { command: 'w', dependsOn: ['api'] } } }, 'f.ts'));
    expect(cycle.message).toMatch(/services\.(api|worker)\.dependsOn: a cycle \((api → worker → api|worker → api → worker)\); nothing in it could start first/);
  });

  it('takes dependsOn entries by name (ready) or with a condition, and checks both kinds', () => {
    const config = resolveConfig({ services: { redis: true, llm: true, shop: { command: 'node server.js', dependsOn: ['redis', { service: 'llm', condition: 'started' }] } } }, 'f.ts');
    expect(config.services.shop.dependsOn).toEqual(['redis', { service: 'llm', condition: 'started' }]);
    expect(resolveConfig({ services: { llm: true, shop: { command: 'x', dependsOn: [{ service: 'llm' }] } } }).services.shop.dependsOn).toEqual([{ service: 'llm', condition: 'ready' }]);

    const wrong = invalid(() => resolveConfig({ services: { llm: true, shop: { command: 'x', dependsOn: ['llm', { service: 'llm2', condition: 'healthy' }, { servce: 'llm' }, 7] } } }, 'f.ts'));
    expect(wrong.issues).toEqual([
      'services.shop.dependsOn.1.condition: expected "ready" (answers its probe; the default) or "started" (launched, its URL exists)',
      'services.shop.dependsOn.2.service: expected the name of a service, e.g. "llm"',
      'services.shop.dependsOn.2: unknown field "servce"',
      'services.shop.dependsOn.3: expected a service name ("postgres") or { service: "llm", condition: "started" }, got 7',
    ]);
    const unknown = invalid(() => resolveConfig({ services: { redis: true, shop: { command: 'x', dependsOn: [{ service: 'mongo', condition: 'started' }] } } }, 'f.ts'));
    expect(unknown.message).toContain('services.shop.dependsOn: needs service "mongo", which is not enabled (no such service; enabled are: redis, shop)');
    const twice = invalid(() => resolveConfig({ services: { llm: true, shop: { command: 'x', dependsOn: ['llm', { service: 'llm', condition: 'started' }] } } }, 'f.ts'));
    expect(twice.message).toContain('services.shop.dependsOn: "llm" is listed more than once; keep one entry');
  });

  it('finds a cycle through started-only dependencies too: each still waits for the other to launch', () => {
    const cycle = invalid(() =>
      resolveConfig({ services: { api: { command: 'a', dependsOn: [{ service: 'worker', condition: 'started' }] }, worker: { command: 'w', dependsOn: [{ service: 'api', condition: 'started' }] } } }, 'f.ts'),
    );
    expect(cycle.message).toMatch(/services\.(api|worker)\.dependsOn: a cycle \((api → worker → api|worker → api → worker)\)/);
  });

  it('checks the fields of an app entry with their paths', () => {
    const error = invalid(() => resolveConfig({ services: { shop: { command: '', port: { env: 'http port' }, health: 'health' } } }, 'f.ts'));
    expect(error.issues.join('\n')).toMatch(/services\.shop\.command: /);
    expect(error.issues.join('\n')).toMatch(/services\.shop\.port/);
    expect(error.issues.join('\n')).toMatch(/services\.shop\.health/);
  });
});
