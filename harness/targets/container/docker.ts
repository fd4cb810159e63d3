/**
 * The local Docker engine through testcontainers' client (it finds the socket, negotiates the API version and
 * wraps dockerode). No Ryuk reaper — lambdaspec removes its own containers — and the host is 127.0.0.1, since every
 * container shares the host's network.
 */
import { getContainerRuntimeClient, type ContainerRuntimeClient } from 'testcontainers';

/** Label on every container and image lambdaspec makes, so a leak check (`docker ps -a --filter label=lambdaspec=1`) finds them. */
export const LAMBDASPEC_LABEL = 'lambdaspec';

function configureTestcontainers(): void {
  process.env['TESTCONTAINERS_RYUK_DISABLED'] ??= 'true';
  process.env['TESTCONTAINERS_HOST_OVERRIDE'] ??= '127.0.0.1';
}

let client: Promise<ContainerRuntimeClient> | undefined;

/** The engine's client; rejects when there is no engine. */
export function dockerClient(): Promise<ContainerRuntimeClient> {
  configureTestcontainers();
  client ??= getContainerRuntimeClient();
  client.catch(() => {
    client = undefined; // A later call may find an engine started since.
  });
  return client;
}

/** Why no container can run here, or undefined when an engine answers (checked within `timeoutMs`). */
export async function dockerUnavailable(timeoutMs = 10_000): Promise<string | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`no Docker engine answered within ${timeoutMs} ms`), timeoutMs);
  });
  try {
    return await Promise.race([
      dockerClient().then(
        async (c) => {
          await c.container.dockerode.ping();
          return undefined;
        },
        (e: unknown) => `no Docker engine (${firstLine(e)})`,
      ),
      timeout,
    ]);
  } catch (e) {
    return `no Docker engine (${firstLine(e)})`;
  } finally {
    clearTimeout(timer);
  }
}

function firstLine(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return text.split('\n')[0] ?? text;
}

/** Lambda's architecture name for a Docker/OCI one. */
export function lambdaArchitecture(dockerArch: string): 'x86_64' | 'arm64' | undefined {
  if (dockerArch === 'amd64' || dockerArch === 'x86_64') return 'x86_64';
  if (dockerArch === 'arm64' || dockerArch === 'aarch64') return 'arm64';
  return undefined;
}
