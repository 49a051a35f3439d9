import { discover, type PluginKind } from '../../../lib/discover.ts';
import type { ProbeSource } from '../source.ts';

const kind: PluginKind<ProbeSource> = {
  what: 'probe source',
  nameOf: (s) => s.name,
  is: (v): v is ProbeSource => typeof v === 'object' && v !== null && typeof (v as ProbeSource).plan === 'function' && typeof (v as ProbeSource).name === 'string',
};

/** Every probe source, one file each in this folder (process, postgres, redis, bullmq, prometheus, mocks). */
export default await discover(import.meta.url, kind);
