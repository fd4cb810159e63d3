/** Resolve what the user named (or every bundled runtime), build what needs building, and say what cannot run here. */
import { buildRuntime } from './build.ts';
import { assertBootstrapUsable, bundledRuntimeNames, resolveRuntime, type ResolvedRuntime } from './resolve-runtime.ts';
import { UserError } from '../lib/user-error.ts';

export interface PreparedRuntimes {
  ready: ResolvedRuntime[];
  /** Runtimes whose toolchain is missing here, with the reason (never under LAMBDASPEC_REQUIRE_ALL=1). */
  skipped: Array<{ runtime: ResolvedRuntime; reason: string }>;
}

/**
 * With explicit names, a runtime that cannot run is an error (exit 2); with none, every bundled runtime is taken
 * and the ones whose toolchain is missing are skipped with their reason.
 */
export async function prepareRuntimes(names: string[], log: (line: string) => void): Promise<PreparedRuntimes> {
  const explicit = names.length > 0;
  const list = explicit ? names : bundledRuntimeNames();
  if (list.length === 0) throw new UserError('no runtime given and no bundled runtimes found under runtimes-under-test/');
  const prepared: PreparedRuntimes = { ready: [], skipped: [] };
  for (const name of list) {
    const rt = resolveRuntime(name);
    const result = await buildRuntime(rt, { log });
    if (result.status === 'skipped') {
      if (explicit) throw new UserError(`runtime ${rt.spec.name} cannot run here: ${result.reason}`);
      log(`skipping ${rt.spec.name}: ${result.reason}`);
      prepared.skipped.push({ runtime: rt, reason: result.reason });
      continue;
    }
    if (result.status === 'built') log(`built ${rt.spec.name} in ${(result.durationMs / 1000).toFixed(1)} s`);
    assertBootstrapUsable(rt);
    prepared.ready.push(rt);
  }
  return prepared;
}
