/**
 * `lambdaspec snapshot`: run the suite (typically on a deployed function) and record each case's result-level
 * outcome, so a local run can later be checked against it with `lambdaspec run <runtime> --against <file>`.
 */
import { EXIT } from '../lib/exit-codes.ts';
import { resolve } from 'node:path';
import { snapshotFromReport } from '../snapshots/snapshot.ts';
import { writeScrubbedFile } from '../secrets/scrubbed-write.ts';
import { checkOutputPath } from '../lib/output-path.ts';
import { UserError } from '../lib/user-error.ts';
import type { Io } from './io.ts';
import { parseFlags } from './args.ts';
import { executeRun, RUN_FLAGS } from './run-command.ts';

export const SNAPSHOT_USAGE = `lambdaspec snapshot [runtime] --out <file> [run options]

Runs the conformance suite like 'lambdaspec run' (any target; usually --target deployed --function <name>) and
writes, per case, the outcome of each invocation: payload (per-invocation values such as request ids, deadlines
and ARNs masked), function error, error type, REPORT fields present, streamed chunk count.
Then 'lambdaspec run <runtime> --against <file>' reports every case whose local outcome differs.

  --out <file>     where the snapshot goes, e.g. snapshots/my-function.json (required)
  (every option of 'lambdaspec run --help' except --against)

Exit status: 0 when the snapshot was written, 2 on bad input or an unreachable function, 130 interrupted.`;

export async function snapshotCommand(argv: string[], io: Io, signal: AbortSignal): Promise<number> {
  // run's flags, and --out of its own.
  const { values, positionals } = parseFlags('snapshot', argv, { ...RUN_FLAGS, out: { type: 'string' } });
  const out = values.out;
  if (!out) throw new UserError('snapshot: --out <file> is required (e.g. --out snapshots/my-function.json)');
  if (values.against !== undefined) throw new UserError('snapshot: --against is for lambdaspec run');
  checkOutputPath('out', out, 'file');
  const outcomes = await executeRun(values, positionals, io, signal);
  if (signal.aborted) return EXIT.INTERRUPTED;
  const o = outcomes[0];
  if (!o || outcomes.length > 1) throw new UserError('snapshot: name one runtime or one deployed function');
  const subject = values.function ?? o.runtime.spec.name;
  const snapshot = snapshotFromReport(o.report, subject);
  const path = resolve(out);
  writeScrubbedFile(path, `${JSON.stringify(snapshot, null, 2)}\n`);
  const compared = snapshot.cases.filter((c) => c.skipped === undefined).length;
  io.out(
    `snapshot of ${subject} (${o.report.target}): ${compared} cases recorded, ${snapshot.cases.length - compared} skipped → ${path}\n`,
  );
  return EXIT.OK;
}
