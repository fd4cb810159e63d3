/**
 * The command table: every `lambdaspec` subcommand with its synopsis and how to load it. Modules load on demand,
 * so `lambdaspec --help` or `lambdaspec invoke` does not pay for the AWS SDK, testcontainers or the load tools.
 */
import type { Io } from './io.ts';

export interface CommandContext {
  io: Io;
  /** Aborted on SIGINT/SIGTERM. */
  signal: AbortSignal;
  /** Resolves on SIGINT/SIGTERM. */
  stopped: Promise<void>;
}

export interface LoadedCommand {
  /** The full `--help` text. */
  usage: string;
  run(argv: string[], ctx: CommandContext): Promise<number> | number;
}

export interface Command {
  name: string;
  /** Lines for the top-level usage: `<arguments>` and what the command does. */
  synopsis: ReadonlyArray<readonly [args: string, summary: string]>;
  /**
   * Stops by itself on SIGINT/SIGTERM (writes what it has). Every command exits EXIT.INTERRUPTED on a signal; one
   * that is not interruptible is left behind then (its processes killed).
   */
  interruptible: boolean;
  load(): Promise<LoadedCommand>;
}

export const COMMANDS: readonly Command[] = [
  {
    name: 'init',
    synopsis: [['<folder> --language bash|python|node|go|rust|java', 'a runtime.yaml and a probe handler to start from']],
    interruptible: false,
    load: async () => {
      const m = await import('./init-command.ts');
      return { usage: m.INIT_USAGE, run: (argv, c) => m.initCommand(argv, c.io) };
    },
  },
  {
    name: 'run',
    synopsis: [
      ["[runtime…] [--filter 'error.*'] [--strict]", 'the conformance suite, with reports'],
      ['[runtime] --target deployed --function <name> [--cold n]', 'the suite on a deployed function (AWS SDK)'],
    ],
    interruptible: true,
    load: async () => {
      const m = await import('./run-command.ts');
      return { usage: m.RUN_USAGE, run: (argv, c) => m.runCommand(argv, c.io, c.signal) };
    },
  },
  {
    name: 'snapshot',
    synopsis: [['[runtime] --out <file> [run options]', 'record outcomes; compare with run --against']],
    interruptible: true,
    load: async () => {
      const m = await import('./snapshot-command.ts');
      return { usage: m.SNAPSHOT_USAGE, run: (argv, c) => m.snapshotCommand(argv, c.io, c.signal) };
    },
  },
  {
    name: 'matrix',
    synopsis: [['[runtime…]', 'the suite on every runtime, as a grid']],
    interruptible: true,
    load: async () => {
      const m = await import('./matrix-command.ts');
      return { usage: m.MATRIX_USAGE, run: (argv, c) => m.matrixCommand(argv, c.io, c.signal) };
    },
  },
  {
    name: 'build',
    synopsis: [['[runtime…] [--force]', 'build runtimes (cached by content hash)']],
    interruptible: false,
    load: async () => {
      const m = await import('./build-command.ts');
      return { usage: m.BUILD_USAGE, run: (argv, c) => m.buildCommand(argv, c.io) };
    },
  },
  {
    name: 'image',
    synopsis: [['[runtime…]', 'container images for --target container']],
    interruptible: false,
    load: async () => {
      const m = await import('./image-command.ts');
      return { usage: m.IMAGE_USAGE, run: (argv, c) => m.imageCommand(argv, c.io) };
    },
  },
  {
    name: 'invoke',
    synopsis: [['<runtime> [--event file] [--record out.json] [--stream]', 'one invocation, result and log tail']],
    interruptible: true,
    load: async () => {
      const m = await import('./invoke-command.ts');
      return { usage: m.INVOKE_USAGE, run: (argv, c) => m.invokeCommand(argv, c.io, c.signal) };
    },
  },
  {
    name: 'serve',
    synopsis: [['<runtime> [--port 9000]', 'the runtime behind a Lambda Invoke API']],
    interruptible: true,
    load: async () => {
      const m = await import('./serve-command.ts');
      return { usage: m.SERVE_USAGE, run: (argv, c) => m.serveCommand(argv, c.io, c.stopped) };
    },
  },
  {
    name: 'soak',
    synopsis: [['<runtime> --duration 10m', 'a long mixed run: harness growth and drift']],
    interruptible: true,
    load: async () => {
      const m = await import('./soak-command.ts');
      return { usage: m.SOAK_USAGE, run: (argv, c) => m.soakCommand(argv, c.io, c.signal) };
    },
  },
  {
    name: 'bench-harness',
    synopsis: [['[--out reports/bench/harness.json]', "the fake Runtime API's own throughput"]],
    interruptible: false,
    load: async () => {
      const m = await import('./bench-harness-command.ts');
      return { usage: m.BENCH_HARNESS_USAGE, run: (argv, c) => m.benchHarnessCommand(argv, c.io) };
    },
  },
  {
    name: 'bench-startup',
    synopsis: [['[--runs 15] [--runtime python-stdlib]', "the CLI's own start-up: --help and invoke"]],
    interruptible: false,
    load: async () => {
      const m = await import('./bench-startup-command.ts');
      return { usage: m.BENCH_STARTUP_USAGE, run: (argv, c) => m.benchStartupCommand(argv, c.io) };
    },
  },
  {
    name: 'bench',
    synopsis: [['[runtime…] [--cold 20 --warm 1000] [--baseline f.json]', 'cold/warm/streaming/payload latency per runtime']],
    interruptible: true,
    load: async () => {
      const m = await import('./bench-command.ts');
      return { usage: m.BENCH_USAGE, run: (argv, c) => m.benchCommand(argv, c.io, c.signal) };
    },
  },
  {
    name: 'compare',
    synopsis: [['<baseline.json> <current.json>', 'two bench reports, with confidence intervals']],
    interruptible: false,
    load: async () => {
      const m = await import('./compare-command.ts');
      return { usage: m.COMPARE_USAGE, run: (argv, c) => m.compareCommand(argv, c.io) };
    },
  },
  {
    name: 'load',
    synopsis: [['<runtime> --concurrency N (--duration 30s | --requests K)', 'load test with N environments (builtin or k6)']],
    interruptible: true,
    load: async () => {
      const m = await import('./load-command.ts');
      return { usage: m.LOAD_USAGE, run: (argv, c) => m.loadCommand(argv, c.io, c.signal) };
    },
  },
  {
    name: 'bench-generators',
    synopsis: [['[--connections 16] [--duration 5s]', 'built-in generator vs k6 vs autocannon']],
    interruptible: false,
    load: async () => {
      const m = await import('./bench-generators-command.ts');
      return { usage: m.BENCH_GENERATORS_USAGE, run: (argv, c) => m.benchGeneratorsCommand(argv, c.io) };
    },
  },
];

export function commandNamed(name: string): Command | undefined {
  return COMMANDS.find((c) => c.name === name);
}

/** The top-level usage, built from the table so a command is described in one place. */
export function topLevelUsage(): string {
  const rows = COMMANDS.flatMap((c) => c.synopsis.map(([args, summary]) => [`lambdaspec ${c.name} ${args}`, summary] as const));
  const width = Math.max(...rows.map(([left]) => left.length)) + 2;
  return [
    'lambdaspec — conformance and load testing for AWS Lambda runtimes',
    '',
    'Usage:',
    ...rows.map(([left, summary]) => `  ${left.padEnd(width)}${summary}`),
    '',
    '<runtime> is a folder with runtime.yaml, a bootstrap path, or a bundled runtime name (see runtimes-under-test/).',
    "Run 'lambdaspec <command> --help' for a command's options.",
  ].join('\n');
}
