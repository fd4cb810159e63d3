/**
 * Reading /proc to find processes the harness is responsible for, wherever they went.
 *
 * A runtime can leave its process group (setsid, double fork) and be re-parented to PID 1, so neither the group
 * kill nor the parent link finds it. What it keeps is its environment: every process the harness launches carries
 * `_LAMBDASPEC_PROCESS=<id>` (one per launch) and `_LAMBDASPEC_RUN_ID=<run>` (one per harness run), and children
 * inherit them unless they deliberately exec with a scrubbed environment. `/proc/<pid>/environ` is the environment
 * the process was exec'd with, so a runtime cannot drop the marker by calling unsetenv() either.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** Marker of one launch: every process it spawned, however far it got from its group. */
export const PROCESS_MARK_VAR = '_LAMBDASPEC_PROCESS';
/** Marker of one harness run (test run, CLI invocation): what the leak check looks for. */
export const RUN_ID_VAR = '_LAMBDASPEC_RUN_ID';

/** Numeric entries of /proc. */
export function listPids(): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const pids: number[] = [];
  for (const e of entries) {
    const c = e.charCodeAt(0);
    if (c >= 48 && c <= 57) pids.push(Number(e));
  }
  return pids;
}

export interface ProcStat {
  pid: number;
  /** R, S, D, T, Z (zombie), X (dead) … */
  state: string;
  ppid: number;
  pgid: number;
  /** Clock ticks after boot: with the pid, identifies a process even after its pid is reused. */
  startTime: number;
}

export function procStat(pid: number): ProcStat | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    // comm may contain spaces and parentheses: fields start after the last ')'.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { pid, state: f[0]!, ppid: Number(f[1]), pgid: Number(f[2]), startTime: Number(f[19]) };
  } catch {
    return undefined;
  }
}

/** Alive and not a zombie (PID 1 here may never reap orphans, so killed processes can linger as zombies). */
export function isRunning(pid: number): boolean {
  const s = procStat(pid);
  return s !== undefined && s.state !== 'Z' && s.state !== 'X';
}

/** The environment `pid` was exec'd with as NAME=value strings; empty for zombies and foreign users' processes. */
export function procEnviron(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'latin1')
      .split('\0')
      .filter((e) => e.length > 0);
  } catch {
    return [];
  }
}

/** Running processes whose environment has `name` set to a value accepted by `match`. */
export function processesWithEnv(name: string, match: (value: string) => boolean): number[] {
  const prefix = `${name}=`;
  const found: number[] = [];
  for (const pid of listPids()) {
    if (pid === process.pid) continue;
    const entry = procEnviron(pid).find((e) => e.startsWith(prefix));
    if (entry !== undefined && match(entry.slice(prefix.length)) && isRunning(pid)) found.push(pid);
  }
  return found;
}

/**
 * SIGKILL every running process marked `PROCESS_MARK_VAR=<mark>`, repeating while new ones appear (a process may
 * fork between one scan and its kill); bounded so a fork bomb cannot keep the harness here. Returns how many it killed.
 */
export function killMarked(mark: string, maxRounds = 20): number {
  let killed = 0;
  for (let round = 0; round < maxRounds; round++) {
    const pids = processesWithEnv(PROCESS_MARK_VAR, (v) => v === mark);
    if (pids.length === 0) break;
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
        killed++;
      } catch {
        // Gone meanwhile.
      }
    }
  }
  return killed;
}

/** TCP sockets in LISTEN state (IPv4 and IPv6): socket inode → local port. */
export function listeningSockets(): Map<string, number> {
  const sockets = new Map<string, number>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(file, 'latin1');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
      const f = line.trim().split(/\s+/);
      if (f[3] === '0A' && f[9] !== undefined) sockets.set(f[9], parseInt(f[1]!.split(':')[1]!, 16));
    }
  }
  return sockets;
}

/** Local ports of the listening TCP sockets `pid` holds open. */
export function listeningPorts(pid: number): number[] {
  const listening = listeningSockets();
  const ports = new Set<number>();
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return [];
  }
  for (const fd of fds) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      const port = m ? listening.get(m[1]!) : undefined;
      if (port !== undefined) ports.add(port);
    } catch {
      // fd closed meanwhile.
    }
  }
  return [...ports].sort((a, b) => a - b);
}

/** Open file descriptors of this process (Linux); undefined where /proc is missing. */
export function openFdCount(pid: number | 'self' = 'self'): number | undefined {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return undefined;
  }
}
