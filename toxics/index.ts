import { discover, type PluginKind } from '../lib/discover.ts';
import type { FaultPreset } from './fault.ts';

export * from './fault.ts';

const kind: PluginKind<FaultPreset> = {
  what: 'fault preset',
  nameOf: (p) => p.name,
  is: (v): v is FaultPreset => typeof v === 'object' && v !== null && typeof (v as FaultPreset).apply === 'function' && typeof (v as FaultPreset).layer === 'string',
};

/** Every fault preset, by the name a timeline uses (`fault: latency`): one file each in toxics/presets/. */
export const presets: Record<string, FaultPreset> = await discover(new URL('./presets/', import.meta.url), kind);
