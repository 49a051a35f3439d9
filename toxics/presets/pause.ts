import { z } from 'zod';
import { definePreset, environmentOf, serviceTarget } from '../fault.ts';

/**
 * The service freezes: connections stay open, nothing answers, until it thaws (SIGSTOP /
 * SIGCONT to its process group, or docker pause / unpause, the cgroup freezer).
 */
export default definePreset({
  name: 'pause',
  layer: 'process',
  exclusive: 'process',
  description: 'the service is frozen (SIGSTOP, or docker pause for a container), then resumed',
  params: z.strictObject({}),
  validate: serviceTarget,
  async apply(ctx, target) {
    const environment = environmentOf(ctx, 'pause');
    await environment.pause(target);
    const { containerId, pid } = environment.services[target] ?? {};
    return { detail: containerId ? `container ${containerId.slice(0, 12)} paused` : `pid ${pid} stopped`, revert: () => environment.resume(target) };
  },
});
