/**
 * Line capture for a child's stdout/stderr that can never exhaust memory: the pipes are always drained (a flooding
 * child never blocks), long lines are cut, and past a byte budget the oldest lines are dropped.
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
  /** Text kept in all; beyond it the oldest lines are dropped. Default 8 MiB. */
  maxRetainedBytes: number;
}

export interface CaptureStats {
  lines: number;
  bytes: number;
  droppedLines: number;
  droppedBytes: number;
}

interface StreamState {
  decoder: StringDecoder;
  partial: string;
  /** The current line already overflowed maxLineBytes: ignore its rest. */
  overflow: boolean;
}

export class OutputCapture {
  private readonly limits: CaptureLimits;
  private readonly kept: CapturedLine[] = [];
  /** Index of the first live entry in `kept` (dropping from the front without O(n) shifts). */
  private head = 0;
  private retained = 0;
  private readonly states = new Map<'stdout' | 'stderr', StreamState>();
  private readonly counters: CaptureStats = { lines: 0, bytes: 0, droppedLines: 0, droppedBytes: 0 };

  constructor(
    private readonly clock: () => number,
    limits: Partial<CaptureLimits> = {},
    private readonly onLine?: (line: CapturedLine) => void,
  ) {
    this.limits = { maxLineBytes: limits.maxLineBytes ?? 256 * 1024, maxRetainedBytes: limits.maxRetainedBytes ?? 8 * 1024 * 1024 };
  }

  attach(stream: NodeJS.ReadableStream, name: 'stdout' | 'stderr'): void {
    stream.on('data', (data: Buffer | string) => this.push(name, typeof data === 'string' ? Buffer.from(data) : data));
    stream.on('end', () => this.flushStream(name));
  }

  private state(name: 'stdout' | 'stderr'): StreamState {
    let s = this.states.get(name);
    if (!s) this.states.set(name, (s = { decoder: new StringDecoder('utf8'), partial: '', overflow: false }));
    return s;
  }

  /** Feed bytes of one stream (exposed for tests). */
  push(name: 'stdout' | 'stderr', data: Buffer): void {
    this.counters.bytes += data.length;
    const s = this.state(name);
    let text = s.decoder.write(data);
    let nl = text.indexOf('\n');
    while (nl >= 0) {
      this.appendPartial(s, text.slice(0, nl));
      this.emit(name, s);
      text = text.slice(nl + 1);
      nl = text.indexOf('\n');
    }
    this.appendPartial(s, text);
  }

  private appendPartial(s: StreamState, piece: string): void {
    if (s.overflow || piece.length === 0) return;
    const room = this.limits.maxLineBytes - s.partial.length;
    if (piece.length > room) {
      s.partial += piece.slice(0, Math.max(0, room));
      s.overflow = true;
    } else {
      s.partial += piece;
    }
  }

  private emit(name: 'stdout' | 'stderr', s: StreamState): void {
    let text = s.partial;
    if (text.endsWith('\r')) text = text.slice(0, -1);
    const line: CapturedLine = { stream: name, text, at: this.clock(), ...(s.overflow ? { truncated: true } : {}) };
    s.partial = '';
    s.overflow = false;
    this.counters.lines++;
    this.kept.push(line);
    this.retained += text.length;
    while (this.retained > this.limits.maxRetainedBytes && this.head < this.kept.length) {
      const old = this.kept[this.head]!;
      this.retained -= old.text.length;
      this.counters.droppedLines++;
      this.counters.droppedBytes += old.text.length;
      this.head++;
    }
    // Compact now and then so dropped lines are really freed.
    if (this.head > 4096 && this.head * 2 > this.kept.length) {
      this.kept.splice(0, this.head);
      this.head = 0;
    }
    this.onLine?.(line);
  }

  private flushStream(name: 'stdout' | 'stderr'): void {
    const s = this.state(name);
    this.appendPartial(s, s.decoder.end());
    if (s.partial.length > 0 || s.overflow) this.emit(name, s);
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
