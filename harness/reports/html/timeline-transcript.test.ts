import { describe, expect, it } from 'vitest';
import type { ExchangeJson } from '../../model/recording.ts';
import { hostileCase } from '../../testing/hostile.ts';
import { elements, wellFormed } from '../../testing/svg-check.ts';
import { timelineSvg } from './timeline.ts';
import { bodyPreview, renderExchange, shortTarget } from './transcript.ts';

const exchange = hostileCase().evidence.exchanges[0]!;

function next(seq: number, start: number, responded: boolean): ExchangeJson {
  const body = { size: 0, base64: '' };
  return {
    seq,
    connection: 1,
    kind: 'next',
    request: { method: 'GET', target: '/2018-06-01/runtime/invocation/next', httpVersion: '1.1', headers: [], body, chunked: false, chunks: [], trailers: [], timing: { start, headersDone: start, bodyDone: start } },
    ...(responded ? { response: { status: 200, headers: [], body, timing: { start: start + 50, end: start + 51 } } } : {}),
  };
}

describe('timeline', () => {
  it('draws a row per exchange with its chunk ticks, fault, the server wait, log and process lanes', () => {
    const c = hostileCase();
    const svg = timelineSvg({ exchanges: [...c.evidence.exchanges, next(2, 3, true), next(3, 60, false)], logs: c.evidence.logs, processes: c.evidence.processes! });
    expect(wellFormed(svg)).toBe(true);
    expect(elements(svg, 'g').filter((g) => g['@_class'] === 'exchange-row')).toHaveLength(3);
    expect(elements(svg, 'line').filter((l) => l['@_class'] === 'chunk')).toHaveLength(2);
    expect(elements(svg, 'path').filter((p) => p['@_class'] === 'fault')).toHaveLength(1);
    expect(elements(svg, 'rect').filter((r) => r['@_class'] === 'resp')).toHaveLength(2);
    // Answered after the request ended (the error post 0.2 ms, the /next 50 ms later): a wait each; the unanswered
    // /next waits to the end of the picture.
    expect(elements(svg, 'line').filter((l) => l['@_class'] === 'wait')).toHaveLength(3);
    expect(elements(svg, 'line').filter((l) => l['@_class'] === 'log')).toHaveLength(2);
    expect(elements(svg, 'path').filter((p) => p['@_class'] === 'exit')).toHaveLength(1);
  });

  it('places events in time order from left to right', () => {
    const svg = timelineSvg({ exchanges: [next(1, 0, true), next(2, 100, true)] });
    const starts = elements(svg, 'rect').filter((r) => r['@_class'] === 'req').map((r) => Number(r['@_x']));
    expect(starts[1]!).toBeGreaterThan(starts[0]!);
  });

  it('is empty when there is nothing to draw', () => {
    expect(timelineSvg({ exchanges: [] })).toBe('');
  });
});

describe('HTTP transcript', () => {
  it('keeps header names in their original case and order, duplicates included', () => {
    const x: ExchangeJson = {
      ...exchange,
      request: { ...exchange.request, headers: [{ name: 'host', value: 'a' }, { name: 'X-Dup', value: '1' }, { name: 'x-dup', value: '2' }, { name: 'CONTENT-TYPE', value: 't' }] },
    };
    const html = renderExchange(x, true);
    const names = [...html.matchAll(/<span class="hn">([^<]*)<\/span>/g)].map((m) => m[1]);
    expect(names.slice(0, 4)).toEqual(['host', 'X-Dup', 'x-dup', 'CONTENT-TYPE']);
    expect(html).toContain('HTTP/1.1 202 Accepted');
    expect(html).toContain('chunked body: 2 chunks');
    expect(html).toContain(' open>');
  });

  it('shows a body that is not UTF-8 as a hex dump, and says when the report cut a body', () => {
    const bytes = Buffer.from([0xff, 0xfe, 0x41, 0x00]);
    const hex = bodyPreview({ size: 4, base64: bytes.toString('base64') });
    expect(hex).toContain('not UTF-8');
    expect(hex).toContain('ff fe 41 00');
    expect(hex).toContain('..A.');
    expect(bodyPreview({ size: 10_000, base64: Buffer.from('abcd').toString('base64'), utf8: 'abcd', truncated: true })).toContain('first 4 of 10000 bytes kept');
    expect(bodyPreview({ size: 0, base64: '' })).toBe('');
  });

  it('names Runtime API paths briefly', () => {
    expect(shortTarget('/2018-06-01/runtime/invocation/abc/response')).toBe('invocation/abc/response');
    expect(shortTarget('/other')).toBe('/other');
  });
});
