/**
 * The shell of every HTML view: one self-contained file, CSS and script inline, and a Content-Security-Policy that
 * forbids any network fetch and runs only the page's own script (by hash), so even text that escaped escaping
 * could not load or run anything.
 */
import { createHash } from 'node:crypto';
import { esc } from './escape.ts';
import type { VerdictCounts } from '../../model/report-model.ts';
import { VERDICT_STYLE, VERDICTS } from './palette.ts';

export interface PageInput {
  title: string;
  /** Page-specific CSS, after the shared rules. */
  css?: string;
  body: string;
  /** Page script (plain JS, no `</script>` inside). */
  script?: string;
}

const BASE_CSS = `
:root{--fg:#1d1d1f;--muted:#5f6368;--line:#d9dce1;--bg:#fff;--panel:#f6f7f9;--accent:#0072B2;--mono:ui-monospace,SFMono-Regular,Menlo,Consolas,"DejaVu Sans Mono",monospace}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:var(--fg);background:var(--bg)}
header.top{padding:16px 24px 12px;border-bottom:1px solid var(--line);background:var(--panel)}
header.top h1{margin:0 0 4px;font-size:20px}
main{padding:16px 24px 48px}
.muted{color:var(--muted)}
code,.mono{font-family:var(--mono);font-size:12.5px}
a{color:var(--accent)}
table{border-collapse:collapse}
th,td{text-align:left;padding:4px 8px;border-bottom:1px solid var(--line);vertical-align:top}
th{font-weight:600;background:var(--panel)}
.badge{display:inline-flex;align-items:center;gap:4px;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600;white-space:nowrap;border:1px solid}
.badge .sym{font-weight:700}
${VERDICTS.map((v) => `.v-${v}{color:${VERDICT_STYLE[v].text};background:${VERDICT_STYLE[v].tint};border-color:${VERDICT_STYLE[v].colour}}`).join('\n')}
.stack{display:flex;width:180px;height:12px;border-radius:3px;overflow:hidden;background:#eceef1;margin-top:3px}
.chip{display:inline-block;padding:0 6px;border-radius:4px;background:var(--panel);border:1px solid var(--line);font-size:12px}
svg text{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif}
`;

/** A verdict as a badge: colour, symbol and name (never colour alone). */
export function verdictBadge(v: keyof typeof VERDICT_STYLE): string {
  const s = VERDICT_STYLE[v];
  return `<span class="badge v-${v}"><span class="sym" aria-hidden="true">${s.symbol}</span>${s.label}</span>`;
}

/** Verdict counts as one proportional bar (decoration beside the numbers, hidden from screen readers). */
export function verdictStack(c: VerdictCounts): string {
  if (c.total === 0) return '';
  return `<div class="stack" aria-hidden="true">${VERDICTS.filter((v) => c[v] > 0).map((v) => `<span style="width:${((c[v] / c.total) * 100).toFixed(1)}%;background:${VERDICT_STYLE[v].colour}"></span>`).join('')}</div>`;
}

export function renderPage(p: PageInput): string {
  const script = p.script ?? '';
  const hash = createHash('sha256').update(script).digest('base64');
  const csp = `default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'sha256-${hash}'; base-uri 'none'; form-action 'none'`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="generator" content="lambdaspec">
<title>${esc(p.title)}</title>
<style>${BASE_CSS}${p.css ?? ''}</style>
</head>
<body>
${p.body}
${script ? `<script>${script}</script>` : ''}
</body>
</html>
`;
}
