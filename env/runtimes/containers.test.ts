import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig, resolveConfig } from '../config.ts';
import { ConfigInvalidError } from '../errors.ts';
import { environmentId, imageFor, sharesOurNetwork } from './containers.ts';
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

  it('shares the host network with a local engine, and with a dockerd inside this container, but not with Docker Desktop or a sibling engine', () => {
    const linux = { platform: 'linux' as const, operatingSystem: 'Debian GNU/Linux 12 (bookworm)', engineName: 'ci-box', hostname: 'ci-box' };
    expect(sharesOurNetwork({ ...linux, runtimeHost: 'localhost' })).toBe(true);
    // /.dockerenv present, dockerd started in the same container: testcontainers says 172.17.0.1.
    expect(sharesOurNetwork({ ...linux, runtimeHost: '172.17.0.1' })).toBe(true);
    // The host's socket mounted into a container: the engine is another machine's.
    expect(sharesOurNetwork({ ...linux, runtimeHost: '172.17.0.1', hostname: '3f2c9a1b7d4e' })).toBe(false);
    expect(sharesOurNetwork({ ...linux, operatingSystem: 'Docker Desktop', runtimeHost: 'localhost' })).toBe(false);
    expect(sharesOurNetwork({ ...linux, platform: 'darwin', runtimeHost: 'localhost' })).toBe(false);
  });
});
