import { describe, expect, it } from 'vitest';
import { HostNotLoopbackError, readConfig } from './config.ts';

const ENV = { DATABASE_URL: 'postgres://127.0.0.1/app', REDIS_URL: 'redis://127.0.0.1:6379', ANVIL_URL: 'http://127.0.0.1:8545' };

describe('readConfig', () => {
  it('listens on 127.0.0.1 unless HOST names another loopback address', () => {
    expect(readConfig(ENV).host).toBe('127.0.0.1');
    expect(readConfig({ ...ENV, HOST: '::1' }).host).toBe('::1');
  });
  it('refuses a HOST beyond loopback and says how to fix it', () => {
    expect(() => readConfig({ ...ENV, HOST: '0.0.0.0' })).toThrow(HostNotLoopbackError);
    expect(() => readConfig({ ...ENV, HOST: '192.168.1.5' })).toThrow(/Unset HOST or set it to 127.0.0.1/);
  });
});
