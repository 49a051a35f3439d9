import { z } from 'zod';
import { definePreset } from './fault.ts';
import { pidOf, signalGroup } from './process-signals.ts';

/**
 * The service freezes: connections stay open, nothing answers, until it thaws. A process
 * group gets SIGSTOP / SIGCONT; a container is paused / unpaused, which the cgroup freezer
 * does the same way to every process in it.
 */
export const pause = definePreset({
  name: 'pause',
  layer: 'process',
  description: 'the service process is frozen (SIGSTOP, or docker pause for a container), then resumed',
  params: z.strictObject({}),
  async apply(ctx, target) {
    const containerId = ctx.containers?.[target];
    if (containerId) {
      const container = await dockerContainer(containerId);
      await container.pause();
      return {
        detail: `container ${containerId.slice(0, 12)} paused`,
        revert: () => container.unpause().catch((error: Error) => {
          if (!/not paused/i.test(error.message)) throw error; // a second revert
        }),
      };
    }
    const pid = pidOf(ctx, target);
    signalGroup(pid, 'SIGSTOP');
    return { detail: `pid ${pid} stopped`, revert: async () => signalGroup(pid, 'SIGCONT') };
  },
});

/** The Docker container, through the containers runtime's connection (loaded only when a container is paused). */
async function dockerContainer(id: string) {
  const { connect } = await import('../env/runtimes/containers.ts');
  return (await connect()).container.dockerode.getContainer(id);
}
