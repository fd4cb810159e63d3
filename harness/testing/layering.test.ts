/**
 * The folder layout is the architecture (ARCHITECTURE.md): imports point down only. This test reads every
 * production file's imports with the TypeScript compiler's own pre-processor and fails on a file circle, on a
 * loop between folders (a folder per top-level folder of harness/, and per targets/*), and on production code
 * that imports test support from harness/testing/.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const HARNESS = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function productionFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'testing' || e.name === 'node_modules' ? [] : productionFiles(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [p] : [];
  });
}

/** Relative imports of a file (static and dynamic), as absolute paths. */
function importsOf(file: string): string[] {
  const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  return info.importedFiles
    .map((f) => f.fileName)
    .filter((n) => n.startsWith('.'))
    .map((n) => resolve(dirname(file), n));
}

/** harness/<top>/…, with targets/<name>/… as a folder of its own. */
function folderOf(file: string): string {
  const parts = relative(HARNESS, file).split('/');
  if (parts[0] === 'targets' && parts.length > 2) return `targets/${parts[1]}`;
  return parts.length > 1 ? parts[0]! : '.';
}

/** One cycle of the graph, as a path that returns to its start, or undefined when the graph is acyclic. */
function findCycle(graph: Map<string, Set<string>>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (node: string): string[] | undefined => {
    state.set(node, 'open');
    path.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'open') return [...path.slice(path.indexOf(next)), next];
      if (!state.has(next)) {
        const found = visit(next);
        if (found) return found;
      }
    }
    path.pop();
    state.set(node, 'done');
    return undefined;
  };
  for (const node of graph.keys()) {
    if (state.has(node)) continue;
    const found = visit(node);
    if (found) return found;
  }
  return undefined;
}

const files = productionFiles(HARNESS);
const edges = files.flatMap((from) => importsOf(from).map((to) => ({ from, to })));

describe('harness layering', () => {
  it('has production files to check', () => {
    expect(files.length).toBeGreaterThan(100);
  });

  it('has no file circle', () => {
    const graph = new Map<string, Set<string>>();
    for (const { from, to } of edges) graph.set(from, (graph.get(from) ?? new Set()).add(to));
    expect(findCycle(graph)?.map((f) => relative(HARNESS, f))).toBeUndefined();
  });

  it('has no loop between folders', () => {
    const graph = new Map<string, Set<string>>();
    for (const { from, to } of edges) {
      const [a, b] = [folderOf(from), folderOf(to)];
      if (a !== b) graph.set(a, (graph.get(a) ?? new Set()).add(b));
    }
    expect(findCycle(graph)).toBeUndefined();
  });

  it('keeps test support out of production code', () => {
    const testing = join(HARNESS, 'testing');
    const offenders = edges
      .filter(({ to }) => to.startsWith(`${testing}/`))
      .map(({ from, to }) => `${relative(HARNESS, from)} → ${relative(HARNESS, to)}`);
    expect(offenders).toEqual([]);
  });

  it('keeps the shared model at the bottom: model/ and lib/ import nothing above them', () => {
    const allowed: Record<string, string[]> = { lib: ['lib'], model: ['model'] };
    const offenders = edges
      .filter(({ from, to }) => allowed[folderOf(from)] !== undefined && !allowed[folderOf(from)]!.includes(folderOf(to)))
      .map(({ from, to }) => `${relative(HARNESS, from)} → ${relative(HARNESS, to)}`);
    expect(offenders).toEqual([]);
  });
});
