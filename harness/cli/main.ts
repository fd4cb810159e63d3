/**
 * The `lambdaspec` command line: looks the command up in the table, answers `--help` for every command, turns
 * user errors into one line and EXIT.USAGE, and ends a signalled command (any command) with EXIT.INTERRUPTED.
 */
import { EXIT } from '../lib/exit-codes.ts';
import { UserError } from '../lib/user-error.ts';
import { SuiteError } from '../lib/suite-error.ts';
import { killAllProcesses } from '../process/process-runner.ts';
import { commandNamed, topLevelUsage, type CommandContext } from './commands.ts';
import { processIo, scrubbedIo, type Io } from './io.ts';
import { terminalSafe } from './terminal-text.ts';

interface StopSignal {
  promise: Promise<void>;
  signal: AbortSignal;
  signalled: () => boolean;
  dispose: () => void;
}

/** Resolves (and aborts) when the user asks to stop (Ctrl-C / SIGTERM); a second signal stops at once. */
function listenForStop(): StopSignal {
  let got = false;
  const controller = new AbortController();
  let on: (sig: NodeJS.Signals) => void = () => undefined;
  const promise = new Promise<void>((resolve) => {
    on = () => {
      if (got) {
        // Never leave a runtime behind, even when leaving in a hurry.
        void killAllProcesses().finally(() => process.exit(EXIT.INTERRUPTED));
        return;
      }
      got = true;
      controller.abort();
      resolve();
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
  const dispose = (): void => {
    process.off('SIGINT', on);
    process.off('SIGTERM', on);
  };
  return { promise, signal: controller.signal, signalled: () => got, dispose };
}

/** `--help`/`-h` anywhere before a `--` asks for the command's usage. */
function asksForHelp(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).some((a) => a === '--help' || a === '-h');
}

export async function main(argv: string[], rawIo: Io = processIo): Promise<number> {
  // Runtime text reaches the terminal through every command: no secret (known value or credential shape) and no
  // raw control character gets through.
  const io = scrubbedIo(terminalSafe(rawIo));
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    io.out(`${topLevelUsage()}\n`);
    return name === undefined ? EXIT.USAGE : EXIT.OK;
  }
  const command = commandNamed(name);
  if (!command) {
    io.err(`lambdaspec: unknown command "${name}"\n\n${topLevelUsage()}\n`);
    return EXIT.USAGE;
  }
  // Every command ends on SIGTERM as on SIGINT. Signal handlers live as long as the command: main() runs many
  // times in one process under tests.
  const stop = listenForStop();
  const settled = (code: number): number => (stop.signalled() ? EXIT.INTERRUPTED : code);
  try {
    const loaded = await command.load();
    if (asksForHelp(rest)) {
      io.out(`${loaded.usage}\n`);
      return EXIT.OK;
    }
    const ctx: CommandContext = { io, signal: stop.signal, stopped: stop.promise };
    // A command that cannot stop by itself (a build, a benchmark of the harness) is left behind at the signal:
    // its processes are killed below, and bin/lambdaspec.mjs exits without waiting for it.
    const running = Promise.resolve(loaded.run(rest, ctx));
    const code = command.interruptible ? await running : await Promise.race([running, stop.promise.then(() => EXIT.INTERRUPTED)]);
    return settled(code);
  } catch (e) {
    if (e instanceof UserError || e instanceof SuiteError) {
      io.err(`lambdaspec: ${e.message}\n`);
      return settled(EXIT.USAGE);
    }
    // A system call the environment refused (a path, a port): one line naming it, as for bad input.
    const sys = e as NodeJS.ErrnoException;
    if (e instanceof Error && typeof sys.code === 'string' && typeof sys.syscall === 'string') {
      io.err(`lambdaspec: ${sys.syscall}${sys.path !== undefined ? ` ${sys.path}` : ''}: ${sys.code}\n`);
      return settled(EXIT.USAGE);
    }
    throw e;
  } finally {
    stop.dispose();
    await killAllProcesses();
  }
}
