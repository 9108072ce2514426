/**
 * The report's stylesheet, inlined in the HTML so that the file works offline and alone:
 * system fonts only, a readable column, verdict colours that survive printing.
 *
 * @module
 */

/** CSS of `index.html`. */
export const REPORT_CSS = `
:root {
  --ink: #1f2328; --muted: #59636e; --rule: #d1d9e0; --panel: #f6f8fa;
  --pass: #1a7f37; --pass-bg: #dafbe1; --fail: #cf222e; --fail-bg: #ffebe9;
  --neutral: #59636e; --neutral-bg: #eef1f4; --warn: #9a6700; --warn-bg: #fff8c5;
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body {
  margin: 0 auto; padding: 2rem 1.5rem 4rem; max-width: 68rem; color: var(--ink);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", "Liberation Sans", Arial, sans-serif;
  background: #fff;
}
h1 { font-size: 1.7rem; line-height: 1.25; margin: 0 0 .3rem; }
h2 { font-size: 1.3rem; margin: 2.5rem 0 .8rem; padding-bottom: .3rem; border-bottom: 2px solid var(--rule); }
h3 { font-size: 1.1rem; margin: 0; display: flex; gap: .6rem; align-items: baseline; flex-wrap: wrap; }
h4, h5, h6 { font-size: 1rem; margin: 1rem 0 .4rem; }
p { margin: .4rem 0; }
a { color: #0969da; text-decoration: none; }
a:hover { text-decoration: underline; }
code, .mono { font-family: ui-monospace, "DejaVu Sans Mono", "Liberation Mono", monospace; font-size: .88em; }
.subtitle { color: var(--muted); margin: 0 0 1rem; }
.banner {
  border-left: 4px solid var(--warn); background: var(--warn-bg); padding: .6rem .9rem;
  margin: 1rem 0; border-radius: 0 6px 6px 0;
}
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; margin: 1rem 0; }
dl.meta dt { color: var(--muted); }
dl.meta dd { margin: 0; }
.counts { display: flex; flex-wrap: wrap; gap: .3rem 1.1rem; }
table { border-collapse: collapse; width: 100%; margin: .6rem 0; font-size: .92rem; }
th, td { text-align: left; vertical-align: top; padding: .35rem .55rem; border-bottom: 1px solid var(--rule); }
th { background: var(--panel); font-weight: 600; }
td.num { font-variant-numeric: tabular-nums; white-space: nowrap; }
table.summary td.item { white-space: nowrap; }
table.summary tr.group-start td { border-top: 1px solid #afb8c1; }
table.data { width: auto; }
table.checks col.w-num { width: 8.5rem; }
table.checks col.w-verdict { width: 7rem; }
td.nowrap { white-space: nowrap; }
table.kv { width: auto; font-size: .85rem; margin: .3rem 0; }
table.kv th { background: none; color: var(--muted); font-weight: normal; }
.badge {
  display: inline-block; min-width: 4.2rem; text-align: center; padding: .05rem .45rem;
  border-radius: 999px; font-size: .75rem; font-weight: 700; letter-spacing: .03em;
  text-transform: uppercase; border: 1px solid transparent; white-space: nowrap;
  -webkit-print-color-adjust: exact; print-color-adjust: exact;
}
.badge.pass { color: var(--pass); background: var(--pass-bg); border-color: #aceebb; }
.badge.fail { color: var(--fail); background: var(--fail-bg); border-color: #ffcecb; }
.badge.reported { color: var(--neutral); background: var(--neutral-bg); border-color: var(--rule); }
.badge.missing { color: var(--neutral); background: #fff; border: 1px dashed #8c959f; }
.badge.error { color: var(--warn); background: var(--warn-bg); border-color: #eed888; }
.badge.unavailable { color: var(--neutral); background: #fff; border-color: var(--rule); }
article.item {
  border: 1px solid var(--rule); border-left: 5px solid var(--neutral-bg); border-radius: 6px;
  padding: 1rem 1.2rem; margin: 1.2rem 0;
}
article.item.pass { border-left-color: var(--pass); }
article.item.fail { border-left-color: var(--fail); }
article.item.error { border-left-color: var(--warn); }
article.item.missing {
  border-style: dashed; border-left-width: 1px; padding: .6rem 1.2rem; color: var(--muted); font-size: .92rem;
}
article.item.missing h3 { font-size: 1rem; }
article.item.unavailable { border-left-color: var(--rule); }
.source { color: var(--muted); font-size: .9rem; font-weight: normal; }
.item-id { color: var(--muted); font-weight: normal; }
.label { font-weight: 600; }
.caveat { color: var(--warn); font-size: .85rem; margin-top: .2rem; }
.figures { display: flex; flex-wrap: wrap; gap: 1rem; margin: .8rem 0; align-items: flex-start; }
figure { margin: 0; max-width: 100%; break-inside: avoid; page-break-inside: avoid; }
figure img { display: block; max-width: 100%; height: auto; border: 1px solid var(--rule); background: #fff; }
figcaption { color: var(--muted); font-size: .8rem; margin-top: .2rem; }
.prov { color: var(--muted); font-size: .82rem; margin-top: .8rem; border-top: 1px dotted var(--rule); padding-top: .4rem; }
.notes { font-size: .85rem; color: var(--muted); margin: .4rem 0 0; padding-left: 1.2rem; }
.notes li.error { color: var(--warn); }
details { margin: .2rem 0; }
details summary { cursor: pointer; color: var(--muted); font-size: .85rem; }
.legend { color: var(--muted); font-size: .85rem; }
footer { margin-top: 3rem; color: var(--muted); font-size: .8rem; border-top: 1px solid var(--rule); padding-top: .6rem; }
@media print {
  body { max-width: none; padding: 0; font-size: 10.5pt; }
  h2 { break-after: avoid; page-break-after: avoid; }
  article.item { break-inside: auto; }
  article.item > header { break-after: avoid; page-break-after: avoid; }
  tr { break-inside: avoid; page-break-inside: avoid; }
  a { color: inherit; }
  details > summary { display: none; }
  .banner { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
`;
