import { z } from 'zod';
import { definePreset } from './fault.ts';
import { pidOf, signalGroup } from './process-signals.ts';

/** The service freezes (SIGSTOP): connections stay open, nothing answers, until SIGCONT. */
export const pause = definePreset({
  name: 'pause',
  layer: 'process',
  description: 'the service process is frozen (SIGSTOP), then resumed (SIGCONT)',
  params: z.strictObject({}),
  async apply(ctx, target) {
    const pid = pidOf(ctx, target);
    signalGroup(pid, 'SIGSTOP');
    return { detail: `pid ${pid} stopped`, revert: async () => signalGroup(pid, 'SIGCONT') };
  },
});
