// The plans desk's pane: a plan's lines by nation, each with its owner; which
// nations have approved their own lines of the current revision (one exact
// revision: its content hash); what changed between two revisions; comments
// and proposals on a partner's lines (a partner comments, never edits); the
// synchronization matrix as the node draws it. Real plans are classified: the
// node holds exercise and template plans only, and the pane says so.
//
// Live: the shell's stream says which plan, line, approval or comment changed,
// and the pane refetches the plan. Routes: #/plans[/lines|diff|comments|matrix[/<plan id>]].

let shell = null;
let unsubscribe = null;

const enc = encodeURIComponent;
const P = {
  plans: () => "/plans",
  plan: (id) => `/plans/${enc(id)}`,
  approvals: (id) => `/plans/${enc(id)}/approvals`,
  comments: (id) => `/plans/${enc(id)}/comments`,
  revisions: (id) => `/plans/${enc(id)}/revisions`,
  diff: (id, from, to) => `/plans/${enc(id)}/diff?from=${from}&to=${to}`,
  svg: (id) => `/plans/${enc(id)}/sync.svg`,
  png: (id) => `/plans/${enc(id)}/sync.png`,
};
const TYPES = new Set(["plan", "plan_line", "plan_approval", "plan_comment"]);

const st = {
  view: "lines",
  plans: [],
  id: null,
  plan: null,
  hqs: [],
  comments: [],
  revisions: [],
  commenting: null, // the line a comment is written on
  matrixUrl: null,
  matrixFor: null, // "<plan id>@<revision>" the image shows
  refreshTimer: null,
};

const $ = (id) => shell.$(id);
const t = (key, vars) => shell.t(key, vars);
const me = () => shell.me;

async function getJson(path) {
  return (await shell.api(path)).json();
}

async function send(path, body) {
  const res = await fetch(shell.API + path, {
    method: "POST",
    headers: { ...shell.auth(), "Content-Type": "application/json" },
    body: JSON.stringify(body),
    cache: "no-store",
    credentials: "same-origin",
  });
  const data = await res.json().catch(() => null);
  if (!res.ok) throw new shell.ApiError(res.status, data);
  return data;
}

function showError(err) {
  const box = $("pl-error");
  box.textContent = err ? (err instanceof shell.ApiError ? err.text() : String(err.message || err)) : "";
  box.hidden = !err;
}

const quiet = (err) => err instanceof shell.ApiError && err.status === 401;

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children) if (child !== null && child !== undefined) node.append(child);
  return node;
}

const bi = (pair) => (pair ? pair[shell.lang] || pair.en : "");
const inLang = (en, ja) => (shell.lang === "ja" && ja ? ja : en);
// The language of user text as shown, when it is not the page's (an English
// fallback in a Japanese console): screen readers say it right.
const langOf = (en, ja) => (shell.lang === "ja" && !ja ? "en" : null);
const otherLang = (en, ja) => {
  const other = shell.lang === "ja" ? en : ja;
  return other && other !== inLang(en, ja) ? other : "";
};

function hqName(id) {
  const hq = st.hqs.find((h) => h.id === id);
  if (!hq) return id;
  return shell.lang === "ja" ? hq.short_ja || hq.name_ja || id : hq.short_en || hq.name_en || id;
}

function phaseName(id) {
  const phase = st.plan && st.plan.phases.find((p) => p.id === id);
  return phase ? inLang(phase.name, phase.name_ja) : t("pl_no_phase");
}

// ---------------------------------------------------------------- loading

async function loadPlans() {
  st.plans = await getJson(P.plans());
  if (!st.id || !st.plans.some((p) => p.id === st.id)) st.id = st.plans.length ? st.plans[0].id : null;
  renderPicker();
}

async function loadPlan() {
  if (!st.id) {
    st.plan = null;
    renderPlan();
    return;
  }
  const [plan, comments, revisions] = await Promise.all([
    getJson(P.plan(st.id)),
    getJson(P.comments(st.id)),
    getJson(P.revisions(st.id)),
  ]);
  Object.assign(st, { plan, comments, revisions });
  renderPlan();
  if (st.view === "matrix") await loadMatrix();
}

async function loadAll() {
  try {
    if (!st.hqs.length) st.hqs = await getJson("/org/hqs");
    await loadPlans();
    await loadPlan();
    showError(null);
  } catch (err) {
    if (!quiet(err)) showError(err);
  }
}

function onChange(change) {
  if (!change.reconnected && !TYPES.has(change.type)) return;
  clearTimeout(st.refreshTimer);
  st.refreshTimer = setTimeout(loadAll, 150);
}

// The matrix as the node draws it (SVG), fetched with the user's credentials
// and shown from a blob: an <img> cannot send the Authorization header.
async function loadMatrix() {
  if (!st.plan) return;
  const key = `${st.plan.id}@${st.plan.revision}`;
  if (st.matrixFor === key) return;
  const blob = await (await shell.api(P.svg(st.plan.id))).blob();
  if (st.matrixUrl) URL.revokeObjectURL(st.matrixUrl);
  st.matrixUrl = URL.createObjectURL(blob);
  st.matrixFor = key;
  $("pl-matrix-img").src = st.matrixUrl;
}

// ---------------------------------------------------------------- rendering

function renderPicker() {
  const pick = $("pl-pick");
  pick.replaceChildren(
    ...st.plans.map((p) => el("option", { value: p.id, text: `${inLang(p.title, p.title_ja)} (${p.owner}, ${t(`pl_kind_${p.kind}`)})` })),
  );
  pick.value = st.id || "";
  const none = !st.plans.length;
  $("pl-none").hidden = !none;
  pick.hidden = none;
  $("pl-head").hidden = none;
  $("pl-views").hidden = none;
  renderView();
}

function renderPlan() {
  const plan = st.plan;
  if (!plan || !me()) return;
  $("pl-title").textContent = inLang(plan.title, plan.title_ja);
  const other = $("pl-title-other");
  other.textContent = otherLang(plan.title, plan.title_ja);
  other.hidden = !other.textContent;
  other.lang = shell.lang === "ja" ? "en" : "ja";
  $("pl-title").lang = langOf(plan.title, plan.title_ja) || "";
  $("pl-kind").textContent = t(`pl_kind_${plan.kind}`);
  $("pl-status").textContent = bi(plan.status_name) || plan.status;
  $("pl-status").dataset.status = plan.status;
  $("pl-revision").textContent = `${plan.revision} · ${plan.content_hash.slice(0, 12)}`;
  $("pl-revision").title = plan.content_hash;
  $("pl-lead").textContent = `${plan.owner} — ${hqName(plan.hq_id)}`;
  $("pl-parts").replaceChildren(
    ...plan.parts.map((part) =>
      el(
        "li",
        { class: `pl-part${part.approved ? " approved" : " awaiting"}`, "data-nation": part.nation, "data-approved": String(part.approved) },
        el("b", { text: part.nation }),
        ` ${hqName(part.hq_id)} · `,
        t("pl_part_lines", { count: part.lines }),
        " · ",
        el("span", { class: "pl-part-state", text: part.approved ? t("pl_part_approved", { revision: plan.revision }) : t("pl_part_awaiting") }),
        part.executed ? el("span", { class: "pl-part-executed", text: ` · ${t("pl_part_executed")}` }) : null,
      ),
    ),
  );
  const mine = plan.parts.find((p) => p.nation === me().nation);
  $("pl-approve").hidden = !mine || mine.approved;
  $("pl-approve").textContent = t("pl_approve", { nation: me().nation, revision: plan.revision });
  $("pl-withdraw").hidden = !mine || !mine.approved;
  renderLines();
  renderRevisions();
  renderComments();
  renderView();
}

function renderLines() {
  const plan = st.plan;
  const groups = $("pl-line-groups");
  const nations = [...new Set([...plan.parts.map((p) => p.nation), ...plan.lines.map((l) => l.owner)])];
  groups.replaceChildren(
    ...nations.map((nation) => {
      const lines = plan.lines.filter((l) => l.owner === nation && l.state !== "removed");
      const part = plan.parts.find((p) => p.nation === nation);
      return el(
        "section",
        { class: "pl-nation", "data-nation": nation },
        el(
          "h3",
          {},
          t("pl_lines_of", { nation }),
          el("span", { class: `pl-badge ${part && part.approved ? "approved" : "awaiting"}`, text: part && part.approved ? t("pl_part_approved", { revision: plan.revision }) : t("pl_part_awaiting") }),
        ),
        el(
          "div",
          { class: "pl-scroll" },
          el(
            "table",
            { class: "pl-table" },
            el(
              "thead",
              {},
              el(
                "tr",
                {},
                ...["pl_col_owner", "pl_col_kind", "pl_col_phase", "pl_col_component", "pl_col_title", "pl_col_coordination", "pl_col_due", "pl_col_state"].map((k) =>
                  el("th", { text: t(k) }),
                ),
                el("th", {}, el("span", { class: "sr-only", text: t("pl_col_actions") })),
              ),
            ),
            el(
              "tbody",
              {},
              ...lines.map((l) =>
                el(
                  "tr",
                  { "data-id": l.id, "data-owner": l.owner },
                  el("td", { text: `${l.owner} · ${hqName(l.hq_id)}` }),
                  el("td", { text: t(`pl_line_${l.kind}`) }),
                  el("td", { text: phaseName(l.phase_id) }),
                  el("td", { text: l.component, lang: langOf(l.component, "") }),
                  el("td", { class: "pl-line-title", text: inLang(l.title, l.title_ja), title: otherLang(l.title, l.title_ja) || null, lang: langOf(l.title, l.title_ja) }),
                  el("td", { text: inLang(l.coordination, l.coordination_ja), lang: langOf(l.coordination, l.coordination_ja) }),
                  el("td", { class: "mono", text: l.due ? shell.dtg(new Date(l.due.iso), shell.ZONES[0]) : "—" }),
                  el("td", { text: l.executed ? t("pl_line_executed") : t("pl_line_active") }),
                  el(
                    "td",
                    {},
                    l.owner !== me().nation
                      ? el("button", { type: "button", class: "pl-comment", "data-line": l.id, text: t("pl_comment_open") })
                      : null,
                  ),
                ),
              ),
            ),
          ),
        ),
        lines.length ? null : el("p", { class: "note", text: t("pl_no_lines") }),
      );
    }),
  );
  for (const button of groups.querySelectorAll("button.pl-comment")) {
    button.addEventListener("click", () => openComment(button.dataset.line));
  }
  const line = plan.lines.find((l) => l.id === st.commenting);
  $("pl-comment-form").hidden = !line;
  if (line) $("pl-comment-what").textContent = `${line.owner}: ${inLang(line.title, line.title_ja)}`;
}

function renderRevisions() {
  const revisions = [...new Set(st.revisions.map((r) => r.revision))].sort((a, b) => a - b);
  if (!revisions.includes(st.plan.revision)) revisions.push(st.plan.revision);
  for (const [id, fallback] of [["pl-diff-from", Math.max(1, st.plan.revision - 1)], ["pl-diff-to", st.plan.revision]]) {
    const select = $(id);
    const value = select.value;
    select.replaceChildren(...revisions.map((r) => el("option", { value: r, text: String(r) })));
    select.value = revisions.includes(Number(value)) ? value : String(fallback);
  }
}

function show(value) {
  if (value === null || value === undefined || value === "") return "—";
  return typeof value === "string" ? value : JSON.stringify(value);
}

function renderChanges(diff) {
  const list = $("pl-changes");
  list.replaceChildren(
    ...diff.changes.map((c) =>
      el(
        "li",
        { class: `pl-change ${c.change}`, "data-what": c.what, "data-change": c.change },
        el("b", { text: `${t(`pl_change_${c.change}`)}: ${bi(c.label)}` }),
        c.owner ? el("span", { class: "note", text: ` (${c.owner})` }) : null,
        c.fields.length
          ? el(
              "ul",
              {},
              ...c.fields.map((f) => el("li", { text: `${bi(f.label) || f.field}: ${show(f.before)} → ${show(f.after)}` })),
            )
          : null,
      ),
    ),
  );
  $("pl-changes-empty").hidden = diff.changes.length > 0;
}

function renderComments() {
  const lineTitle = (id) => {
    const line = st.plan.lines.find((l) => l.id === id);
    return line ? `${line.owner}: ${inLang(line.title, line.title_ja)}` : t("pl_whole_plan");
  };
  $("pl-comment-list").replaceChildren(
    ...st.comments.map((c) =>
      el(
        "li",
        { class: `pl-comment-item ${c.kind}`, "data-id": c.id, "data-line": c.line_id || "", "data-owner": c.owner },
        el("div", { class: "note", text: `${t(`pl_kind_${c.kind}`)} · ${c.owner} · ${c.author_name} · ${t("pl_on_revision", { revision: c.revision })} · ${lineTitle(c.line_id)}` }),
        el("p", { class: "pl-text", text: inLang(c.text, c.text_ja), title: otherLang(c.text, c.text_ja) || null, lang: langOf(c.text, c.text_ja) }),
      ),
    ),
  );
  $("pl-comments-empty").hidden = st.comments.length > 0;
}

function renderView() {
  for (const section of shell.section.querySelectorAll(".pl-view")) section.hidden = !st.plan || section.dataset.view !== st.view;
  for (const link of shell.section.querySelectorAll(".pl-views a")) {
    const on = link.dataset.view === st.view;
    link.classList.toggle("active", on);
    if (on) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
    if (st.id) link.href = `#/plans/${link.dataset.view}/${enc(st.id)}`;
  }
}

// ---------------------------------------------------------------- actions

async function approve(yes) {
  const plan = st.plan;
  if (!plan) return;
  try {
    await send(P.approvals(plan.id), { content_hash: plan.content_hash, approve: yes });
    showError(null);
    await loadPlan();
  } catch (err) {
    showError(err);
  }
}

function openComment(lineId) {
  st.commenting = lineId;
  renderLines();
  $("pl-comment-text").focus();
}

async function comment(event) {
  event.preventDefault();
  const text = $("pl-comment-text").value.trim();
  if (!text) {
    showError(new Error(t("pl_need_text")));
    return;
  }
  try {
    await send(P.comments(st.plan.id), { line_id: st.commenting, kind: $("pl-comment-kind").value, text });
    $("pl-comment-text").value = "";
    st.commenting = null;
    showError(null);
    await loadPlan();
  } catch (err) {
    showError(err);
  }
}

async function showDiff() {
  try {
    renderChanges(await getJson(P.diff(st.plan.id, $("pl-diff-from").value, $("pl-diff-to").value)));
    showError(null);
  } catch (err) {
    showError(err);
  }
}

async function downloadPng() {
  try {
    const blob = await (await shell.api(P.png(st.plan.id))).blob();
    const url = URL.createObjectURL(blob);
    const a = el("a", { href: url, download: `sync-${st.plan.id}-r${st.plan.revision}.png` });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  } catch (err) {
    showError(err);
  }
}

// ---------------------------------------------------------------- routes and hooks

async function route(parts) {
  const [view, id] = parts;
  if (["lines", "diff", "comments", "matrix"].includes(view)) st.view = view;
  if (id && id !== st.id && st.plans.some((p) => p.id === id)) {
    st.id = id;
    st.commenting = null;
    renderPicker();
    await loadPlan().catch(showError);
  }
  renderView();
  if (st.view === "matrix") await loadMatrix().catch(showError);
}

function enter() {
  if (unsubscribe) unsubscribe();
  unsubscribe = shell.subscribe(onChange);
  loadAll();
}

function leave() {
  if (unsubscribe) unsubscribe();
  unsubscribe = null;
  clearTimeout(st.refreshTimer);
  if (st.matrixUrl) URL.revokeObjectURL(st.matrixUrl);
  Object.assign(st, { plans: [], id: null, plan: null, comments: [], revisions: [], commenting: null, matrixUrl: null, matrixFor: null });
  $("pl-matrix-img").removeAttribute("src");
}

function language() {
  $("pl-matrix-img").alt = t("pl_matrix_alt");
  if (!me()) return;
  renderPicker();
  renderPlan();
}

export function mount(given, section) {
  shell = Object.create(given, { section: { value: section } });
  $("pl-pick").addEventListener("change", (e) => shell.navigate(`plans/${st.view}/${e.target.value}`));
  $("pl-reload").addEventListener("click", loadAll);
  $("pl-approve").addEventListener("click", () => approve(true));
  $("pl-withdraw").addEventListener("click", () => approve(false));
  $("pl-comment-form").addEventListener("submit", comment);
  $("pl-comment-cancel").addEventListener("click", () => {
    st.commenting = null;
    renderLines();
  });
  $("pl-diff-show").addEventListener("click", showDiff);
  $("pl-matrix-png").addEventListener("click", downloadPng);
  renderView();
  return { enter, leave, language, route };
}
