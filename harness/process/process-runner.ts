/**
 * Spawning a runtime process in its own process group, measuring its memory, and always reaping it (and anything
 * it forked): nothing a runtime starts may outlive the harness.
 *
 * The process group covers ordinary children; a child that leaves the group (setsid, double fork) is found by the
 * environment marker every launch carries (see proc-scan.ts) and killed with the rest.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { OutputCapture, type CaptureLimits, type CapturedLine } from './output-capture.ts';
import { refreshGroups, watchGroup } from './group-watch.ts';
import { PeakMemoryReader } from './peak-memory.ts';
import { killMarked, listPids, procStat, PROCESS_MARK_VAR, RUN_ID_VAR } from './proc-scan.ts';

export interface LaunchSpec {
  command: string;
  args: string[];
  cwd: string;
  /** The complete environment: nothing of process.env is merged in. */
  env: Record<string, string>;
  clock: () => number;
  capture?: Partial<CaptureLimits>;
  onLine?: (line: CapturedLine) => void;
  /** The execution environment starting it: a target keeps per-environment state (the sandbox's /tmp) under it. */
  environmentId?: string;
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when spawn (or, in a sandbox, exec of the bootstrap) failed: Go's `fork/exec …` wording where known. */
  spawnError?: string;
  /** Set when the launcher killed the process for using more than AWS_LAMBDA_FUNCTION_MEMORY_SIZE. */
  outOfMemory?: boolean;
  at: number;
}

export interface RunningProcess {
  readonly pid: number | undefined;
  readonly output: OutputCapture;
  /** Resolves once the process exited and its output was drained (at most 2 s after exit, if a grandchild holds the pipes). */
  readonly exited: Promise<ExitInfo>;
  readonly exitInfo: ExitInfo | undefined;
  /** Peak resident memory in KiB of the process group (sum of VmHWM over live members, max over samples). */
  peakRssKiB(): number;
  /** Read the known members' VmHWM now (no /proc scan: membership is refreshed off the request path, group-watch.ts). */
  sampleMemory(): void;
  /** Rescan who is in the group now (a /proc scan): once per init, so the process that init started is counted. */
  rescanMembers?(): void;
  /** Wait until output the runtime already wrote has arrived (for launchers whose output travels further than a pipe). */
  settleOutput?(): Promise<void>;
  /** SIGKILL the whole process group; resolves when the process has exited. Idempotent. */
  kill(signal?: NodeJS.Signals): Promise<ExitInfo>;
}

/** Live launches: process group id → the launch's environment marker. */
const live = new Map<number, string>();
let exitHookInstalled = false;
let launchSeq = 0;
let runId: string | undefined;

/**
 * This harness run's id, put in every runtime's environment as `_LAMBDASPEC_RUN_ID`: `LAMBDASPEC_RUN_ID` when set
 * (the test run's leak check sets it), otherwise one made up per harness process.
 */
export function harnessRunId(): string {
  runId ??= process.env['LAMBDASPEC_RUN_ID'] || `${process.pid}-${randomBytes(4).toString('hex')}`;
  return runId;
}

/** Kill a launch's group and every process carrying its marker, wherever it went. */
function killLaunch(pgid: number, mark: string): void {
  killGroup(pgid, 'SIGKILL');
  killMarked(mark);
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const [pgid, mark] of live) killLaunch(pgid, mark);
  });
}

function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // Group already gone.
  }
  try {
    process.kill(pgid, signal);
  } catch {
    // Already gone.
  }
}

/** pids whose process group is `pgid`, read from /proc/<pid>/stat (field 5): a full /proc scan, never per invocation. */
export function groupMembers(pgid: number): number[] {
  return listPids().filter((pid) => procStat(pid)?.pgid === pgid);
}

/** Peak resident memory of one process (VmHWM), 0 when it is gone. */
export function vmHwmKiB(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'latin1');
    const m = /VmHWM:\s+(\d+) kB/.exec(status);
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

export function launchProcess(spec: LaunchSpec): RunningProcess {
  installExitHook();
  const output = new OutputCapture(spec.clock, spec.capture, spec.onLine);
  const mark = `${harnessRunId()}:${process.pid}:${++launchSeq}`;
  const child = spawn(spec.command, spec.args, {
    cwd: spec.cwd,
    // The two markers are the only variables added: they let the harness find what this launch spawned.
    env: { ...spec.env, [RUN_ID_VAR]: harnessRunId(), [PROCESS_MARK_VAR]: mark },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pid = child.pid;
  if (pid !== undefined) live.set(pid, mark);
  output.attach(child.stdout, 'stdout');
  output.attach(child.stderr, 'stderr');

  let exitInfo: ExitInfo | undefined;
  let peak = 0;
  // VmHWM is each process's own peak, kept by the kernel: sampling the members now and then misses only children
  // that lived and died between two samples.
  const memory = new PeakMemoryReader();
  const sample = (): void => {
    if (!group || exitInfo) return;
    const sum = memory.sumKiB(group.members());
    if (sum > peak) peak = sum;
  };
  const group = pid !== undefined ? watchGroup(pid, sample) : undefined;

  const exited = new Promise<ExitInfo>((resolve) => {
    let streamsOpen = 2;
    let pending: ExitInfo | undefined;
    let graceTimer: NodeJS.Timeout | undefined;
    const settle = (): void => {
      if (!pending || exitInfo) return;
      exitInfo = pending;
      clearTimeout(graceTimer);
      group?.stop();
      memory.close();
      output.flush();
      if (pid !== undefined) {
        // Forked children that outlive the bootstrap die with it: Lambda freezes or discards them too.
        killLaunch(pid, mark);
        live.delete(pid);
      }
      resolve(exitInfo);
    };
    const streamEnded = (): void => {
      streamsOpen--;
      if (streamsOpen <= 0) settle();
    };
    child.stdout.on('close', streamEnded);
    child.stderr.on('close', streamEnded);
    child.on('error', (e) => {
      pending ??= { code: null, signal: null, spawnError: e.message, at: spec.clock() };
      settle();
    });
    child.on('exit', (code, signal) => {
      sample();
      pending = { code, signal, at: spec.clock() };
      // A grandchild may hold the pipes open: don't wait for them forever.
      graceTimer = setTimeout(settle, 2000);
      graceTimer.unref();
      if (streamsOpen <= 0) settle();
    });
  });

  return {
    pid,
    output,
    exited,
    get exitInfo() {
      return exitInfo;
    },
    peakRssKiB: () => peak,
    sampleMemory: sample,
    rescanMembers: refreshGroups,
    kill: async (signal: NodeJS.Signals = 'SIGKILL') => {
      if (!exitInfo && pid !== undefined) {
        if (signal === 'SIGKILL') killLaunch(pid, mark);
        else killGroup(pid, signal);
        if (signal !== 'SIGKILL') {
          // Whoever ignores the polite signal gets SIGKILL, escaped children included.
          const t = setTimeout(() => {
            if (!exitInfo) killLaunch(pid, mark);
          }, 2000);
          t.unref();
        }
      }
      return exited;
    },
  };
}

const killAllHooks = new Set<() => Promise<void>>();

/** Also run `teardown` in killAllProcesses: runtimes started some other way (containers) are reaped on the same path. */
export function onKillAll(teardown: () => Promise<void>): void {
  killAllHooks.add(teardown);
}

/** Kill every process group this module started that is still alive, and run the onKillAll teardowns. */
export async function killAllProcesses(): Promise<void> {
  for (const [pgid, mark] of live) killLaunch(pgid, mark);
  await Promise.all([...killAllHooks].map((t) => t().catch(() => undefined)));
  // Give 'exit' handlers a chance to run so callers see a consistent state.
  const deadline = Date.now() + 2000;
  while (live.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
}

export function liveProcessCount(): number {
  return live.size;
}
