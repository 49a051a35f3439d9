// faultline: the public API. A config, a scenario and a test suite import from here:
//   import { defineConfig, defineScenario, startEnvironment, runScenario } from 'faultline';
// (k6 scripts import 'faultline/k6'; the mocks' msw handlers are 'faultline/mocks/<name>'.)

// The environment: config, start/stop, services.
export { defineConfig, loadConfig, resolveConfig, type FaultlineConfig, type ResolvedConfig } from './env/config.ts';
export { startEnvironment, stopEnvironment, environmentStatus, type Environment, type StartedService, type StartOptions } from './env/environment.ts';
export { defineService, type ServiceDefinition, type ServiceEndpoint, type LaunchSpec, type ContainerSpec } from './env/service.ts';
export { commandOptionsSchema, type CommandOptions, type EndpointMap } from './env/command.ts';

// Scenarios and runs.
export { defineScenario, loadScenario, resolveScenario, type ScenarioDefinition, type Scenario, type Invariant, type InvariantContext, type FaultEntry } from './runner/scenario.ts';
export { runScenario, type RunOptions, type RunOutcome } from './runner/run.ts';
export type { RunResult } from './runner/result.ts';
export { runSignOff, type SignOffOptions, type SignOffOutcome } from './runner/sign-off.ts';
export type { SignOffPack, SignOffRow } from './runner/sign-off/types.ts';

// Beyond one machine: a k6-operator TestRun, and the verdict of its pods' results.
export { exportK8s, type K8sExportOptions } from './runner/export/k8s.ts';
export { analyseResults, type AnalyseOptions } from './runner/analyse.ts';
export { readPlanFile, type DistributedPlan } from './runner/export/plan-file.ts';

// Faults: the presets by name, and how to write one.
export { presets, definePreset, faultContextOf, type FaultPreset, type FaultContext, type AppliedFault, type FaultLayer } from './toxics/index.ts';

// The mocks' control API, from a test or a script.
export { MockControl, MockControlError, type FaultSpec } from './mocks/control/client.ts';

// Every error Faultline raises on purpose.
export { FaultlineError, ConfigInvalidError } from './lib/errors.ts';
export { PortInUseError, ToolMissingError, ServiceCrashedError, HealthCheckTimeoutError, EnvironmentLockedError, DockerUnavailableError } from './env/errors.ts';
export { ScenarioInvalidError, RemoteTargetRefusedError, ServiceMissingError, LoadGeneratorError, InterruptedError } from './runner/errors.ts';
export { FaultError } from './toxics/fault.ts';
