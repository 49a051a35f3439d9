import { createHash, randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { Socket } from 'node:net';
import { resolve } from 'node:path';
import { type ContainerRuntimeClient, GenericContainer, getContainerRuntimeClient, ImageName, type WaitStrategy } from 'testcontainers';
import type { ResolvedConfig } from '../config.ts';
import { DockerUnavailableError, FaultlineError } from '../errors.ts';
import { claimPort, HOST } from '../ports.ts';
import type { ContainerSpec } from '../service.ts';
import { localRuntime } from './local.ts';
import type { Runtime, StartedUnit } from './runtime.ts';
import type { ServiceRecord } from '../state.ts';

/** Every container and network of an environment carries `faultline.env=<id>`, so env:down finds them all, whoever started them. */
export const ENV_LABEL = 'faultline.env';
/** Where a local process (a mock) is reached from inside the container network. */
const HOST_GATEWAY = 'host.docker.internal';

/** The id in an environment's label: a hash of its state directory, the same from every process. */
export function environmentId(stateDir: string): string {
  return createHash('sha256').update(resolve(stateDir)).digest('hex').slice(0, 12);
}

/** The env var that overrides a service's image, e.g. FAULTLINE_POSTGRES_IMAGE. */
const imageEnvVar = (service: string) => `FAULTLINE_${service.toUpperCase().replace(/-/g, '_')}_IMAGE`;

/** The image for a service: `FAULTLINE_<NAME>_IMAGE`, else the config's `containers.images.<name>`, else the official default. */
export function imageFor(service: string, defaultImage: string, config: Pick<ResolvedConfig, 'containers'>): string {
  return process.env[imageEnvVar(service)] || config.containers.images[service] || defaultImage;
}

/** True if a Docker engine answers within `timeoutMs` (what `runtime: 'auto'` asks). */
export async function dockerAnswers(timeoutMs = 5000): Promise<boolean> {
  return connect(timeoutMs).then(
    () => true,
    () => false,
  );
}

/**
 * The containers runtime: Postgres, Redis, Anvil and Toxiproxy as Docker containers on
 * one user-defined network, started through testcontainers. Toxiproxy dials the others
 * by container name; every published port binds to 127.0.0.1. Services without
 * container facts (the mocks) stay local processes.
 *
 * Local processes listen on 127.0.0.1, which a container on a bridge network cannot
 * reach. So when the environment has any, and the engine runs on this machine's Linux
 * kernel, Toxiproxy's container shares the host's network instead: it listens on
 * 127.0.0.1 and dials local processes and the containers' published ports there. On
 * Docker Desktop it stays on the bridge and reaches local processes through
 * host.docker.internal, which Desktop forwards to the host's loopback.
 *
 * Containers outlive the process that started them, like the local runtime's detached
 * processes: they are started as testcontainers "reusable" containers, which Ryuk
 * leaves alone; env:down removes them by label.
 */
export function containersRuntime(config: ResolvedConfig): Runtime {
  const id = environmentId(config.stateDir);
  const network = `faultline-${id}`;
  const labels = { [ENV_LABEL]: id, 'faultline.start': randomUUID() };
  const proxyPorts = new Map<string, number>();
  let networkReady: Promise<void> | undefined;
  let hostNetwork: Promise<boolean> | undefined;
  const hasLocalServices = Object.values(config.definitions).some((definition) => !definition.container);

  return {
    name: 'containers',

    describe: () => ({ containers: { label: `${ENV_LABEL}=${id}`, network } }),

    async start(request) {
      const { definition, options, ctx, logFile, proxies = [], signal } = request;
      const spec = definition.container?.(ctx, options);
      if (!spec) {
        // A local process: Toxiproxy reaches it on 127.0.0.1 (host network) or through Docker Desktop's host gateway.
        const unit = await localRuntime.start(request);
        const client = await connect();
        const shareHostNetwork = await (hostNetwork ??= engineOnThisKernel(client));
        return shareHostNetwork ? unit : { ...unit, upstream: `${HOST_GATEWAY}:${unit.port}` };
      }
      const client = await connect();
      const shareHostNetwork = await (hostNetwork ??= hasLocalServices ? engineOnThisKernel(client) : Promise.resolve(false));
      // First start: clear leftovers of this environment (the lock says nobody else owns them), then make the network.
      await (networkReady ??= removeByLabel(client, id).then(() => createNetwork(client, network, id)));
      signal?.throwIfAborted();
      const image = imageFor(definition.name, spec.image, config);
      const name = `${network}-${definition.name}`;
      const containerLabels = { ...labels, 'faultline.service': definition.name };
      if (shareHostNetwork && request.proxies && spec.hostNetworkArgs) {
        // Toxiproxy on the host's network: 127.0.0.1 only, proxies claimed one by one like the local runtime.
        const port = await claimPort(definition.name, options.port);
        const hostSpec = { ...spec, port, command: [...(spec.command ?? []), ...spec.hostNetworkArgs(HOST, port)] };
        return startContainer(client, { spec: hostSpec, image, name, network: 'host', labels: containerLabels, published: [], logFile, gateway: false, hostNetwork: true }).catch(
          async (error) => {
            throw await describeFailure(client, error, definition.name, image);
          },
        );
      }
      for (let attempt = 1; ; attempt++) {
        // Toxiproxy listens inside its container on the same port number apps use on the host.
        const published = await Promise.all(proxies.map(async (proxy) => [proxy, await claimPort(`${proxy} proxy`)] as const));
        try {
          // The service's own port is pinned too (not left to Docker): `docker start` after a kill keeps pinned ports, not ephemeral ones.
          const hostPort = await claimPort(definition.name, options.port);
          const unit = await startContainer(client, { spec, image, name, network, labels: containerLabels, hostPort, published: published.map(([, p]) => p), logFile, gateway: request.proxies !== undefined });
          for (const [proxy, port] of published) proxyPorts.set(proxy, port);
          // A Toxiproxy on the host's network reaches this container at its published port.
          return shareHostNetwork ? { ...unit, upstream: `${HOST}:${unit.port}` } : unit;
        } catch (error) {
          // A free port taken between our check and Docker's bind: try fresh ones.
          if (attempt >= 3 || !/port is already allocated|address already in use/i.test(String(error))) throw await describeFailure(client, error, definition.name, image);
          await client.container.dockerode.getContainer(name).remove({ force: true }).catch(() => {});
        }
      }
    },

    async proxyAddress(proxy) {
      if (await hostNetwork) return localRuntime.proxyAddress(proxy);
      const port = proxyPorts.get(proxy);
      if (port === undefined) throw new FaultlineError(`No port was published for the Toxiproxy proxy "${proxy}": it must be named when Toxiproxy starts.`);
      return { listen: `0.0.0.0:${port}`, port };
    },

    async isAlive(record) {
      if (record.process) return localRuntime.isAlive(record);
      if (!record.container) return false;
      const client = await connect().catch(() => undefined);
      if (!client) return false;
      const info = await client.container.dockerode
        .getContainer(record.container.id)
        .inspect()
        .catch(() => undefined);
      return info?.State.Running === true;
    },

    async stop(record, { kill }) {
      if (record.process) return localRuntime.stop(record, { kill });
      const container = await containerOf(record);
      await (kill ? container.kill() : container.stop({ t: 10 })).catch(ignoreNotRunning);
    },

    async relaunch(record) {
      if (record.process) return localRuntime.relaunch(record);
      const container = await containerOf(record);
      const info = await container.inspect();
      await (info.State.Running ? container.restart({ t: 10 }) : container.start());
      const logFile = record.container!.logFile;
      const saveLogs = async () => {
        const logs = await container.logs({ stdout: true, stderr: true, follow: false }).catch(() => undefined);
        if (logs) writeFileSync(logFile, demux(logs));
      };
      return {
        port: record.port!,
        upstream: `${record.container!.name}:${info.Config.ExposedPorts ? Object.keys(info.Config.ExposedPorts)[0]!.split('/')[0] : record.port}`,
        record: { container: record.container },
        exited: watchExit(container, saveLogs),
        kill: async () => void (await container.kill().catch(ignoreNotRunning)),
        readyTimeoutMs: 60_000,
      };
    },

    async pause(record) {
      if (record.process) return localRuntime.pause(record);
      await (await containerOf(record)).pause();
    },

    async resume(record) {
      if (record.process) return localRuntime.resume(record);
      await (await containerOf(record)).unpause().catch((error: Error) => {
        if (!/not paused/i.test(error.message)) throw error;
      });
    },

    async teardown(state) {
      await localRuntime.teardown(state); // the mocks, if any
      const stateId = state.containers?.label.split('=')[1] ?? id;
      const client = await connect();
      await Promise.all([removeByLabel(client, stateId), askRyuk(client, stateId)]);
    },
  };
}

async function containerOf(record: ServiceRecord) {
  if (!record.container) throw new FaultlineError(`${record.name} has no container recorded in env.json`);
  return (await connect()).container.dockerode.getContainer(record.container.id);
}

function ignoreNotRunning(error: { statusCode?: number }): void {
  // 304: already stopped; 409: not running.
  if (error.statusCode !== 304 && error.statusCode !== 409) throw error;
}

interface ContainerRequest {
  spec: ContainerSpec;
  image: string;
  name: string;
  network: string;
  labels: Record<string, string>;
  /** A pinned host port for the service itself (the service's `port` option). */
  hostPort?: number;
  /** Extra ports published 1:1 (Toxiproxy's proxies). */
  published: number[];
  logFile: string;
  gateway: boolean;
  /** Shares the host's network: no published ports, `spec.port` is already a host port. */
  hostNetwork?: boolean;
}

async function startContainer(client: ContainerRuntimeClient, request: ContainerRequest): Promise<StartedUnit> {
  const { spec, image, name, network, labels, hostPort, published, logFile } = request;
  const container = new LoopbackContainer(image)
    .withName(name)
    .withLabels(labels)
    .withNetworkMode(network)
    .withEnvironment(spec.env ?? {})
    // Readiness is the service's own probe, run by the environment; testcontainers need not wait.
    .withWaitStrategy(noWait)
    // Reusable containers are not reaped by Ryuk when this process exits: an environment outlives env:up.
    .withReuse();
  if (!request.hostNetwork) {
    container.withExposedPorts(hostPort ? { container: spec.port, host: hostPort } : spec.port, ...published.map((p) => ({ container: p, host: p })));
  }
  if (spec.entrypoint) container.withEntrypoint(spec.entrypoint);
  if (spec.command) container.withCommand(spec.command);
  if (request.gateway) container.withExtraHosts([{ host: HOST_GATEWAY, ipAddress: 'host-gateway' }]);
  const started = await container.start();
  const id = started.getId();
  const handle = client.container.dockerode.getContainer(id);
  const saveLogs = async () => {
    const logs = await handle.logs({ stdout: true, stderr: true, follow: false }).catch(() => undefined);
    if (logs) writeFileSync(logFile, demux(logs));
  };
  return {
    port: request.hostNetwork ? spec.port : started.getMappedPort(spec.port),
    upstream: `${name}:${spec.port}`,
    record: { container: { id, name, image, logFile } },
    exited: watchExit(handle, saveLogs),
    kill: async () => {
      await saveLogs();
      await handle.remove({ force: true }).catch(() => {});
    },
    readyTimeoutMs: spec.readyTimeoutMs ?? 30_000,
  };
}

/** testcontainers publishes on every interface; Faultline binds to 127.0.0.1 only. */
class LoopbackContainer extends GenericContainer {
  protected override async beforeContainerCreated(): Promise<void> {
    for (const bindings of Object.values(this.hostConfig.PortBindings ?? {}) as Array<Array<{ HostIp?: string }>>) {
      for (const binding of bindings) binding.HostIp = HOST;
    }
  }
}

const noWait: WaitStrategy = {
  waitUntilReady: async () => {},
  withStartupTimeout() {
    return this;
  },
  isStartupTimeoutSet: () => false,
  getStartupTimeout: () => 0,
};

/**
 * Settles when the container stops running (polled, with an unref'd timer, so a
 * finished env:up is not kept alive by a watch), after saving its logs.
 */
function watchExit(handle: ReturnType<ContainerRuntimeClient['container']['dockerode']['getContainer']>, saveLogs: () => Promise<void>) {
  return new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolvePromise) => {
    const poll = async () => {
      const info = await handle.inspect().catch(() => undefined);
      if (info && info.State.Running) {
        setTimeout(poll, 200).unref();
        return;
      }
      await saveLogs();
      resolvePromise({ code: info?.State.ExitCode ?? null, signal: null });
    };
    setTimeout(poll, 200).unref();
  });
}

/** Docker's log stream multiplexes stdout and stderr in 8-byte-header frames (no TTY). */
function demux(buffer: Buffer): string {
  const chunks: Buffer[] = [];
  let offset = 0;
  while (offset + 8 <= buffer.length) {
    const size = buffer.readUInt32BE(offset + 4);
    chunks.push(buffer.subarray(offset + 8, offset + 8 + size));
    offset += 8 + size;
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * True when Toxiproxy should share the host's network: the engine runs containers on this
 * Linux kernel, not in Docker Desktop's VM. testcontainers' own idea of "local" is no
 * guide: it reports the bridge gateway whenever /.dockerenv exists, also for a dockerd
 * started inside this very container (a CI sandbox).
 */
async function engineOnThisKernel(client: ContainerRuntimeClient): Promise<boolean> {
  const info = (await client.container.dockerode.info().catch(() => undefined)) as { OperatingSystem?: string } | undefined;
  return !!info && sharesHostNetwork(process.platform, info.OperatingSystem);
}

/**
 * Local processes listen on 127.0.0.1. On Linux, a container on the host's network
 * reaches them there, and nothing on a bridge does (host.docker.internal is the bridge
 * gateway, not loopback); on Docker Desktop it is the other way round.
 */
export function sharesHostNetwork(platform: NodeJS.Platform, engineOperatingSystem: string | undefined): boolean {
  return platform === 'linux' && !/docker desktop/i.test(engineOperatingSystem ?? '');
}

async function createNetwork(client: ContainerRuntimeClient, name: string, id: string): Promise<void> {
  await client.network.create({ Name: name, CheckDuplicate: true, Driver: 'bridge', Labels: { [ENV_LABEL]: id } });
}

/** Removes every container, then every network, labelled with this environment's id. */
export async function removeByLabel(client: ContainerRuntimeClient, id: string): Promise<void> {
  const docker = client.container.dockerode;
  const filters = { label: [`${ENV_LABEL}=${id}`] };
  const containers = await docker.listContainers({ all: true, filters });
  await Promise.all(containers.map((c) => docker.getContainer(c.Id).remove({ force: true, v: true }).catch(ignoreGone)));
  const networks = await docker.listNetworks({ filters });
  await Promise.all(networks.map((n) => docker.getNetwork(n.Id).remove().catch(ignoreGone)));
}

function ignoreGone(error: { statusCode?: number }): void {
  // 404: already gone; 409: removal already in progress.
  if (error.statusCode !== 404 && error.statusCode !== 409) throw error;
}

/**
 * When a testcontainers Ryuk is running, hand it the environment's label as well: it
 * removes whatever still carries it (a container a killed env:up was creating while we
 * cleaned up) once our connection closes. Without Ryuk, removeByLabel is all there is.
 */
async function askRyuk(client: ContainerRuntimeClient, id: string): Promise<void> {
  const ryuk = (await client.container.list().catch(() => [])).find((c) => c.State === 'running' && c.Labels['org.testcontainers.ryuk'] === 'true');
  const port = ryuk?.Ports.find((p) => p.PrivatePort === 8080)?.PublicPort;
  if (!port) return;
  await new Promise<void>((resolvePromise) => {
    const socket = new Socket();
    const done = () => {
      socket.destroy();
      resolvePromise();
    };
    socket.setTimeout(2000, done).once('error', done).once('data', done);
    socket.connect(port, client.info.containerRuntime.host, () => socket.write(`label=${ENV_LABEL}=${id}\n`));
  });
}

/** The Docker engine testcontainers finds, or DockerUnavailableError when none answers within `timeoutMs`. */
export async function connect(timeoutMs = 15_000): Promise<ContainerRuntimeClient> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DockerUnavailableError(`no answer within ${timeoutMs} ms`)), timeoutMs);
    timer.unref();
  });
  try {
    return await Promise.race([
      getContainerRuntimeClient().catch((error: Error) => {
        throw new DockerUnavailableError(error.message.split('\n')[0]!, { cause: error });
      }),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

async function describeFailure(client: ContainerRuntimeClient, error: unknown, service: string, image: string): Promise<Error> {
  if (error instanceof FaultlineError) return error;
  const message = (error as Error).message ?? String(error);
  const present = await client.image.exists(ImageName.fromString(image)).catch(() => true);
  if (!present) {
    return new FaultlineError(
      `${service}: the image ${image} is not on this machine and could not be pulled (${message.split('\n')[0]}). ` +
        `Pull it (docker pull ${image}), or point ${imageEnvVar(service)} / containers.images.${service} at an image you have.`,
      { cause: error },
    );
  }
  return new FaultlineError(`${service}: could not start a container from ${image}: ${message.split('\n')[0]}`, { cause: error });
}
