import type { ResolvedConfig } from './config.ts';
import { waitUntilReady } from './bring-up.ts';
import { FaultlineError } from './errors.ts';
import { runtimeNamed } from './runtimes/index.ts';
import { acquireLock, readState, type ServiceRecord, writeState } from './state.ts';

/**
 * One service of a running environment through its lifecycle, from any process (the
 * runner, a test, a fault): stop it hard, start it again exactly as it was, restart it,
 * freeze and thaw it. Each call records the change in env.json under the environment's
 * lock, so env:down and env:status see what is true now. testcontainers'
 * StartedTestContainer has the same verbs.
 */
export class ServiceLifecycle {
  constructor(private readonly config: ResolvedConfig) {}

  /** Stops the service: `kill` is SIGKILL (a crash, no clean shutdown), else its clean stop signal. `start` brings it back. */
  async stop(name: string, options: { kill?: boolean } = {}): Promise<void> {
    await this.change(name, async (record, runtime) => {
      await runtime.stop(record, options);
      record.stopped = true;
      record.paused = false;
    });
  }

  /** Starts a stopped service again with the same command, port and data, and waits until it answers its probe. */
  async start(name: string, options: { signal?: AbortSignal } = {}): Promise<void> {
    await this.change(name, async (record, runtime) => {
      const unit = await runtime.relaunch(record);
      Object.assign(record, unit.record);
      record.stopped = false;
      record.paused = false;
      const definition = this.config.definitions[name];
      if (definition) record.version = await waitUntilReady(definition, this.config.services[name], record, unit, options.signal);
    });
  }

  /** Stops the service cleanly and starts it again; ready when this resolves. */
  async restart(name: string, options: { signal?: AbortSignal } = {}): Promise<void> {
    await this.stop(name);
    await this.start(name, options);
  }

  /** Freezes the service: its connections stay open and nothing answers until `resume`. */
  async pause(name: string): Promise<void> {
    await this.change(name, async (record, runtime) => {
      await runtime.pause(record);
      record.paused = true;
    });
  }

  async resume(name: string): Promise<void> {
    await this.change(name, async (record, runtime) => {
      await runtime.resume(record);
      record.paused = false;
    });
  }

  private async change(name: string, act: (record: ServiceRecord, runtime: Awaited<ReturnType<typeof runtimeNamed>>) => Promise<void>): Promise<void> {
    const release = await acquireLock(this.config.stateDir);
    try {
      const state = readState(this.config.stateDir);
      const record = state?.services[name];
      if (!state || !record) {
        throw new FaultlineError(`No service "${name}" is running in ${this.config.stateDir}${state ? `; it runs ${Object.keys(state.services).join(', ')}` : ''}.`);
      }
      if (record.external) {
        throw new FaultlineError(`${name} is a service you run (external): Faultline cannot stop, start or pause it. Network faults (down, latency, timeout) reach it through its proxy.`);
      }
      try {
        await act(record, await runtimeNamed(state.runtime, this.config));
      } finally {
        writeState(this.config.stateDir, state);
      }
    } finally {
      release();
    }
  }
}
