/**
 * Lambda's memory limit without cgroups: the resident memory of the runtime's process group (bwrap's own helpers
 * left out) is sampled, and the group is SIGKILLed once it is over AWS_LAMBDA_FUNCTION_MEMORY_SIZE. An rlimit
 * would be simpler but does not fit: RLIMIT_AS breaks Go, Node and Java (they reserve far more address space than
 * they use) and RLIMIT_DATA counts reservations too on current kernels. Sampling means an allocation burst can
 * overshoot for up to one interval before the kill. The members come from the shared group watch (group-watch.ts),
 * so a sample made after an invocation reads status files only, never all of /proc.
 */
import { readFileSync } from 'node:fs';
import { watchGroup } from '../../process/group-watch.ts';

export interface MemoryWatchdog {
  /** Peak of the summed resident memory (each member's VmHWM), KiB. */
  peakKiB(): number;
  sample(): void;
  /** True once the watchdog killed the group. */
  readonly tripped: boolean;
  stop(): void;
}

function kiB(status: string, field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  return m ? Number(m[1]) : 0;
}

/** Resident memory of these processes other than bwrap itself, KiB: now (VmRSS) and each one's peak (VmHWM). */
export function residentKiB(pids: readonly number[]): { rss: number; hwm: number } {
  const sum = { rss: 0, hwm: 0 };
  for (const pid of pids) {
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'latin1');
      if (/^Name:\s+bwrap$/m.test(status)) continue;
      sum.rss += kiB(status, 'VmRSS');
      sum.hwm += kiB(status, 'VmHWM');
    } catch {
      // Raced with an exiting process.
    }
  }
  return sum;
}

export function watchMemory(pgid: number, limitKiB: number | undefined, kill: () => void): MemoryWatchdog {
  let peak = 0;
  let tripped = false;
  const sample = (): void => {
    if (tripped) return;
    const now = residentKiB(group.members());
    if (now.hwm > peak) peak = now.hwm;
    if (limitKiB !== undefined && now.rss > limitKiB) {
      tripped = true;
      kill();
    }
  };
  // Sampled after every shared refresh of the group's membership (every REFRESH_MS), and after each invocation.
  const group = watchGroup(pgid, sample);
  return {
    peakKiB: () => peak,
    sample,
    get tripped() {
      return tripped;
    },
    stop: () => group.stop(),
  };
}
