/**
 * The `lambdaspec` command line: looks the command up in the table, answers `--help` for every command, turns
 * user errors into one line and EXIT.USAGE, and ends a signalled command with EXIT.INTERRUPTED.
 */
import { EXIT } from '../lib/exit-codes.ts';
import { UserError } from '../lib/user-error.ts';
import { SuiteError } from '../lib/yaml-validate.ts';
import { killAllProcesses } from '../process/process-runner.ts';
import { commandNamed, topLevelUsage, type CommandContext } from './commands.ts';
import { processIo, type Io } from './io.ts';

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

/** A context for commands that do not listen for signals: the signal never fires. */
function quietContext(io: Io): CommandContext {
  return { io, signal: new AbortController().signal, stopped: new Promise<void>(() => undefined) };
}

/** `--help`/`-h` anywhere before a `--` asks for the command's usage. */
function asksForHelp(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).some((a) => a === '--help' || a === '-h');
}

export async function main(argv: string[], io: Io = processIo): Promise<number> {
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
  // Signal handlers live as long as the command: main() runs many times in one process under tests.
  const stop = command.interruptible ? listenForStop() : undefined;
  try {
    const loaded = await command.load();
    if (asksForHelp(rest)) {
      io.out(`${loaded.usage}\n`);
      return EXIT.OK;
    }
    const ctx: CommandContext = stop ? { io, signal: stop.signal, stopped: stop.promise } : quietContext(io);
    const code = await loaded.run(rest, ctx);
    return stop?.signalled() ? EXIT.INTERRUPTED : code;
  } catch (e) {
    if (e instanceof UserError || e instanceof SuiteError) {
      io.err(`lambdaspec: ${e.message}\n`);
      return EXIT.USAGE;
    }
    throw e;
  } finally {
    stop?.dispose();
    await killAllProcesses();
  }
}
