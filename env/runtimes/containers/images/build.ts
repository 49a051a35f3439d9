/**
 * Builds stand-ins for the official images (postgres, redis, toxiproxy, foundry) on a
 * machine that reaches Debian's mirror but no container registry, such as CI here:
 * a debootstrapped Debian root filesystem with postgresql and redis-server, imported
 * with `docker import`, plus one small Dockerfile per image. Each stand-in keeps the
 * official image's env vars, ports, entrypoint and log lines. Images are tagged by a
 * hash of what went into them, and a tag that already exists is not built again.
 *
 *   npx tsx env/runtimes/containers/images/build.ts            # build, print the overrides
 *   eval "$(npx tsx env/runtimes/containers/images/build.ts)"  # ...and export them
 *
 * Progress goes to stderr; stdout is only `export FAULTLINE_<SERVICE>_IMAGE=...` lines.
 */
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type ToolName, Toolbox } from '../../../tools/toolbox.ts';

const run = promisify(execFile);
const here = import.meta.dirname;
const repoRoot = join(here, '..', '..', '..', '..');

// What goes into the base root filesystem; any change here makes a new base tag.
const BASE_RECIPE = { suite: 'bookworm', variant: 'minbase', include: ['postgresql', 'redis-server', 'ca-certificates'], revision: 1 };

/** Service name → the folder with its Dockerfile and the tool binary copied into the build context. */
const STAND_INS: Record<string, { tool?: { name: ToolName; as: string } }> = {
  postgres: {},
  redis: {},
  toxiproxy: { tool: { name: 'toxiproxy-server', as: 'toxiproxy-server' } },
  anvil: { tool: { name: 'anvil', as: 'anvil' } },
};

const log = (line: string) => process.stderr.write(`[images] ${line}\n`);

async function main(): Promise<void> {
  await run('docker', ['version', '--format', '{{.Server.Version}}']).catch((error: Error) => {
    throw new Error(`No Docker engine answered (docker version: ${error.message.split('\n')[0]}). Start dockerd first.`);
  });
  const base = await buildBase();
  const toolbox = new Toolbox();
  const exports: string[] = [];
  for (const [service, { tool }] of Object.entries(STAND_INS)) {
    const binary = tool ? (await toolbox.get(tool.name)).path : undefined;
    const tag = await buildStandIn(service, base, binary, tool?.as);
    exports.push(`export FAULTLINE_${service.toUpperCase()}_IMAGE=${tag}`);
  }
  process.stdout.write(`${exports.join('\n')}\n`);
}

async function buildBase(): Promise<string> {
  const tag = `faultline-standin/base:${hash(JSON.stringify(BASE_RECIPE))}`;
  if (await imageExists(tag)) {
    log(`${tag} exists; skipping debootstrap`);
    return tag;
  }
  if (process.getuid?.() !== 0) throw new Error('debootstrap needs root: run this script as root (or with sudo).');
  const started = Date.now();
  const root = mkdtempSync(join(process.env.TMPDIR ?? '/var/tmp', 'faultline-rootfs-'));
  try {
    const mirror = debianMirror();
    log(`debootstrap ${BASE_RECIPE.suite} (${BASE_RECIPE.variant}, +${BASE_RECIPE.include.join(',')}) from ${mirror}`);
    await stream('debootstrap', [`--variant=${BASE_RECIPE.variant}`, `--include=${BASE_RECIPE.include.join(',')}`, BASE_RECIPE.suite, root, mirror]);
    // The package's own cluster and caches are dead weight: the entrypoint makes its own cluster.
    for (const dir of ['var/cache/apt/archives', 'var/lib/apt/lists', 'var/lib/postgresql/15', 'etc/postgresql/15']) {
      rmSync(join(root, dir), { recursive: true, force: true });
    }
    log(`debootstrap done in ${Math.round((Date.now() - started) / 1000)} s; importing`);
    const importStarted = Date.now();
    await stream('sh', ['-c', `tar -C "${root}" -c . | docker import - "${tag}" >/dev/null`]);
    log(`imported ${tag} in ${((Date.now() - importStarted) / 1000).toFixed(1)} s`);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  return tag;
}

async function buildStandIn(service: string, base: string, binary: string | undefined, binaryName: string | undefined): Promise<string> {
  const source = join(here, service);
  const files = readdirSync(source).sort();
  const digest = createHash('sha256').update(base);
  for (const file of files) digest.update(file).update(readFileSync(join(source, file)));
  if (binary) digest.update(readFileSync(binary));
  const tag = `faultline-standin/${service}:${digest.digest('hex').slice(0, 12)}`;
  if (await imageExists(tag)) {
    log(`${tag} exists; skipping`);
    return tag;
  }
  const context = mkdtempSync(join(tmpdir(), `faultline-image-${service}-`));
  try {
    for (const file of files) copyFileSync(join(source, file), join(context, file));
    if (binary && binaryName) copyFileSync(binary, join(context, binaryName));
    const started = Date.now();
    // The classic builder: it needs no buildx plugin, and ARG-before-FROM works there too.
    await stream('docker', ['build', '--quiet', '--build-arg', `BASE=${base}`, '-t', tag, context], { DOCKER_BUILDKIT: '0' });
    log(`built ${tag} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    rmSync(context, { recursive: true, force: true });
  }
  return tag;
}

function hash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 12);
}

async function imageExists(tag: string): Promise<boolean> {
  return run('docker', ['image', 'inspect', tag]).then(
    () => true,
    () => false,
  );
}

/** The Debian mirror apt already uses on this machine (deb822 or one-line sources), else the default. */
function debianMirror(): string {
  for (const file of ['/etc/apt/sources.list.d/debian.sources', '/etc/apt/sources.list']) {
    try {
      const text = readFileSync(file, 'utf8');
      const match = /^URIs:\s*(\S+\/debian)\/?\s*$/m.exec(text) ?? /^deb\s+(?:\[[^\]]*\]\s+)?(\S+\/debian)\/?\s/m.exec(text);
      if (match) return match[1]!;
    } catch {
      /* try the next file */
    }
  }
  return 'http://deb.debian.org/debian';
}

/** Runs a command with its output on our stderr (stdout is reserved for the exports). */
function stream(command: string, args: string[], env: Record<string, string> = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 2, 2], env: { ...process.env, ...env } });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${command} ${args.slice(0, 3).join(' ')} ... exited with ${code}`))));
  });
}

try {
  await main();
} catch (error) {
  log(`✖ ${(error as Error).message}`);
  process.exit(1);
}
