import { createHash, randomUUID } from 'node:crypto';
import { chmodSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { FaultlineError } from '../errors.ts';

/** A project's official release archive: where it is, where its checksums are, and which file in it is the tool. */
export interface ReleaseAsset {
  url: string;
  /** A `sha256  file name` list (goreleaser's checksums.txt), published beside the archive. */
  checksums: string;
  /** The tool's path inside the .tar.gz. */
  member: string;
}

/** A download whose bytes are not what the project published: never installed, never retried from source. */
export class ChecksumMismatchError extends FaultlineError {
  constructor(url: string, expected: string, actual: string) {
    super(`${url}: its sha256 is ${actual}, but the published checksum is ${expected}. Nothing was installed; check your network or mirror (FAULTLINE_DOWNLOAD_MIRROR), or install the tool yourself and point its variable at it.`);
  }
}

/**
 * Downloads a release archive, verifies it against the published checksum, and installs
 * the tool from it at `target` (atomically). `FAULTLINE_DOWNLOAD_MIRROR` replaces
 * `https://github.com` (a company mirror, or a local server standing in for it). Network
 * failures throw a plain Error (the caller may build from source instead); a checksum
 * that does not match, or an archive without the tool, throws a FaultlineError.
 */
export async function downloadRelease(asset: ReleaseAsset, target: string, timeoutMs = 120_000): Promise<void> {
  const url = mirrored(asset.url);
  const checksums = await (await get(mirrored(asset.checksums), timeoutMs)).text();
  const archiveName = url.slice(url.lastIndexOf('/') + 1);
  const expected = checksums
    .split('\n')
    .map((line) => line.trim().split(/\s+\*?/))
    .find(([, file]) => file === archiveName)?.[0];
  if (!expected) throw new FaultlineError(`${mirrored(asset.checksums)} lists no checksum for ${archiveName}; nothing was installed.`);
  const archive = Buffer.from(await (await get(url, timeoutMs)).arrayBuffer());
  const actual = createHash('sha256').update(archive).digest('hex');
  if (actual !== expected.toLowerCase()) throw new ChecksumMismatchError(url, expected, actual);
  const binary = tarMember(gunzipSync(archive), asset.member);
  if (!binary) throw new FaultlineError(`${url} holds no ${asset.member}; nothing was installed.`);
  mkdirSync(dirname(target), { recursive: true });
  const partial = `${target}.${randomUUID()}.partial`;
  writeFileSync(partial, binary);
  chmodSync(partial, 0o755);
  renameSync(partial, target);
}

const mirrored = (url: string) => (process.env.FAULTLINE_DOWNLOAD_MIRROR ? url.replace(/^https:\/\/github\.com/, process.env.FAULTLINE_DOWNLOAD_MIRROR.replace(/\/$/, '')) : url);

async function get(url: string, timeoutMs: number): Promise<Response> {
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'follow' });
  if (!response.ok) throw new Error(`GET ${url}: HTTP ${response.status}`);
  return response;
}

/** One regular file out of a tar archive (ustar: 512-byte headers, sizes in octal). */
export function tarMember(tar: Buffer, member: string): Buffer | undefined {
  for (let offset = 0; offset + 512 <= tar.length; ) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((b) => b === 0)) return undefined; // the end-of-archive blocks
    const field = (from: number, length: number) => header.toString('utf8', from, from + length).replace(/\0.*$/s, '');
    const name = [field(345, 155), field(0, 100)].filter(Boolean).join('/');
    const size = Number.parseInt(field(124, 12).trim() || '0', 8);
    const type = field(156, 1) || '0';
    const body = offset + 512;
    if ((type === '0' || type === '') && name.replace(/^\.\//, '') === member) return tar.subarray(body, body + size);
    offset = body + Math.ceil(size / 512) * 512;
  }
  return undefined;
}
