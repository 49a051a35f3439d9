import { FaultlineError, indent } from '../lib/errors.ts';
import { commandHint } from '../lib/hints.ts';

/**
 * Errors raised while bringing the environment up or down. Each class is named for
 * the condition; each message says what failed, why, and what to do about it.
 */
export { ConfigInvalidError, FaultlineError } from '../lib/errors.ts';


/** A pinned port is taken by another process. */
export class PortInUseError extends FaultlineError {
  constructor(
    readonly service: string,
    readonly port: number,
    configFile = 'faultline.config.ts',
  ) {
    super(
      `${service}: port 127.0.0.1:${port} is already in use. ` +
        `Stop whatever listens there (ss -ltnp 'sport = :${port}') or remove the pinned port from ${configFile}.`,
    );
  }
}

/** A tool binary is missing and could not be provisioned. */
export class ToolMissingError extends FaultlineError {
  constructor(
    readonly tool: string,
    howToInstall: string[],
  ) {
    super(`${tool} was not found. Install it with one of:\n${howToInstall.map((h) => `  ${h}`).join('\n')}`);
  }
}

/** A service's process exited before it became ready. */
export class ServiceCrashedError extends FaultlineError {
  constructor(
    readonly service: string,
    exitCode: number | null,
    signal: string | null,
    readonly logTail: string,
    logFile: string,
  ) {
    super(
      `${service} exited during start-up (${signal ? `signal ${signal}` : `exit code ${exitCode}`}).\n` +
        `Last lines of ${logFile}:\n${indent(logTail)}`,
    );
  }
}

/** A service did not answer its readiness probe in time. */
export class HealthCheckTimeoutError extends FaultlineError {
  constructor(
    readonly service: string,
    timeoutMs: number,
    lastError: string,
    readonly logTail: string,
    logFile: string,
    hint?: string,
  ) {
    super(
      `${service} did not become ready within ${timeoutMs} ms (last probe: ${lastError}).${hint ? ` ${hint}` : ''}\n` +
        `Last lines of ${logFile}:\n${indent(logTail || '(empty)')}`,
    );
  }
}

/** Another faultline process holds the environment lock for too long. */
export class EnvironmentLockedError extends FaultlineError {
  constructor(lockFile: string, holderPid: number) {
    super(
      `Another faultline process (pid ${holderPid}) is starting or stopping the environment (${lockFile}). ` +
        `Wait for it, or run \`${commandHint('env down')}\` if that process is gone.`,
    );
  }
}


/** The containers runtime was chosen but no Docker engine answered. */
export class DockerUnavailableError extends FaultlineError {
  constructor(reason: string, options?: ErrorOptions) {
    super(
      `The containers runtime needs a Docker engine, and none answered (${reason}). ` +
        'Start Docker Desktop, or on Linux the docker service (`sudo systemctl start docker`; check with `docker info`; ' +
        'DOCKER_HOST selects another engine). Or use the local runtime: `runtime: "local"` in faultline.config.ts, or `--runtime local`.',
      options,
    );
  }
}
