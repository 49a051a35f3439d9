import { FaultlineError } from '../lib/errors.ts';
import type { Scenario } from './scenario.ts';
import { isLoopback } from './target.ts';

/**
 * A scenario's faults against a target on another machine: they break this machine's
 * proxies and mocks, which that target does not use. Exit code 2.
 */
export class RemoteFaultsRefusedError extends FaultlineError {
  constructor(scenario: Scenario, target: string) {
    super(
      `Scenario ${scenario.name} plays ${scenario.faults.length} fault(s) (${scenario.faults.map((f) => f.name).join(', ')}), and the load goes to ${target}, which is not on this machine. ` +
        "Faults act on this machine's Toxiproxy proxies, mocks and processes; a deployed app's dependencies are not behind them, so its verdict would say nothing about its mitigations. " +
        'Pass --no-faults to run the load and its thresholds only, or, if that app really reaches its dependencies through this machine (its URLs point at the proxies here), --dependencies-proxied-here.',
    );
  }
}

export interface RemoteFaultOptions {
  /** `--no-faults`: the scenario's load, phases and thresholds, without its faults. */
  skipFaults?: boolean;
  /** `--dependencies-proxied-here`: the remote target's dependencies go through this machine's proxies, so its faults reach them. */
  dependenciesProxied?: boolean;
}

/** The scenario as it runs against `target`: its faults dropped with --no-faults, refused for a remote target unless its dependencies are proxied here. */
export function faultsForTarget(scenario: Scenario, target: string | undefined, options: RemoteFaultOptions): Scenario {
  if (options.skipFaults) return { ...scenario, faults: [] };
  if (target && !isLoopback(target) && scenario.faults.length > 0 && !options.dependenciesProxied) throw new RemoteFaultsRefusedError(scenario, target);
  return scenario;
}
