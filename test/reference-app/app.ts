import { type App, startApp } from '../../examples/reference-app/src/app.ts';
import { signToken } from '../../examples/reference-app/src/auth.ts';
import { readConfig } from '../../examples/reference-app/src/config.ts';
import type { Environment } from '../../env/environment.ts';

export const JWT_SECRET = 'test-secret';

/** Starts the reference app in this process against a test environment, with a mitigation switch. */
export function startTestApp(env: Environment, mitigations = 'all', extra: Record<string, string> = {}): Promise<App> {
  return startApp(
    readConfig({ ...env.env, PORT: '0', AUTH_JWT_SECRET: JWT_SECRET, FAULTLINE_MITIGATIONS: mitigations, LOG_LEVEL: 'silent', ...extra }),
  );
}

/** A client for one user of the app: JSON in, `{ status, body, headers }` out. */
export async function userClient(app: App, user: string, tenant = 'demo') {
  const token = await signToken({ tenant, user }, JWT_SECRET);
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}, timeoutMs = 30_000) => {
    const response = await fetch(`${app.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
      body: body ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text();
    let json: any;
    try {
      json = JSON.parse(text);
    } catch {
      json = text;
    }
    return { status: response.status, body: json, headers: response.headers };
  };
  return { token, call, get: (path: string, timeoutMs?: number) => call('GET', path, undefined, {}, timeoutMs), post: call.bind(null, 'POST') };
}

/** Runs `fn` with one of the environment's proxies disabled (the dependency is down), and always enables it again. */
export async function withProxyDown<T>(env: Environment, proxyName: string, fn: () => Promise<T>): Promise<T> {
  const proxy = await env.toxiproxy.get(proxyName);
  const { listen, upstream } = proxy;
  await proxy.update({ enabled: false, listen, upstream });
  try {
    return await fn();
  } finally {
    await proxy.update({ enabled: true, listen, upstream });
  }
}
