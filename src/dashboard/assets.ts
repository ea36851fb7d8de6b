/**
 * The dashboard's one stylesheet and one small script, served from /dashboard/assets/ (no build
 * step). The script only enhances: live refresh of a region while a call is not terminal, copy
 * buttons, confirmations, and the transcript ↔ recording ↔ evidence links.
 */

export const STYLESHEET = `
:root { --fg: #1d2330; --muted: #4a5365; --bg: #f7f8fa; --card: #fff; --line: #d5dae3;
  --accent: #1f5fbf; --accent-fg: #fff; --ok: #1c6b3a; --warn: #8a5300; --bad: #a3262a;
  --mark: #fff2b3; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: var(--fg); background: var(--bg); line-height: 1.5; }
* { box-sizing: border-box; }
body { margin: 0; }
a { color: var(--accent); }
:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
.skip { position: absolute; left: -999px; top: 0; background: var(--card); padding: .5rem; }
.skip:focus { left: .5rem; }
header.top { background: var(--card); border-bottom: 1px solid var(--line); }
header.top .bar { max-width: 72rem; margin: 0 auto; padding: .6rem 1rem; display: flex;
  flex-wrap: wrap; align-items: center; gap: .5rem 1.25rem; }
header.top .brand { font-weight: 700; color: var(--fg); text-decoration: none; }
header.top nav ul { list-style: none; display: flex; flex-wrap: wrap; gap: .25rem 1rem; margin: 0; padding: 0; }
header.top nav a[aria-current="page"] { font-weight: 700; text-decoration-thickness: 3px; }
header.top form { margin-left: auto; display: flex; gap: .5rem; align-items: center; }
main { max-width: 72rem; margin: 0 auto; padding: 1rem; }
h1 { font-size: 1.5rem; margin: .5rem 0 1rem; }
h2 { font-size: 1.15rem; margin: 0 0 .75rem; }
section.card, .card { background: var(--card); border: 1px solid var(--line); border-radius: .5rem;
  padding: 1rem; margin-bottom: 1rem; overflow-x: auto; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .45rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-size: .9rem; color: var(--muted); }
label { display: block; font-weight: 600; margin: .5rem 0 .2rem; }
.hint { color: var(--muted); font-size: .9rem; margin: .2rem 0; }
input, select, textarea { font: inherit; padding: .45rem .55rem; border: 1px solid #7a8496;
  border-radius: .35rem; width: 100%; max-width: 32rem; background: #fff; color: var(--fg); }
input[type="checkbox"] { width: auto; }
textarea { min-height: 5rem; }
button, .button { font: inherit; padding: .45rem .9rem; border-radius: .35rem; cursor: pointer;
  border: 1px solid var(--accent); background: var(--accent); color: var(--accent-fg); text-decoration: none;
  display: inline-block; }
button.secondary { background: #fff; color: var(--accent); }
button.danger { background: #fff; color: var(--bad); border-color: var(--bad); }
form.inline { display: inline; }
.row { display: flex; flex-wrap: wrap; gap: .75rem; align-items: end; }
.row > * { flex: 1 1 12rem; }
.row > .shrink { flex: 0 0 auto; }
.status { display: inline-block; padding: 0 .5rem; border-radius: 1rem; font-size: .85rem;
  font-weight: 600; border: 1px solid currentColor; white-space: nowrap; }
.status.completed { color: var(--ok); } .status.failed, .status.declined { color: var(--bad); }
.status.queued, .status.dialing, .status.in_progress { color: var(--accent); }
.status.no_answer, .status.voicemail { color: var(--warn); }
.notice { border-left: 4px solid var(--ok); background: #eef7f1; padding: .6rem .8rem; margin-bottom: 1rem; }
.error { border-left: 4px solid var(--bad); background: #fbeeee; padding: .6rem .8rem; margin-bottom: 1rem; }
.secret { font-family: ui-monospace, monospace; word-break: break-all; background: #eef1f6;
  padding: .4rem .5rem; border-radius: .3rem; display: inline-block; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; margin: 0; }
dl.facts dt { color: var(--muted); } dl.facts dd { margin: 0; }
ol.transcript { list-style: none; padding: 0; margin: 0; }
ol.transcript li { border-radius: .3rem; }
ol.transcript li.highlight, ol.transcript li:target { background: var(--mark); }
ol.transcript button { all: unset; cursor: pointer; display: block; padding: .35rem .5rem; width: 100%; box-sizing: border-box; }
ol.transcript button:focus-visible { outline: 3px solid var(--accent); }
.speaker { font-weight: 700; } .offset { font-family: ui-monospace, monospace; color: var(--muted); margin-right: .4rem; }
ol.timeline { margin: 0; padding-left: 1.25rem; }
.usage { height: 1rem; background: #e3e7ee; border-radius: .5rem; overflow: hidden; max-width: 32rem; }
.usage > span { display: block; height: 100%; background: var(--accent); }
audio { width: 100%; max-width: 40rem; }
.pager { display: flex; gap: 1rem; margin-top: .75rem; }
@media (max-width: 40rem) {
  main { padding: .6rem; }
  header.top form { margin-left: 0; }
  th, td { padding: .35rem .3rem; font-size: .92rem; }
  table.stack thead { position: absolute; left: -999px; }
  table.stack tr { display: block; border-bottom: 1px solid var(--line); padding: .3rem 0; }
  table.stack td { display: block; border: 0; padding: .1rem .3rem; }
  table.stack td[data-label]::before { content: attr(data-label) ": "; color: var(--muted); font-weight: 600; }
}
`;

export const SCRIPT = `
(() => {
  "use strict";
  // Live refresh: a [data-live] region is fetched again every 2 s and replaced while it stays live.
  const live = document.querySelector("[data-live]");
  if (live) {
    const tick = async () => {
      try {
        const res = await fetch(location.href, { headers: { "x-dashboard-refresh": "1" }, credentials: "same-origin" });
        if (!res.ok) return;
        const doc = new DOMParser().parseFromString(await res.text(), "text/html");
        const fresh = doc.getElementById(live.id);
        if (!fresh) return;
        if (!fresh.hasAttribute("data-live")) { location.reload(); return; }
        live.innerHTML = fresh.innerHTML;
      } catch {}
      setTimeout(tick, 2000);
    };
    setTimeout(tick, 2000);
  }
  document.addEventListener("click", (e) => {
    const t = e.target instanceof Element ? e.target : null;
    if (!t) return;
    const copy = t.closest("[data-copy]");
    if (copy) {
      const text = document.getElementById(copy.getAttribute("data-copy")).textContent;
      navigator.clipboard?.writeText(text).then(() => { copy.textContent = "Copied"; }, () => {});
      return;
    }
    const seek = t.closest("[data-offset]");
    const audio = document.querySelector("audio");
    if (seek && audio) { audio.currentTime = Number(seek.getAttribute("data-offset")) / 1000; audio.play().catch(() => {}); }
    const ev = t.closest("[data-evidence]");
    if (ev) {
      e.preventDefault();
      const line = document.getElementById("line-" + ev.getAttribute("data-evidence"));
      if (line) {
        document.querySelectorAll("li.highlight").forEach((l) => { l.classList.remove("highlight"); l.removeAttribute("aria-current"); });
        line.classList.add("highlight");
        line.setAttribute("aria-current", "true");
        line.scrollIntoView({ block: "center" });
        line.querySelector("button")?.focus();
      }
    }
  });
  document.addEventListener("submit", (e) => {
    const form = e.target;
    const q = form.getAttribute && form.getAttribute("data-confirm");
    if (q && !confirm(q)) e.preventDefault();
  });
})();
`;
