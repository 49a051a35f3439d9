import { isIP } from 'node:net';
import { tcpConnect } from '../env/command.ts';
import type { ServiceDefinition } from '../env/service.ts';
import { FaultlineError } from '../lib/errors.ts';
import { RemoteTargetRefusedError } from './errors.ts';

/** True for 127.0.0.0/8, ::1 and localhost: load may only go there by default. */
export function isLoopback(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  } catch {
    return false;
  }
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return host === '::1' || /^::ffff:127\./.test(host);
  return false;
}

/** Refuses a non-loopback target unless allowed; when allowed, says where the load goes first. */
export function checkTarget(url: string, allowRemote: boolean, log: (line: string) => void): void {
  let scheme: string;
  try {
    scheme = new URL(url).protocol;
  } catch {
    throw new FaultlineError(`--target ${url}: not a URL; expected e.g. http://127.0.0.1:3000`);
  }
  if (!['http:', 'https:', 'ws:', 'wss:'].includes(scheme)) throw new FaultlineError(`--target ${url}: load goes over http, https, ws or wss, not ${scheme.slice(0, -1)}`);
  if (isLoopback(url)) return;
  if (!allowRemote) throw new RemoteTargetRefusedError(url);
  log(`WARNING: --allow-remote-target: load will go to ${new URL(url).origin}, which is not this machine.`);
}

/** Nothing answers at the target: the run stops before any load or fault, and this is no verdict on the app. Exit code 2. */
export class TargetUnreachableError extends FaultlineError {
  constructor(target: string, reason: string) {
    super(
      `target ${target} is not reachable (${reason}). Nothing was loaded and no fault was applied: this says nothing about the app's mitigations. ` +
        'Is the app running and listening there? (With --target, start it first; a service of the environment: see its log in .faultline/logs.)',
    );
  }
}

/**
 * The preflight: the target service answers its health check, or, for a target URL, a
 * TCP connection to it succeeds.
 */
export async function assertReachable(target: string, service?: { definition: ServiceDefinition; options: unknown; directUrl: string }): Promise<void> {
  try {
    if (service) await service.definition.probe(service.directUrl, service.options);
    else await tcpConnect(target, 3000);
  } catch (error) {
    throw new TargetUnreachableError(target, (error as Error).message);
  }
}
