import { Agent, request } from 'node:http';

/** One kept-alive connection per endpoint across ticks: a probe's GET costs a fraction of what fetch does. */
const agent = new Agent({ keepAlive: true, maxSockets: 2, keepAliveMsecs: 10_000 });

/** GET `url` (http only, loopback in practice); rejects on a status other than 2xx or when `signal` aborts. */
export function httpGetText(url: string, signal: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, signal }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        if ((res.statusCode ?? 0) < 200 || (res.statusCode ?? 0) >= 300) reject(new Error(`${url}: HTTP ${res.statusCode}`));
        else resolve(body);
      });
    });
    req.once('error', reject);
    req.end();
  });
}
