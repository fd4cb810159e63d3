/**
 * No production function grows to 120 lines (issue 13): a long function is a list of steps that want names. The
 * TypeScript parser finds every function, method, arrow and constructor body; test support (testing/) is exempt,
 * since the fuzz oracle is written to mirror the RFC's own algorithm in one piece.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const HARNESS = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const MAX_LINES = 120;

function productionFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'testing' || e.name === 'node_modules' ? [] : productionFiles(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [p] : [];
  });
}

function longFunctions(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const start = source.getLineAndCharacterOfPosition(node.getStart()).line;
      const end = source.getLineAndCharacterOfPosition(node.end).line;
      const name = node.name?.getText(source) ?? '(anonymous)';
      if (end - start + 1 >= MAX_LINES) found.push(`${relative(HARNESS, file)}:${start + 1} ${name} (${end - start + 1} lines)`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe('function length', () => {
  it(`keeps every production function under ${MAX_LINES} lines`, () => {
    expect(productionFiles(HARNESS).flatMap(longFunctions)).toEqual([]);
  });
});
