import { bandwidth } from './bandwidth.ts';
import { baseFeeSpike } from './base-fee-spike.ts';
import { down } from './down.ts';
import { dropMempool } from './drop-mempool.ts';
import type { FaultPreset } from './fault.ts';
import { http } from './http.ts';
import { killRestart } from './kill-restart.ts';
import { latency } from './latency.ts';
import { limitData } from './limit-data.ts';
import { miningSlow } from './mining-slow.ts';
import { miningStopped } from './mining-stopped.ts';
import { pause } from './pause.ts';
import { reorg } from './reorg.ts';
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
  // http: the mocks' control API
  http,
  // chain: Anvil RPC
  'mining-stopped': miningStopped,
  'mining-slow': miningSlow,
  'drop-mempool': dropMempool,
  reorg,
  'base-fee-spike': baseFeeSpike,
  // process: signals
  pause,
  'kill-restart': killRestart,
};
