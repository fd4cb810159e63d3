/**
 * `report.html`: a run's report as one self-contained page — verdict summary, filters (area, level, verdict, id
 * search) and every case expandable to its requirement, reason, findings, per-step results, a wire timeline,
 * HTTP transcripts of the exchanges behind the verdict, log lines and runtime processes. A view of report.json.
 */
import { droppedSummary } from '../dropped-output.ts';
import type { CaseReport, ColdStartMeasurement, RunReport, VerdictCounts } from '../../model/report-model.ts';
import { attr, esc, safeHref } from './escape.ts';
import { renderPage, verdictBadge, verdictStack } from './page.ts';
import { VERDICT_STYLE, VERDICTS } from './palette.ts';
import { timelineSvg, TIMELINE_COLOURS } from './timeline.ts';
import { ms, renderExchange } from './transcript.ts';

/** Cases with at most this many exchanges show them expanded. */
const OPEN_EXCHANGES = 3;

const CSS = `
.meta{display:flex;flex-wrap:wrap;gap:4px 18px;margin-top:6px;font-size:13px}
.banner{margin:12px 0 0;padding:8px 12px;border:2px solid #D55E00;background:#f8dcc8;border-radius:6px;font-weight:600}
.tiles{display:flex;flex-wrap:wrap;gap:10px;margin:4px 0 16px}
.tile{cursor:pointer;min-width:112px;padding:8px 12px;border-radius:8px;border:2px solid;text-align:left;font:inherit;background:#fff}
.tile .count{font-size:26px;font-weight:700;line-height:1.1;display:block}
.tile .name{font-size:12px;font-weight:600}
.tile.total{border-color:#5f6368;color:#1d1d1f}
.tile[aria-pressed=true]{box-shadow:0 0 0 3px #1d1d1f}
.areas{margin:0 0 18px;font-size:13px;align-self:flex-start}
.areas td.num{text-align:right;font-variant-numeric:tabular-nums}
.summary{display:flex;flex-direction:column}
.filters{position:sticky;top:0;z-index:5;display:flex;flex-wrap:wrap;align-items:center;gap:8px 16px;padding:10px 12px;margin:0 -12px 12px;background:rgba(255,255,255,.96);border-bottom:1px solid var(--line)}
.filters label{font-size:13px}
.filters input[type=search]{padding:4px 8px;width:220px;font:inherit;border:1px solid var(--line);border-radius:4px}
.filters select{padding:3px 4px;font:inherit}
.filters .verdicts{display:flex;gap:6px;flex-wrap:wrap}
.filters .verdicts label{display:inline-flex;align-items:center;gap:3px}
.filters button{font:inherit;font-size:12px;padding:3px 8px;border:1px solid var(--line);border-radius:4px;background:#fff;cursor:pointer}
#shown{font-size:12px}
details.case{scroll-margin-top:96px;border:1px solid var(--line);border-left-width:6px;border-radius:6px;margin:0 0 6px;background:#fff}
${VERDICTS.map((v) => `details.case[data-verdict="${v}"]{border-left-color:${VERDICT_STYLE[v].colour}}`).join('\n')}
details.case>summary{cursor:pointer;padding:6px 10px;list-style:none;display:grid;grid-template-columns:120px 1fr auto;gap:2px 10px;align-items:baseline}
details.case>summary::-webkit-details-marker{display:none}
details.case>summary .badge{justify-self:start}
details.case>summary .id{font-family:var(--mono);font-weight:600}
details.case>summary .title{color:var(--fg)}
details.case>summary .side{font-size:12px;color:var(--muted);white-space:nowrap}
details.case>summary .why{grid-column:2/4;font-size:12.5px;color:#5a3300;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
details.case[open]>summary{background:var(--panel);border-bottom:1px solid var(--line)}
details.case[open]>summary .why{white-space:normal}
.case-body{padding:10px 14px 14px}
.case-body h4{margin:14px 0 6px;font-size:13px;text-transform:uppercase;letter-spacing:.04em;color:var(--muted)}
blockquote.req{margin:0;padding:6px 12px;border-left:4px solid var(--line);background:var(--panel)}
.kv{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;font-size:13px;margin-top:8px}
.kv dt{color:var(--muted)}
.kv dd{margin:0;word-break:break-word}
.reason{padding:6px 10px;border-radius:4px;background:#fff4e5;border:1px solid #e8c79a}
table.grid{font-size:12.5px;width:100%}
table.grid td{word-break:break-word}
table.grid td.mono{min-width:200px}
.exchange{border:1px solid var(--line);border-radius:5px;margin:0 0 6px}
.exchange>summary{cursor:pointer;padding:4px 8px;background:var(--panel)}
.exchange>*:not(summary){margin-left:10px;margin-right:10px}
.exchange>table.chunks{margin:4px 10px 8px}
.dir{margin-top:8px;font-size:12px;font-weight:600}
.json-log .jk{color:#6a737d}.json-log .jl{font-weight:600}
pre.http,pre.body,pre.logs{margin:4px 0;padding:6px 8px;background:#fbfbfc;border:1px solid #eceef1;border-radius:4px;white-space:pre-wrap;word-break:break-all;font-family:var(--mono);font-size:12px;max-height:340px;overflow:auto}
pre.body{background:#fffdf5}
.hn{color:#0058a3;font-weight:600}
.body-note{font-size:11.5px;color:var(--muted)}
table.chunks{font-size:12px;margin:4px 0 8px}
table.chunks caption{text-align:left;font-size:12px;font-weight:600;padding:4px 0}
.mark{font-size:11px;padding:0 5px;border-radius:3px;border:1px solid #D55E00;color:#a34400;background:#f8dcc8}
.fault-detail{margin:6px 0;color:#a34400}
.timeline-wrap{overflow-x:auto;border:1px solid var(--line);border-radius:5px;padding:4px;background:#fff}
.timeline-wrap svg{display:block;width:100%;height:auto;min-width:760px;max-width:1400px}
.legend{display:flex;flex-wrap:wrap;gap:4px 14px;font-size:11.5px;color:var(--muted);margin:4px 0}
.legend i{display:inline-block;width:14px;height:8px;margin-right:4px;vertical-align:middle}
.log-stdout .s{color:#0072B2}.log-stderr .s{color:#D55E00}.log-platform .s{color:#6b6b6b}
#none{padding:20px;text-align:center}
`;

const SCRIPT = `(function(){
var q=document.getElementById('q'),area=document.getElementById('area'),level=document.getElementById('level');
var boxes=[].slice.call(document.querySelectorAll('input[name=verdict]'));
var cases=[].slice.call(document.querySelectorAll('details.case'));
var shown=document.getElementById('shown'),none=document.getElementById('none');
function apply(){
  var text=q.value.trim().toLowerCase(),on={},count=0;
  boxes.forEach(function(b){on[b.value]=b.checked;});
  cases.forEach(function(c){
    var ok=(!text||c.dataset.id.toLowerCase().indexOf(text)>=0||c.dataset.title.toLowerCase().indexOf(text)>=0)&&(!area.value||c.dataset.area===area.value)&&(!level.value||c.dataset.level===level.value)&&on[c.dataset.verdict];
    c.hidden=!ok;if(ok)count++;
  });
  shown.textContent='showing '+count+' of '+cases.length;none.hidden=count>0;
}
[q,area,level].concat(boxes).forEach(function(el){el.addEventListener('input',apply);el.addEventListener('change',apply);});
boxes.forEach(function(b){b.addEventListener('change',function(){document.querySelectorAll('[data-only]').forEach(function(o){o.removeAttribute('aria-pressed');});});});
[].slice.call(document.querySelectorAll('[data-only]')).forEach(function(t){t.addEventListener('click',function(){
  var v=t.getAttribute('data-only');boxes.forEach(function(b){b.checked=!v||b.value===v;});apply();
  document.querySelectorAll('[data-only]').forEach(function(o){o.setAttribute('aria-pressed',String(o===t&&!!v));});
});});
document.getElementById('expand').addEventListener('click',function(){cases.forEach(function(c){if(!c.hidden)c.open=true;});});
document.getElementById('collapse').addEventListener('click',function(){cases.forEach(function(c){c.open=false;});});
function openHash(){
  var id=decodeURIComponent(location.hash.slice(1));if(!id)return;
  var el=document.getElementById(id);if(!el||!el.classList.contains('case'))return;
  el.hidden=false;el.open=true;el.scrollIntoView({block:'start'});
}
window.addEventListener('hashchange',openHash);
apply();openHash();
})();`;

function tiles(s: VerdictCounts): string {
  const t = VERDICTS.map((v) => `<button type="button" class="tile v-${v}" data-only="${v}" title="show only ${VERDICT_STYLE[v].label}"><span class="count">${s[v]}</span><span class="name">${VERDICT_STYLE[v].symbol} ${VERDICT_STYLE[v].label}</span></button>`).join('');
  return `<div class="tiles"><button type="button" class="tile total" data-only="" title="show all"><span class="count">${s.total}</span><span class="name">cases</span></button>${t}</div>`;
}


function areaTable(byArea: Record<string, VerdictCounts>): string {
  const rows = Object.entries(byArea)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([area, c]) => `<tr><td>${esc(area)}</td><td>${verdictStack(c)}</td>${VERDICTS.map((v) => `<td class="num">${c[v] || '<span class="muted">·</span>'}</td>`).join('')}<td class="num">${c.total}</td></tr>`)
    .join('');
  return `<table class="areas"><thead><tr><th>area</th><th></th>${VERDICTS.map((v) => `<th>${verdictBadge(v)}</th>`).join('')}<th>total</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function filters(report: RunReport): string {
  const areas = [...new Set(report.cases.map((c) => c.area))].sort();
  const levels = ['must', 'should', 'may'];
  const counts = report.summary;
  return `<div class="filters" role="search">
<label>case <input type="search" id="q" placeholder="id or title contains…" autocomplete="off"></label>
<label>area <select id="area"><option value="">all</option>${areas.map((a) => `<option value="${attr(a)}">${esc(a)}</option>`).join('')}</select></label>
<label>level <select id="level"><option value="">all</option>${levels.map((l) => `<option value="${l}">${l.toUpperCase()}</option>`).join('')}</select></label>
<span class="verdicts">${VERDICTS.map((v) => `<label><input type="checkbox" name="verdict" value="${v}" checked>${verdictBadge(v)}<span class="muted">${counts[v]}</span></label>`).join('')}</span>
<button type="button" id="expand">expand shown</button><button type="button" id="collapse">collapse all</button>
<span id="shown" class="muted"></span>
</div>`;
}

function findingsTable(c: CaseReport): string {
  if (c.findings.length === 0) return '';
  const rows = c.findings.map((f) => `<tr><td>${f.step}</td><td class="mono">${esc(f.path)}</td><td>${esc(f.expected)}</td><td>${esc(f.actual)}</td></tr>`).join('');
  return `<h4>Findings</h4><table class="grid findings"><thead><tr><th>step</th><th>check</th><th>expected</th><th>actual</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function resultsTable(c: CaseReport): string {
  const results = c.evidence.results.filter((r) => r.requestId !== undefined || r.outcome !== undefined);
  if (results.length === 0) return '';
  const rows = results
    .map((r) => `<tr><td>${r.step}</td><td class="mono">${esc(r.requestId)}</td><td>${esc(r.outcome)}</td><td>${esc(r.functionError)}${r.errorType ? ` <span class="mono">${esc(r.errorType)}</span>` : ''}</td><td><pre class="body">${esc(r.payloadPreview)}</pre>${r.payloadSize !== undefined ? `<span class="body-note">${r.payloadSize} bytes</span>` : ''}</td><td>${ms(r.durationMs)}</td></tr>`)
    .join('');
  return `<h4>What the invoker got</h4><table class="grid results"><thead><tr><th>step</th><th>request id</th><th>outcome</th><th>function error</th><th>payload</th><th>duration</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function timelineBlock(c: CaseReport): string {
  const svg = timelineSvg({ exchanges: c.evidence.exchanges, logs: c.evidence.logs, ...(c.evidence.processes ? { processes: c.evidence.processes } : {}) });
  if (!svg) return '';
  const k = TIMELINE_COLOURS;
  return `<h4>Timeline</h4><div class="legend"><span><i style="background:${k.request};opacity:.5"></i>request (ticks: chunk boundaries)</span><span><i style="background:${k.wait};height:2px"></i>server holding the request</span><span><i style="background:${k.response}"></i>response</span><span><i style="background:${k.fault}"></i>fault / runtime exit</span><span><i style="background:${k.stdout}"></i>stdout</span><span><i style="background:${k.stderr}"></i>stderr</span><span><i style="background:${k.platform}"></i>platform line</span></div><div class="timeline-wrap">${svg}</div>`;
}

function exchangesBlock(c: CaseReport): string {
  const xs = c.evidence.exchanges;
  if (xs.length === 0) return '';
  const open = xs.length <= OPEN_EXCHANGES;
  return `<h4>Wire exchanges behind the verdict (${xs.length})</h4><div class="exchanges">${xs.map((x) => renderExchange(x, open)).join('')}</div>`;
}

/** Fields shown for one JSON log line; the rest are counted, so a huge object stays one readable line. */
const MAX_JSON_FIELDS = 24;

/**
 * A log line that is a JSON object (advanced logging controls, platform records) shown as its fields —
 * `level` first, then `key=value` — with the raw line in the title; undefined for any other line.
 */
export function jsonLogLine(text: string): string | undefined {
  if (!text.startsWith('{')) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
  const entries = Object.entries(v as Record<string, unknown>);
  const ordered = [...entries.filter(([k]) => k === 'level' || k === 'type'), ...entries.filter(([k]) => k !== 'level' && k !== 'type')];
  const shown = ordered.slice(0, MAX_JSON_FIELDS).map(([k, x]) => {
    const value = typeof x === 'string' ? x : JSON.stringify(x);
    return k === 'level' || k === 'type' ? `<b class="jl">${esc(value)}</b>` : `<span class="jk">${esc(k)}</span>=<span class="jv">${esc(value)}</span>`;
  });
  const more = ordered.length > MAX_JSON_FIELDS ? ` <span class="muted">+${ordered.length - MAX_JSON_FIELDS} more</span>` : '';
  return `<span class="json-log" title="${esc(text)}">${shown.join(' ')}${more}</span>`;
}

function logsBlock(c: CaseReport): string {
  if (c.evidence.logs.length === 0) return '';
  const lines = c.evidence.logs.map((l) => `<span class="log-${l.stream}"><span class="muted">${esc(l.at.toFixed(1).padStart(8))}</span> <span class="s">${esc(l.stream.padEnd(8))}</span> ${jsonLogLine(l.text) ?? esc(l.text)}</span>`).join('\n');
  return `<h4>Log lines (${c.evidence.logs.length})</h4><pre class="logs">${lines}</pre>`;
}

function processesBlock(c: CaseReport): string {
  const ps = c.evidence.processes ?? [];
  if (ps.length === 0) return '';
  const rows = ps
    .map((p) => {
      const exit = p.spawnFailure
        ? `could not start: ${esc(p.spawnFailure.errorType)} ${esc(p.spawnFailure.errorMessage)}`
        : p.exit
          ? `${p.exit.killed ? 'killed by the harness' : 'exited'}: ${p.exit.signal ? `signal ${esc(p.exit.signal)}` : `code ${esc(String(p.exit.code))}`} at ${ms(p.exit.at)}`
          : 'running when the case ended';
      const dropped = p.outputDropped && droppedSummary(p.outputDropped);
      return `<tr><td>${esc(p.pid ?? '—')}</td><td>${ms(p.startedAt)}</td><td>${ms(p.firstNextAt)}</td><td>${exit}${dropped ? `; output over the capture budget: ${esc(dropped)}` : ''}</td></tr>`;
    })
    .join('');
  return `<h4>Runtime processes</h4><table class="grid processes"><thead><tr><th>pid</th><th>started</th><th>first /next</th><th>end</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function caseBlock(c: CaseReport): string {
  const href = safeHref(c.source);
  const body = [
    `<blockquote class="req">${esc(c.requirement)}</blockquote>`,
    `<dl class="kv"><dt>source</dt><dd>${href ? `<a href="${href}" rel="noreferrer noopener" target="_blank">${esc(c.source)}</a>` : esc(c.source)}</dd><dt>defined at</dt><dd class="mono">${esc(c.location)}</dd><dt>level</dt><dd>${c.level.toUpperCase()}${c.rationale ? ` — ${esc(c.rationale)}` : ''}</dd><dt>duration</dt><dd>${ms(c.durationMs)}</dd></dl>`,
    c.reason ? `<h4>Why</h4><div class="reason">${esc(c.reason)}</div>` : '',
    findingsTable(c),
    resultsTable(c),
    timelineBlock(c),
    exchangesBlock(c),
    logsBlock(c),
    processesBlock(c),
  ].join('');
  const why = c.verdict !== 'pass' && c.reason ? `<span class="why">${esc(c.reason)}</span>` : '';
  return `<details class="case" id="${attr(c.id)}" data-id="${attr(c.id)}" data-title="${attr(c.title)}" data-area="${attr(c.area)}" data-level="${c.level}" data-verdict="${c.verdict}"><summary>${verdictBadge(c.verdict)}<span><span class="id">${esc(c.id)}</span> <span class="title">${esc(c.title)}</span></span><span class="side">${c.level.toUpperCase()} · ${ms(c.durationMs)}</span>${why}</summary><div class="case-body">${body}</div></details>`;
}

/** Forced cold starts of a deployed function (`run --target deployed --cold N`). */
function coldStartTable(m: ColdStartMeasurement): string {
  const rows = m.samples
    .map((x, i) => `<tr><td>${i + 1}</td><td>${x.initDurationMs !== undefined ? ms(x.initDurationMs) : 'warm'}</td><td>${ms(x.durationMs)}</td><td>${x.billedDurationMs} ms</td><td>${x.maxMemoryUsedMb} MB</td><td>${ms(x.clientMs)}</td></tr>`)
    .join('');
  const note = m.degraded ? `<p class="muted">${esc(m.degraded)}</p>` : '';
  return `<section aria-label="cold starts"><h2>Cold starts</h2>${note}<table><thead><tr><th>#</th><th>Init Duration</th><th>Duration</th><th>Billed</th><th>Max Memory Used</th><th>client</th></tr></thead><tbody>${rows}</tbody></table></section>`;
}

export function renderReportHtml(report: RunReport): string {
  const rt = report.runtime;
  const caps = Object.entries(rt.capabilities).filter(([, v]) => v).map(([k]) => k);
  const o = report.options;
  const meta = [
    `<span>runtime <b>${esc(rt.name)}</b> (${esc(rt.language)}, ${esc(rt.architecture)})</span>`,
    `<span>target <b>${esc(report.target)}</b></span>`,
    `<span>strict <b>${o.strict ? 'yes' : 'no'}</b></span>`,
    `<span>exit code <b>${report.exitCode}</b></span>`,
    `<span title="${attr(`${report.startedAt} → ${report.finishedAt}`)}">${esc(report.startedAt)} · ${(report.durationMs / 1000).toFixed(1)} s · ${o.jobs} jobs</span>`,
    `<span>capabilities: ${caps.length ? caps.map((c) => `<span class="chip">${esc(c)}</span>`).join(' ') : 'none'}</span>`,
    `<span class="muted">bootstrap <code>${esc(rt.bootstrap)}</code></span>`,
    ...(o.filter ? [`<span>filter <code>${esc(o.filter.join(' '))}</code></span>`] : []),
    `<span class="muted">suites ${esc(o.suites.join(', '))} · lambdaspec ${esc(report.tool.version)} · node ${esc(report.environment.node)} ${esc(report.environment.platform)}/${esc(report.environment.arch)}, ${report.environment.cpus} CPUs</span>`,
  ].join('');
  const missing = report.notRun?.length ? ` ${report.notRun.length} cases did not run; exit code ${report.exitCode}.` : '';
  const banner = report.stopped
    ? `<div class="banner" role="alert">The run stopped early: ${esc(report.stopped)}. This report holds the ${report.cases.length} cases done before it.${missing}</div>`
    : report.interrupted
      ? `<div class="banner" role="alert">Interrupted: this report holds only the ${report.cases.length} cases that finished.${missing}</div>`
      : '';
  const routes = report.unknownRoutes ?? [];
  const routesBanner = routes.length
    ? `<div class="banner" role="alert">The runtime called paths the Runtime API does not serve; its other failures may follow from this:<ul>${routes.slice(0, 10).map((r) => `<li><code>${esc(r.request)}</code> in ${r.cases.length} case${r.cases.length === 1 ? '' : 's'} (${r.cases.slice(0, 5).map(esc).join(', ')}${r.cases.length > 5 ? ', …' : ''})</li>`).join('')}</ul></div>`
    : '';
  const cold = report.coldStarts ? coldStartTable(report.coldStarts) : '';
  const body = `<header class="top"><h1>lambdaspec report — ${esc(rt.name)}</h1>${rt.description ? `<div class="muted">${esc(rt.description)}</div>` : ''}<div class="meta">${meta}</div>${banner}${routesBanner}</header>
<main>
<section aria-label="summary" class="summary">${tiles(report.summary)}${areaTable(report.summary.byArea)}</section>
${cold}
${filters(report)}
<section id="cases" aria-label="cases">${report.cases.map(caseBlock).join('\n')}<div id="none" class="muted" hidden>No case matches the filters.</div></section>
</main>`;
  return renderPage({ title: `lambdaspec — ${rt.name}`, css: CSS, body, script: SCRIPT });
}
