/**
 * Summed VmHWM (each process's peak resident memory, kept by the kernel) of a set of processes, cheap enough to
 * read after every invocation: each /proc/<pid>/status stays open and is re-read in place with one pread (a /proc
 * file is regenerated on a read at offset 0) instead of open + fstat + read + close. An open status file belongs to
 * the process it was opened for: once that process is gone the read fails, so a reused pid is never misread.
 */
import { closeSync, openSync, readSync } from 'node:fs';

const FIELD = Buffer.from('VmHWM:');

export class PeakMemoryReader {
  private readonly fds = new Map<number, number>();
  private readonly buffer = Buffer.alloc(8192);

  /** Sum of VmHWM over `pids` in KiB (0 for any that is gone); files of pids no longer listed are closed. */
  sumKiB(pids: readonly number[]): number {
    let sum = 0;
    for (const pid of pids) sum += this.read(pid);
    if (this.fds.size > pids.length) {
      const listed = new Set(pids);
      for (const pid of this.fds.keys()) if (!listed.has(pid)) this.drop(pid);
    }
    return sum;
  }

  close(): void {
    for (const pid of [...this.fds.keys()]) this.drop(pid);
  }

  private read(pid: number): number {
    let fd = this.fds.get(pid);
    if (fd === undefined) {
      try {
        fd = openSync(`/proc/${pid}/status`, 'r');
      } catch {
        return 0;
      }
      this.fds.set(pid, fd);
    }
    let n: number;
    try {
      n = readSync(fd, this.buffer, 0, this.buffer.length, 0);
    } catch {
      this.drop(pid);
      return 0;
    }
    const at = this.buffer.subarray(0, n).indexOf(FIELD);
    if (at < 0) return 0;
    let value = 0;
    for (let i = at + FIELD.length; i < n; i++) {
      const c = this.buffer[i]!;
      if (c >= 48 && c <= 57) value = value * 10 + (c - 48);
      else if (value > 0 || c === 10) break;
    }
    return value;
  }

  private drop(pid: number): void {
    const fd = this.fds.get(pid);
    this.fds.delete(pid);
    if (fd !== undefined) {
      try {
        closeSync(fd);
      } catch {
        // Already closed.
      }
    }
  }
}
