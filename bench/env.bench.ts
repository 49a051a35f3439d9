/**
 * `npm run bench:env`: how long the environment takes to come up and go down, for the
 * databases alone (postgres + redis + anvil + toxiproxy) and for the full default config
 * (faultline.config.ts as it is: those, every mock and both reference app instances).
 * Warm up (caches present), down, and cold up (a fresh `home` and no bundle caches: initdb,
 * bundling and the app's first-start work all run; tool binaries are reused, so installs
 * are excluded). Floors are measured in the same run: each binary started bare until it
 * answers (bench/env/floors.ts). The critical path of the median full warm up is printed
 * from what env up recorded (env/critical-path.ts). BENCH_ENV_RUNS sets the runs per figure.
 */
import { rmSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { type FaultlineConfig, loadConfig, type ResolvedConfig } from '../env/config.ts';
import { criticalPath, describeCriticalPath, type StartupStep, startupSteps, startupTable } from '../env/critical-path.ts';
import { startEnvironment, stopEnvironment } from '../env/environment.ts';
import { readState } from '../env/state.ts';
import { postgresTemplateDir } from '../env/services/postgres.ts';
import { Toolbox } from '../env/tools/toolbox.ts';
import { MOCK_BUNDLE_DIR } from '../mocks/bundle.ts';
import { table } from '../scripts/table.ts';
import { bareAnvil, bareMockNode, barePostgres, bareRedis, bareToxiproxy, tempDir } from './env/floors.ts';

const ROOT = resolve(import.meta.dirname, '..');
const HOME = join(ROOT, '.faultline');
const RUNS = Number(process.env.BENCH_ENV_RUNS ?? 3);
const DATABASES = { postgres: {}, redis: true, anvil: {} };
/** Caches outside `home` that a cold start must not find: the mocks' and the reference app's bundles. */
const BUNDLE_CACHES = [MOCK_BUNDLE_DIR, join(ROOT, 'examples', 'reference-app', '.bundle')];

type Config = FaultlineConfig | ResolvedConfig;

/** The same config in a fresh state directory (and `home`), so runs never attach to each other. */
function fresh(base: Config, home: string): Config {
  const dir = tempDir('faultline-bench-');
  return { ...base, home, stateDir: join(dir, 'state'), dotenvFile: join(dir, '.env.faultline') };
}

async function timed(run: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await run();
  return performance.now() - started;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (x: number) => `${Math.round(x)} ms`;

interface Series {
  up: number[];
  down: number[];
  cold: number[];
  /** The recorded start of each warm run, to print the median one's critical path. */
  steps: StartupStep[][];
}

/** Warm runs, then cold ones; `bundles`: the config runs mocks or an app, whose bundle caches a cold run must not find either. */
async function series(base: Config, bundles: boolean): Promise<Series> {
  const s: Series = { up: [], down: [], cold: [], steps: [] };
  for (let i = 0; i < RUNS; i++) {
    const c = fresh(base, HOME);
    s.up.push(await timed(() => startEnvironment(c)));
    s.steps.push(startupSteps(readState((c as { stateDir: string }).stateDir)!));
    s.down.push(await timed(() => stopEnvironment(c)));
  }
  for (let i = 0; i < RUNS; i++) {
    const home = tempDir('faultline-bench-home-');
    if (bundles) for (const dir of BUNDLE_CACHES) rmSync(dir, { recursive: true, force: true });
    const c = fresh(base, home);
    s.cold.push(await timed(() => startEnvironment(c)));
    await stopEnvironment(c);
    rmSync(home, { recursive: true, force: true });
  }
  return s;
}

/**
 * The containers runtime, databases only, when a Docker engine answers and the images are
 * there: the images are resolved exactly as the runtime resolves them (imageFor:
 * FAULTLINE_<NAME>_IMAGE, the config's containers.images, the official tag), and pulls are
 * never timed. Returns why not otherwise.
 */
async function containersRuns(): Promise<{ up: number[]; down: number[]; images: string } | string> {
  const { dockerAnswers, imageFor } = await import('../env/runtimes/containers.ts');
  if (!(await dockerAnswers())) return 'no Docker engine answered';
  const base = { services: DATABASES, runtime: 'containers' as const };
  const resolved = await loadConfig(join(ROOT, 'faultline.config.ts'));
  const { services: known } = await import('../env/services/index.ts');
  const { toxiproxyServer } = await import('../env/toxiproxy.ts');
  const images = [...Object.keys(DATABASES).map((name) => known[name]!), toxiproxyServer]
    .map((d) => `${d.name} ${imageFor(d.name, d.container!({ dataDir: '', cacheDir: '', seed: 0, tools: new Toolbox(), upstreams: {}, env: {}, endpoints: {}, rootDir: ROOT }, d.options.parse({})).image, resolved)}`)
    .join(', ');
  const first = fresh(base, HOME);
  try {
    await startEnvironment(first); // unmeasured: a missing image fails here, before any timing
  } catch (error) {
    return `${(error as Error).message.split('\n')[0]!} (images: ${images})`;
  } finally {
    await stopEnvironment(first);
  }
  const up: number[] = [];
  const down: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const c = fresh(base, HOME);
    up.push(await timed(() => startEnvironment(c)));
    down.push(await timed(() => stopEnvironment(c)));
  }
  return { up, down, images };
}

async function main(): Promise<void> {
  const tools = new Toolbox();
  // Cold runs get a fresh home; point them at the binaries we have, so no install is timed.
  process.env.FAULTLINE_TOXIPROXY ??= (await tools.get('toxiproxy-server')).path;
  process.env.FAULTLINE_REDIS ??= (await tools.get('redis-server')).path;
  const full = await loadConfig(join(ROOT, 'faultline.config.ts'));

  // One unmeasured round of each first: the caches exist and the page cache is warm.
  for (const base of [{ services: DATABASES }, full]) {
    const warmup = fresh(base, HOME);
    await startEnvironment(warmup);
    await stopEnvironment(warmup);
  }

  const template = postgresTemplateDir(join(HOME, 'cache'), (await tools.get('postgres')).version);
  const floors: Record<string, number[]> = { postgres: [], redis: [], anvil: [], toxiproxy: [], 'node (mock bundle)': [] };
  for (let i = 0; i < RUNS; i++) {
    floors.postgres!.push(await barePostgres(template));
    floors.redis!.push(await bareRedis());
    floors.anvil!.push(await bareAnvil());
    floors.toxiproxy!.push(await bareToxiproxy());
    floors['node (mock bundle)']!.push(await bareMockNode());
  }
  // The databases first: their cold runs leave the bundle caches alone, so the full config's warm runs find them.
  const databases = await series({ services: DATABASES }, false);
  const everything = await series(full, true);
  const containers = await containersRuns();

  const floorOf = (names: string[]) => Math.max(...names.map((n) => median(floors[n]!)));
  const dbFloor = floorOf(['postgres', 'redis', 'anvil', 'toxiproxy']);
  const fullFloor = floorOf(Object.keys(floors));
  type Row = [what: string, xs: number[], target: number | undefined, floor: number | undefined];
  const rows: Row[] = [
    ...Object.entries(floors).map(([name, xs]): Row => [`floor: bare ${name}`, xs, undefined, undefined]),
    ['databases: warm env up', databases.up, 1500, dbFloor],
    ['databases: env down', databases.down, 500, undefined],
    ['databases: cold env up (no caches)', databases.cold, 6000, dbFloor],
    ['full config: warm env up', everything.up, 1500, fullFloor],
    ['full config: env down', everything.down, 500, undefined],
    ['full config: cold env up (no caches)', everything.cold, 6000, fullFloor],
  ];
  if (typeof containers !== 'string') rows.push(['containers (databases): env up', containers.up, 10_000, undefined], ['containers (databases): env down', containers.down, 5000, undefined]);

  console.log(`\nenvironment benchmark: ${RUNS} runs each (library API, in-process); full config = ${Object.keys(full.services).join(' + ')} + toxiproxy`);
  // Other work on the machine skews absolute times; the floors, measured in the same run, are what compare.
  console.log(`machine: ${cpus().length} cores, load average ${loadavg().map((l) => l.toFixed(1)).join(' / ')} (1 / 5 / 15 min)\n`);
  const body = rows.map(([what, xs, target, floor]) => [
    what,
    ms(median(xs)),
    `${ms(Math.min(...xs))} – ${ms(Math.max(...xs))}`,
    target ? `≤ ${ms(target)}` : '-',
    floor ? `${ms(floor)} (${(median(xs) / floor).toFixed(1)}×)` : '-',
    target ? (median(xs) <= target ? 'ok' : 'OVER') : '',
  ]);
  console.log(table(['what', 'median', 'spread', 'target', 'floor (median / floor)', 'verdict'], body));
  console.log('(floor of an env up: the slowest bare start among its binaries, since they start in parallel)');
  if (typeof containers === 'string') console.log(`\ncontainers runtime: not measured (${containers})`);
  else console.log(`\ncontainers runtime images: ${containers.images}`);

  // The critical path of the median full warm up, as env up recorded it.
  const medianRun = everything.up.indexOf(median(everything.up));
  const steps = everything.steps[medianRun]!;
  console.log(`\nfull config, warm env up of ${ms(everything.up[medianRun]!)}: per service (ms since env up began)\n`);
  const startTable = startupTable(steps);
  console.log(table(startTable.headers, startTable.rows));
  console.log(`critical path: ${describeCriticalPath(criticalPath(steps))}`);
  const all = rows.map(([what, xs]) => `${what}: ${xs.map((x) => Math.round(x)).join(', ')}`);
  console.log(`\nall runs (ms): ${all.join(' | ')}`);
}

await main();
