import { join } from 'node:path';
import { discover, discoverFolders, type PluginKind } from '../../lib/discover.ts';
import { PACKAGE_ROOT } from '../../lib/files.ts';
import type { ServiceDefinition } from '../service.ts';

const kind: PluginKind<ServiceDefinition> = {
  what: 'service',
  nameOf: (s) => s.name,
  is: (v): v is ServiceDefinition => typeof v === 'object' && v !== null && typeof (v as ServiceDefinition).prepare === 'function' && typeof (v as ServiceDefinition).probe === 'function',
};

/**
 * Every service Faultline can start by name: one file each in this folder (postgres,
 * redis, anvil, ...) and one `service.ts` per simulated third party in mocks/<name>/.
 * A team's own app is not here: it is declared in faultline.config.ts (see env/command.ts).
 */
export const services: Record<string, ServiceDefinition> = {
  ...(await discover(import.meta.url, kind)),
  ...(await discoverFolders(join(PACKAGE_ROOT, 'mocks'), 'service', kind)),
};
