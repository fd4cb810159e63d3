/**
 * Lambda's memory limit without cgroups: the resident memory of the runtime's process group (bwrap's own helpers
 * left out) is sampled, and the group is SIGKILLed once it is over AWS_LAMBDA_FUNCTION_MEMORY_SIZE. An rlimit
 * would be simpler but does not fit: RLIMIT_AS breaks Go, Node and Java (they reserve far more address space than
 * they use) and RLIMIT_DATA counts reservations too on current kernels. Sampling means an allocation burst can
 * overshoot for up to one interval before the kill.
 */
import { readFileSync } from 'node:fs';
import { groupMembers } from '../../process/process-runner.ts';

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

/** Resident memory of the group's members other than bwrap itself, KiB: now (VmRSS) and each one's peak (VmHWM). */
export function groupResidentKiB(pgid: number): { rss: number; hwm: number } {
  const sum = { rss: 0, hwm: 0 };
  for (const pid of groupMembers(pgid)) {
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

export function watchMemory(pgid: number, limitKiB: number | undefined, kill: () => void, intervalMs = 100): MemoryWatchdog {
  let peak = 0;
  let tripped = false;
  const sample = (): void => {
    if (tripped) return;
    const now = groupResidentKiB(pgid);
    if (now.hwm > peak) peak = now.hwm;
    if (limitKiB !== undefined && now.rss > limitKiB) {
      tripped = true;
      kill();
    }
  };
  const timer = setInterval(sample, intervalMs);
  timer.unref();
  return {
    peakKiB: () => peak,
    sample,
    get tripped() {
      return tripped;
    },
    stop: () => clearInterval(timer),
  };
}
