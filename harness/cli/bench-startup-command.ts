/** `lambdaspec bench-startup`: how long the compiled CLI takes to start, written to reports/bench/startup.{json,md}. */
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import { renderStartupMarkdown, runStartupBench } from '../bench/startup-bench.ts';
import { writeFileAtomic } from '../lib/atomic-write.ts';
import { EXIT } from '../lib/exit-codes.ts';
import { defaultReportPath } from '../lib/report-dir.ts';
import { parseFlags, parsePositiveInt } from './args.ts';
import type { Io } from './io.ts';

export const BENCH_STARTUP_USAGE = `lambdaspec bench-startup [options]

Spawns \`lambdaspec --help\` and \`lambdaspec invoke <runtime>\` (and a bare \`node -e 0\` as the floor) in
interleaved rounds and writes wall and CPU time per command to startup.json and startup.md. Targets: --help
≤ 300 ms, invoke ≤ 500 ms (median wall).

  --cli <file>           the CLI entry to measure (default: this package's bin/lambdaspec.mjs)
  --runtime <runtime>    the runtime invoke starts (default python-stdlib)
  --runs <n>             timed rounds (default 15)
  --report-dir <dir>     where the reports go (default reports/bench)`;

export async function benchStartupCommand(argv: string[], io: Io): Promise<number> {
  const { values } = parseFlags('bench-startup', argv, {
    cli: { type: 'string' },
    runtime: { type: 'string' },
    runs: { type: 'string' },
    'report-dir': { type: 'string' },
  });
  const cli = values.cli ? resolve(values.cli) : fileURLToPath(new URL('../../bin/lambdaspec.mjs', import.meta.url));
  const runs = parsePositiveInt('runs', values.runs);
  const dir = values['report-dir'] ? resolve(values['report-dir']) : defaultReportPath('bench');
  io.err(`measuring the start-up of ${cli}…\n`);
  const report = await runStartupBench({
    cli,
    runtime: values.runtime ?? 'python-stdlib',
    ...(runs ? { runs } : {}),
    log: (l) => io.err(`${l}\n`),
  });
  writeFileAtomic(resolve(dir, 'startup.json'), `${JSON.stringify(report, null, 2)}\n`);
  const md = renderStartupMarkdown(report);
  writeFileAtomic(resolve(dir, 'startup.md'), md);
  io.out(`${md}\nwritten to ${resolve(dir, 'startup.md')}\n`);
  return EXIT.OK;
}
