import { Socket } from 'node:net';
import { parseResp, type RespValue } from '../../env/services/redis.ts';

/**
 * Several commands in one round trip over a fresh connection, their replies decoded in
 * order (an error reply is returned as an Error, not thrown). A probe's tick: a frozen
 * Redis never answers, so the signal (the sampler's deadline) ends the connection.
 */
export function redisPipeline(url: string, commands: string[][], signal: AbortSignal): Promise<Array<RespValue | Error>> {
  const { hostname, port } = new URL(url);
  const request = commands.map((args) => `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`).join('');
  return new Promise((resolve, reject) => {
    const socket = new Socket();
    let buffer = Buffer.alloc(0);
    let settled = false;
    const done = (error?: Error, replies?: Array<RespValue | Error>) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      if (error) reject(error);
      else resolve(replies!);
    };
    const onAbort = () => done(new Error(`no reply from Redis at ${hostname}:${port} in time`));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('error', (error) => done(error));
    socket.once('close', () => done(new Error('Redis closed the connection before replying')));
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      const replies: Array<RespValue | Error> = [];
      let at = 0;
      while (replies.length < commands.length) {
        let parsed: { value: RespValue; end: number } | undefined;
        try {
          parsed = parseResp(buffer, at);
        } catch (error) {
          // An error reply: parseResp throws at its line; skip past it and go on.
          const lineEnd = buffer.indexOf('\r\n', at);
          replies.push(error as Error);
          at = lineEnd + 2;
          continue;
        }
        if (!parsed) return; // more bytes to come
        replies.push(parsed.value);
        at = parsed.end;
      }
      done(undefined, replies);
    });
    socket.connect(Number(port), hostname, () => socket.write(request));
  });
}

/** `INFO`'s text as field → value. */
export function parseInfo(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0 && !line.startsWith('#')) fields[line.slice(0, colon)] = line.slice(colon + 1);
  }
  return fields;
}
