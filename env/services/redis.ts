import { Socket } from 'node:net';
import { z } from 'zod';
import { portSchema } from '../../lib/schema.ts';
import { defineService } from '../service.ts';

const options = z.strictObject({
  port: portSchema.optional(),
});
type Options = z.infer<typeof options>;

/** redis-server from PATH (installed with apt-get when missing and allowed). No persistence: every environment starts empty. */
export default defineService({
  name: 'redis',
  description: 'Redis (redis-server)',
  options,
  envVar: 'REDIS_URL',
  url: (_o: Options, host, port) => `redis://${host}:${port}`,

  async prepare(ctx, _o, port) {
    const tool = await ctx.tools.get('redis-server');
    return {
      command: tool.path,
      args: ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no', '--dir', ctx.dataDir, '--daemonize', 'no'],
    };
  },

  container: () => ({
    image: 'redis:7.4.5',
    port: 6379,
    command: ['redis-server', '--save', '', '--appendonly', 'no'],
  }),

  async probe(url) {
    const reply = await redisCommand(url, 'INFO server');
    return /redis_version:(\S+)/.exec(reply)?.[1] ?? 'unknown';
  },
});

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
