import { z } from 'zod';
import { tcpConnect } from './command.ts';
import type { ServiceDefinition } from './service.ts';

/**
 * `external: 'postgres://user:pw@db.internal:5432/app'` on a built-in service: Faultline
 * starts nothing and puts its proxy in front of what the team already runs (docker
 * compose, a cloud dev database), so network faults reach it. TLS endpoints cannot be
 * proxied this way (the certificate names the real host): point it at a plain endpoint.
 */
export const externalOption = z
  .string()
  .url('expected the URL of a running service, e.g. "postgres://user:password@127.0.0.1:5432/app"')
  .refine((url) => !URL.canParse(url) || !!new URL(url).port || ['http:', 'ws:'].includes(new URL(url).protocol), 'expected a URL with a port, e.g. :5432')
  .optional();

/** The external URL a service's options point at, if any. */
export const externalUrl = (options: unknown): string | undefined => (options as { external?: string } | undefined)?.external;

/** host:port of a URL, with the scheme's default port when it names none. */
export function hostPort(url: string): string {
  const u = new URL(url);
  return `${u.hostname}:${u.port || (u.protocol === 'https:' || u.protocol === 'wss:' ? 443 : 80)}`;
}

/** The same URL through the proxy at host:port: credentials, database and path kept. */
export function throughProxy(url: string, host: string, port: number): string {
  const u = new URL(url);
  u.hostname = host;
  u.port = String(port);
  const proxied = u.toString();
  return proxied.endsWith('/') && !url.endsWith('/') ? proxied.slice(0, -1) : proxied;
}

const tcpOptionsSchema = z.strictObject({
  /** The address to proxy, e.g. "127.0.0.1:3306" (MySQL), "127.0.0.1:9092" (Kafka), another microservice. */
  tcp: z.string().regex(/^[^:\s]+:\d{1,5}$/, 'expected host:port, e.g. "127.0.0.1:3306"'),
  /** The variable its proxied address goes in (default `<NAME>_URL`, as tcp://host:port). */
  envVar: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/).optional(),
});
export type TcpOptions = z.output<typeof tcpOptionsSchema>;
/** A tcp entry as resolved: its address as the `external` URL every external service has. */
export const tcpEntrySchema = tcpOptionsSchema.transform((o) => ({ ...o, external: `tcp://${o.tcp}` }));

/** True for a config entry that proxies any TCP dependency (`{ tcp: 'host:port' }`). */
export const isTcpEntry = (value: unknown): boolean => typeof value === 'object' && value !== null && 'tcp' in value;

/**
 * Any TCP dependency Faultline does not run (MySQL, Kafka, another microservice), behind
 * a Toxiproxy proxy so network faults apply to it.
 * @example services: { mysql: { tcp: '127.0.0.1:3306' } }  // MYSQL_URL=tcp://127.0.0.1:<proxy port>
 */
export function tcpService(name: string, options: TcpOptions): ServiceDefinition<TcpOptions & { external: string }> {
  return {
    name,
    description: `a TCP dependency you run: ${options.tcp}`,
    options: tcpEntrySchema as never,
    envVar: options.envVar ?? `${name.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}_URL`,
    url: (_o, host, port) => `tcp://${host}:${port}`,
    prepare: async () => {
      throw new Error(`${name} is a dependency you run (${options.tcp}); Faultline does not start it`);
    },
    async probe(url) {
      await tcpConnect(url.replace(/^tcp:/, 'http:'), 2000);
      return `tcp ${new URL(url.replace(/^tcp:/, 'http:')).host}`;
    },
  };
}
