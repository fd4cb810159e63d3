/** `lambdaspec image <runtime…>`: build (or reuse) the container image of each runtime for `--target container`. */
import { EXIT } from '../lib/exit-codes.ts';
import { prepareRuntimes } from '../runtime-definition/prepare-runtimes.ts';
import { dockerUnavailable } from '../targets/container/docker.ts';
import { buildRuntimeImage } from '../targets/container/image-builder.ts';
import { UserError } from '../lib/user-error.ts';
import { parseFlags } from './args.ts';
import type { Io } from './io.ts';

export const IMAGE_USAGE = `lambdaspec image [runtime…]

Builds a container image for each runtime (default: every bundled runtime) on the local Docker engine, with no
registry: a root filesystem FROM scratch holding the runtime's folder at /var/task and what it needs from this
machine (python3 and its standard library, node, bash with curl/jq/coreutils, and their shared libraries; nothing
but /bin/sh and /usr/bin/env for static binaries). Tagged lambdaspec/<runtime>:<content hash> and labelled
lambdaspec=1: an unchanged runtime reuses its image. Prints one line per runtime: tag, size, built or reused.`;

export async function imageCommand(argv: string[], io: Io): Promise<number> {
  const { positionals } = parseFlags('image', argv, {});
  const why = await dockerUnavailable();
  if (why) throw new UserError(`image: ${why}; start one (dockerd) and try again`);
  const { ready } = await prepareRuntimes(positionals, (l) => io.err(`${l}\n`));
  for (const rt of ready) {
    const started = performance.now();
    const image = await buildRuntimeImage(rt, (l) => io.err(`${l}\n`));
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    io.out(`${rt.spec.name}: ${image.tag} ${(image.sizeBytes / 1e6).toFixed(1)} MB ${image.reused ? 'reused' : `built in ${seconds} s`}\n`);
  }
  return EXIT.OK;
}
