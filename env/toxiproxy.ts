import { Toxiproxy } from 'toxiproxy-node-client';
import { z } from 'zod';
import { portSchema } from '../lib/schema.ts';
import { defineService } from './service.ts';

/**
 * The real toxiproxy-server (Shopify/toxiproxy v2.12.0). It is started like a service
 * but is not itself proxied: every other service gets a proxy on it.
 */
export const toxiproxyServer = defineService({
  name: 'toxiproxy',
  description: 'Toxiproxy (fault injection in front of every service)',
  options: z.strictObject({ port: portSchema.optional() }),
  envVar: 'TOXIPROXY_URL',
  url: (_o, host, port) => `http://${host}:${port}`,

  async prepare(ctx, _o, port) {
    const tool = await ctx.tools.get('toxiproxy-server');
    // -seed makes the toxics' randomness (jitter, toxicity) repeatable for a run's seed.
    return { command: tool.path, args: ['-host', '127.0.0.1', '-port', String(port), '-seed', String(ctx.seed)] };
  },

  container: (ctx) => ({
    image: 'ghcr.io/shopify/toxiproxy:2.12.0',
    port: 8474,
    command: ['-host=0.0.0.0', '-port=8474', `-seed=${ctx.seed}`],
    // Go's flag package keeps the last value of a repeated flag.
    hostNetworkArgs: (host, port) => [`-host=${host}`, `-port=${port}`],
  }),

  async probe(url) {
    const response = await fetch(`${url}/version`, { signal: AbortSignal.timeout(1000) });
    if (!response.ok) throw new Error(`GET /version: HTTP ${response.status}`);
    const text = (await response.text()).trim();
    try {
      return String((JSON.parse(text) as { version: string }).version);
    } catch {
      return text;
    }
  },
});

/** A toxiproxy-node-client for the server at `apiUrl`. */
export function toxiproxyClient(apiUrl: string): Toxiproxy {
  return new Toxiproxy(apiUrl);
}
