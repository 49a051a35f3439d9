import { describe, expect, it } from 'vitest';
import type { AppContext } from '../context.ts';
import { parseMitigations } from '../mitigations.ts';
import { AuthCache, SessionStoreUnavailableError } from './cache.ts';

/** A context whose Redis answers `get` with `answer()` and counts the calls. */
function contextWith(mitigations: string, answer: () => Promise<string | null>) {
  const calls = { get: 0, set: 0 };
  const redis = {
    get: () => (calls.get++, answer()),
    set: () => (calls.set++, Promise.resolve('OK')),
  };
  return { ctx: { config: { mitigations: parseMitigations(mitigations) }, redis } as unknown as AppContext, calls };
}

const hanging = () => new Promise<string | null>(() => {});
const refused = () => Promise.reject(new Error("Stream isn't writeable and enableOfflineQueue options is false"));

describe('AuthCache', () => {
  it('with auth-cache-fallback answers undefined when Redis hangs, and stops asking it after 3 failures in a row', async () => {
    const { ctx, calls } = contextWith('all', hanging);
    const cache = new AuthCache(ctx);
    for (let i = 0; i < 6; i++) expect(await cache.read('session:x')).toBeUndefined();
    expect(calls.get).toBe(3);
  });

  it('with auth-cache-fallback does not write back after a failed read', async () => {
    const { ctx, calls } = contextWith('all', refused);
    const cache = new AuthCache(ctx);
    expect(await cache.read('config:demo')).toBeUndefined();
    await cache.write('config:demo', { a: 1 }, 30, false);
    expect(calls.set).toBe(0);
    await cache.write('config:demo', { a: 1 }, 30, true);
    expect(calls.set).toBe(1);
  });

  it('keeps answering hits and misses while Redis answers', async () => {
    let value: string | null = null;
    const { ctx, calls } = contextWith('all', async () => value);
    const cache = new AuthCache(ctx);
    expect(await cache.read('k')).toBeNull();
    value = '{"ok":true}';
    expect(await cache.read('k')).toBe('{"ok":true}');
    expect(calls.get).toBe(2);
  });

  it('without auth-cache-fallback turns a Redis failure into a 503 that says what to do', async () => {
    const { ctx } = contextWith('-auth-cache-fallback', refused);
    const error = await new AuthCache(ctx).read('session:x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SessionStoreUnavailableError);
    expect(error).toMatchObject({ statusCode: 503, code: 'session_store_unavailable', headers: { 'retry-after': '1' } });
    expect((error as Error).message).toMatch(/enableOfflineQueue.*auth-cache-fallback/s);
  });
});
