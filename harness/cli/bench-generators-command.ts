/** `lambdaspec bench-generators`: built-in generator vs k6 vs autocannon on a trivial server; writes reports/bench/generators.{json,md}. */
import { EXIT } from '../lib/exit-codes.ts';
import { runGeneratorBench, type GeneratorBenchReport } from '../load/generator-bench.ts';
import { writeScrubbedFile } from '../secrets/scrubbed-write.ts';
import { checkOutputPath } from '../lib/output-path.ts';
import { UserError } from '../lib/user-error.ts';
import { parseDurationFlag } from '../lib/duration-flag.ts';
import { parseFlags, parsePositiveInt } from './args.ts';
import type { Io } from './io.ts';
import { defaultReportPath } from '../lib/report-dir.ts';

export function generatorBenchMarkdown(r: GeneratorBenchReport): string {
  const rows = (['builtin', 'k6', 'k6-2seg', 'autocannon'] as const).map((g) => {
    const s = r.summary[g];
    return `| ${g} | ${s.medianRequestsPerSecond ?? 'n/a'} | ${s.ratioToK6 ?? 'n/a'} | ${s.medianRequestsPerCpuSecond ?? 'n/a'} | ${s.cpuRatioToK6 ?? 'n/a'} |`;
  });
  return [
    '## Load generators: maximum request rate',
    '',
    `${r.connections} connections, ${r.durationMs} ms per run, ${r.rounds} rounds; node ${r.versions.node}, k6 ${r.versions.k6 ?? 'absent'}, autocannon ${r.versions.autocannon}; ${r.machine.cpus} CPUs, load average ${r.machine.loadAverage1m}`,
    '',
    '| generator | median req/s | ratio to k6 | median req per CPU-s | ratio to k6 |',
    '|---|---|---|---|---|',
    ...rows,
    '',
    `Target (built-in ≥ k6): ${r.target.builtinAtLeastK6 === null ? 'not measured' : r.target.builtinAtLeastK6 ? 'met' : 'NOT met'}`,
    '',
    `Method: ${r.method}.`,
    ...r.notes.map((n) => `- note: ${n}`),
    '',
  ].join('\n');
}

export const BENCH_GENERATORS_USAGE = `lambdaspec bench-generators [options]

The built-in load generator against k6 and autocannon on the same trivial server (its own process): maximum
request rate and requests per CPU-second, medians of interleaved rounds. Writes JSON and Markdown.

  --out <file>           where the JSON goes (default reports/bench/generators.json; the .md beside it)
  --connections <n>      concurrent connections (default 16, at most 512)
  --duration <d>         length of one run (default 5s, at most 60s)
  --rounds <n>           rounds per generator (at most 10)`;

export async function benchGeneratorsCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseFlags('bench-generators', argv, {
    out: { type: 'string' },
    connections: { type: 'string' },
    duration: { type: 'string' },
    rounds: { type: 'string' },
  });
  if (positionals.length > 0)
    throw new UserError(`bench-generators takes no argument, got "${positionals[0]}" (see 'lambdaspec bench-generators --help')`);
  checkOutputPath('out', values.out, 'file');
  const out = values.out ?? defaultReportPath('bench', 'generators.json');
  const connections = parsePositiveInt('connections', values.connections);
  const rounds = parsePositiveInt('rounds', values.rounds);
  const durationMs = values.duration !== undefined ? Math.min(60_000, parseDurationFlag('duration', values.duration)) : undefined;
  const report = await runGeneratorBench({
    ...(connections ? { connections: Math.min(connections, 512) } : {}),
    ...(rounds ? { rounds: Math.min(rounds, 10) } : {}),
    ...(durationMs ? { durationMs } : {}),
    log: (l) => io.err(`${l}\n`),
  });
  const md = generatorBenchMarkdown(report);
  writeScrubbedFile(out, `${JSON.stringify(report, null, 2)}\n`);
  writeScrubbedFile(out.replace(/\.json$/, '') + '.md', md);
  io.out(`${md}\nwritten to ${out}\n`);
  return EXIT.OK;
}
