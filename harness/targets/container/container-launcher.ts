/**
 * Launching a runtime as a container: the `launch` of a LocalEnvironment on the container target. Each launch is a
 * fresh container from the same image (so a re-init after a timeout kill starts clean), with the host's network
 * (the runtime reaches the fake Runtime API at 127.0.0.1:<port>), docker-init as PID 1 (the runtime is not PID 1,
 * so its own signals act as on Lambda), and /tmp bind-mounted from a host folder kept per execution environment,
 * since Lambda keeps /tmp across re-inits of the same environment. Containers are removed when they stop
 * (AutoRemove, then a forced remove to be sure) and on interrupt (killAllProcesses runs killAllContainers).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { PassThrough } from 'node:stream';
import type Dockerode from 'dockerode';
import { harnessRunId, onKillAll, vmHwmKiB, type ExitInfo, type LaunchSpec, type RunningProcess } from '../../process/process-runner.ts';
import { OutputCapture } from '../../process/output-capture.ts';
import { dockerClient, LAMBDASPEC_LABEL } from './docker.ts';
import { TASK_ROOT } from './rootfs.ts';
import { signalOfStatus } from '../../process/signal-status.ts';

export type ContainerCommand =
  /** A bundled runtime's image: LaunchSpec.command (a host path in the runtime folder) is mapped into /var/task. */
  | { kind: 'bundled'; hostTaskRoot: string }
  /** A user's image: its own ENTRYPOINT and CMD, as Lambda runs a container image. */
  | { kind: 'image'; keepImagePath: boolean };

export interface ContainerLaunchOptions {
  image: string;
  command: ContainerCommand;
  /** The per-environment /tmp folders (see TmpDirs). */
  tmp: TmpDirs;
}

/**
 * Host folders mounted at /tmp, one per execution environment. LaunchSpec.clock is the environment's own clock
 * function, so it identifies the environment across re-inits (a Runtime API port could be reused by a later one).
 */
export class TmpDirs {
  private readonly byEnvironment = new WeakMap<object, string>();
  private readonly all = new Set<string>();

  for(environmentKey: object): string {
    let dir = this.byEnvironment.get(environmentKey);
    if (!dir) {
      dir = mkdtempSync(join(tmpdir(), 'lambdaspec-container-tmp-'));
      this.byEnvironment.set(environmentKey, dir);
      this.all.add(dir);
      liveTmpDirs.add(dir);
    }
    return dir;
  }

  /** Remove every folder made so far. */
  removeAll(): void {
    for (const dir of this.all) {
      rmSync(dir, { recursive: true, force: true });
      liveTmpDirs.delete(dir);
    }
    this.all.clear();
  }
}

/** Label naming the pid of the harness that started a container. */
export const OWNER_LABEL = 'lambdaspec.owner';

// --- every live container, for interrupts -------------------------------------------------------------------

const live = new Map<string, Dockerode.Container>();
/** Every /tmp folder not yet removed, for an abrupt exit. */
const liveTmpDirs = new Set<string>();
let hooksInstalled = false;

function installHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  onKillAll(killAllContainers);
  // Last resort on an abrupt exit: synchronous, through the docker CLI.
  process.on('exit', () => {
    for (const dir of liveTmpDirs) rmSync(dir, { recursive: true, force: true });
    if (live.size === 0) return;
    try {
      execFileSync('docker', ['rm', '--force', ...live.keys()], { stdio: 'ignore', timeout: 10_000 });
    } catch {
      // Nothing more can be done while exiting.
    }
  });
}

/** Remove the container, and wait (bounded) while AutoRemove is still at it: gone means gone from `docker ps -a`. */
async function forceRemove(container: Dockerode.Container): Promise<void> {
  try {
    await container.remove({ force: true });
    return;
  } catch {
    // Already removed (AutoRemove) or being removed: wait for the engine to say it is gone.
  }
  for (let i = 0; i < 100; i++) {
    try {
      await container.inspect();
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Kill and remove every container this process started that is still there. */
export async function killAllContainers(): Promise<void> {
  const all = [...live.values()];
  live.clear();
  await Promise.all(all.map(forceRemove));
}

export function liveContainerCount(): number {
  return live.size;
}

// --- one launch --------------------------------------------------------------------------------------------

/** Exit statuses above 128 are how docker-init reports a child killed by a signal (128 + number). */
export function exitFromStatus(status: number): Pick<ExitInfo, 'code' | 'signal'> {
  const signal = signalOfStatus(status);
  return signal ? { code: null, signal } : { code: status, signal: null };
}

/** The container's processes, from its cgroup (v1 cgroupfs, v2 and systemd layouts). */
function containerPids(id: string): number[] {
  const candidates = [
    `/sys/fs/cgroup/pids/docker/${id}/cgroup.procs`,
    `/sys/fs/cgroup/memory/docker/${id}/cgroup.procs`,
    `/sys/fs/cgroup/docker/${id}/cgroup.procs`,
    `/sys/fs/cgroup/system.slice/docker-${id}.scope/cgroup.procs`,
  ];
  for (const c of candidates) {
    try {
      return readFileSync(c, 'latin1').split('\n').filter(Boolean).map(Number);
    } catch {
      // Try the next layout.
    }
  }
  return [];
}

/** The container's first process (docker-init): the member of its cgroup whose parent is outside it. */
function mainPid(id: string): number | undefined {
  const pids = containerPids(id);
  const members = new Set(pids);
  for (const p of pids) {
    try {
      const m = /PPid:\s+(\d+)/.exec(readFileSync(`/proc/${p}/status`, 'latin1'));
      if (m && !members.has(Number(m[1]))) return p;
    } catch {
      // Exited meanwhile.
    }
  }
  return undefined;
}

/** Environment values naming the host's runtime folder name /var/task instead. */
function containerEnv(spec: LaunchSpec, command: ContainerCommand, imagePath: string | undefined): string[] {
  const env: Record<string, string> = { ...spec.env, LAMBDA_TASK_ROOT: TASK_ROOT };
  if (command.kind === 'bundled') {
    for (const [k, v] of Object.entries(env)) env[k] = v.split(command.hostTaskRoot).join(TASK_ROOT);
  } else if (command.keepImagePath && imagePath !== undefined) {
    // The image's interpreter lives on the image's PATH (e.g. /usr/local/bin in python:3.12).
    env['PATH'] = imagePath;
  }
  return Object.entries(env).map(([k, v]) => `${k}=${v}`);
}

/**
 * A bundled image's bootstrap waits for stdin to close before it starts (`read` then `exec`: same pid, nothing left
 * over), so its pid is known before it can exit: a runtime that dies within milliseconds (next.exits-on-500) still
 * has its exit recorded. A user's image runs untouched (it may have no /bin/sh).
 */
const GATE = ['/bin/sh', '-c', 'read -r _ || true; exec "$@"', 'lambdaspec-gate'];

/**
 * Where a bundled image runs the bootstrap: its place under /var/task when it is in the runtime folder; a bootstrap
 * from elsewhere (the suite's broken-bootstrap variants) is bound over /var/task/<its name>.
 */
export function bundledBootstrapInside(hostTaskRoot: string, command: string): { path: string; bound: boolean } {
  const rel = relative(hostTaskRoot, command);
  if (!rel.startsWith('..') && !rel.startsWith('/')) return { path: join(TASK_ROOT, rel), bound: false };
  return { path: join(TASK_ROOT, basename(command)), bound: true };
}

function createOptions(spec: LaunchSpec, o: ContainerLaunchOptions, imagePath: string | undefined): Dockerode.ContainerCreateOptions {
  const binds = [`${o.tmp.for(spec.clock)}:/tmp`];
  let entrypoint: string[] | undefined;
  let cmd: string[] | undefined;
  if (o.command.kind === 'bundled') {
    const inside = bundledBootstrapInside(o.command.hostTaskRoot, spec.command);
    if (inside.bound) binds.push(`${spec.command}:${inside.path}:ro`);
    entrypoint = [inside.path];
    cmd = [...(entrypoint ?? []), ...spec.args];
    entrypoint = GATE;
  }
  const gated = o.command.kind === 'bundled';
  return {
    Image: o.image,
    ...(entrypoint ? { Entrypoint: entrypoint } : {}),
    ...(cmd ? { Cmd: cmd } : {}),
    Env: containerEnv(spec, o.command, imagePath),
    WorkingDir: TASK_ROOT,
    // The owner and run labels let a leak check tell this harness's (and this test run's) containers from another's.
    Labels: { [LAMBDASPEC_LABEL]: '1', [OWNER_LABEL]: String(process.pid), 'lambdaspec.run': harnessRunId() },
    AttachStdout: true,
    AttachStderr: true,
    ...(gated ? { AttachStdin: true, OpenStdin: true, StdinOnce: true } : {}),
    Tty: false,
    HostConfig: { NetworkMode: 'host', AutoRemove: true, Init: true, Binds: binds },
  };
}

/** A launcher for LocalEnvironment that runs each runtime process as a container of `options.image`. */
export function containerLauncher(options: ContainerLaunchOptions): (spec: LaunchSpec) => RunningProcess {
  installHooks();
  let imagePath: Promise<string | undefined> | undefined;
  return (spec) => {
    imagePath ??= imageEnvPath(options.image);
    return new ContainerProcess(spec, options, imagePath);
  };
}

async function imageEnvPath(image: string): Promise<string | undefined> {
  const client = await dockerClient();
  const info = await client.container.dockerode.getImage(image).inspect();
  return (info.Config.Env ?? []).find((e) => e.startsWith('PATH='))?.slice(5);
}

/** Output quiet for this long counts as arrived; never wait longer than the max. */
const SETTLE_QUIET_MS = 20;
const SETTLE_MAX_MS = 250;

/** One runtime process as one container: created, attached, started, awaited, removed. */
class ContainerProcess implements RunningProcess {
  readonly output: OutputCapture;
  readonly exited: Promise<ExitInfo>;
  private readonly stdout = new PassThrough();
  private readonly stderr = new PassThrough();
  private lastOutputAt = performance.now();
  private knownPid: number | undefined;
  private id: string | undefined;
  private container: Dockerode.Container | undefined;
  private exit: ExitInfo | undefined;
  private killRequested: NodeJS.Signals | undefined;
  private peak = 0;
  private readonly sampler: NodeJS.Timeout;

  constructor(
    private readonly spec: LaunchSpec,
    private readonly options: ContainerLaunchOptions,
    private readonly imagePath: Promise<string | undefined>,
  ) {
    this.output = new OutputCapture(spec.clock, spec.capture, spec.onLine);
    this.output.attach(this.stdout, 'stdout');
    this.output.attach(this.stderr, 'stderr');
    const touched = (): void => {
      this.lastOutputAt = performance.now();
    };
    this.stdout.on('data', touched);
    this.stderr.on('data', touched);
    this.sampler = setInterval(() => this.sampleMemory(), 50);
    this.sampler.unref();
    this.exited = this.run();
  }

  get pid(): number | undefined {
    // Read from the cgroup at once when asked before inspect answered: the runtime may finish an invocation
    // before then, and an unknown pid would look like a different process.
    if (this.knownPid === undefined && this.id !== undefined && !this.exit) this.knownPid = mainPid(this.id);
    return this.knownPid;
  }

  get exitInfo(): ExitInfo | undefined {
    return this.exit;
  }

  peakRssKiB(): number {
    return this.peak;
  }

  sampleMemory(): void {
    if (!this.id || this.exit) return;
    let sum = 0;
    // docker-init (the container's PID 1, `pid`) is ours, not the runtime's.
    for (const p of containerPids(this.id)) if (p !== this.knownPid) sum += vmHwmKiB(p);
    if (sum > this.peak) this.peak = sum;
  }

  /**
   * A line written just before the response travels runtime → containerd-shim → dockerd → attach stream, and can
   * arrive after the response did: wait until the output has been quiet for a moment (bounded).
   */
  async settleOutput(): Promise<void> {
    const asked = performance.now();
    const deadline = asked + SETTLE_MAX_MS;
    while (!this.exit && performance.now() < deadline) {
      // Quiet since the later of the last output and the question: output already on its way has time to land.
      const quietFor = performance.now() - Math.max(this.lastOutputAt, asked);
      if (quietFor >= SETTLE_QUIET_MS) return;
      await new Promise((r) => setTimeout(r, SETTLE_QUIET_MS - quietFor));
    }
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<ExitInfo> {
    if (!this.exit) {
      this.killRequested ??= signal;
      const c = this.container;
      if (c) {
        await c.kill({ signal }).catch(() => undefined);
        if (signal !== 'SIGKILL') setTimeout(() => void c.kill({ signal: 'SIGKILL' }).catch(() => undefined), 2000).unref();
      }
    }
    return this.exited;
  }

  private async run(): Promise<ExitInfo> {
    const started = await this.startAndWait();
    this.sampleMemory();
    // Output still in flight arrives before the attach stream ends; a stuck stream gets 2 s.
    await Promise.race([started.streamDone, new Promise((r) => setTimeout(r, 2000).unref())]);
    this.stdout.end();
    this.stderr.end();
    clearInterval(this.sampler);
    if (this.container) {
      await forceRemove(this.container);
      if (this.id) live.delete(this.id);
    }
    const info: ExitInfo =
      started.status !== null
        ? { ...exitFromStatus(started.status), at: started.endedAt ?? this.spec.clock() }
        : { code: null, signal: null, spawnError: started.spawnError ?? 'container did not run', at: this.spec.clock() };
    this.output.flush();
    this.exit = info;
    return info;
  }

  /** Create, attach, start and wait for the container; a Docker error becomes the spawn error. */
  private async startAndWait(): Promise<{ status: number | null; endedAt?: number; spawnError?: string; streamDone: Promise<void> }> {
    let streamDone: Promise<void> = Promise.resolve();
    try {
      const client = await dockerClient();
      const docker = client.container.dockerode;
      const container = await docker.createContainer(createOptions(this.spec, this.options, await this.imagePath));
      this.container = container;
      this.id = container.id;
      live.set(container.id, container);
      const gated = this.options.command.kind === 'bundled';
      const attached = (await container.attach({
        stream: true,
        stdout: true,
        stderr: true,
        ...(gated ? { stdin: true, hijack: true } : {}),
      })) as NodeJS.ReadWriteStream;
      streamDone = new Promise<void>((resolve) => {
        attached.on('end', resolve);
        attached.on('close', resolve);
        attached.on('error', () => resolve());
      });
      docker.modem.demuxStream(attached, this.stdout, this.stderr);
      // Registered before start, so a runtime that exits at once cannot be missed (AutoRemove would race it).
      const waited = container.wait({ condition: 'next-exit' }) as Promise<{ StatusCode: number }>;
      await container.start();
      await this.learnPid(container);
      // Open the gate: the bootstrap's stdin closes (as a process's /dev/null would read) and it starts.
      if (gated) attached.end();
      const status = (await waited).StatusCode;
      // When it stopped, not when its output drained and the container was removed: steps are told apart by it.
      return { status, endedAt: this.spec.clock(), streamDone };
    } catch (e) {
      const spawnError = (e instanceof Error ? e.message : String(e)).replace(/^\(HTTP code \d+\) [a-z ]+- /, '').trim();
      return { status: null, spawnError, streamDone };
    }
  }

  /**
   * The pid at once from the cgroup (docker-init lives as long as the runtime), else from inspect: the exit is
   * recorded against it, and a runtime may answer and exit before inspect does. A kill asked for meanwhile is sent.
   */
  private async learnPid(container: Dockerode.Container): Promise<void> {
    this.knownPid ??= mainPid(container.id);
    if (this.killRequested) await container.kill({ signal: this.killRequested }).catch(() => undefined);
    if (this.knownPid === undefined) {
      const info = await container.inspect().catch(() => undefined);
      if (info && info.State.Pid > 0) this.knownPid = info.State.Pid;
    }
  }
}
