/** The HTML page of the emulator comparison (reports/bench/emulators.html): the Markdown table as a table. */
import type { EmulatorBenchReport } from '../../bench/emulator-bench.ts';
import { dash, EMULATOR_NAMES, times } from '../../bench/harness-markdown.ts';
import { esc } from './escape.ts';
import { renderPage } from './page.ts';

export function emulatorsHtml(r: EmulatorBenchReport): string {
  const head = ['runtime', 'emulator', 'warm invocations/s', 'p50 (ms)', 'p99 (ms)', 'emulator CPU per invocation (ms)', 'cold start (ms)', 'emulator RSS (MiB)', '4 concurrent clients'];
  const cell = (v: number | null, digits: number, ratio?: number | null): string => `${esc(dash(v, digits))}${ratio !== undefined ? ` <span class="muted">(${esc(times(ratio))})</span>` : ''}`;
  const rows = r.summary
    .map((s) => {
      const v = s.vsRie;
      return `<tr><td>${esc(s.runtime)}</td><td>${esc(EMULATOR_NAMES[s.emulator])}</td><td>${cell(s.perSecond, 0, v?.perSecond)}</td><td>${cell(s.p50Ms, 3)}</td><td>${cell(s.p99Ms, 3)}</td><td>${cell(s.cpuMsPerInvocation, 3, v?.cpuMsPerInvocation)}</td><td>${cell(s.coldStartMs, 0, v?.coldStartMs)}</td><td>${cell(s.rssMiB, 1, v?.rssMiB)}</td><td>${esc(s.concurrentNotes.join('; ') || 'ok')}</td></tr>`;
    })
    .join('\n');
  const body = r.rie.skipped
    ? `<p>Not measured: ${esc(r.rie.skipped)}.</p>`
    : `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows}</tbody></table><p class="muted">${esc(r.method)}</p>`;
  return renderPage({
    title: 'serve beside the Runtime Interface Emulator',
    body: `<header class="top"><h1>lambdaspec serve beside AWS's Runtime Interface Emulator</h1><div class="muted">${esc(r.date)} · ${esc(`${r.machine.cpus} × ${r.machine.cpuModel}`)} · aws-lambda-rie ${esc(r.rie.version)}</div></header><main>${body}</main>`,
  });
}
