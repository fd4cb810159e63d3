/** Writing a run's reports: report.json (the source of truth), report.md, report.html and junit.xml, each atomically. */
import { join } from 'node:path';
import { writeScrubbedFile } from '../secrets/scrubbed-write.ts';
import { renderReportHtml } from './html/report-html.ts';
import { renderJunit } from './junit.ts';
import { renderMarkdown } from './markdown.ts';
import type { RunReport } from '../model/report-model.ts';

export interface WrittenReports {
  json: string;
  markdown: string;
  html: string;
  junit: string;
}

export function writeReports(report: RunReport, dir: string, junitPath?: string): WrittenReports {
  const json = join(dir, 'report.json');
  const markdown = join(dir, 'report.md');
  const html = join(dir, 'report.html');
  const junit = junitPath ?? join(dir, 'junit.xml');
  writeScrubbedFile(json, `${JSON.stringify(report, null, 2)}\n`);
  writeScrubbedFile(markdown, renderMarkdown(report));
  writeScrubbedFile(html, renderReportHtml(report));
  writeScrubbedFile(junit, renderJunit(report));
  return { json, markdown, html, junit };
}
