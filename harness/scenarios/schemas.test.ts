/**
 * The shipped JSON Schemas checked as artefacts: they compile under ajv's full strict mode, every property explains
 * itself to editors, and the lists they repeat (capabilities, framing faults) agree with the code.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { FramingFaultKind } from '../model/recording.ts';
import { DEFAULT_SUITE_DIR, SUITE_SCHEMA_PATH } from './suite-loader.ts';
import { KNOWN_CAPABILITIES } from './suite-model.ts';

const RUNTIMES_DIR = fileURLToPath(new URL('../../runtimes-under-test', import.meta.url));
const RUNTIME_SCHEMA_PATH = join(RUNTIMES_DIR, 'runtime-yaml.schema.json');

type Json = Record<string, unknown>;
const read = (path: string): Json => JSON.parse(readFileSync(path, 'utf8')) as Json;
const suiteSchema = read(SUITE_SCHEMA_PATH);
const runtimeSchema = read(RUNTIME_SCHEMA_PATH);

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** JSON pointers of every property schema (and $defs entry) with no description. */
function undescribed(node: unknown, pointer = '#'): string[] {
  if (Array.isArray(node)) return node.flatMap((x, i) => undescribed(x, `${pointer}/${i}`));
  if (!isObject(node)) return [];
  const out: string[] = [];
  for (const group of ['properties', '$defs'] as const) {
    const entries = node[group];
    if (!isObject(entries)) continue;
    for (const [name, sub] of Object.entries(entries)) {
      // `true` only marks a property as known inside a oneOf branch; the real definition sits beside it.
      if (sub === true) continue;
      if (!isObject(sub) || typeof sub['description'] !== 'string' || sub['description'].length === 0)
        out.push(`${pointer}/${group}/${name}`);
    }
  }
  for (const [k, v] of Object.entries(node)) out.push(...undescribed(v, `${pointer}/${k}`));
  return out;
}

describe('suite.schema.json and runtime-yaml.schema.json', () => {
  it.each([
    ['suite', suiteSchema],
    ['runtime', runtimeSchema],
  ])('the %s schema compiles under ajv strict mode (draft 2020-12)', (_name, schema) => {
    const ajv = new Ajv2020({ strict: true, allowUnionTypes: true });
    expect(() => ajv.compile(schema)).not.toThrow();
  });

  it('strict mode is not vacuous: it refuses an unknown keyword and an undefined required property', () => {
    expect(() => new Ajv2020({ strict: true }).compile({ type: 'object', descripton: 'typo' })).toThrow(/unknown keyword/);
    expect(() => new Ajv2020({ strict: true }).compile({ type: 'object', oneOf: [{ required: ['a'] }] })).toThrow(/strictRequired/);
  });

  it.each([
    ['suite', suiteSchema],
    ['runtime', runtimeSchema],
  ])('every property of the %s schema has a description, for editor help', (_name, schema) => {
    expect(undescribed(schema)).toEqual([]);
  });

  it('the walk that finds undescribed properties finds them', () => {
    expect(undescribed({ properties: { a: { type: 'string' }, b: { description: 'x', properties: { c: {} } } } })).toEqual([
      '#/properties/a',
      '#/properties/b/properties/c',
    ]);
  });

  it('the capability names agree: model, suite needs, runtime.yaml capabilities', () => {
    const defs = suiteSchema['$defs'] as Json;
    const needs = ((defs['case'] as Json)['properties'] as Json)['needs'] as Json;
    expect([...((needs['items'] as Json)['enum'] as string[])].sort()).toEqual([...KNOWN_CAPABILITIES].sort());
    const caps = (runtimeSchema['properties'] as Json)['capabilities'] as Json;
    expect(Object.keys(caps['properties'] as Json).sort()).toEqual([...KNOWN_CAPABILITIES].sort());
  });

  it('exchange.fault lists every framing fault the recorder can report, plus any and none', () => {
    // A Record over the union fails to compile when a fault kind is added to recording.ts and not here.
    const kinds: Record<FramingFaultKind, true> = {
      'bad-request-line': true,
      'bad-header': true,
      'headers-too-large': true,
      'conflicting-framing': true,
      'bad-content-length': true,
      'unsupported-transfer-encoding': true,
      'bad-chunk-size': true,
      'bad-chunk-terminator': true,
      'bad-trailer': true,
      'closed-mid-head': true,
      'missing-terminal-chunk': true,
      'closed-mid-body': true,
      'body-exceeds-content-length': true,
    };
    const exchange = (suiteSchema['$defs'] as Json)['exchange'] as Json;
    const fault = (exchange['properties'] as Json)['fault'] as Json;
    expect([...(fault['enum'] as string[])].sort()).toEqual(['any', 'none', ...Object.keys(kinds)].sort());
  });

  it('every shipped suite file and runtime.yaml points editors at the schema that validates it', () => {
    const modeline = (path: string): string | undefined => /^# yaml-language-server: \$schema=(\S+)/m.exec(readFileSync(path, 'utf8'))?.[1];
    const suites = readdirSync(DEFAULT_SUITE_DIR).filter((f) => f.endsWith('.yaml'));
    expect(suites.length).toBeGreaterThan(0);
    for (const f of suites) {
      const path = join(DEFAULT_SUITE_DIR, f);
      const target = modeline(path);
      expect(target, f).toBeDefined();
      expect(resolve(dirname(path), target!), f).toBe(SUITE_SCHEMA_PATH);
    }
    const runtimes = readdirSync(RUNTIMES_DIR, { withFileTypes: true }).filter((d) => d.isDirectory());
    for (const d of runtimes) {
      const path = join(RUNTIMES_DIR, d.name, 'runtime.yaml');
      const target = modeline(path);
      expect(target, d.name).toBeDefined();
      expect(resolve(dirname(path), target!), d.name).toBe(RUNTIME_SCHEMA_PATH);
    }
  });
});
