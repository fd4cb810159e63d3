/**
 * Starting a bootstrap inside bubblewrap, shaped like a Lambda execution environment (see sandbox-layout.ts), and
 * keeping the RunningProcess contract of the process target: pid, peak memory, and kill of the whole group (bwrap
 * stays in the group it was started in: no --new-session).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { needsEmulator, type EmulationPlan } from '../common/emulation.ts';
import { launchProcess, type ExitInfo, type LaunchSpec, type RunningProcess } from '../../process/process-runner.ts';
import { signalOfStatus } from '../../process/signal-status.ts';
import { watchMemory } from './memory-watchdog.ts';
import { bwrapArgs, locateBootstrap, translatePaths, type SandboxLayout } from './sandbox-layout.ts';

export interface SandboxLauncherOptions {
  bwrap: string;
  /** Host layer folders for /opt. */
  layers: readonly string[];
  emulation?: EmulationPlan;
}

export interface SandboxLauncher {
  launch(spec: LaunchSpec): RunningProcess;
  /** Remove the /tmp of one execution environment (it closed). */
  release(environmentId: string): void;
  /** Remove every /tmp still held. Idempotent. */
  close(): void;
}

/** The signals a runtime is usually killed by; other statuses above 128 stay exit statuses. */
const FATAL_SIGNALS: ReadonlySet<NodeJS.Signals> = new Set([
  'SIGHUP',
  'SIGINT',
  'SIGABRT',
  'SIGBUS',
  'SIGKILL',
  'SIGSEGV',
  'SIGPIPE',
  'SIGTERM',
]);

/**
 * bwrap reports a child killed by signal N as exit status 128+N; Lambda (the runtime's parent) sees the signal.
 * Translated back for the usual fatal signals — a runtime that itself exits with such a status reads as the signal.
 */
export function fromBwrapExit(exit: ExitInfo): ExitInfo {
  if (exit.signal || exit.code === null) return exit;
  const signal = signalOfStatus(exit.code);
  return signal && FATAL_SIGNALS.has(signal) ? { ...exit, code: null, signal } : exit;
}

/**
 * bwrap's own report that exec of the bootstrap failed inside the sandbox (an interpreter the host has but the
 * sandbox hides, e.g. under /opt or /var), in Go's fork/exec wording as Lambda gives it.
 */
export function bwrapExecFailure(lines: readonly string[]): string | undefined {
  for (const line of lines) {
    const m = /^bwrap: execvp (\S+): (.+)$/.exec(line);
    if (m) return `fork/exec ${m[1]}: ${m[2]!.toLowerCase()}`;
  }
  return undefined;
}

const liveTmp = new Set<string>();
process.on('exit', () => {
  for (const dir of liveTmp) rmSync(dir, { recursive: true, force: true });
});

export function createSandboxLauncher(options: SandboxLauncherOptions): SandboxLauncher {
  const tmpByEnvironment = new Map<string, string>();
  const tmpFor = (environmentId: string | undefined): string => {
    const key = environmentId ?? 'default';
    let dir = tmpByEnvironment.get(key);
    if (!dir) {
      dir = mkdtempSync(join(tmpdir(), 'lambdaspec-sandbox-tmp-'));
      tmpByEnvironment.set(key, dir);
      liveTmp.add(dir);
    }
    return dir;
  };
  const remove = (key: string): void => {
    const dir = tmpByEnvironment.get(key);
    if (!dir) return;
    tmpByEnvironment.delete(key);
    liveTmp.delete(dir);
    rmSync(dir, { recursive: true, force: true });
  };

  const launch = (spec: LaunchSpec): RunningProcess => {
    // /tmp survives a re-init of the same environment (reference §3.3) and is fresh for a new one.
    const layout: SandboxLayout = { taskRoot: spec.cwd, layers: options.layers, tmp: tmpFor(spec.environmentId) };
    const bootstrap = locateBootstrap(spec.command, layout);
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(spec.env)) env[k] = translatePaths(v, layout, bootstrap);
    const args = spec.args.map((a) => translatePaths(a, layout, bootstrap));
    const command =
      options.emulation && needsEmulator(options.emulation, bootstrap.host)
        ? [options.emulation.emulator!, bootstrap.inside]
        : [bootstrap.inside];
    const memoryMb = Number(spec.env['AWS_LAMBDA_FUNCTION_MEMORY_SIZE']);

    const inner = launchProcess({
      ...spec,
      command: options.bwrap,
      args: [...bwrapArgs(layout, bootstrap), '--', ...command, ...args],
      cwd: '/',
      env,
    });
    const watchdog =
      inner.pid !== undefined
        ? watchMemory(inner.pid, Number.isFinite(memoryMb) && memoryMb > 0 ? memoryMb * 1024 : undefined, () => void inner.kill('SIGKILL'))
        : undefined;
    let mapped: ExitInfo | undefined;
    const translate = (exit: ExitInfo): ExitInfo => {
      if (mapped) return mapped;
      const execFailure = exit.code === 1 ? bwrapExecFailure(inner.output.lines().map((l) => l.text)) : undefined;
      mapped = {
        ...fromBwrapExit(exit),
        ...(watchdog?.tripped ? { outOfMemory: true } : {}),
        ...(execFailure ? { spawnError: execFailure } : {}),
      };
      return mapped;
    };
    const exited = inner.exited.then((exit) => {
      watchdog?.stop();
      return translate(exit);
    });
    return {
      pid: inner.pid,
      output: inner.output,
      exited,
      get exitInfo() {
        return inner.exitInfo ? translate(inner.exitInfo) : undefined;
      },
      peakRssKiB: () => watchdog?.peakKiB() ?? inner.peakRssKiB(),
      sampleMemory: () => watchdog?.sample(),
      // bwrap leads the group; the runtime inside is a grandchild, found by a scan.
      rescanMembers: () => inner.rescanMembers?.(),
      kill: async (signal) => {
        await inner.kill(signal);
        return exited;
      },
    };
  };

  return {
    launch,
    release: remove,
    close: () => {
      for (const key of [...tmpByEnvironment.keys()]) remove(key);
    },
  };
}
