import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.ts';
import { AuthCache } from './cache.ts';
import { ConfigDocuments, deploymentFacts } from './config-document.ts';
import { resolveSession } from './session.ts';

/** Routes that resolve their caller through the session cache (session.ts) instead of the app's JWT hook. */
export const SESSION_ROUTES: ReadonlySet<string> = new Set(['/api/me', '/api/config']);
/** Routes anyone may call. */
export const PUBLIC_ACCOUNT_ROUTES: ReadonlySet<string> = new Set(['/api/config/public']);

/**
 * Load plan S1, auth & config:
 * - GET /api/me → the caller (`tenant`, `user`, `wallet`) and its `profile` row; `x-session: cache | verified`.
 * - GET /api/config → the tenant's config document (deployment facts, features, limits); `x-cache: hit | miss | local`.
 * - GET /api/config/public → the deployment facts alone, without a JWT (what /api/config answered before it needed one).
 */
export function accountRoutes(app: FastifyInstance, ctx: AppContext): void {
  const cache = new AuthCache(ctx);
  const documents = new ConfigDocuments(ctx, cache);

  app.get('/api/me', async (request, reply) => {
    const { session, source } = await resolveSession(ctx, cache, request.headers.authorization);
    request.caller = { tenant: session.tenant, user: session.user, wallet: session.wallet };
    reply.header('x-session', source);
    return { ...request.caller, profile: session.profile };
  });

  app.get('/api/config', async (request, reply) => {
    const { session } = await resolveSession(ctx, cache, request.headers.authorization);
    request.caller = { tenant: session.tenant, user: session.user, wallet: session.wallet };
    const { document, source } = await documents.get(session.tenant);
    reply.header('x-cache', source);
    return document;
  });

  app.get('/api/config/public', async () => deploymentFacts(ctx));
}
