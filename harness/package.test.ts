/**
 * The published package, as a user meets it: `npm pack` makes a tarball with the compiled CLI, the suites, the
 * schemas and the bundled runtimes' sources and nothing test-only; installed into an empty project it runs
 * `npx lambdaspec run <bundled runtime>` and `npx lambdaspec run ./their-runtime` with reports in the project, and
 * `import 'lambdaspec'` gives the API. dist/ is current here: the vitest setup rebuilds it when stale.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const scratch = mkdtempSync(join(tmpdir(), 'lambdaspec-pack-'));
const project = join(scratch, 'project');
const installed = join(project, 'node_modules', 'lambdaspec');

interface PackEntry {
  filename: string;
  size: number;
  entryCount: number;
  files: Array<{ path: string }>;
}
let pack: PackEntry;

function sh(cmd: string, args: string[], cwd: string, timeout = 180_000): SpawnSyncReturns<string> {
  // npm_config_* of the outer `npm test` (its prefix, its scripts' settings) must not leak into the user's npm.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_')));
  return spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout, env });
}

function expectOk(r: SpawnSyncReturns<string>): void {
  expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
}

beforeAll(() => {
  // --ignore-scripts: prepare would only rebuild dist/, which the test setup just did.
  const r = sh('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', scratch], ROOT);
  expectOk(r);
  pack = (JSON.parse(r.stdout) as PackEntry[])[0]!;
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), '{ "name": "my-runtime-project", "private": true, "type": "module" }\n');
  expectOk(sh('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', join(scratch, pack.filename)], project, 240_000));
}, 300_000);

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('the npm package', () => {
  it('holds the compiled CLI, its declarations, the suites, the schemas and runtime sources, and no test code', () => {
    const paths = pack.files.map((f) => f.path);
    for (const p of [
      'bin/lambdaspec.mjs',
      'dist/cli/main.js',
      'dist/api.js',
      'dist/api.d.ts',
      'suites/suite.schema.json',
      'suites/conformance/response.yaml',
      'runtimes-under-test/runtime-yaml.schema.json',
      'runtimes-under-test/python-stdlib/runtime.yaml',
      'runtimes-under-test/go-aws-lambda-go/main.go',
      'docs/api.md',
      'README.md',
    ]) {
      expect(paths, p).toContain(p);
    }
    const forbidden = paths.filter((p) =>
      /\.test\.(ts|js)$|(^|\/)testing\/|(^|\/)(node_modules|target|site)\/|\.lambdaspec-build\.(json|lock)$|^harness\/|\.tsbuildinfo$|__pycache__/.test(
        p,
      ),
    );
    expect(forbidden).toEqual([]);
    // Built bootstraps are not sources: a compiled runtime's bootstrap is its build's output.
    expect(paths).not.toContain('runtimes-under-test/go-aws-lambda-go/bootstrap');
    expect(paths).not.toContain('runtimes-under-test/rust-lambda-runtime/bootstrap');
  });

  it('installs without the development tools: no tsx, vitest or TypeScript at run time', () => {
    const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as {
      private?: boolean;
      dependencies: Record<string, string>;
    };
    expect(manifest.private).toBeUndefined();
    for (const dev of ['tsx', 'vitest', 'typescript', 'fast-check', 'playwright-core'])
      expect(Object.keys(manifest.dependencies)).not.toContain(dev);
    expect(existsSync(join(project, 'node_modules', 'tsx'))).toBe(false);
    expect(statSync(join(installed, 'runtimes-under-test', 'python-stdlib', 'bootstrap')).mode & 0o111).not.toBe(0);
  });

  it('runs a bundled runtime from an empty project, writing the reports into the project', () => {
    const r = sh('npx', ['--no', 'lambdaspec', 'run', 'python-stdlib', '--filter', 'response.*'], project);
    expectOk(r);
    const report = JSON.parse(readFileSync(join(project, 'reports', 'python-stdlib', 'report.json'), 'utf8')) as {
      cases: Array<{ id: string; verdict: string }>;
    };
    expect(report.cases.length).toBeGreaterThan(2);
    expect(report.cases.every((c) => c.id.startsWith('response.'))).toBe(true);
    expect(report.cases.filter((c) => c.verdict === 'fail')).toEqual([]);
    expect(existsSync(join(installed, 'reports'))).toBe(false);
  });

  it("runs the user's own runtime folder", () => {
    const mine = join(project, 'my-runtime');
    cpSync(join(installed, 'runtimes-under-test', 'python-stdlib'), mine, { recursive: true });
    const yaml = readFileSync(join(mine, 'runtime.yaml'), 'utf8').replace(/^name: .*$/m, 'name: my-runtime');
    writeFileSync(join(mine, 'runtime.yaml'), yaml);
    const r = sh('npx', ['--no', 'lambdaspec', 'run', './my-runtime', '--filter', 'error.type-header', '--report-dir', 'out'], project);
    expectOk(r);
    expect(r.stdout).toContain('my-runtime: 1 pass');
    expect(existsSync(join(project, 'out', 'junit.xml'))).toBe(true);
  });

  it('answers a bad runtime name with one line and exit 2', () => {
    const r = sh('npx', ['--no', 'lambdaspec', 'run', 'no-such-runtime'], project);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/runtime "no-such-runtime" not found.*python-stdlib/);
  });

  it('gives the programmatic API through `import "lambdaspec"`', () => {
    const script =
      "import { runConformanceCase } from 'lambdaspec'; const c = await runConformanceCase('python-stdlib', 'next.keeps-polling'); console.log(c.verdict);";
    const r = sh(process.execPath, ['--input-type=module', '-e', script], project);
    expectOk(r);
    expect(r.stdout.trim()).toBe('pass');
  });
});
