/**
 * `matrix --from`: the grid built from report.json files made elsewhere (one CI job per runtime) equals the grid
 * `matrix` builds when it runs the same runtimes itself, and reports of different suites are refused by name.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunReport } from '../model/report-model.ts';
import { REPO_ROOT } from '../runtime-definition/resolve-runtime.ts';
import type { Matrix } from '../reports/matrix.ts';
import { cli } from '../testing/cli-run.ts';

const dir = mkdtempSync(join(tmpdir(), 'lambdaspec-matrix-from-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const readMatrix = (d: string): Omit<Matrix, 'generatedAt'> => {
  const { generatedAt: _at, ...rest } = JSON.parse(readFileSync(join(d, 'matrix.json'), 'utf8')) as Matrix;
  return rest;
};

/** As a CI job's artifact: the runtime's report folder copied somewhere else. */
function artifact(runtime: string): string {
  const to = join(dir, 'artifacts', runtime);
  mkdirSync(to, { recursive: true });
  cpSync(join(REPO_ROOT, 'reports', runtime), to, { recursive: true });
  return join(to, 'report.json');
}

describe('matrix --from', () => {
  const suite = join(REPO_ROOT, 'suites', 'conformance', 'next.yaml');

  it('rebuilds from per-runtime reports the matrix that matrix itself writes', { timeout: 120_000 }, async () => {
    const direct = join(dir, 'direct');
    // The arm64 runtime is a column of skipped cases here (foreign architecture): its report is written too.
    const ran = await cli(['matrix', 'python-stdlib', 'bash-curl', 'go-aws-lambda-go-arm64', '--suite', suite, '--out', direct]);
    expect(ran.err).not.toMatch(/\n\s+at /);
    expect(ran.code).toBe(0);
    const merged = join(dir, 'merged');
    const from = await cli([
      'matrix',
      '--from',
      artifact('python-stdlib'),
      '--from',
      artifact('bash-curl'),
      '--from',
      artifact('go-aws-lambda-go-arm64'),
      '--out',
      merged,
    ]);
    expect(from.err).toBe('');
    expect(from.code).toBe(0);
    expect(from.out).toMatch(/from 3 reports/);
    expect(readMatrix(merged)).toEqual(readMatrix(direct));
    const report = JSON.parse(readFileSync(join(dir, 'artifacts', 'bash-curl', 'report.json'), 'utf8')) as RunReport;
    expect(report.suite).toEqual({ digest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/), cases: 6 });
    // Cells link to the copied report.html, relative to the merged matrix.
    expect(readFileSync(join(merged, 'matrix.html'), 'utf8')).toContain('../artifacts/bash-curl/report.html');
  });

  it('refuses reports of different suites, naming each side, exit 2', async () => {
    const a = artifact('python-stdlib');
    const other = JSON.parse(readFileSync(a, 'utf8')) as RunReport;
    other.runtime.name = 'other-runtime';
    other.suite = { digest: `sha256:${'0'.repeat(64)}`, cases: 5 };
    const b = join(dir, 'other.json');
    writeFileSync(b, JSON.stringify(other));
    const r = await cli(['matrix', '--from', a, '--from', b]);
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(
      /did not run the same suite: .*python-stdlib\/report\.json ran sha256:.*\(6 cases\); .*other\.json ran sha256:0000/,
    );
  });

  it.each([
    ['a file that is not JSON', 'not json', /not JSON/],
    ['JSON that is not a report', '{"format":"x"}', /not a lambdaspec report\.json/],
  ])('refuses %s with one line, exit 2', async (_what, content, message) => {
    const f = join(dir, `bad-${content.length}.json`);
    writeFileSync(f, content);
    const r = await cli(['matrix', '--from', f]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
  });

  it('refuses runtime names beside --from', async () => {
    const r = await cli(['matrix', 'python-stdlib', '--from', join(dir, 'x.json')]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/takes no runtime names/);
  });
});
