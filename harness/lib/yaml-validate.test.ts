import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadRuntimeYaml } from '../runtime-definition/runtime-yaml.ts';
import { compileSchema, readYaml, validateYaml } from './yaml-validate.ts';
import { errorOf } from '../testing/scenario-helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'lambdaspec-yaml-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
function file(text: string, name = `f${++n}.yaml`): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

const RUNTIME = 'name: demo\nlanguage: bash\nhandler: probe.handler\nbootstrap: bootstrap\narchitecture: x86_64\n';

describe('validateYaml', () => {
  const schema = compileSchema({
    type: 'object',
    additionalProperties: false,
    properties: {
      limits: {
        type: 'object',
        propertyNames: { pattern: '^[a-z]+$' },
        additionalProperties: { type: 'integer' },
      },
      mode: { const: 'on' },
    },
  });

  it('names a key refused by a pattern, at the key line', () => {
    const parsed = readYaml(file('limits:\n  ok: 1\n  Bad_Key: 2\n'));
    const e = errorOf(() => validateYaml(parsed, schema));
    expect(e.line).toBe(3);
    expect(e.problem).toBe('limits has key "Bad_Key" that must match ^[a-z]+$');
  });

  it('says what a constant must be, and points at nested values', () => {
    expect(errorOf(() => validateYaml(readYaml(file('mode: off\n')), schema)).problem).toBe('mode must be "on"');
    const e = errorOf(() => validateYaml(readYaml(file('limits:\n  a: 1\n  b: x\n')), schema));
    expect(e).toMatchObject({ line: 3, problem: 'limits.b must be integer' });
  });

  it('formats the message as file:line: problem', () => {
    const p = file('mood: on\n', 'named.yaml');
    const e = errorOf(() => validateYaml(readYaml(p), schema));
    expect(e.message).toMatch(/named\.yaml:1: \(top level\) has unknown key "mood" \(did you mean "mode"\?\)$/);
  });

  it('offers no suggestion when nothing is close', () => {
    expect(errorOf(() => validateYaml(readYaml(file('zzzzzz: 1\n')), schema)).problem).toBe('(top level) has unknown key "zzzzzz"');
  });

  it('reports unreadable files without a line', () => {
    const e = errorOf(() => readYaml(join(dir, 'missing.yaml')));
    expect(e.line).toBeUndefined();
    expect(e.problem).toBe('cannot read: ENOENT');
  });
});

describe('loadRuntimeYaml', () => {
  it('loads a valid runtime.yaml, defaulting capabilities to none', () => {
    expect(loadRuntimeYaml(file(RUNTIME))).toEqual({
      name: 'demo',
      language: 'bash',
      handler: 'probe.handler',
      bootstrap: 'bootstrap',
      architecture: 'x86_64',
      capabilities: {},
    });
  });

  it('rejects bad names, unknown capabilities, bad deviation ids and broken YAML, each at its line', () => {
    expect(errorOf(() => loadRuntimeYaml(file(RUNTIME.replace('name: demo', 'name: Demo'))))).toMatchObject({
      line: 1,
      problem: 'name must match ^[a-z0-9][a-z0-9-]*$',
    });
    expect(errorOf(() => loadRuntimeYaml(file(`${RUNTIME}capabilities: { streaming: true, teleport: true }\n`)))).toMatchObject({
      line: 6,
      problem: 'capabilities has unknown key "teleport"',
    });
    expect(
      errorOf(() =>
        loadRuntimeYaml(
          file(`${RUNTIME}deviations:\n  next.ok: "a long enough piece of evidence"\n  Next.Bad: "a long enough piece of evidence"\n`),
        ),
      ),
    ).toMatchObject({
      line: 8,
      problem: 'deviations has key "Next.Bad" that must match ^[a-z0-9-]+(\\.[a-z0-9-]+)+$',
    });
    expect(errorOf(() => loadRuntimeYaml(file(`${RUNTIME}build: { command: make, produces: [bootstrap }\n`))).line).toBe(6);
  });
});
