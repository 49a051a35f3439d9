import { existsSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { isAlive, launch, sleep, startTimeOf, stopProcessGroup } from '../env/runtimes/local.ts';
import type { LaunchSpec } from '../env/service.ts';
import { services } from '../env/services/index.ts';
import { acquireLock, readState, writeState } from '../env/state.ts';
import { Toolbox } from '../env/tools/toolbox.ts';
import { definePreset, directUrlOf, type FaultContext, FaultError } from './fault.ts';
import { pidOf } from './process-signals.ts';

/**
 * The service is killed (SIGKILL: a crash, no clean shutdown) at apply and started again
 * at revert with exactly the command line, directory, environment and user it had (read
 * from /proc, so data directories and ports stay the same), then probed until ready.
 * A process that rewrote its title (redis-server) is relaunched from its service
 * definition on the same port and data directory instead.
 */
export const killRestart = definePreset({
  name: 'kill-restart',
  layer: 'process',
  description: 'the service process is killed (SIGKILL) and restarted the same way at revert',
  params: z.strictObject({ readyTimeoutMs: z.number().int().positive().default(30_000) }),
  async apply(ctx, target, p) {
    const pid = pidOf(ctx, target);
    const definition = services[target];
    if (!definition) throw new FaultError(`kill-restart: unknown service "${target}"`);
    const spec = processSpec(pid) ?? (await relaunchSpec(ctx, target));
    await stopProcessGroup(pid, 'SIGKILL', 0);
    return {
      detail: `pid ${pid} killed`,
      revert: async () => {
        if (ctx.pids[target] !== pid) return; // already restarted
        const state = ctx.stateDir ? readState(ctx.stateDir) : undefined;
        const logFile = state?.services[target]?.process?.logFile ?? '/dev/null';
        const launched = launch(spec, logFile);
        const directUrl = directUrlOf(ctx, definition.envVar);
        const options = ctx.config?.services[target] ?? definition.options.parse({});
        const deadline = Date.now() + p.readyTimeoutMs;
        for (;;) {
          try {
            await definition.probe(directUrl, options);
            break;
          } catch (error) {
            if (!isAlive(launched.pid) || Date.now() > deadline) {
              // Not ready: stop it, so a retried revert does not launch a second one beside an unrecorded first.
              await stopProcessGroup(launched.pid);
              throw new FaultError(`${target} did not come back after kill-restart: ${(error as Error).message} (log: ${logFile})`);
            }
            await sleep(25);
          }
        }
        ctx.pids[target] = launched.pid;
        if (ctx.stateDir) await recordPid(ctx.stateDir, target, launched.pid);
      },
    };
  },
});

/** The process as it was started, from /proc; undefined when its title was rewritten. */
function processSpec(pid: number): LaunchSpec | undefined {
  try {
    const [command, ...args] = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').slice(0, -1);
    if (!command || !existsSync(command) || !readlinkSync(`/proc/${pid}/exe`).endsWith(command.split('/').pop()!)) return undefined;
    const env = Object.fromEntries(
      readFileSync(`/proc/${pid}/environ`, 'utf8')
        .split('\0')
        .filter(Boolean)
        .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
    );
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const uid = Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]);
    const gid = Number(/^Gid:\s+(\d+)/m.exec(status)?.[1]);
    const user = uid !== process.getuid?.() ? { uid, gid } : undefined;
    return { command, args, env, cwd: readlinkSync(`/proc/${pid}/cwd`), user };
  } catch (error) {
    throw new FaultError(`kill-restart needs /proc to restart pid ${pid} the same way (Linux only): ${(error as Error).message}`);
  }
}

/** The service definition's own launch spec on the recorded port and data directory. */
async function relaunchSpec(ctx: FaultContext, target: string): Promise<LaunchSpec> {
  const state = ctx.stateDir ? readState(ctx.stateDir) : undefined;
  const record = state?.services[target];
  if (!ctx.config || !record?.port) throw new FaultError(`kill-restart cannot tell how to restart ${target}: no /proc command line and no environment state`);
  const definition = services[target]!;
  const home = ctx.config.home;
  return definition.prepare(
    { dataDir: record.dataDir, cacheDir: join(home, 'cache'), seed: ctx.seed, tools: new Toolbox(join(home, 'bin')),
      upstreams: Object.fromEntries(Object.values(state!.services).map((s) => [s.name, s.directUrl ?? ''])),
      env: ctx.env,
      rootDir: ctx.config.rootDir,
    },
    ctx.config.services[target] ?? definition.options.parse({}),
    record.port,
  );
}

/** env:down must stop the new process, not look for the dead one. */
async function recordPid(stateDir: string, target: string, pid: number): Promise<void> {
  const release = await acquireLock(stateDir);
  try {
    const state = readState(stateDir);
    const record = state?.services[target]?.process;
    if (!state || !record) return;
    record.pid = pid;
    record.startTime = startTimeOf(pid);
    writeState(stateDir, state);
  } finally {
    release();
  }
}
