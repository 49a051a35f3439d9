import { resolve } from 'node:path';
import type { z } from 'zod';
import type { Endpoint, ServiceDefinition } from '../service.ts';
import { bundleMock } from './mock-bundle.ts';

const REPO_ROOT = resolve(import.meta.dirname, '..', '..');

export interface MockServiceSpec<O> {
  name: string;
  description: string;
  options: z.ZodType<O>;
  envVar: string;
  /** The mock's entry file, relative to the repo root (it calls runMock from mocks/http/main.ts). */
  entry: string;
  /** Appended to the root URL in the env var, e.g. "/v1" for OpenAI-style base URLs. */
  urlPath?: string;
  dependsOn?: (options: O) => string[];
  endpoints?: (options: O) => Endpoint[];
}

/**
 * A simulated third party run as a local Node process (its entry bundled, see
 * mock-bundle.ts), probed on its control API's health route. One definition per mock in
 * env/services/.
 */
export function mockService<O>(spec: MockServiceSpec<O>): ServiceDefinition<O> {
  return {
    name: spec.name,
    description: spec.description,
    options: spec.options,
    envVar: spec.envVar,
    dependsOn: spec.dependsOn,
    endpoints: spec.endpoints,
    url: (_o, host, port) => `http://${host}:${port}${spec.urlPath ?? ''}`,
    async prepare(ctx, options, port) {
      const launch = { port, seed: ctx.seed, options, upstreams: ctx.upstreams };
      return {
        command: process.execPath,
        args: [await bundleMock(spec.name, spec.entry), JSON.stringify(launch)],
        cwd: REPO_ROOT,
        env: { NODE_ENV: 'production' },
      };
    },
    async probe(url) {
      const response = await fetch(`${new URL(url).origin}/__faultline/health`, { signal: AbortSignal.timeout(1000) });
      if (!response.ok) throw new Error(`GET /__faultline/health: HTTP ${response.status}`);
      const body = (await response.json()) as { service: string };
      return `faultline ${body.service} mock`;
    },
  };
}
