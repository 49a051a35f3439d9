import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type Command, Option } from 'commander';
import { FaultlineError } from '../../lib/errors.ts';
import { GITHUB_WORKFLOW_FILE, githubWorkflow } from '../github-workflow.ts';
import { chaosScripts } from '../npm-scripts.ts';

interface InitFlags {
  command: string;
  portEnv: string;
  health: string;
  force?: boolean;
  ci?: 'github';
}

/**
 * `faultline init`: what a project needs to start, written once and never over a user's
 * file: faultline.config.ts (Postgres, Redis and your app), an example scenario with its
 * k6 script, npm scripts, .gitignore lines, and with `--ci github` a GitHub Actions workflow.
 */
export function registerInit(program: Command): void {
  program
    .command('init')
    .description('set Faultline up in this project: faultline.config.ts, an example scenario, npm scripts, .gitignore lines')
    .option('--command <command>', 'how your app starts', 'npm start')
    .option('--port-env <name>', 'the variable your app reads its port from', 'PORT')
    .option('--health <path>', 'an HTTP path that answers 2xx once your app is ready', '/health')
    .option('--force', 'overwrite faultline.config.ts and the example scenario if they exist')
    .addOption(new Option('--ci <provider>', `also write a CI workflow: github (${GITHUB_WORKFLOW_FILE}: smoke on pull requests, baseline nightly)`).choices(['github']))
    .action((flags: InitFlags) => {
      const root = process.cwd();
      if (!existsSync(join(root, 'package.json'))) throw new FaultlineError(`No package.json in ${root}: run \`faultline init\` at the root of your project (npm init -y makes one).`);
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(flags.portEnv)) throw new FaultlineError(`--port-env ${flags.portEnv}: expected a variable name, e.g. PORT`);
      if (!flags.health.startsWith('/')) throw new FaultlineError(`--health ${flags.health}: expected an HTTP path starting with "/", e.g. /health`);
      const written: string[] = [];
      const write = (path: string, content: string) => {
        const file = join(root, path);
        if (existsSync(file) && !flags.force) return console.log(`kept   ${path} (it exists; --force replaces it)`);
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, content);
        written.push(path);
        console.log(`wrote  ${path}`);
      };
      write('faultline.config.ts', configFile(flags));
      write('faultline/scenarios/example/scenario.ts', EXAMPLE_SCENARIO);
      write('faultline/scenarios/example/load.js', exampleLoad(flags.health));
      if (flags.ci === 'github') write(GITHUB_WORKFLOW_FILE, githubWorkflow());
      addScripts(join(root, 'package.json'));
      addGitignore(join(root, '.gitignore'));
      console.log(`\nNext: check the app entry in faultline.config.ts, then\n  npx faultline env up\n  npx faultline chaos example\n`);
      if (written.length === 0) console.log('(nothing new was written)');
    });
}

function configFile(flags: InitFlags): string {
  return `import { defineConfig } from 'faultline';

// Faultline starts these beside your app, each behind its own Toxiproxy proxy, so faults
// can break them on schedule. \`npx faultline list services\` shows what else it can run.
export default defineConfig({
  services: {
    postgres: {},
    redis: true,
    // Your app, started like the other services and wired to their proxied endpoints.
    app: {
      command: ${JSON.stringify(flags.command)},
      port: { env: ${JSON.stringify(flags.portEnv)} }, // a free port, handed over in this variable
      health: ${JSON.stringify(flags.health)}, // probed until it answers 2xx
      // Ready before it starts. One it only calls while serving can start with it: { service: 'llm', condition: 'started' }.
      dependsOn: ['postgres', 'redis'],
      // Your variable names: each dependency's url, host and port (Postgres: user, password, database too).
      env: ({ postgres, redis }) => ({ DATABASE_URL: postgres.url, REDIS_URL: redis.url }),
    },
  },
});
`;
}

const EXAMPLE_SCENARIO = `import { defineScenario } from 'faultline';

// Redis goes away for 5 s while clients call your app. The app may fail while it is gone
// (tighten that once you have a fallback); it must serve again within 5 s of Redis coming back.
export default defineScenario({
  name: 'example',
  description: 'Redis unreachable for 5 s under steady load; the app must recover within 5 s after',
  services: ['postgres', 'redis', 'app'],
  load: { script: './load.js', profiles: { smoke: { rps: 5 } } },
  phases: [
    { name: 'baseline', duration: '5s' },
    { name: 'fault', duration: '5s' },
    { name: 'recovery', duration: '10s' },
  ],
  faults: [{ fault: 'down', target: 'redis', at: 'fault' }],
  assertions: {
    profileThresholds: ['baseline'],
    thresholds: { 'http_req_failed{phase:recovery}': ['rate<0.5'] },
    recovery: { bound: '5s' },
  },
});
`;

function exampleLoad(health: string): string {
  return `// The load of the example scenario: one request per iteration, at the profile's rate.
import http from 'k6/http';
import * as faultline from 'faultline/k6';

export const options = faultline.options();
export const setup = faultline.setup;
export default faultline.iteration(() => {
  http.get(\`\${faultline.target}${health}\`, { tags: { name: 'health' } });
});
`;
}

/** env:up, env:down, env:status, chaos and chaos:<name> for the example, unless the project has them. */
function addScripts(file: string): void {
  const text = readFileSync(file, 'utf8');
  const pkg = JSON.parse(text) as { scripts?: Record<string, string> };
  const scripts = { ...pkg.scripts };
  const wanted: Record<string, string> = { 'env:up': 'faultline env up', 'env:down': 'faultline env down', 'env:status': 'faultline env status', chaos: 'faultline chaos' };
  const added = Object.keys(wanted).filter((name) => !(name in scripts));
  for (const name of added) scripts[name] = wanted[name]!;
  const next = chaosScripts(scripts, ['example']);
  if (JSON.stringify(next) === JSON.stringify(pkg.scripts ?? {})) return console.log('kept   package.json scripts');
  const indent = /^(\s+)"/m.exec(text)?.[1] ?? '  ';
  writeFileSync(file, `${JSON.stringify({ ...pkg, scripts: next }, null, indent)}\n`);
  console.log(`added  npm scripts ${Object.keys(next).filter((n) => !(n in (pkg.scripts ?? {}))).join(', ')}`);
}

function addGitignore(file: string): void {
  const lines = ['.faultline/', '.env.faultline', 'reports/'];
  const current = existsSync(file) ? readFileSync(file, 'utf8').split('\n') : [];
  const missing = lines.filter((l) => !current.includes(l));
  if (missing.length === 0) return;
  appendFileSync(file, `${current.length && current.at(-1) !== '' ? '\n' : ''}# Faultline\n${missing.join('\n')}\n`);
  console.log(`added  .gitignore lines ${missing.join(' ')}`);
}
