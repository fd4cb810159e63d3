/**
 * Which processes are in each live launch's process group, refreshed on one shared timer off the request path.
 *
 * Linux has no call that lists a process group, and /proc/<pid>/task/<tid>/children is missing on some kernels
 * (CONFIG_PROC_CHILDREN, gVisor-like sandboxes), so membership comes from a /proc scan. Scanning per invocation
 * made the harness cost grow with every process on the machine; here one scan every SCAN_MS serves every
 * launch at once, and it reads /proc/<pid>/stat only for pids it has not classified yet (plus the known members,
 * whose group can change). An invocation reads only its members' own status files (see process-runner.ts).
 *
 * A pid that belongs to no watched group is remembered as foreign until it leaves the listing. A runtime cannot
 * join a foreign process's group (setpgid needs the same session, and each launch has its own), so the cache can
 * be wrong only when a foreign pid dies and its number is reused by a runtime's child between two scans; that
 * child's memory is then missed until the pid leaves the listing. Escaped processes are not this module's job:
 * the launch marker finds them at teardown (proc-scan.ts killMarked).
 */
import { listPids, procStat } from './proc-scan.ts';

/** How often every watched group's listeners run (memory sampling: a pread per member, no scan). */
export const REFRESH_MS = 100;
/**
 * How often membership is rescanned. A busy machine starts many processes between two scans, and each new pid
 * costs a stat read, so the scan runs less often than the sampling: a child is counted from at most a second
 * after it was forked.
 */
export const SCAN_MS = 1_000;

export interface GroupWatch {
  /** Members found by the last refresh; the leader always, while the group is watched. */
  members(): readonly number[];
  /** Stop watching (idempotent); the shared timer stops with the last watch. */
  stop(): void;
}

interface Watched {
  leader: number;
  members: number[];
  /** Called after each refresh, e.g. to sample memory off the request path. */
  listeners: Set<() => void>;
}

const groups = new Map<number, Watched>();
/** Pids seen in the last listing that belong to no watched group. */
const foreign = new Set<number>();
/**
 * The first scan reads every process's stat (tens of ms on a busy machine), so the foreign cache outlives a short
 * pause without watched groups; after a longer one pids may have been reused, and it starts over.
 */
const FOREIGN_CACHE_IDLE_MS = 5_000;
let idleSince: number | undefined;
let timer: NodeJS.Timeout | undefined;
let lastScan = 0;
/** A group was added since the last scan: the next tick scans, so what a runtime forks at start is found early. */
let newGroups = false;

/** The shared timer's tick: rescan when SCAN_MS has passed, then let every watch sample. */
function tick(): void {
  const now = Date.now();
  if (now - lastScan >= SCAN_MS || newGroups) refreshGroups();
  else for (const watched of [...groups.values()]) for (const listener of watched.listeners) listener();
}

/** One pass over /proc for every watched group, then the listeners. Exported for tests; production calls it from the timer only. */
export function refreshGroups(): void {
  if (groups.size === 0) return;
  lastScan = Date.now();
  newGroups = false;
  const pids = listPids();
  const found = new Map<number, number[]>();
  for (const pid of pids) {
    if (foreign.has(pid)) continue;
    const stat = procStat(pid);
    if (!stat) continue;
    if (!groups.has(stat.pgid)) {
      foreign.add(pid);
      continue;
    }
    if (stat.state === 'Z' || stat.state === 'X') continue;
    let list = found.get(stat.pgid);
    if (!list) found.set(stat.pgid, (list = []));
    list.push(pid);
  }
  if (foreign.size > 0) {
    const present = new Set(pids);
    for (const pid of foreign) if (!present.has(pid)) foreign.delete(pid);
  }
  for (const [pgid, watched] of groups) {
    const list = found.get(pgid) ?? [];
    if (!list.includes(watched.leader)) list.unshift(watched.leader);
    watched.members = list;
  }
  for (const watched of [...groups.values()]) for (const listener of watched.listeners) listener();
}

/** Watch the process group led by `leader` (its pgid); `onRefresh` runs after every shared refresh. */
export function watchGroup(leader: number, onRefresh?: () => void): GroupWatch {
  let watched = groups.get(leader);
  if (!watched) {
    watched = { leader, members: [leader], listeners: new Set() };
    groups.set(leader, watched);
    newGroups = true;
    // The leader's pid is new: if a reused number was cached as foreign, forget it.
    foreign.delete(leader);
  }
  const listener = onRefresh ?? ((): void => undefined);
  watched.listeners.add(listener);
  if (!timer) {
    if (idleSince !== undefined && Date.now() - idleSince > FOREIGN_CACHE_IDLE_MS) foreign.clear();
    idleSince = undefined;
    timer = setInterval(tick, REFRESH_MS);
    timer.unref();
  }
  const entry = watched;
  let stopped = false;
  return {
    members: () => entry.members,
    stop: () => {
      if (stopped) return;
      stopped = true;
      entry.listeners.delete(listener);
      if (entry.listeners.size === 0 && groups.get(leader) === entry) groups.delete(leader);
      if (groups.size === 0 && timer) {
        clearInterval(timer);
        timer = undefined;
        idleSince = Date.now();
      }
    },
  };
}

/** Groups being watched (tests check that launches stop their watch). */
export function watchedGroupCount(): number {
  return groups.size;
}
