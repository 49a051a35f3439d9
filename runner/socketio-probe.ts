import type { K6Plan } from './k6-driver.ts';
import type { Scenario } from './scenario.ts';

/** Engine.IO 4's open packet over polling: `0{"sid":"…","upgrades":["websocket"],"pingInterval":…}`. */
const OPEN_PACKET = /^0\{"sid":"[^"]+"/;

/** Why `url` is not a Socket.IO (Engine.IO 4) server, or undefined when it is. */
export async function notSocketIo(url: string, path = '/socket.io/'): Promise<string | undefined> {
  const probe = `${url.replace(/^ws/, 'http').replace(/\/+$/, '')}${path}?EIO=4&transport=polling`;
  try {
    const response = await fetch(probe, { signal: AbortSignal.timeout(3000) });
    const body = (await response.text()).trim();
    if (response.ok && OPEN_PACKET.test(body)) return undefined;
    return `GET ${path}?EIO=4&transport=polling answered ${response.status} ${body.slice(0, 80) || '(empty)'}, not an Engine.IO 4 open packet (0{"sid":…})`;
  } catch (error) {
    return `GET ${path}?EIO=4&transport=polling failed: ${(error as Error).message}`;
  }
}

/**
 * A script that speaks Socket.IO checks, before the load, that every URL its groups connect
 * to answers the Engine.IO 4 handshake: "dotted.field: why" lines naming where the URL came
 * from (a group's `targets.N`, or the run's `target`).
 */
export async function socketIoProblems(scenario: Scenario, groups: K6Plan['groups'], target: string, targetFlag: boolean): Promise<string[]> {
  const sources = new Map<string, string>();
  for (const [name, group] of Object.entries(groups)) {
    const written = scenario.load.groups?.[name]?.targets;
    group.targets.forEach((url, i) => {
      if (!sources.has(url)) sources.set(url, written && url !== target ? `load.groups.${name}.targets.${i} (${written[i] ?? url} → ${url})` : targetFlag ? `--target ${url}` : `target (${url})`);
    });
  }
  const problems: string[] = [];
  for (const [url, source] of sources) {
    const why = await notSocketIo(url);
    if (why) problems.push(`${source}: the script speaks Socket.IO, but ${url} is not a Socket.IO server: ${why}. Is this the app's URL (and its Socket.IO path)?`);
  }
  return problems;
}
