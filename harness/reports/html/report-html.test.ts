import { describe, expect, it } from 'vitest';
import { sampleCase, sampleReport } from '../../testing/sample-report.ts';
import { renderReportHtml } from './report-html.ts';
import { HOSTILE, hostileCase } from '../../testing/hostile.ts';

function scriptTags(html: string): number {
  return html.match(/<script\b/gi)?.length ?? 0;
}

describe('report.html', () => {
  const html = renderReportHtml(
    sampleReport([
      hostileCase(),
      sampleCase({ id: 'next.ok', verdict: 'pass' }),
      sampleCase({ id: 'streaming.skip', verdict: 'skipped', reason: 'unsupported: runtime.yaml does not declare capability streaming' }),
      sampleCase({ id: 'context.warn', verdict: 'non-strict', level: 'should', reason: 'no trace id' }),
    ]),
  );

  it('never turns runtime-controlled text into markup', () => {
    // The page's own single script, nothing else: no injected <script>, no element carrying onerror.
    expect(scriptTags(html)).toBe(1);
    expect(html).not.toContain(HOSTILE);
    expect(html).not.toMatch(/<img\b/i);
    // Attribute values are quoted and escaped; outside them, no tag carries an event handler.
    expect(html.replace(/"[^"]*"/g, '""')).not.toMatch(/<[^>]*\sonerror=/i);
    expect(html).toContain('&lt;script&gt;window.__pwned=1&lt;/script&gt;');
    // A header name cannot break out of its element either.
    expect(html).toContain('X-Evil&quot;&gt;&lt;b');
    // Terminal escapes a runtime printed show as text, not raw control bytes.
    expect(html).toContain('\\u001b[31m');
    expect(html).not.toContain('\u001b');
  });

  it('links only http(s) sources', () => {
    expect(html).not.toContain('href="javascript:');
    expect(html).toContain('href="https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html"');
  });

  it('forbids network access and foreign scripts with a Content-Security-Policy', () => {
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1];
    expect(csp).toContain("default-src 'none'");
    expect(csp).toMatch(/script-src 'sha256-[A-Za-z0-9+/=]+'/);
    expect(html).not.toMatch(/<(link|iframe)\b/i);
    expect(html).not.toMatch(/src="https?:/i);
  });

  it('has a summary, filters and one expandable block per case with what the verdict rests on', () => {
    expect(html).toMatch(/<span class="count">4<\/span><span class="name">cases<\/span>/);
    for (const id of ['error.hostile', 'next.ok', 'streaming.skip', 'context.warn']) expect(html).toContain(`<details class="case" id="${id}"`);
    expect(html).toContain('id="q"');
    expect(html).toContain('<select id="area">');
    expect(html).toContain('<select id="level">');
    expect(html.match(/name="verdict"/g)).toHaveLength(6);
    const hostile = html.slice(html.indexOf('id="error.hostile"'), html.indexOf('id="next.ok"'));
    expect(hostile).toContain('<svg xmlns="http://www.w3.org/2000/svg" class="timeline"');
    expect(hostile).toContain('class="chunk"');
    expect(hostile).toContain('<table class="chunks">');
    expect(hostile).toContain('Lambda-Runtime-Function-Error-Type');
    expect(hostile).toContain('framing fault');
    expect(hostile).toContain('class="grid findings"');
    expect(hostile).toContain('class="grid results"');
    expect(hostile).toContain('class="grid processes"');
    expect(hostile).toContain('Log lines (2)');
  });

  it('warns at the top about routes the Runtime API does not serve, and has an inconclusive tile', () => {
    const r = sampleReport([sampleCase({ id: 'a.b', verdict: 'inconclusive', reason: 'precondition not met' })]);
    expect(renderReportHtml(r)).not.toContain('does not serve');
    const html = renderReportHtml({ ...r, unknownRoutes: [{ request: 'GET //2018-06-01/runtime/invocation/next → 404', cases: ['a.b'] }] });
    const header = html.slice(html.indexOf('<header'), html.indexOf('</header>'));
    expect(header).toContain('The runtime called paths the Runtime API does not serve');
    expect(header).toContain('<code>GET //2018-06-01/runtime/invocation/next → 404</code> in 1 case (a.b)');
    expect(html).toMatch(/data-only="inconclusive"[^>]*><span class="count">1<\/span>/);
  });

  it('marks an interrupted run', () => {
    const r = sampleReport([sampleCase({ id: 'a.b', verdict: 'pass' })]);
    expect(renderReportHtml(r)).not.toContain('Interrupted');
    expect(renderReportHtml({ ...r, interrupted: true })).toContain('Interrupted: this report holds only the 1 cases');
  });
});

describe('JSON log lines in report.html', () => {
  it('shows a JSON log line as its fields, level first, escaped, and leaves other lines as text', async () => {
    const { jsonLogLine } = await import('./report-html.ts');
    const html = jsonLogLine('{"timestamp":"2026-01-01T00:00:00Z","message":"<b>hi</b>","level":"WARN","requestId":"r-1","n":{"a":1}}')!;
    const body = html.slice(html.indexOf('">') + 2); // after the title, which holds the raw line
    expect(body.startsWith('<b class="jl">WARN</b> <span class="jk">timestamp</span>')).toBe(true);
    expect(html).toContain('<span class="jk">message</span>=<span class="jv">&lt;b&gt;hi&lt;/b&gt;</span>');
    expect(html).toContain('<span class="jk">n</span>=<span class="jv">{&quot;a&quot;:1}</span>');
    expect(html).not.toContain('<b>hi');
    expect(jsonLogLine('START RequestId: x Version: $LATEST')).toBeUndefined();
    expect(jsonLogLine('{not json')).toBeUndefined();
    expect(jsonLogLine('[1,2]')).toBeUndefined();
    const wide = JSON.stringify(Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${i}`, i])));
    expect(jsonLogLine(wide)).toContain('+16 more');
  });

  it('renders a case whose evidence holds a JSON line with the structured fields', () => {
    const c = sampleCase({ id: 'logging.json-format', verdict: 'pass' });
    c.evidence.logs.push({ at: 1, stream: 'stdout', text: '{"level":"ERROR","message":"boom"}' });
    expect(renderReportHtml(sampleReport([c]))).toContain('<b class="jl">ERROR</b> <span class="jk">message</span>=<span class="jv">boom</span>');
  });
});
