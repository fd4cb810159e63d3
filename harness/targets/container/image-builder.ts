/**
 * `lambdaspec/<runtime>:<hash>` images for bundled runtimes, built with no registry: the planned root filesystem is
 * staged in a temp folder and built `FROM scratch` (COPY rootfs/ /). The tag is a hash of the image's content, so
 * an unchanged runtime reuses its image and a changed file builds a new one.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImageName } from 'testcontainers';
import type { ResolvedRuntime } from '../../runtime-definition/resolve-runtime.ts';
import { UserError } from '../../lib/user-error.ts';
import { dockerClient, LAMBDASPEC_LABEL } from './docker.ts';
import { planHash, planRootfs, stageRootfs, TASK_ROOT } from './rootfs.ts';

/** Bump when the image layout changes, so old images are not reused. */
const LAYOUT_VERSION = 'lambdaspec-rootfs-3';

export interface RuntimeImage {
  /** `lambdaspec/<runtime>:<first 16 hex of the content hash>`. */
  tag: string;
  /** Image path of the bootstrap (ENTRYPOINT). */
  bootstrap: string;
  sizeBytes: number;
  /** Docker's name for the image's architecture (amd64, arm64). */
  architecture: string;
  /** True when an image with this content already existed. */
  reused: boolean;
}

export function imageRepository(runtime: ResolvedRuntime): string {
  return `lambdaspec/${runtime.spec.name.toLowerCase().replace(/[^a-z0-9._-]+/g, '-')}`;
}

function dockerfile(runtime: ResolvedRuntime, bootstrap: string): string {
  return [
    'FROM scratch',
    'COPY rootfs/ /',
    `LABEL ${LAMBDASPEC_LABEL}="1" lambdaspec.runtime=${JSON.stringify(runtime.spec.name)}`,
    `ENV LAMBDA_TASK_ROOT=${TASK_ROOT} PATH=/usr/local/bin:/usr/bin/:/bin:/opt/bin`,
    `WORKDIR ${TASK_ROOT}`,
    `ENTRYPOINT [${JSON.stringify(bootstrap)}]`,
    '',
  ].join('\n');
}

/** Build the runtime's image, or reuse the one with the same content. */
export async function buildRuntimeImage(runtime: ResolvedRuntime, log: (line: string) => void = () => undefined): Promise<RuntimeImage> {
  const plan = planRootfs(runtime);
  const tag = `${imageRepository(runtime)}:${planHash(plan, LAYOUT_VERSION).slice(0, 16)}`;
  const client = await dockerClient();
  const name = ImageName.fromString(tag);
  let reused = true;
  if (!(await client.image.exists(name))) {
    reused = false;
    const context = mkdtempSync(join(tmpdir(), 'lambdaspec-image-'));
    try {
      stageRootfs(plan, join(context, 'rootfs'));
      writeFileSync(join(context, 'Dockerfile'), dockerfile(runtime, plan.bootstrap));
      log(`building ${tag}`);
      await client.image.build(context, { t: tag, labels: { [LAMBDASPEC_LABEL]: '1' } } as Parameters<typeof client.image.build>[1]);
    } finally {
      rmSync(context, { recursive: true, force: true });
    }
    await removeOlderTags(imageRepository(runtime), tag);
  }
  let info;
  try {
    info = await client.container.dockerode.getImage(tag).inspect();
  } catch {
    // testcontainers' build reports build errors only in its trace log: a missing image is the sign.
    throw new UserError(
      `building the image ${tag} for ${runtime.spec.name} failed (run with DEBUG=testcontainers:build for the build log)`,
    );
  }
  return { tag, bootstrap: plan.bootstrap, sizeBytes: info.Size, architecture: info.Architecture, reused };
}

/** Images of the runtime's earlier content are dead cache: remove them (an image still in use stays). */
async function removeOlderTags(repository: string, keep: string): Promise<void> {
  const docker = (await dockerClient()).container.dockerode;
  const images = await docker.listImages({ filters: { reference: [repository], label: [`${LAMBDASPEC_LABEL}=1`] } }).catch(() => []);
  for (const image of images) {
    for (const t of image.RepoTags ?? []) {
      if (t !== keep)
        await docker
          .getImage(t)
          .remove()
          .catch(() => undefined);
    }
  }
}
