/** A small but complete report, for the renderers' tests and for trying report views by hand. */
import { countVerdicts, exitCodeFor, type CaseReport, type RunReport } from '../model/report-model.ts';

export function sampleCase(over: Partial<CaseReport> & Pick<CaseReport, 'id' | 'verdict'>): CaseReport {
  return {
    title: `title of ${over.id}`,
    area: over.id.split('.')[0]!,
    level: 'must',
    requirement: 'The runtime posts handler errors to /error.',
    source: 'https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html',
    location: 'suites/conformance/error.yaml:3',
    durationMs: 12.5,
    findings: [],
    evidence: { exchanges: [], logs: [], results: [] },
    ...over,
  };
}

export function sampleReport(cases: CaseReport[], strict = false): RunReport {
  const summary = countVerdicts(cases);
  return {
    format: 'lambdaspec.report/v1',
    tool: { name: 'lambdaspec', version: '0.1.0' },
    startedAt: '2026-11-25T00:00:00.000Z',
    finishedAt: '2026-11-25T00:00:01.000Z',
    durationMs: 1000,
    runtime: { name: 'rt', language: 'bash', bootstrap: '/x/bootstrap', architecture: 'x86_64', capabilities: { streaming: false } },
    target: 'process',
    environment: { node: 'v20', platform: 'linux', arch: 'x64', cpus: 2 },
    options: { strict, suites: ['suites/conformance'], jobs: 2 },
    summary,
    exitCode: exitCodeFor(cases, strict),
    interrupted: false,
    cases,
  };
}
