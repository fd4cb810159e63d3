/** The `lambdaspec` command line: dispatches subcommands and turns user errors into one line and exit 2. */
import { killAllProcesses } from '../targets/process/process-runner.ts';
import { UserError } from '../util/user-error.ts';
import { SuiteError } from '../scenarios/yaml-validate.ts';
import { benchHarnessCommand } from './bench-harness-command.ts';
import { buildCommand } from './build-command.ts';
import { invokeCommand } from './invoke-command.ts';
import { processIo, type Io } from './io.ts';
import { matrixCommand } from './matrix-command.ts';
import { runCommand } from './run-command.ts';
import { serveCommand } from './serve-command.ts';
import { soakCommand } from './soak-command.ts';

export const USAGE = `lambdaspec — conformance and load testing for AWS Lambda runtimes

Usage:
  lambdaspec run [runtime…] [--filter 'error.*'] [--strict]                   the conformance suite, with reports
  lambdaspec matrix [runtime…]                                                 the suite on every runtime, as a grid
  lambdaspec build [runtime…] [--force]                                       build runtimes (cached by content hash)
  lambdaspec invoke <runtime> [--event file] [--record out.json] [--stream]   one invocation, result and log tail
  lambdaspec serve <runtime> [--port 9000]                                    the runtime behind a Lambda Invoke API
  lambdaspec soak <runtime> --duration 10m                                    a long mixed run: harness growth and drift
  lambdaspec bench-harness [--out reports/bench/harness.json]                 the fake Runtime API's own throughput

<runtime> is a folder with runtime.yaml, a bootstrap path, or a bundled runtime name (see runtimes-under-test/).
Run 'lambdaspec <command> --help' for a command's options.`;

/** Resolves (and aborts) when the user asks to stop (Ctrl-C / SIGTERM); a second Ctrl-C stops at once. */
function stopSignal(): { promise: Promise<void>; signal: AbortSignal; signalled: () => NodeJS.Signals | undefined } {
  let got: NodeJS.Signals | undefined;
  const controller = new AbortController();
  const promise = new Promise<void>((resolve) => {
    const on = (sig: NodeJS.Signals): void => {
      if (got) {
        // Never leave a runtime behind, even when leaving in a hurry.
        void killAllProcesses().finally(() => process.exit(130));
        return;
      }
      got = sig;
      controller.abort();
      resolve();
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
  return { promise, signal: controller.signal, signalled: () => got };
}

export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'run': {
        const stop = stopSignal();
        return await runCommand(rest, io, stop.signal);
      }
      case 'matrix': {
        const stop = stopSignal();
        return await matrixCommand(rest, io, stop.signal);
      }
      case 'build':
        return await buildCommand(rest, io);
      case 'invoke':
        return await invokeCommand(rest, io);
      case 'serve': {
        const stop = stopSignal();
        const code = await serveCommand(rest, io, stop.promise);
        return stop.signalled() === 'SIGINT' ? 130 : code;
      }
      case 'soak': {
        const stop = stopSignal();
        return await soakCommand(rest, io, stop.signal);
      }
      case 'bench-harness':
        return await benchHarnessCommand(rest, io);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.out(`${USAGE}\n`);
        return command === undefined ? 2 : 0;
      default:
        throw new UserError(`unknown command "${command}"\n\n${USAGE}`);
    }
  } catch (e) {
    if (e instanceof UserError || e instanceof SuiteError) {
      io.err(`lambdaspec: ${e.message}\n`);
      return 2;
    }
    throw e;
  } finally {
    await killAllProcesses();
  }
}
