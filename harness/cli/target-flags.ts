/** `--target` and `--emulate`, shared by run, matrix, invoke and serve. */
import type { PreparedRuntimes } from '../runtime-definition/prepare-runtimes.ts';
import type { ResolvedRuntime } from '../runtime-definition/resolve-runtime.ts';
import { planEmulation } from '../targets/common/emulation.ts';
import type { PreparedTarget, Target } from '../targets/common/target.ts';
import { availableTarget } from '../targets/registry.ts';
import type { Io } from './io.ts';

export const TARGET_FLAGS = {
  target: { type: 'string' },
  emulate: { type: 'boolean' },
} as const;

export const TARGET_USAGE = `  --target <name>        where the bootstrap runs: process (default), sandbox (bubblewrap, Lambda-shaped), container
  --emulate              run a runtime built for the other architecture under qemu user-mode emulation`;

/** The target the flags name, checked for availability (UserError with the reason when it cannot run here). */
export function targetFromFlags(values: { target?: string }): Promise<Target> {
  return availableTarget(values.target ?? 'process');
}

/** Prepare one runtime on the flags' target, saying how it emulates when it does. */
export async function prepareTarget(
  values: { target?: string; emulate?: boolean },
  runtime: ResolvedRuntime,
  io: Io,
): Promise<PreparedTarget> {
  const target = await targetFromFlags(values);
  const prepared = await target.prepare(runtime, { emulate: values.emulate === true });
  if (prepared.note) io.err(`${runtime.spec.name} on ${target.name}: ${prepared.note}\n`);
  return prepared;
}

/**
 * Without --emulate, a runtime built for another architecture cannot start here. When runtimes were not named
 * (every bundled one), it is skipped with the mismatch as its reason — in the matrix its column says so once —
 * instead of repeating the same exec format error in every case.
 */
export function withoutForeignArchitectures(
  prepared: PreparedRuntimes,
  emulate: boolean,
  log: (line: string) => void,
): { runtimes: ResolvedRuntime[]; skipped: PreparedRuntimes['skipped'] } {
  const runtimes: ResolvedRuntime[] = [];
  const skipped = [...prepared.skipped];
  for (const rt of prepared.ready) {
    const plan = planEmulation(rt.spec.architecture, emulate);
    if (plan.mode !== 'off') {
      runtimes.push(rt);
      continue;
    }
    const reason = `architecture mismatch: ${plan.note ?? ''}; run with --emulate`;
    log(`skipping ${rt.spec.name}: ${reason}`);
    skipped.push({ runtime: rt, reason });
  }
  return { runtimes, skipped };
}
