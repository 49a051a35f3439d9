import { z } from 'zod';
import { definePreset, environmentOf, serviceTarget } from '../fault.ts';

/**
 * The service crashes (SIGKILL, or docker kill: no clean shutdown) at apply and is
 * started again at revert exactly as it was, on the same port and data, then probed
 * until ready.
 */
export default definePreset({
  name: 'kill-restart',
  layer: 'process',
  exclusive: 'process',
  description: 'the service is killed (SIGKILL) and started again the same way at revert',
  params: z.strictObject({}),
  validate: serviceTarget,
  async apply(ctx, target) {
    const environment = environmentOf(ctx, 'kill-restart');
    await environment.stopService(target, { kill: true });
    let started = false;
    return {
      detail: `${target} killed`,
      revert: async () => {
        if (started) return;
        await environment.startService(target);
        started = true;
      },
    };
  },
});
