/**
 * The GitHub Action (action.yml at the repository root): it parses, has the documented inputs, uses only flags the
 * CLI has, and its shell steps do what they say — the conformance step really runs a filtered suite and records the
 * exit status, and the verdict step fails the job on a MUST failure or a benchmark regression.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO_ROOT } from '../runtime-definition/resolve-runtime.ts';
import { RUN_USAGE } from './run-command.ts';

interface Step {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  if?: string;
  env?: Record<string, string>;
  with?: Record<string, string>;
}
interface Action {
  name: string;
  inputs: Record<string, { description: string; required?: boolean; default?: string }>;
  runs: { using: string; steps: Step[] };
}

const action = parse(readFileSync(join(REPO_ROOT, 'action.yml'), 'utf8')) as Action;
const step = (id: string): Step => {
  const s = action.runs.steps.find((x) => x.id === id || x.name === id);
  if (!s) throw new Error(`action.yml has no step ${id}`);
  return s;
};

/** `--flags` passed to `lambdaspec <command>` in a script (in the args array or on the command line). */
function flagsOf(script: string, command: string): string[] {
  const lines = script
    .split('\n')
    .filter((l) => l.includes(`lambdaspec ${command} `) || l.includes(`(${command} `) || l.includes('args+=('));
  return [...new Set(lines.flatMap((l) => [...l.matchAll(/(--[a-z][a-z-]*)/g)].map((m) => m[1]!)))];
}

const scratch = mkdtempSync(join(tmpdir(), 'lambdaspec-action-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/**
 * RUNNER_TEMP as the install step leaves it: lambdaspec's bin under lambdaspec/node_modules/.bin (here this
 * checkout's bin; harness/package.test.ts installs the real tarball).
 */
const runnerTemp = join(scratch, 'runner-temp');
mkdirSync(join(runnerTemp, 'lambdaspec', 'node_modules', '.bin'), { recursive: true });
symlinkSync(join(REPO_ROOT, 'bin', 'lambdaspec.mjs'), join(runnerTemp, 'lambdaspec', 'node_modules', '.bin', 'lambdaspec'));

describe('action.yml', () => {
  it('is a composite action with the documented inputs, on Node 20, uploading with upload-artifact v4', () => {
    expect(action.runs.using).toBe('composite');
    expect(Object.keys(action.inputs).sort()).toEqual([
      'artifact-name',
      'bench-baseline',
      'filter',
      'max-regression',
      'node-version',
      'package',
      'report-dir',
      'runtime',
      'strict',
    ]);
    expect(action.inputs['runtime']!.required).toBe(true);
    expect(action.inputs['node-version']!.default).toBe('20');
    expect(action.runs.steps.some((s) => s.uses === 'actions/setup-node@v4')).toBe(true);
    const uploads = action.runs.steps.filter((s) => s.uses === 'actions/upload-artifact@v4');
    expect(uploads.map((u) => u.if)).toEqual(['always()', 'always()']);
    expect(uploads.map((u) => u.with!['path']).join('\n')).toMatch(/junit\.xml[\s\S]*report\.html/);
  });

  it('passes inputs through the environment, never pasted into a script', () => {
    for (const s of action.runs.steps) if (s.run) expect(s.run, s.name).not.toContain('${{');
  });

  it('uses only flags that `lambdaspec run` documents', () => {
    const flags = flagsOf(step('conformance').run!, 'run');
    expect(flags.sort()).toEqual(['--filter', '--junit', '--report-dir', '--strict']);
    for (const f of flags) expect(RUN_USAGE).toContain(f);
  });

  it('uses only flags that `lambdaspec bench` documents', () => {
    const help = spawnSync(process.execPath, [join(REPO_ROOT, 'bin', 'lambdaspec.mjs'), 'bench', '--help'], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    const flags = flagsOf(step('bench').run!, 'bench');
    expect(flags.sort()).toEqual(['--baseline', '--max-regression', '--report-dir']);
    for (const f of flags) expect(help.stdout + help.stderr).toContain(f);
  });

  it("the install step installs the published package of the action's version, or the package input, into RUNNER_TEMP", () => {
    // A stand-in npm on PATH records its arguments: the step must not clone, npm ci, or install dev dependencies.
    const bin = join(scratch, 'fake-npm');
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'npm'), `#!/bin/sh\nprintf '%s\\n' "$@" > "${join(scratch, 'npm-args')}"\n`);
    chmodSync(join(bin, 'npm'), 0o755);
    const install = (pkg: string): string[] => {
      const r = spawnSync('bash', ['-c', step('Install lambdaspec').run!], {
        encoding: 'utf8',
        env: {
          ...process.env,
          PATH: `${bin}:${process.env['PATH']}`,
          GITHUB_ACTION_PATH: REPO_ROOT,
          RUNNER_TEMP: runnerTemp,
          LAMBDASPEC_PACKAGE: pkg,
        },
      });
      expect(r.status, r.stderr).toBe(0);
      return readFileSync(join(scratch, 'npm-args'), 'utf8').trim().split('\n');
    };
    const { version } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(install('')).toEqual([
      'install',
      '--prefix',
      join(runnerTemp, 'lambdaspec'),
      '--no-audit',
      '--no-fund',
      `lambdaspec@${version}`,
    ]);
    expect(install('./lambdaspec-9.9.9.tgz').at(-1)).toBe('./lambdaspec-9.9.9.tgz');
  });

  it('the conformance step runs the filtered suite, writes the reports and records the exit status', () => {
    const out = join(scratch, 'github-output');
    const summary = join(scratch, 'summary.md');
    const r = spawnSync('bash', ['-c', step('conformance').run!], {
      cwd: scratch,
      encoding: 'utf8',
      timeout: 60_000,
      env: {
        ...process.env,
        RUNNER_TEMP: runnerTemp,
        GITHUB_OUTPUT: out,
        GITHUB_STEP_SUMMARY: summary,
        LAMBDASPEC_RUNTIME: 'python-stdlib',
        // A glob the shell must not expand, and a second filter on its own line.
        LAMBDASPEC_FILTER: 'error.type-h*\nnext.keeps-polling',
        LAMBDASPEC_STRICT: 'true',
        LAMBDASPEC_REPORT_DIR: 'out',
      },
    });
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe('exit-code=0\nreport-dir=out\n');
    const report = JSON.parse(readFileSync(join(scratch, 'out', 'report.json'), 'utf8')) as {
      options: { strict: boolean };
      cases: Array<{ id: string }>;
    };
    expect(report.cases.map((c) => c.id).sort()).toEqual(['error.type-header', 'next.keeps-polling']);
    expect(report.options.strict).toBe(true);
    for (const f of ['junit.xml', 'report.html']) expect(existsSync(join(scratch, 'out', f)), f).toBe(true);
    expect(readFileSync(summary, 'utf8')).toContain('# lambdaspec report — python-stdlib');
  }, 60_000);

  it('the verdict step fails the job on a MUST failure, a regression or an incomplete run, and only then', () => {
    const verdict = (conformance: string, bench: string): number | null =>
      spawnSync('bash', ['-c', step('Verdict').run!], { encoding: 'utf8', env: { ...process.env, CONFORMANCE: conformance, BENCH: bench } })
        .status;
    expect(verdict('0', '')).toBe(0);
    expect(verdict('0', '0')).toBe(0);
    expect(verdict('1', '')).toBe(1);
    expect(verdict('0', '1')).toBe(1);
    expect(verdict('2', '0')).toBe(1);
    expect(verdict('', '')).toBe(1);
  });
});
