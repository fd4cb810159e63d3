import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { OutputCapture, type CapturedLine } from './output-capture.ts';

function capture(limits = {}) {
  let t = 0;
  const seen: CapturedLine[] = [];
  const c = new OutputCapture(() => ++t, limits, (l) => seen.push(l));
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
    const { c } = capture({ maxLineBytes: 10, maxRetainedBytes: 50 });
    c.push('stdout', Buffer.from(`${'x'.repeat(25)}\n`));
    expect(c.lines()[0]).toMatchObject({ text: 'x'.repeat(10), truncated: true });
    for (let i = 0; i < 20; i++) c.push('stdout', Buffer.from(`line-${i}\n`));
    const kept = c.lines();
    expect(kept.reduce((n, l) => n + l.text.length, 0)).toBeLessThanOrEqual(50);
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
});
