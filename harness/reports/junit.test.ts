import { describe, expect, it } from 'vitest';
import { renderJunit } from './junit.ts';
import { sampleCase, sampleReport } from '../testing/sample-report.ts';

const cases = [
  sampleCase({ id: 'error.posted', verdict: 'pass' }),
  sampleCase({
    id: 'error.header',
    verdict: 'fail',
    reason: 'no <error-type> header & more',
    findings: [{ step: 1, path: 'wire.exchanges[0].headers', expected: '"Probe.Boom"', actual: 'absent' }],
  }),
  sampleCase({ id: 'streaming.chunks', verdict: 'skipped', reason: 'capability streaming not declared' }),
  sampleCase({ id: 'events.invalid-json', level: 'should', verdict: 'non-strict', reason: 'handler got text' }),
];

describe('renderJunit', () => {
  it('writes one testcase per case, failures for MUST breaks with the reason, skipped marked', () => {
    const xml = renderJunit(sampleReport(cases));
    expect(xml.match(/<testcase /g)).toHaveLength(4);
    expect(xml).toContain('<testsuites name="lambdaspec rt" tests="4" failures="1" errors="0" skipped="1"');
    expect(xml).toContain('<failure message="no &lt;error-type&gt; header &amp; more" type="MUST">');
    expect(xml).toContain('step 1: wire.exchanges[0].headers: expected &quot;Probe.Boom&quot;, got absent');
    expect(xml).toContain('<skipped message="capability streaming not declared"/>');
    expect(xml).toContain('<system-out>non-strict: handler got text');
    expect(xml).toContain('<testsuite name="rt: error" tests="2" failures="1"');
  });

  it('counts the cases an interrupted run never reached as errors, so CI shows the run incomplete', () => {
    const report = {
      ...sampleReport(cases),
      interrupted: true,
      exitCode: 130,
      notRun: [
        { id: 'error.later', title: 'a later case', area: 'error' },
        { id: 'init.never', title: 'never reached', area: 'init' },
      ],
    };
    const xml = renderJunit(report);
    expect(xml).toContain('<testsuites name="lambdaspec rt" tests="6" failures="1" errors="2" skipped="1"');
    expect(xml).toContain('<testsuite name="rt: error" tests="3" failures="1" errors="1"');
    expect(xml).toContain('<testsuite name="rt: init" tests="1" failures="0" errors="1"');
    expect(xml).toContain('<testcase classname="rt.init" name="init.never: never reached" time="0.000">\n      <error message="not run: the run was interrupted" type="not-run">');
  });

  it('turns SHOULD breaks into failures under --strict', () => {
    const xml = renderJunit(sampleReport(cases, true));
    expect(xml).toContain('failures="2"');
    expect(xml).toContain('type="SHOULD"');
  });

  it('makes an inconclusive MUST a JUnit error (it fails the run), an inconclusive SHOULD output unless --strict', () => {
    const unsure = [
      sampleCase({ id: 'next.a', verdict: 'inconclusive', reason: 'precondition not met: the 500 was never served' }),
      sampleCase({ id: 'next.b', level: 'should', verdict: 'inconclusive', reason: 'precondition not met' }),
    ];
    const xml = renderJunit(sampleReport(unsure));
    expect(xml).toContain('<testsuites name="lambdaspec rt" tests="2" failures="0" errors="1"');
    expect(xml).toContain('<error message="precondition not met: the 500 was never served" type="INCONCLUSIVE">');
    expect(xml).toContain('<system-out>inconclusive: precondition not met');
    expect(renderJunit(sampleReport(unsure, true))).toContain('errors="2"');
    expect(sampleReport(unsure).exitCode).toBe(1);
  });

  it('escapes control characters so the XML stays well-formed', () => {
    const xml = renderJunit(sampleReport([sampleCase({ id: 'a.b', verdict: 'fail', reason: 'bell\u0007' })]));
    expect(xml).toContain('bell\\u0007');
    expect(xml).not.toContain('\u0007');
  });
});
