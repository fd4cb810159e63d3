/**
 * `matrix.html`: the compliance matrix as a case × runtime grid coloured by verdict, documented deviations marked,
 * and a why-panel for the clicked cell (reason, deviation note, link to that runtime's report.html#case-id).
 */
import type { Matrix, MatrixRow } from '../matrix.ts';
import { attr, esc } from './escape.ts';
import { renderPage, verdictBadge, verdictStack } from './page.ts';
import { VERDICT_STYLE, VERDICTS } from './palette.ts';

export interface MatrixHtmlOptions {
  /** Link from the matrix page to a runtime's report.html (relative), or undefined when it has none (not run here). */
  reportHref?: (runtime: string) => string | undefined;
}

const CSS = `
.legend{display:flex;flex-wrap:wrap;gap:6px 14px;align-items:center;margin:8px 0 0;font-size:13px}
.dev-mark{display:inline-block;font-size:10px;font-weight:700;padding:0 3px;border-radius:3px;background:#1d1d1f;color:#fff;vertical-align:top}
table.totals{font-size:13px;margin-bottom:18px}
table.totals td.num{text-align:right;font-variant-numeric:tabular-nums}
.tools{position:sticky;top:0;z-index:6;display:flex;flex-wrap:wrap;gap:8px 18px;align-items:center;padding:8px 0;background:#fff;border-bottom:1px solid var(--line);margin-bottom:8px;font-size:13px}
.tools input[type=search]{padding:4px 8px;width:220px;font:inherit;border:1px solid var(--line);border-radius:4px}
table.grid{border-collapse:separate;border-spacing:0;font-size:13px}
table.grid thead th{position:sticky;top:42px;z-index:4;background:var(--panel);vertical-align:bottom;border-bottom:2px solid var(--line)}
table.grid th.rt{width:118px;max-width:118px;word-break:break-word;text-align:center;font-size:12px}
table.grid th.rt .lang{display:block;font-weight:400;color:var(--muted)}
table.grid tr.area th{background:#fff;text-align:left;font-size:14px;padding-top:14px;border-bottom:2px solid var(--fg);position:static}
table.grid td.case{max-width:460px}
table.grid td.case .id{font-family:var(--mono);font-size:12.5px;font-weight:600}
table.grid td.case .t{display:block;color:var(--muted);font-size:12px}
table.grid td.lvl{font-size:11px;color:var(--muted)}
table.grid td.c{padding:2px 3px;text-align:center}
button.cell{width:100%;min-width:96px;padding:4px 2px;border:1px solid;border-radius:4px;font:inherit;font-size:12px;font-weight:600;cursor:pointer;position:relative}
button.cell.dev{outline:2px dashed #1d1d1f;outline-offset:-4px}
button.cell:focus-visible,button.cell.sel{box-shadow:0 0 0 3px #1d1d1f}
span.none{color:var(--muted)}
#why{position:fixed;right:16px;bottom:16px;width:440px;max-height:70vh;overflow:auto;z-index:10;background:#fff;border:1px solid var(--line);border-radius:8px;box-shadow:0 8px 28px rgba(0,0,0,.18);padding:12px 14px}
#why h2{margin:0 0 6px;font-size:15px;font-family:var(--mono)}
#why .close{position:absolute;top:8px;right:10px;border:0;background:none;font-size:18px;cursor:pointer}
#why .reason{margin:8px 0;padding:6px 10px;border-radius:4px;background:#fff4e5;border:1px solid #e8c79a;white-space:pre-wrap;word-break:break-word}
#why .deviation{margin:8px 0;padding:6px 10px;border-radius:4px;background:#eef1f5;border:1px solid #c9ced6;white-space:pre-wrap;word-break:break-word}
#why .deviation b{display:block;margin-bottom:2px}
`;

const SCRIPT = `(function(){
var panel=document.getElementById('why'),sel=null;
function put(id,text){var el=document.getElementById(id);el.textContent=text||'';el.hidden=!text;}
function show(b){
  if(sel)sel.classList.remove('sel');sel=b;b.classList.add('sel');
  var d=b.dataset;
  document.getElementById('why-case').textContent=d.case;
  document.getElementById('why-title').textContent=d.title;
  document.getElementById('why-rt').textContent=d.rt;
  document.getElementById('why-level').textContent=d.level.toUpperCase();
  var badge=document.getElementById('why-verdict');badge.className='badge v-'+d.verdict;badge.textContent=d.label;
  put('why-reason',d.verdict==='pass'?'':(d.reason||'no reason recorded'));
  var dev=document.getElementById('why-deviation');dev.hidden=!d.deviation;document.getElementById('why-deviation-text').textContent=d.deviation||'';
  var link=document.getElementById('why-link'),none=document.getElementById('why-nolink');
  if(d.href){link.href=d.href+'#'+encodeURIComponent(d.case);link.textContent='open '+d.case+' in '+d.rt+'\\u2019s report';link.hidden=false;none.hidden=true;}
  else{link.hidden=true;none.hidden=false;}
  panel.hidden=false;
}
[].slice.call(document.querySelectorAll('button.cell')).forEach(function(b){b.addEventListener('click',function(){show(b);});});
panel.querySelector('.close').addEventListener('click',function(){panel.hidden=true;if(sel)sel.classList.remove('sel');});
document.addEventListener('keydown',function(e){if(e.key==='Escape')panel.hidden=true;});
var q=document.getElementById('q'),diff=document.getElementById('diff');
var rows=[].slice.call(document.querySelectorAll('tr.row')),areas=[].slice.call(document.querySelectorAll('tr.area'));
function apply(){
  var text=q.value.trim().toLowerCase();
  rows.forEach(function(r){r.hidden=!((!text||r.dataset.id.toLowerCase().indexOf(text)>=0)&&(!diff.checked||r.dataset.differs==='1'));});
  areas.forEach(function(a){a.hidden=!rows.some(function(r){return r.dataset.area===a.dataset.area&&!r.hidden;});});
}
q.addEventListener('input',apply);diff.addEventListener('change',apply);apply();
})();`;


function totals(m: Matrix): string {
  const rows = m.runtimes
    .map((r) => `<tr><td><b>${esc(r.name)}</b> <span class="muted">${esc(r.language)}</span>${verdictStack(r.totals)}</td>${VERDICTS.map((v) => `<td class="num">${r.totals[v]}</td>`).join('')}<td class="num">${r.totals.total}</td><td class="num">${Object.keys(r.deviations ?? {}).length || ''}</td></tr>`)
    .join('');
  return `<table class="totals"><thead><tr><th>runtime</th>${VERDICTS.map((v) => `<th>${verdictBadge(v)}</th>`).join('')}<th>total</th><th>documented deviations</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function gridRow(m: Matrix, row: MatrixRow, hrefs: Map<string, string | undefined>): string {
  const verdicts = new Set(m.runtimes.map((r) => row.cells[r.name]?.verdict ?? 'none'));
  const cells = m.runtimes
    .map((r) => {
      const c = row.cells[r.name];
      if (!c) return '<td class="c"><span class="none" title="not run">—</span></td>';
      const s = VERDICT_STYLE[c.verdict];
      const deviation = r.deviations?.[row.id];
      const href = hrefs.get(r.name);
      const data = [
        `data-case="${attr(row.id)}"`,
        `data-title="${attr(row.title)}"`,
        `data-level="${row.level}"`,
        `data-rt="${attr(r.name)}"`,
        `data-verdict="${c.verdict}"`,
        `data-label="${attr(`${s.symbol} ${s.label}`)}"`,
        ...(c.reason ? [`data-reason="${attr(c.reason)}"`] : []),
        ...(deviation ? [`data-deviation="${attr(deviation)}"`] : []),
        ...(href ? [`data-href="${attr(href)}"`] : []),
      ].join(' ');
      return `<td class="c"><button type="button" class="cell v-${c.verdict}${deviation ? ' dev' : ''}" ${data} aria-label="${attr(`${r.name}: ${s.label}${deviation ? ', documented deviation' : ''}`)}">${s.symbol} ${s.label}${deviation ? ' <span class="dev-mark">D</span>' : ''}</button></td>`;
    })
    .join('');
  return `<tr class="row" data-id="${attr(row.id)}" data-area="${attr(row.area)}" data-differs="${verdicts.size > 1 ? '1' : '0'}"><td class="case"><span class="id">${esc(row.id)}</span><span class="t">${esc(row.title)}</span></td><td class="lvl">${row.level.toUpperCase()}</td>${cells}</tr>`;
}

export function renderMatrixHtml(m: Matrix, options: MatrixHtmlOptions = {}): string {
  const hrefs = new Map(m.runtimes.map((r) => [r.name, options.reportHref?.(r.name)]));
  const head = `<tr><th>case</th><th>level</th>${m.runtimes.map((r) => `<th class="rt">${esc(r.name)}<span class="lang">${esc(r.language)}</span></th>`).join('')}</tr>`;
  const areas = [...new Set(m.rows.map((r) => r.area))];
  const body = areas
    .map((area) => `<tr class="area" data-area="${attr(area)}"><th colspan="${m.runtimes.length + 2}">${esc(area)}</th></tr>${m.rows.filter((r) => r.area === area).map((r) => gridRow(m, r, hrefs)).join('')}`)
    .join('');
  const page = `<header class="top"><h1>lambdaspec compliance matrix</h1><div class="muted">${m.rows.length} cases × ${m.runtimes.length} runtimes · generated ${esc(m.generatedAt)} by <code>lambdaspec matrix</code>. Click a cell to see why.</div>
<div class="legend">${VERDICTS.map((v) => verdictBadge(v)).join('')}<span><span class="dev-mark">D</span> documented deviation of the runtime (dashed outline)</span></div></header>
<main>
${totals(m)}
<div class="tools"><label>case <input type="search" id="q" placeholder="id contains…" autocomplete="off"></label><label><input type="checkbox" id="diff"> only cases where runtimes differ</label></div>
<table class="grid"><thead>${head}</thead><tbody>${body}</tbody></table>
</main>
<aside id="why" hidden aria-live="polite"><button type="button" class="close" aria-label="close">×</button>
<h2 id="why-case"></h2><div id="why-title" class="muted"></div>
<p><b id="why-rt"></b> · <span id="why-level"></span> · <span id="why-verdict" class="badge"></span></p>
<div id="why-reason" class="reason" hidden></div>
<div id="why-deviation" class="deviation" hidden><b>Documented deviation of this runtime</b><span id="why-deviation-text"></span></div>
<p><a id="why-link" hidden></a><span id="why-nolink" class="muted" hidden>This runtime did not run here, so it has no report.</span></p>
</aside>`;
  return renderPage({ title: 'lambdaspec compliance matrix', css: CSS, body: page, script: SCRIPT });
}
