/** The `lambdaspec` command line: dispatches subcommands and turns user errors into one line and exit 2. */
import { killAllProcesses } from '../process/process-runner.ts';
import { UserError } from '../lib/user-error.ts';
import { SuiteError } from '../lib/yaml-validate.ts';
import { benchGeneratorsCommand } from './bench-generators-command.ts';
import { benchHarnessCommand } from './bench-harness-command.ts';
import { benchCommand } from './bench-command.ts';
import { buildCommand } from './build-command.ts';
import { compareCommand } from './compare-command.ts';
import { imageCommand } from './image-command.ts';
import { invokeCommand } from './invoke-command.ts';
import { loadCommand } from './load-command.ts';
import { processIo, type Io } from './io.ts';
import { matrixCommand } from './matrix-command.ts';
import { runCommand } from './run-command.ts';
import { serveCommand } from './serve-command.ts';
import { snapshotCommand } from './snapshot-command.ts';
import { soakCommand } from './soak-command.ts';

export const USAGE = `lambdaspec — conformance and load testing for AWS Lambda runtimes

Usage:
  lambdaspec run [runtime…] [--filter 'error.*'] [--strict]                   the conformance suite, with reports
  lambdaspec run [runtime] --target deployed --function <name> [--cold n]   the suite on a deployed function (AWS SDK)
  lambdaspec snapshot [runtime] --out <file> [run options]                    record outcomes; compare with run --against
  lambdaspec matrix [runtime…]                                                 the suite on every runtime, as a grid
  lambdaspec build [runtime…] [--force]                                       build runtimes (cached by content hash)
  lambdaspec image [runtime…]                                                  container images for --target container
  lambdaspec invoke <runtime> [--event file] [--record out.json] [--stream]   one invocation, result and log tail
  lambdaspec serve <runtime> [--port 9000]                                    the runtime behind a Lambda Invoke API
  lambdaspec soak <runtime> --duration 10m                                    a long mixed run: harness growth and drift
  lambdaspec bench-harness [--out reports/bench/harness.json]                 the fake Runtime API's own throughput
  lambdaspec bench [runtime…] [--cold 20 --warm 1000] [--baseline f.json]     cold/warm/streaming/payload latency per runtime
  lambdaspec compare <baseline.json> <current.json>                           two bench reports, with confidence intervals
  lambdaspec load <runtime> --concurrency N (--duration 30s | --requests K)   load test with N environments (builtin or k6)
  lambdaspec bench-generators [--connections 16] [--duration 5s]               built-in generator vs k6 vs autocannon

<runtime> is a folder with runtime.yaml, a bootstrap path, or a bundled runtime name (see runtimes-under-test/).
Run 'lambdaspec <command> --help' for a command's options.`;

/** Resolves (and aborts) when the user asks to stop (Ctrl-C / SIGTERM); a second Ctrl-C stops at once. */
function stopSignal(): { promise: Promise<void>; signal: AbortSignal; signalled: () => NodeJS.Signals | undefined; dispose: () => void } {
  let got: NodeJS.Signals | undefined;
  let dispose = (): void => undefined;
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
    dispose = () => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
    };
  });
  return { promise, signal: controller.signal, signalled: () => got, dispose };
}

export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const [command, ...rest] = argv;
  // Signal handlers live as long as the command: main() runs many times in one process under tests.
  let stop: ReturnType<typeof stopSignal> | undefined;
  const stopper = (): ReturnType<typeof stopSignal> => (stop ??= stopSignal());
  try {
    switch (command) {
      case 'run': {
        const stop = stopper();
        return await runCommand(rest, io, stop.signal);
      }
      case 'snapshot': {
        const stop = stopper();
        return await snapshotCommand(rest, io, stop.signal);
      }
      case 'matrix': {
        const stop = stopper();
        return await matrixCommand(rest, io, stop.signal);
      }
      case 'build':
        return await buildCommand(rest, io);
      case 'image':
        return await imageCommand(rest, io);
      case 'invoke':
        return await invokeCommand(rest, io);
      case 'serve': {
        const stop = stopper();
        const code = await serveCommand(rest, io, stop.promise);
        return stop.signalled() === 'SIGINT' ? 130 : code;
      }
      case 'soak': {
        const stop = stopper();
        return await soakCommand(rest, io, stop.signal);
      }
      case 'bench-harness':
        return await benchHarnessCommand(rest, io);
      case 'bench': {
        const stop = stopper();
        const code = await benchCommand(rest, io, stop.signal);
        return stop.signalled() ? 130 : code;
      }
      case 'compare':
        return compareCommand(rest, io);
      case 'bench-generators':
        return await benchGeneratorsCommand(rest, io);
      case 'load': {
        const stop = stopper();
        const code = await loadCommand(rest, io, stop.signal);
        return stop.signalled() === 'SIGINT' ? 130 : code;
      }
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
    stop?.dispose();
    await killAllProcesses();
  }
}
