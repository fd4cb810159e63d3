/**
 * `lambdaspec bench-harness`: measure the harness itself — the bare fake Runtime API, the end-to-end paths (serve,
 * load, run) and serve beside AWS's Runtime Interface Emulator — and write reports/bench/harness.{json,md} and
 * emulators.{json,md,html}.
 */
import { EXIT } from '../lib/exit-codes.ts';
import { dirname, join } from 'node:path';
import { runEmulatorBench } from '../bench/emulator-bench.ts';
import { runEndToEndBench } from '../bench/end-to-end-bench.ts';
import { emulatorsMarkdown, harnessMarkdown } from '../bench/harness-markdown.ts';
import { emulatorsHtml } from '../reports/html/emulators-html.ts';
import { runCommand } from './run-command.ts';
import { runHarnessBench } from '../bench/harness-bench.ts';
import { prepareRuntimes } from '../runtime-definition/prepare-runtimes.ts';
import type { ResolvedRuntime } from '../runtime-definition/resolve-runtime.ts';
import { writeScrubbedFile } from '../secrets/scrubbed-write.ts';
import { checkOutputPath } from '../lib/output-path.ts';
import { UserError } from '../lib/user-error.ts';
import { parseFlags, parsePositiveInt } from './args.ts';
import type { Io } from './io.ts';
import { defaultReportPath } from '../lib/report-dir.ts';

export const BENCH_HARNESS_USAGE = `lambdaspec bench-harness [options]

Measures the harness itself: the fake Runtime API on its own (a loopback floor, the fake with recording off and
on, in interleaved rounds), the end-to-end paths users run (serve, load with 1/2/4 environments, a full run), and
serve beside AWS's Runtime Interface Emulator (aws-lambda-rie; built with go install when missing). Writes
harness.{json,md} and emulators.{json,md,html} (docs/harness-bench.md).

  --out <file>           where the JSON goes (default reports/bench/harness.json)
  --invocations <n>      invocations per round
  --rounds <n>           interleaved rounds (the best of each configuration is reported)
  --no-end-to-end        skip the serve/load/run paths
  --no-emulators         skip the comparison with the Runtime Interface Emulator
  --run-runtime <name>   runtime for the full run (default go-aws-lambda-go)`;

/** The named bundled runtimes that can run here (built if needed); the others are logged and left out. */
async function preparedOrSkipped(names: string[], log: (l: string) => void): Promise<ResolvedRuntime[]> {
  const ready: ResolvedRuntime[] = [];
  for (const name of names) {
    try {
      ready.push(...(await prepareRuntimes([name], () => undefined)).ready);
    } catch (e) {
      log(`bench-harness: leaving out ${name}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return ready;
}

export async function benchHarnessCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseFlags('bench-harness', argv, {
    out: { type: 'string' },
    invocations: { type: 'string' },
    rounds: { type: 'string' },
    'no-end-to-end': { type: 'boolean' },
    'no-emulators': { type: 'boolean' },
    'run-runtime': { type: 'string' },
  });
  if (positionals.length > 0)
    throw new UserError(`bench-harness takes no argument, got "${positionals[0]}" (see 'lambdaspec bench-harness --help')`);
  checkOutputPath('out', values.out, 'file');
  const out = values.out ?? defaultReportPath('bench', 'harness.json');
  const invocations = parsePositiveInt('invocations', values.invocations);
  const rounds = parsePositiveInt('rounds', values.rounds);
  io.err('measuring the fake Runtime API (loopback floor, recording off, recording on)…\n');
  const r = await runHarnessBench({ ...(invocations ? { invocations } : {}), ...(rounds ? { rounds } : {}) });
  const log = (l: string): void => io.err(`${l}\n`);
  if (!values['no-end-to-end']) {
    io.err('measuring the end-to-end paths (serve, load with 1/2/4 environments, run)…\n');
    // The run path needs a fast runtime that is built; the Go probe is one when Go is here.
    const runRuntime = values['run-runtime'] ?? 'go-aws-lambda-go';
    const runnable = (await preparedOrSkipped([runRuntime], log)).length > 0;
    r.endToEnd = await runEndToEndBench({ log, ...(runnable ? { run: { runtime: runRuntime, command: runCommand } } : {}) });
  }
  writeScrubbedFile(out, `${JSON.stringify(r, null, 2)}\n`);
  const dir = dirname(out);
  writeScrubbedFile(join(dir, 'harness.md'), harnessMarkdown(r));
  if (!values['no-emulators']) {
    io.err('measuring serve beside the Runtime Interface Emulator…\n');
    const wanted = ['go-aws-lambda-go', 'rust-lambda-runtime', 'python-awslambdaric'];
    const runtimes = await preparedOrSkipped(wanted, log);
    const e = await runEmulatorBench(runtimes, { log });
    if (e.rie.skipped) log(`emulators: ${e.rie.skipped}`);
    writeScrubbedFile(join(dir, 'emulators.json'), `${JSON.stringify(e, null, 2)}\n`);
    writeScrubbedFile(join(dir, 'emulators.md'), emulatorsMarkdown(e));
    writeScrubbedFile(join(dir, 'emulators.html'), emulatorsHtml(e));
    io.out(emulatorsMarkdown(e));
  }
  io.out(
    [
      `loopback floor      ${r.loopbackFloor.perSecond.toFixed(0).padStart(7)} invocations/s`,
      `fake API, no record ${r.recordingOff.perSecond.toFixed(0).padStart(7)} invocations/s`,
      `fake API, recording ${r.recordingOn.perSecond.toFixed(0).padStart(7)} invocations/s  (${r.ratioToFloor}× the floor)`,
      `recording costs     ${r.recordingCostPct.toFixed(1).padStart(7)} %`,
      `targets (≥ ${r.targets.minInvocationsPerSecondRecordingOn}/s, ≤ ${r.targets.maxRecordingCostPct} %): ${r.meetsTargets ? 'met' : 'NOT met'}`,
      ...(r.endToEnd
        ? r.endToEnd.paths.map(
            (p) => `${p.path.padEnd(48)} ${p.perSecond.toFixed(0).padStart(6)}/s  ${p.cpuMsPerInvocation.toFixed(3)} ms CPU/invocation`,
          )
        : []),
      `written to ${out} and ${join(dir, 'harness.md')}`,
      '',
    ].join('\n'),
  );
  return EXIT.OK;
}
