/** `lambdaspec build <runtime…>`: run each runtime's build, cached by a hash of its folder. */
import { EXIT } from '../lib/exit-codes.ts';
import { buildRuntime } from '../runtime-definition/build.ts';
import { bundledRuntimeNames, resolveRuntime } from '../runtime-definition/resolve-runtime.ts';
import { parseFlags } from './args.ts';
import type { Io } from './io.ts';

export const BUILD_USAGE = `lambdaspec build [runtime…] [--force]

Runs the build command of each runtime's runtime.yaml (default: every bundled runtime). A build is skipped when
nothing in the runtime's folder changed since the last one (--force builds anyway). A failed build prints its own
output and exits 2; a missing toolchain is reported as skipped (an error under LAMBDASPEC_REQUIRE_ALL=1).`;

export async function buildCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseFlags('build', argv, { force: { type: 'boolean' } });
  const names = positionals.length > 0 ? positionals : bundledRuntimeNames();
  for (const name of names) {
    const rt = resolveRuntime(name, { requireBootstrap: false });
    const r = await buildRuntime(rt, { ...(values.force ? { force: true } : {}), log: (l) => io.err(`${l}\n`) });
    let what: string;
    switch (r.status) {
      case 'none':
        what = 'nothing to build';
        break;
      case 'cached':
        what = `up to date (${r.hash.slice(0, 12)})`;
        break;
      case 'built':
        what = `built in ${(r.durationMs / 1000).toFixed(1)} s`;
        break;
      case 'skipped':
        what = `skipped: ${r.reason}`;
        break;
    }
    io.out(`${rt.spec.name}: ${what}\n`);
  }
  return EXIT.OK;
}
