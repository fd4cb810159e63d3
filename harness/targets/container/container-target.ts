/**
 * The container target: each runtime process is a container on the local Docker engine. A bundled runtime runs in
 * the image `lambdaspec image` builds for it (built or reused by prepare()); `imageTarget(name)` runs a user's own
 * image with its ENTRYPOINT and CMD, as Lambda runs a container-image function.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FunctionConfig } from '../../model/invocation.ts';
import type { ResolvedRuntime } from '../../runtime-definition/resolve-runtime.ts';
import { UserError } from '../../lib/user-error.ts';
import { checkBootstrap, type BootstrapCheckOptions, type BootstrapProblem } from '../../process/bootstrap-check.ts';
import type { Architecture } from '../../process/elf.ts';
import type { PreparedTarget, Target } from '../common/target.ts';
import { bundledBootstrapInside, containerLauncher, TmpDirs } from './container-launcher.ts';
import { dockerClient, dockerUnavailable, lambdaArchitecture } from './docker.ts';
import { buildRuntimeImage } from './image-builder.ts';

function prepared(tmp: TmpDirs, environment: PreparedTarget['environment']): PreparedTarget {
  return {
    // Lambda's PATH only: the host's entries mean nothing inside the image.
    environment: { hostPath: '', ...environment },
    // Images stay: they are the build cache (tagged by content hash). Only the /tmp folders go.
    close: async () => tmp.removeAll(),
  };
}

export const containerTarget: Target = {
  name: 'container',
  unavailable: () => dockerUnavailable(),
  async prepare(runtime, opts) {
    const image = await buildRuntimeImage(runtime);
    const tmp = new TmpDirs();
    // The bootstrap in the image is the runtime folder's file, byte for byte (the tag hashes it): the host-side
    // checkBootstrap (ELF machine, shebang) classifies it as it would inside.
    return prepared(tmp, {
      launch: containerLauncher({ image: image.tag, command: { kind: 'bundled', hostTaskRoot: runtime.dir }, tmp }),
      checkBootstrap: (config, options) => checkBundledBootstrap(config, runtime.dir, options),
      ...(opts.emulate ? { allowForeignArch: true } : {}),
    });
  },
};

/** checkBootstrap on the host file, worded with the path the container runs (/var/task/…), as Lambda words it. */
export function checkBundledBootstrap(
  config: Pick<FunctionConfig, 'bootstrap'>,
  hostTaskRoot: string,
  options: BootstrapCheckOptions,
): BootstrapProblem | undefined {
  const problem = checkBootstrap(config.bootstrap, options);
  if (!problem) return undefined;
  return { ...problem, message: problem.message.split(config.bootstrap).join(bundledBootstrapInside(hostTaskRoot, config.bootstrap).path) };
}

export interface ImageInfo {
  name: string;
  entrypoint: string[];
  cmd: string[];
  /** Lambda's name for the image's architecture, or Docker's when Lambda has none for it. */
  architecture: Architecture | string;
}

/** What Lambda reads from a container image: ENTRYPOINT, CMD, architecture. UserError when it is not there. */
export async function inspectImage(name: string): Promise<ImageInfo> {
  const client = await dockerClient();
  let info;
  try {
    info = await client.container.dockerode.getImage(name).inspect();
  } catch {
    throw new UserError(`image "${name}" is not in the local Docker engine (lambdaspec pulls nothing: build or load it first)`);
  }
  const entrypoint = info.Config.Entrypoint ? [info.Config.Entrypoint].flat() : [];
  const cmd = info.Config.Cmd ?? [];
  if (entrypoint.length === 0 && cmd.length === 0)
    throw new UserError(`image "${name}" has neither ENTRYPOINT nor CMD: Lambda would not know what to run`);
  return { name, entrypoint, cmd, architecture: lambdaArchitecture(info.Architecture) ?? info.Architecture };
}

/** Lambda's refusal of an image built for another architecture than the function's (reference: exec format error). */
export function imageArchitectureProblem(image: ImageInfo, config: Pick<FunctionConfig, 'architecture'>): BootstrapProblem | undefined {
  if (image.architecture === config.architecture) return undefined;
  const program = image.entrypoint[0] ?? image.cmd[0] ?? '';
  return {
    kind: 'arch-mismatch',
    errorType: 'Runtime.InvalidEntrypoint',
    message: `fork/exec ${program}: exec format error`,
    detail: `the image ${image.name} is built for ${image.architecture} but the function's architecture is ${config.architecture}`,
  };
}

/** A user's image, run as is: its ENTRYPOINT and CMD, its PATH, AWS_LAMBDA_RUNTIME_API pointing at the fake API. */
export function imageTarget(image: string): Target {
  return {
    name: 'container',
    unavailable: () => dockerUnavailable(),
    async prepare(_runtime, opts) {
      const info = await inspectImage(image);
      const tmp = new TmpDirs();
      return prepared(tmp, {
        launch: containerLauncher({ image, command: { kind: 'image', keepImagePath: true }, tmp }),
        checkBootstrap: (config) => (opts.emulate ? undefined : imageArchitectureProblem(info, config)),
        ...(opts.emulate ? { allowForeignArch: true } : {}),
      });
    },
  };
}

export interface ImageRuntimeOptions {
  /** Capabilities the image's runtime has (default: handler only; streaming must be declared). */
  capabilities?: Record<string, boolean>;
  /** _HANDLER (default: the image's CMD, as Lambda's container images name their handler there). */
  handler?: string;
  /** The function's architecture (default: the image's). */
  architecture?: Architecture;
}

/**
 * The runtime description of a user's image for the suite: its name, the handler from CMD, the image's architecture.
 * The task root is an empty host folder (nothing of it is mounted; the image holds the code): call `dispose`.
 */
export async function imageRuntime(image: string, o: ImageRuntimeOptions = {}): Promise<{ runtime: ResolvedRuntime; dispose: () => void }> {
  const info = await inspectImage(image);
  const dir = mkdtempSync(join(tmpdir(), 'lambdaspec-image-root-'));
  const name =
    image
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'image';
  const architecture: Architecture = o.architecture ?? (info.architecture === 'arm64' ? 'arm64' : 'x86_64');
  return {
    runtime: {
      spec: {
        name,
        language: 'container-image',
        description: `the container image ${image} (ENTRYPOINT ${JSON.stringify(info.entrypoint)}, CMD ${JSON.stringify(info.cmd)})`,
        handler: o.handler ?? info.cmd.join(' '),
        bootstrap: 'bootstrap',
        architecture,
        capabilities: o.capabilities ?? { handler: true, streaming: false },
      },
      dir,
      bootstrap: join(dir, 'bootstrap'),
    },
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}
