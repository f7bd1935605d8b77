// The ACM desk's coordination pane: inbox and outbox per HQ with what awaits
// the user's nation, a request's thread and the actions on it (respond,
// concur, concur with comment, non-concur, escalate, record the outcome), the
// coordinated-outcome log, working groups and their action items.
//
// It never polls: the shell's live stream (shell.subscribe) says what changed,
// and the pane refetches that from the ACM API, which releases to the user's
// nation only what it may read. Routes: #/acm/requests[/<id>], #/acm/new,
// #/acm/outcomes, #/acm/groups[/<id>].

let shell = null;
let unsubscribe = null;

const st = {
  acts: 0, // actions taken (the latest one's error is the one shown)
  threadFailed: false, // the thread could not be read (its error is the one shown)
  view: "requests",
  box: "inbox",
  hq: "",
  hqs: [],
  requests: [],
  openId: null,
  thread: null,
  decisions: [],
  groups: [],
  groupId: null,
  actions: [],
  allActions: [],
  notified: new Set(), // what a "due" toast was shown for
  known: null, // ids of requests seen before (a new one in the inbox is announced)
  refreshTimer: null,
  pending: new Set(),
  lastDueCheck: 0,
};

const $ = (id) => shell.$(id);
const t = (key, vars) => shell.t(key, vars);

// ---------------------------------------------------------------- API

async function getJson(path) {
  return (await shell.api(path)).json();
}

async function send(path, body = {}) {
  const res = await fetch(shell.API + path, {
    method: "POST",
    headers: { ...shell.auth(), "Content-Type": "application/json" },
    body: JSON.stringify(body),
    cache: "no-store",
    credentials: "same-origin",
  });
  let data = null;
  try {
    data = await res.json();
  } catch {
    data = null;
  }
  if (!res.ok) throw new shell.ApiError(res.status, data);
  return data;
}

function showError(err) {
  const el = $("acm-error");
  if (!err) {
    el.hidden = true;
    el.textContent = "";
    return;
  }
  el.textContent = err instanceof shell.ApiError ? err.text() : String(err.message || err);
  el.hidden = false;
}

// ---------------------------------------------------------------- helpers

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

const me = () => shell.me;
const bi = (pair) => (pair ? pair[shell.lang] || pair.en : "");
// The portion mark as the user's nation writes it (the API sends each nation's).
const portion = (marking) => {
  if (!marking) return "";
  const own = marking.by_nation && me() ? marking.by_nation[me().nation] : null;
  return bi(own ? own.portion : marking.portion);
};

function hqName(id) {
  const hq = st.hqs.find((h) => h.id === id);
  if (!hq) return id;
  return shell.lang === "ja" ? hq.short_ja || hq.name_ja : hq.short_en || hq.name_en;
}

// A time as the node writes it for the user's language: in Japanese the API's
// own z_ja (2026年7月27日 1200Z, what the shell's clock writes too).
function dtgOf(time) {
  if (!time) return "";
  if (shell.lang === "ja" && time.z_ja) return time.z_ja;
  return shell.dtg(new Date(time.iso), shell.ZONES[0]);
}

// A subject (request, outcome) or title (action item) in the user's language:
// in Japanese the Japanese one where it was given, else the English (or only)
// one. The other language's is on hover (and under a thread's subject).
function inLang(en, ja) {
  return shell.lang === "ja" && ja ? ja : en;
}

function otherLang(en, ja) {
  const other = shell.lang === "ja" ? en : ja;
  return other && other !== inLang(en, ja) ? other : "";
}

const subjectOf = (r) => inLang(r.subject, r.subject_ja);
const otherSubject = (r) => otherLang(r.subject, r.subject_ja);
const titleOf = (a) => inLang(a.title, a.title_ja);
const otherTitle = (a) => otherLang(a.title, a.title_ja);

function myHqs() {
  return st.hqs.filter((h) => h.owner === me().nation);
}

function inBox(r, box) {
  // Outbox: what the user's nation sent (from the chosen HQ); inbox: what
  // partners addressed to the user's nation (to the chosen HQ).
  const nation = me().nation;
  if (box === "outbox") return r.owner === nation && (!st.hq || r.from_hq_id === st.hq);
  return r.owner !== nation && (!st.hq || r.to_hq_ids.includes(st.hq));
}

const awaitsMe = (r) => r.awaiting.includes(me().nation);

// ---------------------------------------------------------------- loading

async function loadHqs() {
  st.hqs = await getJson("/org/hqs");
  const nation = me().nation;
  const filter = $("acm-hq");
  filter.replaceChildren(el("option", { value: "", text: t("acm_all_hqs") }));
  for (const hq of myHqs()) filter.append(el("option", { value: hq.id, text: hqName(hq.id) }));
  filter.value = st.hq;
  const from = $("acm-n-from");
  from.replaceChildren();
  for (const hq of myHqs()) from.append(el("option", { value: hq.id, text: hqName(hq.id) }));
  from.value = me().hq;
  const to = $("acm-n-to");
  to.replaceChildren();
  for (const hq of st.hqs.filter((h) => h.owner !== nation)) {
    to.append(el("option", { value: hq.id, text: `${hqName(hq.id)} (${hq.owner})` }));
  }
}

async function loadRequests() {
  const requests = await getJson("/acm/requests");
  const before = st.known;
  st.requests = requests;
  st.known = new Set(requests.map((r) => r.id));
  if (before) {
    for (const r of requests) {
      if (!before.has(r.id) && r.owner !== me().nation) {
        shell.notify(t("acm_toast_new", { nation: r.owner, subject: subjectOf(r) }), {
          onOpen: () => shell.navigate(`acm/requests/${r.id}`),
        });
      }
    }
  }
  renderList();
  checkDue(Date.now(), true);
}

async function loadThread() {
  if (!st.openId) return;
  try {
    st.thread = await getJson(`/acm/requests/${encodeURIComponent(st.openId)}`);
    // Clear only the error a failed reading showed: a reload (the live stream, an
    // earlier action's refresh) must not wipe what the user was just told.
    if (st.threadFailed) showError(null);
    st.threadFailed = false;
  } catch (err) {
    st.thread = null;
    st.threadFailed = true;
    showError(err);
  }
  renderThread();
}

async function loadDecisions() {
  st.decisions = await getJson("/acm/decisions");
  renderDecisions();
}

async function loadGroups() {
  st.groups = await getJson("/acm/groups");
  if (!st.groupId && st.groups.length) st.groupId = st.groups[0].id;
  // Every group's items (a few per group): any of them may fall due.
  const lists = await Promise.all(
    st.groups.map((g) => getJson(`/acm/groups/${encodeURIComponent(g.id)}/actions`)),
  );
  st.allActions = lists.flat();
  st.actions = st.allActions.filter((a) => a.group_id === st.groupId);
  renderGroups();
  checkDue(Date.now(), true);
}

async function loadAll() {
  try {
    await loadHqs();
    await Promise.all([loadRequests(), loadDecisions(), loadGroups(), loadThread()]);
  } catch (err) {
    if (!(err instanceof shell.ApiError && err.status === 401)) showError(err);
  }
}

// What the stream said changed, refetched once per short burst.
function onChange(change) {
  if (change.reconnected) {
    for (const what of ["requests", "thread", "decisions", "groups"]) st.pending.add(what);
  } else if (change.type === "coordination_request") {
    st.pending.add("requests");
    if (change.id === st.openId) st.pending.add("thread");
  } else if (change.type === "coordination_response") {
    st.pending.add("requests");
    if (change.refs.request_id === st.openId) st.pending.add("thread");
    if (change.owner !== me().nation) announceResponse(change);
  } else if (change.type === "decision" || change.type === "national_decision") {
    st.pending.add("decisions");
    st.pending.add("requests");
    if (change.refs.request_id === st.openId) st.pending.add("thread");
    if (change.type === "decision") announceOutcome(change);
  } else if (["working_group", "meeting", "action_item"].includes(change.type)) {
    st.pending.add("groups");
  } else {
    return;
  }
  clearTimeout(st.refreshTimer);
  st.refreshTimer = setTimeout(refreshPending, 150);
}

async function refreshPending() {
  const what = new Set(st.pending);
  st.pending.clear();
  try {
    const jobs = [];
    if (what.has("requests")) jobs.push(loadRequests());
    if (what.has("thread")) jobs.push(loadThread());
    if (what.has("decisions")) jobs.push(loadDecisions());
    if (what.has("groups")) jobs.push(loadGroups());
    await Promise.all(jobs);
  } catch (err) {
    if (!(err instanceof shell.ApiError && err.status === 401)) showError(err);
  }
}

async function announceResponse(change) {
  try {
    const thread = await getJson(`/acm/requests/${encodeURIComponent(change.refs.request_id)}`);
    const response = thread.responses.find((r) => r.id === change.id);
    if (!response) return;
    shell.notify(
      t("acm_toast_response", {
        nation: response.owner,
        kind: t(`acm_kind_r_${response.kind}`),
        subject: subjectOf(thread.request),
      }),
      { onOpen: () => shell.navigate(`acm/requests/${thread.request.id}`) },
    );
  } catch {
    // not readable any more: nothing to announce
  }
}

function announceOutcome(change) {
  const r = st.requests.find((x) => x.id === change.refs.request_id);
  const subject = r ? subjectOf(r) : change.id;
  shell.notify(t("acm_toast_outcome", { subject }), { onOpen: () => shell.navigate("acm/outcomes") });
}

// Items that fall due: announced once each (checked every 15 s).
function checkDue(now = Date.now(), force = false) {
  if (!me() || (!force && now - st.lastDueCheck < 15000)) return;
  st.lastDueCheck = now;
  const due = [];
  for (const r of st.requests) {
    if (r.due && awaitsMe(r) && Date.parse(r.due.iso) <= now) due.push([`r:${r.id}`, subjectOf(r), `acm/requests/${r.id}`]);
  }
  for (const a of st.allActions) {
    if (a.due && a.state === "open" && a.owner === me().nation && Date.parse(a.due.iso) <= now) {
      due.push([`a:${a.id}`, titleOf(a), `acm/groups/${a.group_id}`]);
    }
  }
  for (const [key, title, route] of due) {
    if (st.notified.has(key)) continue;
    st.notified.add(key);
    shell.notify(t("acm_toast_due", { title }), { onOpen: () => shell.navigate(route) });
  }
}

// ---------------------------------------------------------------- rendering

function renderList() {
  if (!me()) return;
  const nation = me().nation;
  const inbox = st.requests.filter((r) => inBox(r, "inbox"));
  const outbox = st.requests.filter((r) => inBox(r, "outbox"));
  const counts = { inbox: inbox.filter(awaitsMe).length, outbox: outbox.filter(awaitsMe).length };
  for (const box of ["inbox", "outbox"]) {
    const count = $(`acm-${box}-awaiting`);
    count.textContent = String(counts[box]);
    count.dataset.count = String(counts[box]);
    $(`acm-box-${box}`).setAttribute("aria-pressed", String(st.box === box));
    $(`acm-box-${box}`).classList.toggle("active", st.box === box);
  }
  $("acm-awaiting-note").textContent = t("acm_awaiting_note", { ...counts, nation });
  const all = st.requests.filter(awaitsMe).length;
  shell.setBadge("acm", all, "acm_badge");
  const shown = st.box === "inbox" ? inbox : outbox;
  shown.sort((a, b) => Number(awaitsMe(b)) - Number(awaitsMe(a)) || b.updated.iso.localeCompare(a.updated.iso));
  const list = $("acm-request-list");
  list.replaceChildren(
    ...shown.map((r) =>
      el(
        "li",
        { class: `acm-item${r.id === st.openId ? " open" : ""}${awaitsMe(r) ? " awaiting" : ""}`, "data-id": r.id },
        el(
          "a",
          { href: `#/acm/requests/${encodeURIComponent(r.id)}`, "aria-current": r.id === st.openId ? "true" : null },
          el("span", { class: "acm-portion", text: portion(r.marking) }),
          el("span", { class: "acm-subject", text: subjectOf(r), title: otherSubject(r) || null }),
          el("span", {
            class: "acm-meta",
            text: `${hqName(r.from_hq_id)} → ${r.to_hq_ids.map(hqName).join(", ")} · ${r.level.toUpperCase()} · ${bi(r.status_name)}`,
          }),
          awaitsMe(r) ? el("span", { class: "acm-await", text: t("acm_awaits_you", { nation }) }) : null,
        ),
      ),
    ),
  );
  $("acm-list-empty").hidden = shown.length > 0;
}

function renderThread() {
  const thread = st.thread;
  const article = $("acm-thread");
  const newForm = !$("acm-new-form").hidden;
  article.hidden = !thread || newForm;
  $("acm-choose").hidden = Boolean(thread) || newForm;
  if (!thread) return;
  const r = thread.request;
  $("acm-t-portion").textContent = portion(r.marking);
  $("acm-t-subject").textContent = subjectOf(r);
  const other = $("acm-t-subject-other");
  other.textContent = otherSubject(r);
  other.hidden = !other.textContent;
  other.lang = shell.lang === "ja" ? "en" : "ja";
  $("acm-t-route").textContent = `${hqName(r.from_hq_id)} → ${r.to_hq_ids.map(hqName).join(", ")}`;
  $("acm-t-level").textContent = bi(r.level_name) || r.level.toUpperCase();
  $("acm-t-status").textContent = bi(r.status_name);
  $("acm-t-priority").textContent = t(`acm_priority_${r.priority}`);
  $("acm-t-due").textContent = r.due ? dtgOf(r.due) : "—";
  $("acm-t-positions").replaceChildren(
    ...r.positions.map((p) =>
      el("span", {
        class: `acm-position ${p.position || "none"}`,
        "data-nation": p.nation,
        text: `${p.nation}: ${p.position ? t(`acm_kind_r_${p.position}`) : t("acm_no_position")}`,
      }),
    ),
  );
  $("acm-t-body").textContent = r.body;
  const responses = $("acm-t-responses");
  responses.replaceChildren(
    ...thread.responses.map((x) =>
      el(
        "li",
        { class: `acm-response ${x.kind}`, "data-kind": x.kind, "data-owner": x.owner },
        el(
          "div",
          { class: "acm-response-head" },
          el("b", { text: `${x.owner} ${t(`acm_kind_r_${x.kind}`)}` }),
          el("span", { class: "acm-meta", text: ` ${t("acm_by", { name: x.author_name, hq: hqName(x.author_hq_id), nation: x.owner })} · ${dtgOf(x.created)}` }),
          x.by_direction_of ? el("span", { class: "acm-meta", text: ` · ${t("acm_by_direction", { name: x.by_direction_of })}` }) : null,
        ),
        x.text ? el("p", { class: "acm-text", text: x.text }) : null,
        ...x.comments.map((c) =>
          el("p", { class: `acm-comment ${c.grade}`, text: `[${t(`acm_grade_${c.grade}`)}] ${c.text}` }),
        ),
      ),
    ),
  );
  if (!thread.responses.length) responses.append(el("li", { class: "note", text: t("acm_thread_empty") }));
  const decision = $("acm-t-decision");
  decision.hidden = !thread.decision;
  decision.textContent = thread.decision ? t("acm_outcome_recorded", { summary: thread.decision.summary }) : "";
  // The actions offered: what this request's state allows (the node decides authority).
  const mine = r.owner === me().nation;
  const open = ["sent", "acknowledged", "answered", "concurred", "non_concurred"].includes(r.status);
  const show = (id, on) => {
    $(id).hidden = !on;
  };
  show("acm-act-send", mine && r.status === "draft");
  show("acm-act-acknowledge", !mine && open);
  show("acm-act-comment", open);
  show("acm-act-answer", !mine && open && r.kind === "rfi");
  for (const k of ["concur", "concur_with_comment", "non_concur"]) show(`acm-act-${k}`, open && r.kind !== "rfi");
  show("acm-act-escalate", open && r.level !== "acg");
  show("acm-act-decide", mine && open && r.kind !== "rfi" && !thread.decision && me().role === "commander");
  show("acm-act-close", mine && r.status !== "closed" && r.status !== "withdrawn");
  const levels = $("acm-escalate-level");
  for (const option of levels.options) option.disabled = ["ccc", "bocc", "acg"].indexOf(option.value) <= ["ccc", "bocc", "acg"].indexOf(r.level);
  const firstEnabled = [...levels.options].find((o) => !o.disabled);
  if (firstEnabled && levels.selectedOptions[0]?.disabled) levels.value = firstEnabled.value;
  $("acm-reply").hidden = r.status === "closed" || r.status === "withdrawn";
  for (const li of document.querySelectorAll("#acm-request-list .acm-item")) li.classList.toggle("open", li.dataset.id === st.openId);
}

function renderDecisions() {
  const rows = $("acm-outcome-rows");
  rows.replaceChildren(
    ...st.decisions.map((d) =>
      el(
        "tr",
        { "data-request": d.request_id, "data-id": d.id },
        el("td", { class: "mono", text: dtgOf(d.decided_at) }),
        el(
          "td",
          {},
          el("a", {
            href: `#/acm/requests/${encodeURIComponent(d.request_id)}`,
            text: subjectOf(d),
            title: otherSubject(d) || null,
          }),
        ),
        el("td", { text: d.nations.join(", ") }),
        el("td", { class: "acm-summary", text: d.summary }),
        el("td", { text: d.concurrences.map((c) => `${c.nation}: ${t(`acm_kind_r_${c.kind}`)}`).join("; ") }),
      ),
    ),
  );
  $("acm-outcomes-empty").hidden = st.decisions.length > 0;
}

function renderGroups() {
  const list = $("acm-group-list");
  list.replaceChildren(
    ...st.groups.map((g) =>
      el(
        "li",
        { class: `acm-item${g.id === st.groupId ? " open" : ""}`, "data-id": g.id },
        el(
          "a",
          { href: `#/acm/groups/${encodeURIComponent(g.id)}` },
          el("span", { class: "acm-subject", text: shell.lang === "ja" ? g.name_ja : g.name_en }),
          el("span", { class: "acm-meta", text: t("acm_members", { count: g.members.length, nations: g.nations.join(", ") }) }),
        ),
      ),
    ),
  );
  $("acm-groups-empty").hidden = st.groups.length > 0;
  const group = st.groups.find((g) => g.id === st.groupId);
  $("acm-g-name").textContent = group ? (shell.lang === "ja" ? group.name_ja : group.name_en) : "";
  $("acm-g-purpose").textContent = group ? group.purpose : "";
  const now = Date.now();
  $("acm-action-rows").replaceChildren(
    ...st.actions.map((a) =>
      el(
        "tr",
        { class: a.state === "open" && a.due && Date.parse(a.due.iso) <= now ? "overdue" : "" },
        el("td", { class: "acm-title", text: titleOf(a), title: otherTitle(a) || null }),
        el("td", { text: a.owner }),
        el("td", { text: a.assignee || "—" }),
        el("td", { class: "mono", text: a.due ? dtgOf(a.due) : "—" }),
        el("td", { text: t(`acm_state_${a.state}`) }),
      ),
    ),
  );
}

function renderView() {
  for (const section of shell.section.querySelectorAll(".acm-view")) section.hidden = section.dataset.view !== st.view;
  for (const link of shell.section.querySelectorAll(".acm-views a")) {
    const on = link.dataset.view === st.view;
    link.classList.toggle("active", on);
    if (on) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
}

// ---------------------------------------------------------------- actions

function replyText() {
  return $("acm-reply-text").value.trim();
}

async function act(kind) {
  const r = st.thread && st.thread.request;
  if (!r) return;
  const text = replyText();
  const id = encodeURIComponent(r.id);
  // The text goes with this action: the box is emptied at once (a later click must
  // not send it again, even before this one returns) and given back on failure.
  const mine = ++st.acts;
  $("acm-reply-text").value = "";
  try {
    if (kind === "send") await send(`/acm/requests/${id}/send`);
    else if (kind === "escalate") {
      await send(`/acm/requests/${id}/escalate`, { level: $("acm-escalate-level").value, note: text });
    } else if (kind === "decide") {
      if (!text) throw new Error(t("acm_decide_prompt"));
      await send(`/acm/requests/${id}/decision`, { summary: text });
    } else if (kind === "close") await send(`/acm/requests/${id}/close`, { note: text });
    else {
      const body = { kind, text };
      if (kind === "concur_with_comment" || kind === "non_concur") {
        if (kind === "concur_with_comment" && !text) throw new Error(t("acm_need_text"));
        body.text = "";
        if (text) body.comments = [{ grade: $("acm-grade").value, text }];
      } else if ((kind === "comment" || kind === "answer") && !text) throw new Error(t("acm_need_text"));
      await send(`/acm/requests/${id}/responses`, body);
    }
    if (mine === st.acts) showError(null); // a later action's error stays
    await Promise.all([loadThread(), loadRequests(), kind === "decide" ? loadDecisions() : null]);
  } catch (err) {
    if (!replyText()) $("acm-reply-text").value = text;
    showError(err);
  }
}

async function createRequest(sendIt) {
  const subject = $("acm-n-subject").value.trim();
  const subjectJa = $("acm-n-subject-ja").value.trim();
  const to = $("acm-n-to").value;
  try {
    if (!subject) throw new Error(t("acm_need_subject"));
    if (!to) throw new Error(t("acm_need_to"));
    const partner = st.hqs.find((h) => h.id === to).owner;
    const body = {
      kind: $("acm-n-kind").value,
      level: $("acm-n-level").value,
      from_hq_id: $("acm-n-from").value,
      to_hq_ids: [to],
      subject,
      body: $("acm-n-body").value,
      priority: $("acm-n-priority").value,
      marking: { releasable_to: [partner] },
    };
    if (subjectJa) body.subject_ja = subjectJa;
    const due = $("acm-n-due").value.trim();
    if (due) body.due = due;
    const created = await fetch(`${shell.API}/acm/requests`, {
      method: "POST",
      headers: { ...shell.auth(), "Content-Type": "application/json" },
      body: JSON.stringify(body),
      credentials: "same-origin",
    });
    const data = await created.json().catch(() => null);
    if (!created.ok) throw new shell.ApiError(created.status, data);
    if (sendIt) await send(`/acm/requests/${encodeURIComponent(data.id)}/send`);
    for (const id of ["acm-n-subject", "acm-n-subject-ja", "acm-n-body", "acm-n-due"]) $(id).value = "";
    showError(null);
    st.box = "outbox";
    $("acm-new-form").hidden = true;
    await loadRequests();
    shell.navigate(`acm/requests/${data.id}`);
  } catch (err) {
    showError(err);
  }
}

function openNew() {
  st.view = "requests";
  st.openId = null;
  st.thread = null;
  renderView();
  $("acm-new-form").hidden = false;
  renderThread();
  $("acm-n-subject").focus();
}

// ---------------------------------------------------------------- routes and hooks

async function route(parts) {
  const [view, id] = parts;
  $("acm-new-form").hidden = view !== "new";
  if (view === "new") {
    openNew();
    return;
  }
  st.view = ["requests", "outcomes", "groups"].includes(view) ? view : "requests";
  renderView();
  if (st.view === "requests" && id) {
    st.openId = id;
    const r = st.requests.find((x) => x.id === id);
    if (r) st.box = r.owner === me().nation ? "outbox" : "inbox";
    renderList();
    await loadThread();
    $("acm-t-subject").focus();
  } else if (st.view === "groups" && id && id !== st.groupId) {
    st.groupId = id;
    await loadGroups();
  }
}

function enter() {
  st.known = null;
  if (unsubscribe) unsubscribe();
  unsubscribe = shell.subscribe(onChange);
  loadAll();
}

function leave() {
  if (unsubscribe) unsubscribe();
  unsubscribe = null;
  Object.assign(st, { requests: [], openId: null, thread: null, decisions: [], groups: [], actions: [], allActions: [], known: null, groupId: null });
  st.notified.clear();
}

function language() {
  if (!me()) return;
  renderList();
  renderThread();
  renderDecisions();
  renderGroups();
  const filter = $("acm-hq");
  if (filter.options.length) filter.options[0].textContent = t("acm_all_hqs");
}

export function mount(given, section) {
  shell = Object.create(given, { section: { value: section } });
  $("acm-hq").addEventListener("change", (e) => {
    st.hq = e.target.value;
    renderList();
  });
  for (const box of ["inbox", "outbox"]) {
    $(`acm-box-${box}`).addEventListener("click", () => {
      st.box = box;
      renderList();
    });
  }
  $("acm-new").addEventListener("click", () => shell.navigate("acm/new"));
  $("acm-new-form").addEventListener("submit", (e) => {
    e.preventDefault();
    createRequest(true);
  });
  $("acm-n-draft").addEventListener("click", () => createRequest(false));
  $("acm-n-cancel").addEventListener("click", () => shell.navigate("acm/requests"));
  for (const kind of ["send", "acknowledge", "comment", "answer", "concur", "concur_with_comment", "non_concur", "escalate", "decide", "close"]) {
    $(`acm-act-${kind}`).addEventListener("click", () => act(kind));
  }
  renderView();
  return { enter, leave, language, route, tick: () => checkDue() };
}
