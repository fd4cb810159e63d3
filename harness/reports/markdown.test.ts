import { describe, expect, it } from 'vitest';
import { renderMarkdown } from './markdown.ts';
import { sampleCase, sampleReport } from '../testing/sample-report.ts';

describe('renderMarkdown', () => {
  it('summarises totals and areas, details what did not pass, lists skips and every case', () => {
    const md = renderMarkdown(
      sampleReport([
        sampleCase({ id: 'error.posted', verdict: 'pass' }),
        sampleCase({
          id: 'error.header',
          verdict: 'fail',
          reason: 'header missing',
          findings: [{ step: 2, path: 'wire|x', expected: 'a', actual: 'b' }],
          evidence: {
            logs: [],
            results: [],
            exchanges: [
              {
                seq: 1,
                connection: 1,
                kind: 'error',
                request: {
                  method: 'POST',
                  target: '/2018-06-01/runtime/invocation/r/error',
                  httpVersion: '1.1',
                  headers: [{ name: 'Content-Type', value: 'application/json' }],
                  body: { size: 2, base64: 'e30=', utf8: '{}' },
                  chunked: false,
                  chunks: [],
                  trailers: [],
                  timing: { start: 0, headersDone: 1 },
                },
              },
            ],
          },
        }),
        sampleCase({ id: 'streaming.x', verdict: 'skipped', reason: 'capability streaming not declared' }),
      ]),
    );
    expect(md).toContain('**1 pass · 1 fail · 0 non-strict · 0 informational · 0 inconclusive · 1 skipped** of 3 cases — exit code 1');
    expect(md).toContain('| error | 1 | 1 | 0 | 0 | 0 |');
    expect(md).toContain('### ❌ fail — `error.header` (MUST)');
    expect(md).toContain('**Why:** `header missing`');
    expect(md).toContain('| 2 | `wire\\|x` | `a` | `b` |');
    expect(md).toContain('POST /2018-06-01/runtime/invocation/r/error');
    expect(md).toContain('| `streaming.x` | capability streaming not declared |');
    expect(md).not.toContain('### ✅');
  });
});

describe('precondition and route warnings', () => {
  it('puts unknown routes at the top and shows an inconclusive case with its reason', () => {
    const cases = [sampleCase({ id: 'next.exits-on-500', verdict: 'inconclusive', reason: 'precondition not met: step 1: never delivered' })];
    const md = renderMarkdown({
      ...sampleReport(cases),
      unknownRoutes: [{ request: 'GET //2018-06-01/runtime/invocation/next → 404', cases: ['next.exits-on-500'] }],
    });
    const warning = md.indexOf('**Warning: the runtime called paths the Runtime API does not serve**');
    expect(warning).toBeGreaterThan(0);
    expect(warning).toBeLessThan(md.indexOf('Runtime `rt`'));
    expect(md).toContain('- `GET //2018-06-01/runtime/invocation/next → 404` in 1 case (`next.exits-on-500`)');
    expect(md).toContain('### ❔ inconclusive — `next.exits-on-500` (MUST)');
    expect(md).toContain('**Why:** `precondition not met: step 1: never delivered`');
    expect(md).toContain('0 informational · 1 inconclusive · 0 skipped');
  });
});

describe('control characters', () => {
  it('are escaped so report.md stays a text file', () => {
    const md = renderMarkdown(sampleReport([sampleCase({ id: 'streaming.x', verdict: 'fail', reason: 'got "{}\u0000\u0000 body\r"' })]));
    expect(md).not.toMatch(/[\u0000\r]/);
    expect(md).toContain('\\u0000\\u0000 body\\u000d');
  });
});
