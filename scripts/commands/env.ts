import type { Command } from 'commander';
import { loadConfig } from '../../env/config.ts';
import { environmentStatus, startEnvironment, stopEnvironment } from '../../env/environment.ts';
import { FaultlineError } from '../../lib/errors.ts';
import { criticalPath, describeCriticalPath, startupSteps, startupTable } from '../../env/critical-path.ts';
import { readState, stateFile } from '../../env/state.ts';
import { EXIT } from '../exit-codes.ts';
import { commandHint, rel } from '../../lib/hints.ts';
import { redact } from '../../runner/reports/redact.ts';
import { table } from '../table.ts';

/** `faultline env up | down | status`: the dependency environment. */
export function registerEnv(program: Command, global: () => { config?: string }): void {
  const env = program.command('env').description('bring the dependency environment up or down');

  env
    .command('up')
    .description('start every configured service behind Toxiproxy (reuses a running environment)')
    .option('--timings', 'print when each service was launched, had its URL and was ready, what it waited for, and the critical path')
    .action(async (flags: { timings?: boolean }) => {
      const config = await loadConfig(global().config);
      const controller = new AbortController();
      let interruptedAt = 0;
      const interrupt = () => {
        // A second Ctrl-C gives up waiting; one forwarded by `npm run` milliseconds after the first does not.
        if (controller.signal.aborted) {
          if (Date.now() - interruptedAt > 750) process.exit(EXIT.interrupted);
          return;
        }
        interruptedAt = Date.now();
        process.stderr.write('\ninterrupted: stopping what was started...\n');
        controller.abort(new FaultlineError('env up was interrupted'));
      };
      process.on('SIGINT', interrupt).on('SIGTERM', interrupt);
      try {
        const started = Date.now();
        const environment = await startEnvironment(config, { log: (line) => process.stderr.write(`  ${line}\n`), signal: controller.signal });
        const rows = [
          ['toxiproxy', 'up', environment.toxiproxyUrl, '(api)', ''],
          ...Object.values(environment.services).map((s) => [s.name, 'up', s.url, s.directUrl, s.version]),
        ];
        console.log(redact(table(['service', 'status', 'url (through toxiproxy)', 'direct url', 'version'], rows)));
        const verb = environment.reused ? 'already up, reused' : `up in ${Date.now() - started} ms`;
        console.log(`\nEnvironment ${verb} (seed ${environment.seed}).`);
        console.log(`Wrote ${rel(stateFile(config.stateDir))} and ${rel(config.dotenvFile)}. Stop it with \`${commandHint('env down', { config: global().config })}\`.`);
        const state = flags.timings ? readState(config.stateDir) : undefined;
        if (state) {
          // A reused environment shows how it started back then.
          const steps = startupSteps(state);
          const startTable = startupTable(steps);
          console.log(`\nStart-up (ms since env up began${environment.reused ? `, at ${state.startedAt}` : ''}):\n`);
          console.log(table(startTable.headers, startTable.rows));
          console.log(`critical path: ${describeCriticalPath(criticalPath(steps))}`);
        }
      } catch (error) {
        if (controller.signal.aborted) {
          process.stderr.write('stopped everything that had started.\n');
          process.exit(EXIT.interrupted);
        }
        throw error;
      }
    });

  env
    .command('down')
    .description('stop every service of the environment, free its ports and remove its state')
    .option('--force', 'also when a run is using it: stop that run first (it reverts its faults)')
    .action(async (flags: { force?: boolean }) => {
      const config = await loadConfig(global().config);
      const started = Date.now();
      const stopped = await stopEnvironment(config, { force: flags.force });
      console.log(stopped ? `Environment stopped in ${Date.now() - started} ms.` : `No environment was running (state dir ${rel(config.stateDir)}).`);
    });

  env
    .command('status')
    .description('health of each service now, directly and through its proxy')
    .action(async () => {
      const config = await loadConfig(global().config);
      const { state, services, runs } = await environmentStatus(config);
      if (!state) {
        console.log(`No environment is running. Start one with \`${commandHint('env up', { config: global().config })}\`.`);
        process.exitCode = EXIT.failed;
        return;
      }
      const rows = services.map((s) => [
        s.name,
        s.pid ? String(s.pid) : (s.containerId?.slice(0, 12) ?? '-'),
        !s.alive ? 'process gone' : s.directError ? `unhealthy: ${s.directError}` : s.proxyError ? `proxy broken: ${s.proxyError}` : 'healthy',
        s.url ?? '-',
        s.version ?? '-',
      ]);
      console.log(redact(table(['service', 'pid/container', 'health', 'url', 'version'], rows)));
      console.log(`\nstatus: ${state.status}, started ${state.startedAt}, seed ${state.seed}`);
      for (const run of runs) {
        const faults = run.faults.length ? `faults in force: ${run.faults.map((f) => `${f.name} (since ${f.appliedAt})`).join(', ')}` : 'no fault in force';
        console.log(`run pid ${run.pid} ${run.alive ? 'running' : 'DEAD (the next run or env down cleans up after it)'}: ${run.what}, since ${run.startedAt}; ${faults}`);
      }
      if (services.some((s) => !s.alive || s.directError || s.proxyError)) process.exitCode = EXIT.failed;
    });
}
