/** `lambdaspec bench-harness`: measure the fake Runtime API itself and write reports/bench/harness.json. */
import { EXIT } from '../lib/exit-codes.ts';
import { join } from 'node:path';
import { runHarnessBench } from '../bench/harness-bench.ts';
import { REPO_ROOT } from '../runtime-definition/resolve-runtime.ts';
import { writeFileAtomic } from '../lib/atomic-write.ts';
import { checkOutputPath } from '../lib/output-path.ts';
import { UserError } from '../lib/user-error.ts';
import { parseFlags, parsePositiveInt } from './args.ts';
import type { Io } from './io.ts';

export const BENCH_HARNESS_USAGE = `lambdaspec bench-harness [options]

Measures the fake Runtime API on its own: a loopback floor (a bare HTTP exchange), the fake with recording off
and with recording on, in interleaved rounds, and writes the figures as JSON.

  --out <file>           where the JSON goes (default reports/bench/harness.json)
  --invocations <n>      invocations per round
  --rounds <n>           interleaved rounds (the best of each configuration is reported)`;

export async function benchHarnessCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseFlags('bench-harness', argv, {
    out: { type: 'string' },
    invocations: { type: 'string' },
    rounds: { type: 'string' },
  });
  if (positionals.length > 0) throw new UserError(`bench-harness takes no argument, got "${positionals[0]}" (see 'lambdaspec bench-harness --help')`);
  checkOutputPath('out', values.out, 'file');
  const out = values.out ?? join(REPO_ROOT, 'reports', 'bench', 'harness.json');
  const invocations = parsePositiveInt('invocations', values.invocations);
  const rounds = parsePositiveInt('rounds', values.rounds);
  io.err('measuring the fake Runtime API (loopback floor, recording off, recording on)…\n');
  const r = await runHarnessBench({ ...(invocations ? { invocations } : {}), ...(rounds ? { rounds } : {}) });
  writeFileAtomic(out, `${JSON.stringify(r, null, 2)}\n`);
  io.out(
    [
      `loopback floor      ${r.loopbackFloor.perSecond.toFixed(0).padStart(7)} invocations/s`,
      `fake API, no record ${r.recordingOff.perSecond.toFixed(0).padStart(7)} invocations/s`,
      `fake API, recording ${r.recordingOn.perSecond.toFixed(0).padStart(7)} invocations/s  (${r.ratioToFloor}× the floor)`,
      `recording costs     ${r.recordingCostPct.toFixed(1).padStart(7)} %`,
      `targets (≥ ${r.targets.minInvocationsPerSecondRecordingOn}/s, ≤ ${r.targets.maxRecordingCostPct} %): ${r.meetsTargets ? 'met' : 'NOT met'}`,
      `written to ${out}`,
      '',
    ].join('\n'),
  );
  return EXIT.OK;
}
