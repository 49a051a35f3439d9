import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChecksumMismatchError, downloadRelease } from './download.ts';
import { Toolbox } from './toolbox.ts';

// No release page is reachable from here: a local server stands in for github.com, serving a
// k6 release laid out as the real one is (k6-v1.8.1-linux-amd64.tar.gz + k6-v1.8.1-checksums.txt).
describe('provisioning from a release archive', () => {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-download-'));
  const files = new Map<string, Buffer>();
  let server: Server;
  let mirror: string;
  const saved = { ...process.env };

  beforeAll(async () => {
    const stage = join(dir, 'stage', 'k6-v1.8.1-linux-amd64');
    mkdirSync(stage, { recursive: true });
    writeFileSync(join(stage, 'k6'), '#!/bin/sh\necho "k6 v1.8.1 (stand-in, linux/amd64)"\n');
    chmodSync(join(stage, 'k6'), 0o755);
    execFileSync('tar', ['-czf', join(dir, 'k6.tar.gz'), '-C', join(dir, 'stage'), 'k6-v1.8.1-linux-amd64']);
    const archive = readFileSync(join(dir, 'k6.tar.gz'));
    const sha = createHash('sha256').update(archive).digest('hex');
    files.set('/grafana/k6/releases/download/v1.8.1/k6-v1.8.1-linux-amd64.tar.gz', archive);
    files.set('/grafana/k6/releases/download/v1.8.1/k6-v1.8.1-checksums.txt', Buffer.from(`${'0'.repeat(64)}  k6-v1.8.1-darwin-arm64.zip\n${sha}  k6-v1.8.1-linux-amd64.tar.gz\n`));
    files.set('/bad/k6.tar.gz', archive);
    files.set('/bad/checksums.txt', Buffer.from(`${'f'.repeat(64)}  k6.tar.gz\n`));
    server = createServer((req, res) => {
      const body = files.get(req.url ?? '');
      res.writeHead(body ? 200 : 404).end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    mirror = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    process.env = saved;
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it.skipIf(process.platform !== 'linux' || process.arch !== 'x64')('downloads the official archive into the per-user cache, checks its sha256 and says where k6 came from', async () => {
    process.env = { ...saved, FAULTLINE_DOWNLOAD_MIRROR: mirror, PATH: '/usr/bin:/bin', FAULTLINE_K6: '' };
    const toolbox = new Toolbox(join(dir, 'cache', 'bin'));
    const k6 = await toolbox.get('k6');
    expect(k6.path).toBe(join(dir, 'cache', 'bin', 'k6-v1.8.1'));
    expect(k6.version).toBe('v1.8.1');
    expect(k6.source).toMatch(/^downloaded just now \(https:\/\/github\.com\/grafana\/k6\/releases\/download\/v1\.8\.1\/k6-v1\.8\.1-linux-amd64\.tar\.gz\)$/);
    // The next lookup finds it in the cache, without a download.
    expect((await new Toolbox(join(dir, 'cache', 'bin')).get('k6')).source).toBe(`cache ${join(dir, 'cache', 'bin')}`);
  });

  it('refuses an archive whose checksum does not match, and installs nothing', async () => {
    const target = join(dir, 'bad', 'k6');
    const error = await downloadRelease({ url: `${mirror}/bad/k6.tar.gz`, checksums: `${mirror}/bad/checksums.txt`, member: 'k6-v1.8.1-linux-amd64/k6' }, target).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChecksumMismatchError);
    expect((error as Error).message).toMatch(/its sha256 is [0-9a-f]{64}, but the published checksum is f{64}\. Nothing was installed/);
    expect(existsSync(target)).toBe(false);
  });

  it('fails a missing archive with a plain error (so the caller may build from source instead)', async () => {
    const error = await downloadRelease({ url: `${mirror}/none.tar.gz`, checksums: `${mirror}/none.txt`, member: 'k6' }, join(dir, 'none')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(ChecksumMismatchError);
    expect((error as Error).message).toMatch(/HTTP 404/);
  });
});
