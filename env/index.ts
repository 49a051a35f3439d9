// Faultline's library API: bring an environment up from your own test suite.
export { defineConfig, loadConfig, resolveConfig, type FaultlineConfig, type ResolvedConfig } from './config.ts';
export { startEnvironment, stopEnvironment, environmentStatus, type Environment, type StartedService } from './environment.ts';
export * from './errors.ts';
export { defineService, type ServiceDefinition, type LaunchSpec } from './service.ts';
