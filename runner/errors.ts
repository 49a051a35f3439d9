import { ConfigInvalidError, FaultlineError } from '../env/errors.ts';
import { commandHint } from '../lib/hints.ts';

/** A scenario (or timeline) file failed validation: file, dotted field path, what was expected. Exit code 2. */
export class ScenarioInvalidError extends ConfigInvalidError {}

/** The load would leave this machine and nobody said that was fine. Exit code 2. */
export class RemoteTargetRefusedError extends FaultlineError {
  constructor(readonly target: string) {
    super(
      `Refusing to send load to ${target}: it is not a loopback address. ` +
        `Load goes to 127.0.0.1 / ::1 / localhost only, unless you pass --allow-remote-target (and own that system).`,
    );
  }
}

/** A scenario needs a service the environment does not run. Exit code 2. */
export class ServiceMissingError extends FaultlineError {
  constructor(scenario: string, missing: string[], configFile: string) {
    super(
      `Scenario ${scenario} needs service${missing.length > 1 ? 's' : ''} ${missing.join(', ')}, which ${missing.length > 1 ? 'are' : 'is'} not in the environment. ` +
        `Enable ${missing.length > 1 ? 'them' : 'it'} under \`services\` in ${configFile} (and run \`${commandHint('env down')}\` if an environment with the old config is up).`,
    );
  }
}

/** k6 itself could not run the script (exit codes other than 0 and 99). Exit code 2. */
export class LoadGeneratorError extends FaultlineError {
  constructor(exitCode: number | null, signal: string | null, stderrTail: string) {
    super(
      `k6 failed (${signal ? `signal ${signal}` : `exit code ${exitCode}`}) before it could judge the thresholds.\n` +
        `Last lines of its output:\n${stderrTail
          .split('\n')
          .map((l) => `    ${l}`)
          .join('\n')}`,
    );
  }
}

/** A run stopped by SIGINT/SIGTERM before its load ran; whatever it had started is stopped. Exit code 130. */
export class InterruptedError extends FaultlineError {
  constructor(
    readonly signal: string,
    when: string,
  ) {
    super(`The run was interrupted (${signal}) ${when}; everything it had started was stopped again.`);
  }
}
