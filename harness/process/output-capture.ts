/**
 * Line capture for a child's stdout/stderr that can never exhaust memory: the pipes are always drained (a flooding
 * child never blocks), long lines are cut, and past a budget the oldest lines are dropped — and counted, so a report
 * can say how much went.
 *
 * The budget counts each kept line's text plus its per-line overhead (the line object, its timestamp, its copy in
 * an invocation's log): a flood of empty or 1-byte lines costs memory too, far more than its bytes.
 */
import { StringDecoder } from 'node:string_decoder';

export interface CapturedLine {
  stream: 'stdout' | 'stderr';
  text: string;
  /** clock() ms when the line's end arrived. */
  at: number;
  truncated?: boolean;
}

export interface CaptureLimits {
  /** Longer lines are cut at this many bytes (UTF-16 units, close enough) and marked truncated. Default 256 KiB. */
  maxLineBytes: number;
  /** Budget for kept lines, text plus LINE_OVERHEAD_BYTES each; beyond it the oldest lines are dropped. Default 8 MiB. */
  maxRetainedBytes: number;
}

export interface CaptureStats {
  /** Lines seen (kept or not). */
  lines: number;
  /** Bytes read from the pipes. */
  bytes: number;
  droppedLines: number;
  /** Bytes read but not kept: dropped lines and the cut-off rest of over-long lines (newlines included). */
  droppedBytes: number;
}

/**
 * What one kept line costs beyond its text, in budget bytes: ~75 bytes of V8 heap for the line object and its
 * timestamp (measured on Node 20), about as much again for its copy in an invocation's log lines.
 */
export const LINE_OVERHEAD_BYTES = 128;

export const DEFAULT_CAPTURE_LIMITS: CaptureLimits = { maxLineBytes: 256 * 1024, maxRetainedBytes: 8 * 1024 * 1024 };

interface StreamState {
  decoder: StringDecoder;
  /** Pieces of the current line (joined when it ends: no quadratic concatenation of a long line's reads). */
  pieces: string[];
  partialLength: number;
  /** The current line already overflowed maxLineBytes: its rest is counted, not kept. */
  overflow: boolean;
}

export class OutputCapture {
  private readonly limits: CaptureLimits;
  private readonly kept: CapturedLine[] = [];
  /** Index of the first live entry in `kept` (dropping from the front without O(n) shifts). */
  private head = 0;
  /** Budget in use: text length plus LINE_OVERHEAD_BYTES per kept line. */
  private retained = 0;
  private readonly states = new Map<'stdout' | 'stderr', StreamState>();
  private readonly counters: CaptureStats = { lines: 0, bytes: 0, droppedLines: 0, droppedBytes: 0 };

  constructor(
    private readonly clock: () => number,
    limits: Partial<CaptureLimits> = {},
    private readonly onLine?: (line: CapturedLine) => void,
  ) {
    this.limits = {
      maxLineBytes: limits.maxLineBytes ?? DEFAULT_CAPTURE_LIMITS.maxLineBytes,
      maxRetainedBytes: limits.maxRetainedBytes ?? DEFAULT_CAPTURE_LIMITS.maxRetainedBytes,
    };
  }

  attach(stream: NodeJS.ReadableStream, name: 'stdout' | 'stderr'): void {
    stream.on('data', (data: Buffer | string) => this.push(name, typeof data === 'string' ? Buffer.from(data) : data));
    stream.on('end', () => this.flushStream(name));
  }

  private state(name: 'stdout' | 'stderr'): StreamState {
    let s = this.states.get(name);
    if (!s) this.states.set(name, (s = { decoder: new StringDecoder('utf8'), pieces: [], partialLength: 0, overflow: false }));
    return s;
  }

  /** Feed bytes of one stream (exposed for tests). */
  push(name: 'stdout' | 'stderr', data: Buffer): void {
    this.counters.bytes += data.length;
    const s = this.state(name);
    const text = s.decoder.write(data);
    // Every line ending in one read arrived at the same moment: one clock reading per read, not per line.
    const at = this.clock();
    let from = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', from)) {
      this.appendPartial(s, text, from, nl);
      this.emit(name, s, at);
      from = nl + 1;
    }
    this.appendPartial(s, text, from, text.length);
  }

  private appendPartial(s: StreamState, text: string, from: number, to: number): void {
    const length = to - from;
    if (length === 0) return;
    if (s.overflow) {
      this.counters.droppedBytes += length;
      return;
    }
    const room = this.limits.maxLineBytes - s.partialLength;
    const take = Math.min(length, Math.max(0, room));
    if (take > 0) {
      s.pieces.push(text.slice(from, from + take));
      s.partialLength += take;
    }
    if (take < length) {
      s.overflow = true;
      this.counters.droppedBytes += length - take;
    }
  }

  private emit(name: 'stdout' | 'stderr', s: StreamState, at: number): void {
    let text = s.pieces.length === 1 ? s.pieces[0]! : s.pieces.join('');
    if (text.endsWith('\r')) text = text.slice(0, -1);
    const line: CapturedLine = { stream: name, text, at, ...(s.overflow ? { truncated: true } : {}) };
    s.pieces = [];
    s.partialLength = 0;
    s.overflow = false;
    this.counters.lines++;
    this.kept.push(line);
    this.retained += text.length + LINE_OVERHEAD_BYTES;
    this.trimTo(this.limits.maxRetainedBytes);
    this.onLine?.(line);
  }

  /** Drop the oldest lines until the kept ones cost at most `budget`. */
  private trimTo(budget: number): void {
    while (this.retained > budget && this.head < this.kept.length) {
      const old = this.kept[this.head]!;
      this.retained -= old.text.length + LINE_OVERHEAD_BYTES;
      this.counters.droppedLines++;
      // +1: its newline.
      this.counters.droppedBytes += old.text.length + 1;
      this.head++;
    }
    // Compact now and then so dropped lines are really freed.
    if (this.head > 4096 && this.head * 2 > this.kept.length) {
      this.kept.splice(0, this.head);
      this.head = 0;
    }
  }

  /**
   * Keep at most `budget` of the newest lines (same cost as maxRetainedBytes): an environment shrinks the output
   * of processes that already exited, so a runtime that floods and crashes in a loop cannot multiply the budget.
   */
  shrink(budget: number): void {
    this.trimTo(budget);
    if (this.head > 0 && this.kept.length === this.head) {
      this.kept.length = 0;
      this.head = 0;
    }
  }

  private flushStream(name: 'stdout' | 'stderr'): void {
    const s = this.state(name);
    const rest = s.decoder.end();
    this.appendPartial(s, rest, 0, rest.length);
    if (s.partialLength > 0 || s.overflow) this.emit(name, s, this.clock());
  }

  /** Emit trailing partial lines of both streams. */
  flush(): void {
    for (const name of this.states.keys()) this.flushStream(name);
  }

  lines(): CapturedLine[] {
    return this.kept.slice(this.head);
  }

  linesSince(at: number): CapturedLine[] {
    // Lines arrive in time order: binary search the first one at or after `at`.
    let lo = this.head;
    let hi = this.kept.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.kept[mid]!.at < at) lo = mid + 1;
      else hi = mid;
    }
    return this.kept.slice(lo);
  }

  stats(): CaptureStats {
    return { ...this.counters };
  }
}
