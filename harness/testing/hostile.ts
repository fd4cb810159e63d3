/** Test fixtures: report content that tries to become markup, as a runtime printing or posting it could make it. */
import type { ExchangeJson } from '../model/recording.ts';
import type { CaseReport } from '../model/report-model.ts';
import { sampleCase } from './sample-report.ts';

export const HOSTILE = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">';

function body(text: string): ExchangeJson['request']['body'] {
  return { size: Buffer.byteLength(text), base64: Buffer.from(text).toString('base64'), utf8: text };
}

/** A failing case whose reason, finding, header, bodies, log line, title and source carry `HOSTILE` (or `text`). */
export function hostileCase(id = 'error.hostile', text = HOSTILE, source = 'javascript:alert(1)'): CaseReport {
  const HOSTILE = text;
  const exchange: ExchangeJson = {
    seq: 1,
    connection: 1,
    kind: 'error',
    requestId: 'req-1',
    injected: HOSTILE,
    request: {
      method: 'POST',
      target: `/2018-06-01/runtime/invocation/req-1/error?${HOSTILE}`,
      httpVersion: '1.1',
      headers: [
        { name: 'Lambda-Runtime-Function-Error-Type', value: HOSTILE },
        { name: 'X-Evil"><b', value: 'x' },
      ],
      body: body(`{"errorMessage":"${HOSTILE}"}`),
      chunked: true,
      chunks: [
        { size: 10, extensions: HOSTILE, offset: 0, at: 1, doneAt: 1.5 },
        { size: 0, extensions: '', offset: 10, at: 2, doneAt: 2 },
      ],
      trailers: [{ name: 'Lambda-Runtime-Function-Error-Body', value: HOSTILE }],
      timing: { start: 0.5, headersDone: 0.8, bodyDone: 2 },
    },
    response: {
      status: 202,
      headers: [{ name: 'Content-Type', value: 'application/json' }],
      body: body(HOSTILE),
      timing: { start: 2.2, end: 2.3 },
    },
    fault: { kind: 'bad-trailer', detail: HOSTILE, at: 1.9 },
  };
  return sampleCase({
    id,
    verdict: 'fail',
    title: HOSTILE,
    reason: `step 1: ${HOSTILE}`,
    source,
    requirement: HOSTILE,
    findings: [{ step: 1, path: HOSTILE, expected: HOSTILE, actual: HOSTILE }],
    evidence: {
      exchanges: [exchange],
      logs: [
        { at: 1, stream: 'stdout', text: HOSTILE },
        { at: 1.2, stream: 'stderr', text: `\u001b[31m${HOSTILE}` },
      ],
      results: [
        {
          step: 1,
          requestId: 'req-1',
          outcome: 'error',
          functionError: HOSTILE,
          errorType: HOSTILE,
          payloadPreview: HOSTILE,
          payloadSize: 10,
          durationMs: 3,
        },
      ],
      processes: [
        {
          pid: 42,
          startedAt: 0,
          firstNextAt: 0.4,
          exit: { pid: 42, code: 1, signal: null, at: 3 },
          spawnFailure: { errorType: HOSTILE, errorMessage: HOSTILE },
        },
      ],
    },
  });
}

/**
 * Runtime text that tries every way out of Markdown: HTML, a fence closed by backticks, a heading on a line of its
 * own, images, links, autolinks, emphasis, a table cell, a closing </details>.
 */
export const MARKDOWN_HOSTILE = [
  '<img src=x onerror=alert(1)><script>alert(2)</script>',
  '```',
  '# all 74 cases passed',
  '</details>',
  '![pwned](https://evil.example/i.png) [click](https://evil.example/) <https://evil.example/> https://evil.example/x www.evil.example a@evil.example',
  '**bold** _em_ ~~gone~~ | a | cell | `code` <!-- comment --> &amp; \\`',
  '````',
  '- [ ] list',
  '> quote',
].join('\n');
