import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { droppedSummary } from '../reports/dropped-output.ts';
import { LINE_OVERHEAD_BYTES, OutputCapture, type CapturedLine } from './output-capture.ts';

function capture(limits = {}) {
  let t = 0;
  const seen: CapturedLine[] = [];
  const c = new OutputCapture(
    () => ++t,
    limits,
    (l) => seen.push(l),
  );
  return { c, seen };
}

describe('OutputCapture', () => {
  it('splits lines per stream with timestamps, strips CR of CRLF, flushes a trailing partial line', () => {
    const { c, seen } = capture();
    c.push('stdout', Buffer.from('one\r\ntw'));
    c.push('stderr', Buffer.from('err\n'));
    c.push('stdout', Buffer.from('o\nthree'));
    c.flush();
    expect(c.lines().map((l) => [l.stream, l.text])).toEqual([
      ['stdout', 'one'],
      ['stderr', 'err'],
      ['stdout', 'two'],
      ['stdout', 'three'],
    ]);
    expect(seen).toHaveLength(4);
    expect(c.linesSince(3).map((l) => l.text)).toEqual(['two', 'three']);
  });

  it('keeps a multi-byte character split across reads', () => {
    const { c } = capture();
    const bytes = Buffer.from('héllo 😀\n');
    for (const b of bytes) c.push('stdout', Buffer.from([b]));
    expect(c.lines()[0]!.text).toBe('héllo 😀');
  });

  it('cuts over-long lines and drops the oldest lines past the byte budget, counting what it dropped', () => {
    const { c } = capture({ maxLineBytes: 10, maxRetainedBytes: 50 + 3 * LINE_OVERHEAD_BYTES });
    c.push('stdout', Buffer.from(`${'x'.repeat(25)}\n`));
    expect(c.lines()[0]).toMatchObject({ text: 'x'.repeat(10), truncated: true });
    for (let i = 0; i < 20; i++) c.push('stdout', Buffer.from(`line-${i}\n`));
    const kept = c.lines();
    expect(kept.reduce((n, l) => n + l.text.length + LINE_OVERHEAD_BYTES, 0)).toBeLessThanOrEqual(50 + 3 * LINE_OVERHEAD_BYTES);
    expect(kept.at(-1)!.text).toBe('line-19');
    const stats = c.stats();
    expect(stats.lines).toBe(21);
    expect(stats.droppedLines).toBe(21 - kept.length);
    expect(stats.droppedBytes).toBeGreaterThan(0);
  });

  it('reads attached streams to their end', async () => {
    const { c } = capture();
    const s = new PassThrough();
    c.attach(s, 'stdout');
    s.write('a\nb');
    s.end();
    await new Promise((r) => setImmediate(r));
    expect(c.lines().map((l) => l.text)).toEqual(['a', 'b']);
  });

  it('charges every kept line its overhead: a flood of empty lines is bounded in count, and what went is counted', () => {
    const { c } = capture({ maxRetainedBytes: 100 * LINE_OVERHEAD_BYTES });
    const block = Buffer.from('\n'.repeat(65536));
    for (let i = 0; i < 4; i++) c.push('stdout', block);
    expect(c.lines()).toHaveLength(100);
    expect(c.stats()).toMatchObject({ lines: 4 * 65536, bytes: 4 * 65536, droppedLines: 4 * 65536 - 100, droppedBytes: 4 * 65536 - 100 });
  });

  it('1-byte lines cost their overhead too', () => {
    const { c } = capture({ maxRetainedBytes: 10 * (1 + LINE_OVERHEAD_BYTES) });
    c.push('stdout', Buffer.from('y\n'.repeat(1000)));
    expect(c.lines()).toHaveLength(10);
    expect(c.stats()).toMatchObject({ droppedLines: 990, droppedBytes: 1980 });
  });

  it('counts the cut-off rest of a line that never ends as dropped bytes, and keeps its head', () => {
    const { c } = capture({ maxLineBytes: 1000 });
    const block = Buffer.from('z'.repeat(4096));
    for (let i = 0; i < 100; i++) c.push('stdout', block);
    expect(c.lines()).toHaveLength(0);
    c.flush();
    expect(c.lines()).toEqual([expect.objectContaining({ text: 'z'.repeat(1000), truncated: true })]);
    expect(c.stats()).toMatchObject({ lines: 1, bytes: 409_600, droppedLines: 0, droppedBytes: 409_600 - 1000 });
  });

  it('shrinks to a smaller budget on request, keeping the newest lines', () => {
    const { c } = capture();
    for (let i = 0; i < 50; i++) c.push('stderr', Buffer.from(`l${i}\n`));
    c.shrink(5 * (3 + LINE_OVERHEAD_BYTES));
    expect(c.lines().map((l) => l.text)).toEqual(['l45', 'l46', 'l47', 'l48', 'l49']);
    expect(c.stats().droppedLines).toBe(45);
    c.shrink(0);
    expect(c.lines()).toEqual([]);
  });

  it('words the dropped volume with SI prefixes', () => {
    expect(droppedSummary({ bytes: 0, lines: 0 })).toBeUndefined();
    expect(droppedSummary({ bytes: 3_100_000_000, lines: 1_600_000_000 })).toBe('3.1 GB in 1.6 G lines dropped');
    expect(droppedSummary({ bytes: 512, lines: 0 })).toBe('512 B in 0 lines dropped');
  });
});
