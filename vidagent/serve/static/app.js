// vidagent page: search, watch the hits, ask. Plain DOM, no build step; every value from the server is
// inserted as text (never as HTML). Result fields are shown generically, so new fields the library
// adds to its JSON (why-matched explanations, scores) appear without changes here.
"use strict";

const $ = (id) => document.getElementById(id);
const player = $("player");
const state = { q: "", offset: 0, limit: 24, hits: [], current: -1, segment: null, mode: "search",
                browseVideo: null, videos: [], busy: false };
// Fields drawn in fixed places on a card; anything else a hit carries is shown as a small chip.
const KNOWN = new Set(["clip_id", "video", "video_hash", "name", "start", "end", "score", "caption", "thumb",
  "media", "rank", "tags", "ocr", "transcript", "ranks", "similarity", "why", "why_matched", "index",
  "tag_scores", "frame_times", "extra", "model_id", "prompt", "describer", "prev", "next", "evidence", "verified"]);

// ---------- small helpers ----------
function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.textContent = String(text);
  return e;
}
function fmtTime(t) {
  t = Math.max(0, Number(t) || 0);
  const h = Math.floor(t / 3600), m = Math.floor((t % 3600) / 60), s = t % 60;
  const ss = s.toFixed(1).padStart(4, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}
function parseTime(text) {
  text = (text || "").trim();
  if (!text) return null;
  let total = 0;
  for (const part of text.split(":")) {
    const v = Number(part);
    if (!Number.isFinite(v) || v < 0) return NaN;
    total = total * 60 + v;
  }
  return total;
}
function short(v) {
  if (v === null || v === undefined) return "";
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : v.toFixed(3);
  if (Array.isArray(v)) return v.map(short).filter(Boolean).join(", ");
  if (typeof v === "object") return Object.entries(v).map(([k, x]) => `${k} ${short(x)}`).join(", ");
  return String(v);
}
function toast(text) {
  const t = $("toast");
  t.textContent = text;
  t.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { t.hidden = true; }, 2200);
}
async function api(path, options) {
  const resp = await fetch(path, options);
  let body = null;
  try { body = await resp.json(); } catch (e) { body = null; }
  if (!resp.ok) throw new Error((body && body.error) || `${resp.status} ${resp.statusText}`);
  return body;
}

// ---------- filters and the address bar ----------
function filters() {
  const p = {};
  const v = $("f-video").value; if (v) p.video = v;
  const m = $("f-min").value.trim(); if (m) p.min_score = m;
  const s = parseTime($("f-start").value); if (s !== null && !Number.isNaN(s)) p.start = s;
  const e = parseTime($("f-end").value); if (e !== null && !Number.isNaN(e)) p.end = e;
  return p;
}
function linkParams(withClip) {
  const p = new URLSearchParams();
  if (state.q) p.set("q", state.q);
  for (const [k, v] of Object.entries(filters())) p.set(k, v);
  const hit = state.hits[state.current];
  if (withClip && hit) p.set("clip", hit.clip_id);
  return p;
}
function syncAddress() {
  const p = linkParams(true);
  history.replaceState(null, "", "/" + (p.toString() ? "?" + p : ""));
}

// ---------- cards ----------
function whyChips(h) {
  const box = el("div", "why");
  const add = (cls, text, title) => {
    if (!text) return;
    const c = el("span", "chip " + cls, text);
    c.title = title || text;
    box.append(c);
  };
  for (const key of ["why", "why_matched"]) {
    const w = h[key];
    if (!w) continue;
    if (Array.isArray(w)) w.forEach((x) => add("by", short(x)));
    else if (typeof w === "object") Object.entries(w).forEach(([k, x]) => add("by", `${k}: ${short(x)}`));
    else add("by", String(w));
  }
  if (h.ranks && typeof h.ranks === "object" && !h.why && !h.why_matched) {
    const by = Object.entries(h.ranks).sort((a, b) => a[1] - b[1]).map(([k, r]) => `${k} #${Number(r) + 1}`);
    if (by.length) add("by", "matched by " + by.join(", "));
  }
  if (Array.isArray(h.ocr) && h.ocr.length) add("text", "on screen: “" + h.ocr.join(" · ") + "”");
  if (h.transcript) add("text", "said: “" + h.transcript + "”");
  if (Array.isArray(h.tags) && h.tags.length) add("", h.tags.slice(0, 4).join(", "), h.tags.join(", "));
  for (const [k, v] of Object.entries(h)) {
    if (KNOWN.has(k) || v === null || v === "" || (Array.isArray(v) && !v.length)) continue;
    add("", `${k.replace(/_/g, " ")}: ${short(v)}`);
  }
  return box;
}
function scoreText(h) {
  const parts = [];
  if (typeof h.score === "number") parts.push(`score ${h.score.toFixed(3)}`);
  if (typeof h.similarity === "number" && h.similarity > 0) parts.push(`match ${h.similarity.toFixed(2)}`);
  return parts.join(" · ");
}
function card(h, i) {
  const a = el("article", "hit");
  a.tabIndex = 0;
  a.dataset.clip = h.clip_id;
  a.dataset.start = h.start;
  a.dataset.end = h.end;
  a.dataset.index = i;
  const th = el("div", "thumb");
  const img = el("img");
  img.loading = "lazy";
  img.alt = "";
  img.src = h.thumb;
  img.srcset = `${h.thumb}?w=320 1x, ${h.thumb}?w=640 2x`;
  th.append(img, el("span", "badge time", `${fmtTime(h.start)}–${fmtTime(h.end)}`));
  if (h.rank) th.append(el("span", "badge rank", `#${h.rank}`));
  const body = el("div", "hit-body");
  const meta = el("div", "hit-meta");
  const name = el("span", "name", h.name || h.video || "");
  name.title = h.video || "";
  meta.append(name, el("span", "score", scoreText(h)));
  body.append(meta, el("p", "caption", h.caption || "(no caption)"), whyChips(h));
  a.append(th, body);
  a.addEventListener("click", () => select(i));
  a.addEventListener("keydown", (ev) => { if (ev.key === "Enter") select(i); });
  return a;
}
function renderCards(from) {
  const grid = $("grid");
  if (from === 0) grid.replaceChildren();
  for (let i = from; i < state.hits.length; i++) grid.append(card(state.hits[i], i));
  markCurrent();
}
function markCurrent() {
  document.querySelectorAll(".hit").forEach((c) => c.classList.toggle("current", Number(c.dataset.index) === state.current));
}

// ---------- search and browse ----------
async function runSearch(append) {
  const q = $("q").value.trim();
  if (!q) { $("q").focus(); return; }
  showTab("search");
  if (!append) { state.q = q; state.offset = 0; state.hits = []; state.mode = "search"; state.current = -1; }
  const f = filters();
  if (f.start !== undefined && f.end !== undefined && f.end <= f.start) { $("info").textContent = "“To” must be after “From”."; return; }
  const p = new URLSearchParams({ q: state.q, offset: state.offset, limit: state.limit, ...f });
  const t0 = performance.now();
  $("info").replaceChildren(el("span", "spinner"), document.createTextNode(append ? "Loading more…" : "Searching…"));
  try {
    const r = await api("/api/search?" + p);
    const from = state.hits.length;
    state.hits.push(...r.hits);
    state.offset += r.hits.length;
    renderCards(from);
    const ms = Math.round(performance.now() - t0);
    const info = $("info");
    info.replaceChildren();
    if (!state.hits.length) info.textContent = `No results for “${state.q}”. Try other words or clear the filters.`;
    else {
      info.append(el("b", null, `${state.hits.length}${r.has_more ? "+" : ""} results`),
        document.createTextNode(` for “${state.q}” · ${ms} ms · click a result to play it`));
    }
    $("more").hidden = !r.has_more;
    document.body.dataset.searched = String(Date.now());
    syncAddress();
  } catch (e) {
    $("info").textContent = "Search failed: " + e.message;
  }
}
async function browseVideo(hash, append) {
  showTab("search");
  if (!append) { state.mode = "browse"; state.browseVideo = hash; state.offset = 0; state.hits = []; state.current = -1; }
  try {
    const r = await api(`/api/videos/${encodeURIComponent(hash)}/clips?offset=${state.offset}&limit=48`);
    const from = state.hits.length;
    state.hits.push(...r.clips);
    state.offset += r.clips.length;
    renderCards(from);
    const v = state.videos.find((x) => x.hash === hash);
    $("info").replaceChildren(el("b", null, `${r.total} clips`),
      document.createTextNode(` of ${v ? v.name : "this video"} in time order (${state.hits.length} shown)`));
    $("more").hidden = !r.has_more;
  } catch (e) {
    $("info").textContent = "Could not list clips: " + e.message;
  }
}

// ---------- the player ----------
function setSegment(hit) {
  state.segment = { start: Number(hit.start), end: Number(hit.end) };
  $("player-msg").hidden = true;
  const start = state.segment.start;
  const go = () => {
    state.seekingOurs = true;
    player.currentTime = start;
    player.play().catch(() => {});
  };
  if (player.dataset.src !== hit.media) {
    player.dataset.src = hit.media;
    player.src = hit.media;
    player.addEventListener("loadedmetadata", go, { once: true });
  } else if (player.readyState >= 1) go();
  else player.addEventListener("loadedmetadata", go, { once: true });
}
function showNow(hit) {
  const now = $("now");
  now.replaceChildren();
  now.append(el("div", "now-title", `${hit.name || hit.video}  ${fmtTime(hit.start)} – ${fmtTime(hit.end)}`));
  const sub = [scoreText(hit), hit.rank ? `hit ${hit.rank}` : "", hit.clip_id].filter(Boolean).join(" · ");
  now.append(el("div", "now-sub", sub));
  if (hit.caption) now.append(el("p", "now-caption", hit.caption));
}
function select(i) {
  if (i < 0 || i >= state.hits.length) return;
  state.current = i;
  const hit = state.hits[i];
  markCurrent();
  showNow(hit);
  setSegment(hit);
  const c = document.querySelector(`.hit[data-index="${i}"]`);
  if (c) c.scrollIntoView({ block: "nearest", behavior: "smooth" });
  if (state.mode === "search") syncAddress();
}
function playCitation(c) {
  // A citation plays in the same player; it is not one of the grid's hits.
  state.current = -1;
  markCurrent();
  showNow(c);
  setSegment(c);
}
function watchEnd() {
  const seg = state.segment;
  if (seg && !player.paused && player.currentTime >= seg.end - 0.04) {
    if ($("f-loop").checked) { state.seekingOurs = true; player.currentTime = seg.start; }
    else { player.pause(); player.currentTime = Math.min(player.currentTime, seg.end); }
  }
  if (!player.paused) requestAnimationFrame(watchEnd);
}
player.addEventListener("play", () => {
  // Play pressed again after the clip stopped at its end: keep watching the film from there.
  const seg = state.segment;
  if (seg && !$("f-loop").checked && player.currentTime >= seg.end - 0.1) state.segment = null;
  requestAnimationFrame(watchEnd);
});
player.addEventListener("seeking", () => {
  // Someone dragged the timeline out of the clip: let the film play on from there.
  if (state.seekingOurs) { state.seekingOurs = false; return; }
  const seg = state.segment;
  if (seg && (player.currentTime < seg.start - 0.5 || player.currentTime > seg.end + 0.5)) state.segment = null;
});
player.addEventListener("error", () => {
  const m = $("player-msg");
  m.hidden = false;
  m.textContent = "This browser cannot play this video (its format or codec, or the file moved). " +
    "Cut the clip to MP4 with `vidagent export CLIP_ID`.";
});

// ---------- ask ----------
async function runAsk(ev) {
  ev.preventDefault();
  const question = $("question").value.trim();
  if (!question) return;
  const box = $("answer");
  box.replaceChildren(el("span", "spinner"), document.createTextNode("Looking through the clips…"));
  const body = { question };
  if ($("f-video").value) body.video = $("f-video").value;
  try {
    const r = await api("/api/ask", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
    box.replaceChildren();
    const cites = r.citations || [];
    const text = el("div", "text" + (cites.length ? "" : " notfound"), r.answer || "(no answer)");
    box.append(text);
    if (r.error) box.append(el("div", "error", r.error));
    (r.notes || []).forEach((n) => box.append(el("div", "note", n)));
    const list = el("div", "cites");
    cites.forEach((c, i) => {
      const b = el("button", "cite");
      b.type = "button";
      b.dataset.clip = c.clip_id;
      b.dataset.start = c.start;
      const img = el("img"); img.src = c.thumb; img.alt = ""; img.loading = "lazy";
      const right = el("div");
      const mark = c.verified === false ? el("span", "unv", "unverified") : c.verified ? el("span", "ok", "✓ checked") : null;
      const title = el("div", "c-title", `[${i + 1}] ${c.name || c.video} ${fmtTime(c.start)}–${fmtTime(c.end)} `);
      if (mark) title.append(mark);
      right.append(title);
      if (c.evidence) right.append(el("div", "c-ev", c.evidence));
      b.append(img, right);
      b.addEventListener("click", () => playCitation(c));
      list.append(b);
    });
    box.append(list);
    const meta = [r.mode, typeof r.elapsed_s === "number" ? `${r.elapsed_s.toFixed(1)} s` : ""].filter(Boolean).join(" · ");
    if (meta) box.append(el("div", "meta", meta + (cites.length ? " · click a citation to play it" : "")));
    if (Array.isArray(r.steps) && r.steps.length) {
      const d = el("details", "steps");
      d.append(el("summary", null, `how it was answered (${r.steps.length} steps)`), el("pre", null, JSON.stringify(r.steps, null, 1)));
      box.append(d);
    }
  } catch (e) {
    box.replaceChildren(el("div", "error", "Could not answer: " + e.message));
  }
}

// ---------- videos ----------
function fmtSize(n) {
  const u = ["B", "KB", "MB", "GB", "TB"]; let i = 0; n = Number(n) || 0;
  while (n >= 1024 && i < u.length - 1) { n /= 1024; i++; }
  return `${n.toFixed(i ? 1 : 0)} ${u[i]}`;
}
async function loadVideos() {
  try {
    state.videos = await api("/api/videos");
  } catch (e) { $("status").textContent = "store unavailable: " + e.message; return; }
  const sel = $("f-video");
  const keep = sel.value || new URLSearchParams(location.search).get("video") || "";
  sel.replaceChildren(el("option", null, "all videos"));
  sel.firstChild.value = "";
  const body = $("videos-body");
  body.replaceChildren();
  for (const v of state.videos) {
    const o = el("option", null, v.name); o.value = v.hash; sel.append(o);
    const tr = el("tr");
    const name = el("td"); name.append(el("div", null, v.name), el("div", "path", v.path));
    const cls = v.status === "indexed" ? "state-indexed" : v.status.startsWith("partly") ? "state-partly" : "state-not";
    const st = el("td", cls, v.status + (v.indexed_at ? ` · ${v.indexed_at.replace("T", " ")}` : ""));
    const act = el("td");
    const b1 = el("button", null, "Browse clips"); b1.type = "button"; b1.addEventListener("click", () => browseVideo(v.hash));
    const b2 = el("button", "link", "Search in it"); b2.type = "button";
    b2.addEventListener("click", () => { $("f-video").value = v.hash; showTab("search"); $("q").focus(); });
    act.append(b1, b2);
    tr.append(name, el("td", "num", fmtTime(v.duration)), el("td", "num", `${v.width}×${v.height} · ${fmtSize(v.size)}`),
      el("td", "num", `${v.described}/${v.clips}`), st, act);
    body.append(tr);
  }
  sel.value = keep;
}
async function loadStatus() {
  try {
    const s = await api("/api/status");
    const n = (k, w) => `${k} ${w}${k === 1 ? "" : "s"}`;
    $("status").textContent = `${n(s.videos, "video")} · ${n(s.clips, "clip")} · ${fmtTime(s.seconds)} of video`;
  } catch (e) { $("status").textContent = e.message; }
}
function showTab(name) {
  $("tab-search").classList.toggle("active", name === "search");
  $("tab-videos").classList.toggle("active", name === "videos");
  $("results-pane").hidden = name !== "search";
  $("videos-pane").hidden = name !== "videos";
}

// ---------- wiring ----------
$("search-form").addEventListener("submit", (ev) => { ev.preventDefault(); runSearch(false); });
$("more").addEventListener("click", () => (state.mode === "browse" ? browseVideo(state.browseVideo, true) : runSearch(true)));
$("ask-form").addEventListener("submit", runAsk);
$("tab-search").addEventListener("click", () => showTab("search"));
$("tab-videos").addEventListener("click", () => showTab("videos"));
$("prev").addEventListener("click", () => select(state.current - 1));
$("next").addEventListener("click", () => select(state.current + 1));
$("replay").addEventListener("click", () => { const h = state.hits[state.current]; if (h) setSegment(h); });
$("copy").addEventListener("click", async () => {
  const p = linkParams(true);
  const url = location.origin + "/" + (p.toString() ? "?" + p : "");
  try { await navigator.clipboard.writeText(url); toast("Link copied: " + url); }
  catch (e) { window.prompt("Copy this link:", url); }
});
for (const id of ["f-video", "f-min", "f-start", "f-end"]) {
  $(id).addEventListener("change", () => { if (state.mode === "search" && state.q) runSearch(false); });
}
$("f-clear").addEventListener("click", () => {
  $("f-video").value = ""; $("f-min").value = ""; $("f-start").value = ""; $("f-end").value = "";
  if (state.q) runSearch(false);
});
document.addEventListener("keydown", (ev) => {
  const typing = ["INPUT", "TEXTAREA", "SELECT"].includes(document.activeElement.tagName);
  if (ev.key === "Escape" && typing) { document.activeElement.blur(); return; }
  if (typing || ev.ctrlKey || ev.metaKey || ev.altKey) return;
  if (ev.key === "/") { ev.preventDefault(); $("q").focus(); $("q").select(); }
  else if (ev.key === "n" || ev.key === "j") select(state.current + 1);
  else if (ev.key === "p" || ev.key === "k") select(Math.max(0, state.current - 1));
  else if (ev.key === "l") { $("f-loop").checked = !$("f-loop").checked; toast($("f-loop").checked ? "Loop on" : "Loop off"); }
});

async function start() {
  const p = new URLSearchParams(location.search);
  if (p.get("min_score")) $("f-min").value = p.get("min_score");
  if (p.get("start")) $("f-start").value = fmtTime(p.get("start"));
  if (p.get("end")) $("f-end").value = fmtTime(p.get("end"));
  loadStatus();
  await loadVideos();
  if (p.get("q")) {
    $("q").value = p.get("q");
    await runSearch(false);
  }
  const clip = p.get("clip");
  if (clip) {
    const i = state.hits.findIndex((h) => h.clip_id === clip);
    if (i >= 0) select(i);
    else {
      try { const c = await api("/api/clips/" + encodeURIComponent(clip)); playCitation(c); }
      catch (e) { toast("Clip not found: " + clip); }
    }
  }
  if (!p.get("q")) $("q").focus();
  document.body.dataset.ready = "1";
}
start();
