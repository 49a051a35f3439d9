import { z } from 'zod';
import { definePreset, proxyTarget } from '../fault.ts';
import { toxiproxyRequest } from '../toxiproxy-api.ts';

/** The proxy is disabled: new connections are refused and open ones are closed. */
export default definePreset({
  name: 'down',
  layer: 'network',
  exclusive: 'proxy',
  description: 'the service is unreachable (Toxiproxy proxy disabled)',
  params: z.strictObject({}),
  validate: proxyTarget,
  async apply(ctx, target) {
    const path = `/proxies/${encodeURIComponent(target)}`;
    await toxiproxyRequest(ctx.toxiproxyUrl, 'POST', path, { enabled: false });
    return { revert: async () => void (await toxiproxyRequest(ctx.toxiproxyUrl, 'POST', path, { enabled: true })), detail: `proxy ${target} disabled` };
  },
});
