import { bandwidth } from './bandwidth.ts';
import { down } from './down.ts';
import type { FaultPreset } from './fault.ts';
import { latency } from './latency.ts';
import { limitData } from './limit-data.ts';
import { resetPeer } from './reset-peer.ts';
import { slicer } from './slicer.ts';
import { slowClose } from './slow-close.ts';
import { timeout } from './timeout.ts';

export * from './fault.ts';

/** Every fault preset, by the name a timeline uses (`fault: latency`). */
export const presets: Record<string, FaultPreset> = {
  // network: Toxiproxy
  latency,
  bandwidth,
  timeout,
  'reset-peer': resetPeer,
  'slow-close': slowClose,
  slicer,
  'limit-data': limitData,
  down,
};
