/**
 * `lambdaspec init` for each language: the probe it writes is the bundled runtime's, its runtime.yaml is valid, and
 * paired with a correct runtime (the bootstrap of the bundled runtime it comes from) it passes the suite's cases.
 */
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunReport } from '../model/report-model.ts';
import { liveProcessCount } from '../process/process-runner.ts';
import { buildRuntime } from '../runtime-definition/build.ts';
import { BUNDLED_RUNTIMES_DIR, resolveRuntime } from '../runtime-definition/resolve-runtime.ts';
import { loadRuntimeYaml } from '../runtime-definition/runtime-yaml.ts';
import { LANGUAGES, type Language } from './templates.ts';
import { cli } from '../testing/cli-run.ts';

const dir = mkdtempSync(join(tmpdir(), 'lambdaspec-init-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  expect(liveProcessCount()).toBe(0);
});

const FROM: Record<Language, string> = {
  bash: 'bash-curl',
  python: 'python-awslambdaric',
  node: 'node-aws-lambda-ric',
  go: 'go-aws-lambda-go',
  rust: 'rust-lambda-runtime',
  java: 'java-aws-lambda-ric',
};

/**
 * What a correct runtime adds to the folder: the bundled runtime's bootstrap and its installed client (interpreted
 * languages). A compiled probe builds itself, starting from the bundled build's target/ (Rust: only the probe's own
 * crate compiles; a cold build of its dependencies takes minutes).
 */
async function pair(language: Language, folder: string): Promise<string | undefined> {
  const from = resolveRuntime(FROM[language], { requireBootstrap: false });
  const built = await buildRuntime(from);
  if (built.status === 'skipped') return built.reason;
  const src = join(BUNDLED_RUNTIMES_DIR, FROM[language]);
  if (language === 'go' || language === 'rust' || language === 'java') {
    if (existsSync(join(src, 'target'))) cpSync(join(src, 'target'), join(folder, 'target'), { recursive: true, preserveTimestamps: true });
    const r = await buildRuntime(resolveRuntime(folder, { requireBootstrap: false }));
    return r.status === 'skipped' ? r.reason : undefined;
  }
  copyFileSync(join(src, 'bootstrap'), join(folder, 'bootstrap'));
  // The client the bundled runtime installed at build: awslambdaric in site/, aws-lambda-ric in node_modules/.
  for (const installed of ['site', 'node_modules'])
    if (existsSync(join(src, installed))) symlinkSync(join(src, installed), join(folder, installed));
  return undefined;
}

const CASES = [
  'context.request-id',
  'context.environment',
  'error.handler-error-posted',
  'events.scalars-and-arrays',
  'lifecycle.sleep-within-timeout',
  'robustness.stdout-lines',
  'streaming.incremental',
];

describe.each(LANGUAGES)('lambdaspec init --language %s', (language) => {
  it('writes the bundled probe and a valid runtime.yaml; with a correct runtime the cases pass', { timeout: 300_000 }, async (ctx) => {
    const folder = join(dir, `my-${language}-runtime`);
    const r = await cli(['init', folder, '--language', language]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(new RegExp(`^  \\d\\. npx lambdaspec run \\S*my-${language}-runtime\\b`, 'm'));
    const from = loadRuntimeYaml(join(BUNDLED_RUNTIMES_DIR, FROM[language], 'runtime.yaml'));
    const spec = loadRuntimeYaml(join(folder, 'runtime.yaml'));
    expect(spec).toMatchObject({
      name: `my-${language}-runtime`,
      language,
      handler: from.handler,
      bootstrap: 'bootstrap',
      capabilities: from.capabilities,
    });
    expect(spec.streamingHandler).toBe(from.streamingHandler);
    expect(spec.deviations).toBeUndefined();
    // The probe is the bundled one, byte for byte: no second copy to keep in step.
    const probeFiles = readdirSync(folder, { recursive: true, encoding: 'utf8' }).filter(
      (f) => f !== 'runtime.yaml' && statSync(join(folder, f)).isFile(),
    );
    expect(probeFiles.length).toBeGreaterThan(0);
    for (const file of probeFiles)
      expect(readFileSync(join(folder, file)), file).toEqual(readFileSync(join(BUNDLED_RUNTIMES_DIR, FROM[language], file)));
    const skip = await pair(language, folder);
    if (skip) return ctx.skip(skip);
    const out = join(dir, `report-${language}`);
    const run = await cli(['run', folder, ...CASES.flatMap((c) => ['--filter', c]), '--report-dir', out, '--jobs', '2']);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as RunReport;
    expect(report.cases.filter((c) => c.verdict !== 'pass' && c.verdict !== 'skipped').map((c) => `${c.id}: ${c.reason}`)).toEqual([]);
    expect(report.summary.pass).toBeGreaterThanOrEqual(6);
    expect(run.code).toBe(0);
  });
});

describe('lambdaspec init refuses', () => {
  it('a folder that is not empty, unless --force', async () => {
    const folder = join(dir, 'taken');
    mkdirSync(folder);
    writeFileSync(join(folder, 'bootstrap'), '#!/bin/sh\n');
    const r = await cli(['init', folder, '--language', 'python']);
    expect(r).toMatchObject({
      code: 2,
      err: `lambdaspec: init: ${folder} is not empty (--force writes into it anyway, replacing the files init writes)\n`,
    });
    expect(existsSync(join(folder, 'runtime.yaml'))).toBe(false);
    expect((await cli(['init', folder, '--language', 'python', '--force'])).code).toBe(0);
    expect(readFileSync(join(folder, 'bootstrap'), 'utf8')).toBe('#!/bin/sh\n');
    expect(existsSync(join(folder, 'probe.py'))).toBe(true);
  });

  it.each([
    [['init', '--language', 'go'], /^lambdaspec: init: expected exactly one <folder>/],
    [['init', 'x'], /^lambdaspec: init: --language is required \(bash, python, node, go, rust, java\)\n$/],
    [['init', 'x', '--language', 'cobol'], /^lambdaspec: init: --language "cobol" is not one of bash, python, node, go, rust, java\n$/],
  ])('%j', async (args, message) => {
    const r = await cli(args);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
  });

  it('a path that is a file', async () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, '');
    expect(await cli(['init', file, '--language', 'bash'])).toMatchObject({
      code: 2,
      err: `lambdaspec: init: ${file} exists and is not a folder\n`,
    });
  });
});
