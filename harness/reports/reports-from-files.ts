/**
 * Reading report.json files produced elsewhere (one CI job per runtime, architecture or target) to merge them into
 * one matrix: each must be a lambdaspec report, and all must have run the same suite (the same digest).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { UserError } from '../lib/user-error.ts';
import type { RunReport } from '../model/report-model.ts';

export interface ReportFile {
  path: string;
  report: RunReport;
  /** report.html beside it, when there is one. */
  html?: string;
}

function readReport(path: string): ReportFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(`--from ${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder, not a report.json' : `cannot be read (${code ?? String(e)})`}`);
  }
  let report: Partial<RunReport>;
  try {
    report = JSON.parse(text) as Partial<RunReport>;
  } catch {
    throw new UserError(`--from ${path}: not JSON`);
  }
  if (report?.format !== 'lambdaspec.report/v1' || !Array.isArray(report.cases) || typeof report.runtime?.name !== 'string') {
    throw new UserError(`--from ${path}: not a lambdaspec report.json (format lambdaspec.report/v1)`);
  }
  const html = join(dirname(path), 'report.html');
  return { path, report: report as RunReport, ...(existsSync(html) ? { html } : {}) };
}

/** The reports, checked to come from the same suite and to name each runtime once. */
export function readReportsForMatrix(paths: readonly string[]): ReportFile[] {
  const files = paths.map(readReport);
  const undigested = files.filter((f) => f.report.suite === undefined);
  if (undigested.length > 0) {
    throw new UserError(`--from: ${undigested.map((f) => f.path).join(', ')} carries no suite digest (written by a lambdaspec older than matrix --from); run it again`);
  }
  const byDigest = new Map<string, ReportFile[]>();
  for (const f of files) byDigest.set(f.report.suite!.digest, [...(byDigest.get(f.report.suite!.digest) ?? []), f]);
  if (byDigest.size > 1) {
    const groups = [...byDigest.entries()].map(([digest, fs]) => `${fs.map((f) => f.path).join(', ')} ran ${digest.slice(0, 19)}… (${fs[0]!.report.suite!.cases} cases)`);
    throw new UserError(`--from: the reports did not run the same suite: ${groups.join('; ')}`);
  }
  const seen = new Map<string, string>();
  for (const f of files) {
    const key = `${f.report.runtime.name}`;
    const earlier = seen.get(key);
    if (earlier) throw new UserError(`--from: ${earlier} and ${f.path} are both reports of ${key}; a matrix has one column per runtime`);
    seen.set(key, f.path);
  }
  return files;
}
