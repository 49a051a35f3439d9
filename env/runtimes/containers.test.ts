import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig, resolveConfig } from '../config.ts';
import { ConfigInvalidError } from '../errors.ts';
import { environmentId, imageFor, sharesHostNetwork } from './containers.ts';
import { chooseRuntime } from './index.ts';

describe('containers runtime settings', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('takes the image from FAULTLINE_<NAME>_IMAGE over the config, and the config over the default', () => {
    const config = { containers: { images: { postgres: 'mirror/postgres:17' } } };
    delete process.env.FAULTLINE_POSTGRES_IMAGE;
    delete process.env.FAULTLINE_REDIS_IMAGE;
    expect(imageFor('postgres', 'postgres:17.6-alpine', config)).toBe('mirror/postgres:17');
    expect(imageFor('redis', 'redis:7.4.5', config)).toBe('redis:7.4.5');
    process.env.FAULTLINE_POSTGRES_IMAGE = 'local/pg:test';
    expect(imageFor('postgres', 'postgres:17.6-alpine', config)).toBe('local/pg:test');
  });

  it('derives the same label id from the same state dir, and different ids from different ones', () => {
    expect(environmentId('/tmp/a/state')).toBe(environmentId('/tmp/a/state/'));
    expect(environmentId('/tmp/a/state')).not.toBe(environmentId('/tmp/b/state'));
    expect(environmentId('/tmp/a/state')).toMatch(/^[0-9a-f]{12}$/);
  });

  it('accepts local, containers and auto, defaults to local, and names the field for anything else', () => {
    expect(resolveConfig({}).runtime).toBe('local');
    expect(resolveConfig({ runtime: 'auto' }).runtime).toBe('auto');
    expect(() => resolveConfig({ runtime: 'docker' })).toThrow(/runtime: /);
    expect(() => resolveConfig({ containers: { images: { mongo: 'mongo:7' } } })).toThrow(/containers\.images\.mongo: unknown service "mongo"/);
  });

  it('lets FAULTLINE_RUNTIME (the CLI --runtime) override the config file, and rejects an unknown value', async () => {
    process.env.FAULTLINE_RUNTIME = 'containers';
    expect((await loadConfig(undefined, '/nonexistent-dir')).runtime).toBe('containers');
    process.env.FAULTLINE_RUNTIME = 'podman';
    await expect(loadConfig(undefined, '/nonexistent-dir')).rejects.toBeInstanceOf(ConfigInvalidError);
  });

  it('picks the local runtime for runtime: local without asking Docker', async () => {
    expect((await chooseRuntime(resolveConfig({ runtime: 'local' }))).name).toBe('local');
  });

  it('puts Toxiproxy on the host network on Linux, also when /.dockerenv exists, and on the bridge with Docker Desktop', () => {
    expect(sharesHostNetwork('linux', 'Debian GNU/Linux 12 (bookworm)')).toBe(true);
    expect(sharesHostNetwork('linux', 'Docker Desktop')).toBe(false);
    expect(sharesHostNetwork('darwin', 'Docker Desktop')).toBe(false);
    expect(sharesHostNetwork('win32', undefined)).toBe(false);
  });
});
