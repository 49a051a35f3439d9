import { Socket } from 'node:net';
import { z } from 'zod';
import { portSchema } from '../../lib/schema.ts';
import { externalOption } from '../external.ts';
import { defineService } from '../service.ts';

const options = z.strictObject({
  port: portSchema.optional(),
  /** A server you already run: proxied, not started (see env/external.ts). */
  external: externalOption,
  /** Memory limit, as redis.conf takes it: bytes, or "64mb", "1gb". Default: none. */
  maxmemory: z.union([z.number().int().min(0), z.string().regex(/^\d+(b|k|kb|m|mb|g|gb)?$/i, 'expected bytes or a size like "64mb"')]).optional(),
  /** What Redis does at maxmemory (e.g. volatile-lru). Default: noeviction. */
  maxmemoryPolicy: z.enum(['noeviction', 'allkeys-lru', 'allkeys-lfu', 'allkeys-random', 'volatile-lru', 'volatile-lfu', 'volatile-random', 'volatile-ttl']).optional(),
  /**
   * More proxies to the same Redis, one per name, so one client's path can be cut while the
   * others keep theirs: `['adapter']` adds the proxy `redis-adapter` and `REDIS_ADAPTER_URL`.
   */
  proxies: z.array(z.string().regex(/^[a-z][a-z0-9-]*$/, 'expected a lower-case name like "adapter"')).default([]),
});
type Options = z.infer<typeof options>;

/** redis-server from PATH (installed with apt-get when missing and allowed). No persistence: every environment starts empty. */
export default defineService({
  name: 'redis',
  description: 'Redis (redis-server)',
  options,
  envVar: 'REDIS_URL',
  url: (_o: Options, host, port) => `redis://${host}:${port}`,
  endpoints: (o: Options) => o.proxies.map((name) => ({ proxy: `redis-${name}`, envVar: `REDIS_${name.toUpperCase().replace(/-/g, '_')}_URL` })),

  async prepare(ctx, o, port) {
    const tool = await ctx.tools.get('redis-server');
    return {
      command: tool.path,
      args: ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no', '--dir', ctx.dataDir, '--daemonize', 'no', ...memoryArgs(o)],
    };
  },

  container: (_ctx, o) => ({
    image: 'redis:7.4.5',
    port: 6379,
    command: ['redis-server', '--save', '', '--appendonly', 'no', ...memoryArgs(o)],
  }),

  async probe(url) {
    const reply = await redisCommand(url, 'INFO server');
    return /redis_version:(\S+)/.exec(reply)?.[1] ?? 'unknown';
  },
});

/** The memory knobs as redis-server arguments (the same on both runtimes). */
function memoryArgs(o: Options): string[] {
  return [...(o.maxmemory !== undefined ? ['--maxmemory', String(o.maxmemory)] : []), ...(o.maxmemoryPolicy ? ['--maxmemory-policy', o.maxmemoryPolicy] : [])];
}

/** One inline command over a fresh connection: enough for a readiness probe, no client library needed. */
export function redisCommand(url: string, command: string, timeoutMs = 1000): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = new Socket();
    let reply = '';
    const fail = (error: Error) => {
      socket.destroy();
      reject(error);
    };
    socket.setTimeout(timeoutMs, () => fail(new Error(`no reply to ${command} within ${timeoutMs} ms`)));
    socket.once('error', fail);
    // A proxy whose upstream is gone accepts, then closes without a word: without this the promise never settles.
    socket.once('close', () => reject(new Error(`connection closed before a reply to ${command}`)));
    socket.on('data', (chunk) => {
      reply += chunk.toString('utf8');
      if (reply.startsWith('-')) return fail(new Error(reply.trim()));
      // Bulk string: "$<len>\r\n<payload>\r\n"; simple string: "+OK\r\n".
      const bulk = /^\$(\d+)\r\n/.exec(reply);
      if (reply.startsWith('+') ? reply.endsWith('\r\n') : bulk && reply.length >= bulk[0].length + Number(bulk[1]) + 2) {
        socket.end();
        resolve(reply);
      }
    });
    socket.connect(Number(port), hostname, () => socket.write(`${command}\r\n`));
  });
}

/** A decoded RESP2 reply: a string (simple or bulk), a number, null, or an array of them. */
export type RespValue = string | number | null | RespValue[];

/**
 * One command as a RESP array over a fresh connection, its reply decoded: for checks after
 * a run (`['GET', 'key']`, `['LLEN', 'queue']`). An error reply rejects with its message.
 */
export function redisCall(url: string, args: string[], timeoutMs = 2000): Promise<RespValue> {
  const { hostname, port } = new URL(url);
  const request = `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;
  return new Promise((resolve, reject) => {
    const socket = new Socket();
    let buffer = Buffer.alloc(0);
    const done = (error?: Error, value?: RespValue) => {
      socket.destroy();
      if (error) reject(error);
      else resolve(value!);
    };
    socket.setTimeout(timeoutMs, () => done(new Error(`no reply to ${args[0]} within ${timeoutMs} ms`)));
    socket.once('error', (error) => done(error));
    socket.once('close', () => done(new Error(`connection closed before a reply to ${args[0]}`)));
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      try {
        const parsed = parseResp(buffer, 0);
        if (parsed) done(undefined, parsed.value);
      } catch (error) {
        done(error as Error);
      }
    });
    socket.connect(Number(port), hostname, () => socket.write(request));
  });
}

/** One RESP2 value at `offset`, or undefined when the buffer does not hold all of it yet. */
export function parseResp(buffer: Buffer, offset: number): { value: RespValue; end: number } | undefined {
  const lineEnd = buffer.indexOf('\r\n', offset);
  if (lineEnd === -1) return undefined;
  const type = String.fromCharCode(buffer[offset]!);
  const line = buffer.toString('utf8', offset + 1, lineEnd);
  const next = lineEnd + 2;
  if (type === '+') return { value: line, end: next };
  if (type === '-') throw new Error(line);
  if (type === ':') return { value: Number(line), end: next };
  if (type === '$') {
    const length = Number(line);
    if (length === -1) return { value: null, end: next };
    if (buffer.length < next + length + 2) return undefined;
    return { value: buffer.toString('utf8', next, next + length), end: next + length + 2 };
  }
  if (type === '*') {
    const count = Number(line);
    if (count === -1) return { value: null, end: next };
    const items: RespValue[] = [];
    let at = next;
    for (let i = 0; i < count; i++) {
      const item = parseResp(buffer, at);
      if (!item) return undefined;
      items.push(item.value);
      at = item.end;
    }
    return { value: items, end: at };
  }
  throw new Error(`not a RESP reply: ${JSON.stringify(buffer.toString('utf8', offset, Math.min(buffer.length, offset + 40)))}`);
}
