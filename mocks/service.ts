import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { z } from 'zod';
import { FaultlineError } from '../lib/errors.ts';
import { PACKAGE_ROOT } from '../lib/files.ts';
import { fetchJson } from '../lib/http.ts';
import type { Endpoint, ServiceDefinition } from '../env/service.ts';
import { mockEntry } from './bundle.ts';

const require = createRequire(join(PACKAGE_ROOT, 'package.json'));
/** True when `name` resolves from where faultline is installed (a peer beside it, or this repository's own). */
function installed(name: string): boolean {
  for (const request of [`${name}/package.json`, name]) {
    try {
      require.resolve(request);
      return true;
    } catch {
      /* try the next form */
    }
  }
  return false;
}

export interface MockServiceSpec<O> {
  name: string;
  description: string;
  options: z.ZodType<O>;
  envVar: string;
  /** The mock's entry file, relative to Faultline's root (it calls runMock from mocks/http/main.ts). */
  entry: string;
  /** Appended to the root URL in the env var, e.g. "/v1" for OpenAI-style base URLs. */
  urlPath?: string;
  dependsOn?: (options: O) => string[];
  endpoints?: (options: O) => Endpoint[];
  /** npm packages the mock process needs that are optional peer dependencies of faultline (e.g. viem). */
  packages?: string[];
  /** The mock's own faults by type, applied through its control API (the http layer). */
  faults?: ServiceDefinition['faults'];
}

/**
 * A simulated third party as a service: a local Node process serving the mock, probed on
 * its control API's health route. Each mock declares itself in `mocks/<name>/service.ts`.
 */
export function mockService<O>(spec: MockServiceSpec<O>): ServiceDefinition<O> {
  return {
    name: spec.name,
    description: spec.description,
    options: spec.options,
    envVar: spec.envVar,
    dependsOn: spec.dependsOn,
    endpoints: spec.endpoints,
    faults: spec.faults,
    url: (_o, host, port) => `http://${host}:${port}${spec.urlPath ?? ''}`,
    async prepare(ctx, options, port) {
      const missing = (spec.packages ?? []).filter((name) => !installed(name));
      if (missing.length > 0) {
        throw new FaultlineError(`The ${spec.name} mock needs ${missing.join(' and ')}, optional peer dependencies of faultline: npm i -D ${missing.join(' ')}`);
      }
      const launch = { port, seed: ctx.seed, options, upstreams: ctx.upstreams };
      return {
        command: process.execPath,
        args: [await mockEntry(spec.name, spec.entry), JSON.stringify(launch)],
        cwd: PACKAGE_ROOT,
        env: { NODE_ENV: 'production' },
      };
    },
    async reset(url) {
      await fetchJson(`${new URL(url).origin}/__faultline/reset`, { method: 'POST', timeoutMs: 5000 });
    },
    async probe(url) {
      const body = await fetchJson<{ service: string }>(`${new URL(url).origin}/__faultline/health`, { timeoutMs: 1000 });
      return `faultline ${body.service} mock`;
    },
  };
}
