import { isIP } from 'node:net';
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
  if (isLoopback(url)) return;
  if (!allowRemote) throw new RemoteTargetRefusedError(url);
  log(`WARNING: --allow-remote-target: load will go to ${new URL(url).origin}, which is not this machine.`);
}
