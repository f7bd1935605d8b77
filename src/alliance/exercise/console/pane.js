// The exercise desk's pane: pick an exercise; its clock (the exercise time
// ticks here from the clock's three numbers: ex + (now - real) * speed while
// running) with start, pause, resume and speed for the lead nation's
// controllers; the nation's MSEL with filters and live status, exported and
// imported as CSV or XLSX; the inbox of the HQ the nation plays from, where a
// controller records the players' response and an evaluator rates it T/P/U
// against a training objective; the after-action report.
//
// Live: the shell's stream (shell.subscribe) says what changed — a delivery
// reaching the inbox, an inject delivered, the clock changed — and the pane
// refetches that from the exercise API, which releases to the user's nation
// only what it may read. While the stream is down, the pane polls instead,
// backing off. Routes: #/exercise[/msel|inbox|aar[/<exercise id>]].

let shell = null;
let unsubscribe = null;

// The exercise API (alliance/exercise/routes_msel.py, routes_run.py).
const enc = encodeURIComponent;
const P = {
  exercises: () => "/exercises",
  exercise: (id) => `/exercises/${enc(id)}`,
  objectives: (id) => `/exercises/${enc(id)}/objectives`,
  injects: (id) => `/exercises/${enc(id)}/injects`,
  mselExport: (id, fmt, lang) => `/exercises/${enc(id)}/msel/export?format=${fmt}&lang=${lang}`,
  mselImport: (id, fmt) => `/exercises/${enc(id)}/msel/import?format=${fmt}`,
  clock: (id, op) => `/exercises/${enc(id)}/clock/${op}`,
  time: (id) => `/exercises/${enc(id)}/clock`,
  inbox: (id, hq) => `/exercises/${enc(id)}/inbox?hq_id=${enc(hq)}`,
  observations: (id) => `/exercises/${enc(id)}/observations`,
  observe: () => "/exercises/observations",
  evaluations: (id) => `/exercises/${enc(id)}/evaluations`,
  evaluate: (obs) => `/exercises/observations/${enc(obs)}/evaluations`,
  aar: (id, fmt) => `/exercises/${enc(id)}/aar?format=${fmt}`,
  step: (inject, op) => `/exercises/injects/${enc(inject)}/${op}`,
};

const STATES = ["draft", "approved", "delivered", "answered", "cancelled"];
const METHODS = ["message", "email", "phone", "radio", "chat", "in_person", "cop", "document"];
const XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const POLL_MIN = 3000;
const POLL_MAX = 30000;

const st = {
  view: "msel",
  exercises: [],
  id: null, // the exercise chosen
  wanted: null, // the exercise a route named before the list was loaded
  hqs: [],
  objectives: [],
  injects: [],
  inbox: [],
  hq: "",
  observations: [],
  evaluations: [],
  observing: null, // the delivery whose response is being recorded
  evaluating: null, // the observation being rated
  known: null, // delivery ids seen in the inbox (a new one is announced)
  pending: new Set(),
  refreshTimer: null,
  poll: { timer: null, delay: POLL_MIN },
  acts: 0,
  aarLoaded: null, // the exercise whose report is shown
  skew: 0, // the node's real time minus this browser's (ms), from the node's clock reading
};

const $ = (id) => shell.$(id);
const t = (key, vars) => shell.t(key, vars);
const me = () => shell.me;
const current = () => st.exercises.find((x) => x.id === st.id) || null;

// ---------------------------------------------------------------- API

async function getJson(path) {
  return (await shell.api(path)).json();
}

async function send(path, body = {}, method = "POST") {
  const res = await fetch(shell.API + path, {
    method,
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

const errText = (err) => (err instanceof shell.ApiError ? err.text() : String(err.message || err));

function showError(err) {
  const el = $("ex-error");
  el.textContent = err ? errText(err) : "";
  el.hidden = !err;
}

const quiet = (err) => err instanceof shell.ApiError && err.status === 401;

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

const bi = (pair) => (pair ? pair[shell.lang] || pair.en : "");
const inLang = (en, ja) => (shell.lang === "ja" && ja ? ja : en);
// The language of user text as shown, when it is not the page's (an English
// fallback in a Japanese console): screen readers say it right.
const langOf = (en, ja) => (shell.lang === "ja" && !ja ? "en" : null);
const otherLang = (en, ja) => {
  const other = shell.lang === "ja" ? en : ja;
  return other && other !== inLang(en, ja) ? other : "";
};
const portion = (marking) => {
  if (!marking) return "";
  const own = marking.by_nation && me() ? marking.by_nation[me().nation] : null;
  return bi(own ? own.portion : marking.portion);
};

function dtgOf(date) {
  if (!date) return "—";
  return shell.dtg(date, shell.ZONES[0]);
}

const timeOf = (time) => (time ? new Date(time.iso) : null);

function hqName(id) {
  const hq = st.hqs.find((h) => h.id === id);
  if (!hq) return id;
  return shell.lang === "ja" ? hq.short_ja || hq.name_ja || id : hq.short_en || hq.name_en || id;
}

// "H+01:30" / "H-00:15" for an exercise moment against H-hour.
function hPlus(moment, hHour) {
  if (!moment || !hHour) return "—";
  const s = Math.round((moment.getTime() - hHour.getTime()) / 1000);
  const a = Math.abs(s);
  const d = Math.floor(a / 86400);
  const h = Math.floor((a % 86400) / 3600);
  const m = Math.floor((a % 3600) / 60);
  const sec = a % 60;
  const pad = (n) => String(n).padStart(2, "0");
  return `H${s < 0 ? "-" : "+"}${d ? `${d}d` : ""}${pad(h)}:${pad(m)}:${pad(sec)}`;
}

// The exercise time now, from the clock as the node last said it (on the
// node's real time: this browser's clock corrected by the skew measured).
function exerciseNow(ex, now = Date.now() + st.skew) {
  const clock = ex && ex.clock;
  if (!clock || !clock.ex || !clock.real) return null;
  const at = Date.parse(clock.ex.iso);
  if (clock.state !== "running") return new Date(at);
  return new Date(at + (now - Date.parse(clock.real.iso)) * clock.speed);
}

const roles = (ex) => new Set((ex && ex.my_roles) || []);
const isLead = (ex) => ex && me() && ex.owner === me().nation;
const can = (ex, role) => roles(ex).has(role) || roles(ex).has("owner");
const myParticipantHq = (ex) => {
  const p = ex && me() ? ex.participants.find((x) => x.nation === me().nation) : null;
  return p ? p.hq_id : null;
};

// ---------------------------------------------------------------- loading

async function loadExercises() {
  st.exercises = await getJson(P.exercises());
  if (st.wanted && st.exercises.some((x) => x.id === st.wanted)) st.id = st.wanted;
  st.wanted = null;
  if (!st.id || !current()) st.id = st.exercises.length ? st.exercises[st.exercises.length - 1].id : null;
  renderPicker();
  renderClock();
}

async function loadExercise() {
  if (!st.id) return;
  const fresh = await getJson(P.exercise(st.id));
  st.exercises = st.exercises.map((x) => (x.id === fresh.id ? fresh : x));
  renderClock();
}

async function loadHqs() {
  if (!st.hqs.length) st.hqs = await getJson("/org/hqs");
}

async function loadObjectives() {
  st.objectives = st.id ? await getJson(P.objectives(st.id)) : [];
  renderFilters();
  renderEvaluateForm();
}

async function loadMsel() {
  // The MSEL is read with a role in the exercise (any); without one, nothing is asked.
  st.injects = st.id && roles(current()).size ? await getJson(P.injects(st.id)) : [];
  renderFilters();
  renderMsel();
}

async function loadInbox() {
  const ex = current();
  if (!ex) {
    st.inbox = [];
    renderInbox();
    return;
  }
  if (!st.hq) st.hq = myParticipantHq(ex) || me().hq;
  const all = await getJson(P.inbox(ex.id, st.hq));
  const before = st.known;
  st.inbox = all.filter((d) => d.exercise_id === ex.id);
  st.known = new Set(st.inbox.map((d) => d.id));
  if (before) {
    for (const d of st.inbox) {
      if (!before.has(d.id)) shell.notify(t("ex_toast_inject", { serial: d.serial, hq: hqName(d.addressee_hq_id) }), { onOpen: () => shell.navigate("exercise/inbox") });
    }
  }
  renderInbox();
}

async function loadObservations() {
  if (!st.id) return;
  const [observations, evaluations] = await Promise.all([getJson(P.observations(st.id)), getJson(P.evaluations(st.id))]);
  st.observations = observations;
  st.evaluations = evaluations;
  renderObservations();
  renderInbox();
}

// How far this browser's clock is from the node's (half the round trip allowed).
async function measureSkew() {
  if (!st.id) return;
  const sent = Date.now();
  const reading = await getJson(P.time(st.id));
  const back = Date.now();
  st.skew = Date.parse(reading.real_now.iso) - (sent + back) / 2;
  renderClock();
}

async function loadChosen() {
  await Promise.all([loadObjectives(), loadMsel(), loadInbox(), loadObservations(), measureSkew()]);
}

async function loadAll() {
  try {
    await loadHqs();
    await loadExercises();
    renderHqPicker();
    await loadChosen();
    if (st.view === "aar" && st.aarLoaded !== st.id) await loadAar();
    showError(null);
  } catch (err) {
    if (!quiet(err)) showError(err);
  }
}

// What the stream said changed, refetched once per short burst.
const WATCHED = {
  exercise: ["exercise"],
  exercise_objective: ["objectives"],
  inject: ["msel"],
  inject_delivery: ["inbox", "msel"],
  exercise_observation: ["observations", "msel"],
  exercise_evaluation: ["observations"],
};

function onChange(change) {
  if (change.reconnected) {
    for (const what of ["exercises", "objectives", "msel", "inbox", "observations"]) st.pending.add(what);
  } else if (WATCHED[change.type]) {
    if (change.type === "exercise" && !st.exercises.some((x) => x.id === change.id)) st.pending.add("exercises");
    for (const what of WATCHED[change.type]) st.pending.add(what);
  } else {
    return;
  }
  schedule(100);
}

function schedule(ms) {
  clearTimeout(st.refreshTimer);
  st.refreshTimer = setTimeout(refreshPending, ms);
}

async function refreshPending() {
  const what = new Set(st.pending);
  st.pending.clear();
  try {
    if (what.has("exercises")) await loadExercises();
    const jobs = [];
    if (what.has("exercise") && !what.has("exercises")) jobs.push(loadExercise());
    if (what.has("objectives")) jobs.push(loadObjectives());
    if (what.has("msel")) jobs.push(loadMsel());
    if (what.has("inbox")) jobs.push(loadInbox());
    if (what.has("observations")) jobs.push(loadObservations());
    await Promise.all(jobs);
    if (st.view === "aar" && st.aarLoaded && (what.has("observations") || what.has("inbox"))) st.aarLoaded = null;
  } catch (err) {
    if (!quiet(err)) showError(err);
  }
}

// While the shell's stream is down, poll (every few seconds, backing off).
function pollLater() {
  clearTimeout(st.poll.timer);
  st.poll.timer = setTimeout(pollOnce, st.poll.delay);
}

async function pollOnce() {
  if (!me()) return;
  if (document.body.dataset.live === "live") {
    st.poll.delay = POLL_MIN;
  } else {
    for (const what of ["exercise", "msel", "inbox", "observations"]) st.pending.add(what);
    await refreshPending();
    st.poll.delay = Math.min(st.poll.delay * 2, POLL_MAX);
  }
  pollLater();
}

// ---------------------------------------------------------------- rendering: exercise and clock

function renderPicker() {
  const pick = $("ex-pick");
  pick.replaceChildren(
    ...st.exercises.map((x) => el("option", { value: x.id, text: `${inLang(x.name, x.name_ja)} (${x.owner})` })),
  );
  pick.value = st.id || "";
  const none = !st.exercises.length;
  $("ex-none").hidden = !none;
  pick.hidden = none;
  $("ex-clock").hidden = none;
  $("ex-views").hidden = none;
  const ex = current();
  $("ex-portion").textContent = ex ? portion(ex.marking) : "";
  renderView();
}

function renderClock() {
  const ex = current();
  if (!ex) return;
  const clock = ex.clock;
  const badge = $("ex-clock-state");
  badge.textContent = t(`ex_state_${clock.state}`);
  badge.dataset.state = clock.state;
  $("ex-clock-speed").textContent = `${clock.speed}×`;
  $("ex-lead").textContent = `${ex.owner} — ${hqName((ex.participants.find((p) => p.nation === ex.owner) || {}).hq_id)}`;
  $("ex-roles").textContent = [...roles(ex)].map((r) => t(`ex_role_${r}`)).join(", ") || t("ex_no_role");
  const controls = isLead(ex) && can(ex, "controller");
  $("ex-controls").hidden = !controls;
  $("ex-controls-note").textContent = controls
    ? ""
    : isLead(ex)
      ? t("ex_controls_need_role")
      : t("ex_controls_lead", { nation: ex.owner });
  const stateIs = (...s) => s.includes(clock.state);
  $("ex-start").hidden = !stateIs("planning");
  $("ex-pause").hidden = !stateIs("running");
  $("ex-resume").hidden = !stateIs("paused");
  $("ex-set-speed").hidden = !stateIs("running", "paused");
  $("ex-end").hidden = !stateIs("running", "paused");
  $("ex-speed").disabled = stateIs("ended");
  if (document.activeElement !== $("ex-speed")) $("ex-speed").value = String(clock.speed);
  tickClock();
}

function tickClock() {
  const ex = current();
  if (!ex || !me()) return;
  const now = exerciseNow(ex);
  const hHour = timeOf(ex.h_hour);
  $("ex-clock-time").textContent = now ? dtgOf(now) : t("ex_clock_not_started");
  $("ex-clock-time").dataset.iso = now ? now.toISOString() : "";
  $("ex-clock-hplus").textContent = hPlus(now, hHour);
}

// ---------------------------------------------------------------- rendering: MSEL

function option(value, text) {
  return el("option", { value, text });
}

function keepValue(select, options) {
  const value = select.value;
  select.replaceChildren(...options);
  if ([...select.options].some((o) => o.value === value)) select.value = value;
}

function renderFilters() {
  keepValue($("ex-f-state"), [option("", t("ex_all")), ...STATES.map((s) => option(s, t(`ex_inject_${s}`)))]);
  const addressees = [...new Set(st.injects.map((i) => i.addressee_hq_id))].sort();
  keepValue($("ex-f-addressee"), [option("", t("ex_all")), ...addressees.map((h) => option(h, hqName(h)))]);
  keepValue($("ex-f-method"), [option("", t("ex_all")), ...METHODS.map((m) => option(m, t(`ex_method_${m}`)))]);
  keepValue($("ex-f-objective"), [
    option("", t("ex_all")),
    ...st.objectives.map((o) => option(o.id, `${o.code} ${inLang(o.title, o.title_ja)}`)),
  ]);
}

function filtered() {
  const state = $("ex-f-state").value;
  const addressee = $("ex-f-addressee").value;
  const method = $("ex-f-method").value;
  const objective = $("ex-f-objective").value;
  const text = $("ex-f-text").value.trim().toLowerCase();
  return st.injects.filter((i) => {
    if (state && i.state !== state) return false;
    if (addressee && i.addressee_hq_id !== addressee) return false;
    if (method && i.method !== method) return false;
    if (objective && !i.objective_ids.includes(objective)) return false;
    if (text) {
      const hay = [i.serial, i.sender, i.description, i.description_ja, i.expected_action, i.expected_action_ja, i.controller]
        .join(" ")
        .toLowerCase();
      if (!hay.includes(text)) return false;
    }
    return true;
  });
}

function objectiveCodes(ids) {
  return ids.map((id) => (st.objectives.find((o) => o.id === id) || { code: id }).code).join(", ");
}

// What a row offers the user: approve a draft (an approver), cancel a row not
// yet delivered (an editor or approver). The node decides; these only ask.
function rowActions(i, ex) {
  const out = [];
  if (i.state === "draft" && can(ex, "approver")) {
    out.push(el("button", { type: "button", class: "ex-approve", "data-id": i.id, text: t("ex_approve") }));
  }
  if ((i.state === "draft" || i.state === "approved") && (can(ex, "editor") || can(ex, "approver"))) {
    out.push(el("button", { type: "button", class: "ex-cancel", "data-id": i.id, text: t("ex_cancel_inject") }));
  }
  return out;
}

async function step(injectId, op) {
  const i = st.injects.find((x) => x.id === injectId);
  if (!i) return;
  try {
    await send(P.step(injectId, op), { version: i.version });
    showError(null);
  } catch (err) {
    showError(err);
  }
  await loadMsel().catch(showError);
}

function renderMsel() {
  if (!me()) return;
  const ex = current();
  const rows = filtered().sort((a, b) => a.due_ex.iso.localeCompare(b.due_ex.iso) || a.serial.localeCompare(b.serial));
  const now = exerciseNow(ex);
  $("ex-msel-rows").replaceChildren(
    ...rows.map((i) => {
      const due = timeOf(i.due_ex);
      const late = i.state === "approved" && now && due <= now;
      return el(
        "tr",
        { "data-id": i.id, "data-serial": i.serial, "data-state": i.state, class: late ? "due" : "" },
        el("td", { class: "mono", text: i.serial }),
        el("td", { class: "mono", text: i.h_plus ? `${i.h_plus} · ${dtgOf(due)}` : dtgOf(due), title: hPlus(due, timeOf(ex.h_hour)) }),
        el("td", { text: i.sender }),
        el("td", { text: hqName(i.addressee_hq_id) }),
        el("td", { text: t(`ex_method_${i.method}`) }),
        el("td", { class: "ex-text", text: inLang(i.description, i.description_ja), title: otherLang(i.description, i.description_ja) || null, lang: langOf(i.description, i.description_ja) }),
        el("td", { class: "ex-text", text: inLang(i.expected_action, i.expected_action_ja), title: otherLang(i.expected_action, i.expected_action_ja) || null, lang: langOf(i.expected_action, i.expected_action_ja) }),
        el("td", { text: objectiveCodes(i.objective_ids) }),
        el("td", { text: i.controller }),
        el("td", { class: "mono", text: portion(i.release_marking) }),
        el("td", {}, el("span", { class: `ex-state ${i.state}`, "data-state": i.state, text: t(`ex_inject_${i.state}`) })),
        el("td", { class: "ex-row-actions" }, ...rowActions(i, ex)),
      );
    }),
  );
  for (const button of shell.section.querySelectorAll("#ex-msel-rows button.ex-approve")) {
    button.addEventListener("click", () => step(button.dataset.id, "approve"));
  }
  for (const button of shell.section.querySelectorAll("#ex-msel-rows button.ex-cancel")) {
    button.addEventListener("click", () => step(button.dataset.id, "cancel"));
  }
  $("ex-msel-empty").hidden = rows.length > 0;
  const reader = ex && roles(ex).size > 0;
  $("ex-msel-empty").textContent = reader ? t("ex_msel_empty") : t("ex_msel_needs_role");
  shell.section.querySelector(".ex-sheets").hidden = !reader;
  $("ex-import-form").hidden = !(can(ex, "editor"));
  const counts = Object.fromEntries(STATES.map((s) => [s, st.injects.filter((i) => i.state === s).length]));
  $("ex-msel-note").textContent = t("ex_msel_note", { total: st.injects.length, nation: me().nation, ...counts });
}

// ---------------------------------------------------------------- rendering: inbox and observations

function renderHqPicker() {
  const ex = current();
  const mine = st.hqs.filter((h) => me() && h.owner === me().nation);
  const select = $("ex-hq");
  select.replaceChildren(...mine.map((h) => option(h.id, hqName(h.id))));
  if (!st.hq) st.hq = myParticipantHq(ex) || (me() ? me().hq : "");
  select.value = st.hq;
}

function observationsOf(deliveryId) {
  return st.observations.filter((o) => o.delivery_id === deliveryId);
}

function renderInbox() {
  if (!me()) return;
  const ex = current();
  const list = $("ex-inbox-list");
  const controller = can(ex, "controller");
  list.replaceChildren(
    ...st.inbox.map((d) => {
      const seen = observationsOf(d.id);
      return el(
        "li",
        { class: `ex-delivery${st.observing === d.id ? " open" : ""}`, "data-id": d.id, "data-serial": d.serial },
        el(
          "div",
          { class: "ex-delivery-head" },
          el("span", { class: "ex-serial mono", text: d.serial }),
          el("span", { class: "ex-portion mono", text: portion(d.marking) }),
          el("span", { class: "ex-meta", text: t("ex_delivery_meta", { sender: d.sender, owner: d.owner, method: t(`ex_method_${d.method}`) }) }),
        ),
        el("p", { class: "ex-text", text: inLang(d.description, d.description_ja), title: otherLang(d.description, d.description_ja) || null, lang: langOf(d.description, d.description_ja) }),
        el("p", { class: "ex-meta", text: t("ex_delivery_when", { due: dtgOf(timeOf(d.due_ex)), at: dtgOf(timeOf(d.delivered)) }) }),
        seen.length
          ? el("p", { class: "ex-answered", text: t("ex_responses", { count: seen.length }) })
          : null,
        controller
          ? el("button", { type: "button", class: "ex-observe", "data-delivery": d.id, text: t("ex_observe_open") })
          : null,
      );
    }),
  );
  $("ex-inbox-empty").hidden = st.inbox.length > 0;
  $("ex-inbox-note").textContent = t("ex_inbox_note", { count: st.inbox.length });
  for (const button of list.querySelectorAll("button.ex-observe")) {
    button.addEventListener("click", () => openObserve(button.dataset.delivery));
  }
  renderObserveForm();
}

function renderObserveForm() {
  const form = $("ex-observe-form");
  const d = st.inbox.find((x) => x.id === st.observing);
  form.hidden = !d;
  if (d) $("ex-observe-what").textContent = `${d.serial} — ${inLang(d.description, d.description_ja)}`;
}

function renderObservations() {
  if (!me()) return;
  const ex = current();
  const evaluator = can(ex, "evaluator");
  const list = $("ex-observation-list");
  list.replaceChildren(
    ...st.observations.map((o) => {
      const serial = (st.inbox.find((d) => d.id === o.delivery_id) || {}).serial || "";
      const ratings = st.evaluations.filter((e) => e.observation_id === o.id);
      return el(
        "li",
        { class: "ex-observation", "data-id": o.id, "data-delivery": o.delivery_id || "" },
        el(
          "div",
          { class: "ex-delivery-head" },
          serial ? el("span", { class: "ex-serial mono", text: serial }) : null,
          el("span", { class: "ex-meta", text: t("ex_observed_by", { name: o.author_name, nation: o.owner, hq: hqName(o.player_hq_id), at: dtgOf(timeOf(o.observed)) }) }),
        ),
        el("p", { class: "ex-text ex-response", text: inLang(o.response, o.response_ja), title: otherLang(o.response, o.response_ja) || null, lang: langOf(o.response, o.response_ja) }),
        ...ratings.map((e) =>
          el("p", {
            class: `ex-rating r-${e.rating}`,
            "data-rating": e.rating,
            text: `${t(`ex_rating_${e.rating}`)} · ${objectiveCodes([e.objective_id])} · ${e.owner}${e.comment ? ` — ${inLang(e.comment, e.comment_ja)}` : ""}`,
          }),
        ),
        evaluator ? el("button", { type: "button", class: "ex-evaluate", "data-observation": o.id, text: t("ex_evaluate_open") }) : null,
      );
    }),
  );
  $("ex-observations-empty").hidden = st.observations.length > 0;
  for (const button of list.querySelectorAll("button.ex-evaluate")) {
    button.addEventListener("click", () => openEvaluate(button.dataset.observation));
  }
  renderEvaluateForm();
}

function renderEvaluateForm() {
  const form = $("ex-evaluate-form");
  const o = st.observations.find((x) => x.id === st.evaluating);
  form.hidden = !o;
  keepValue($("ex-evaluate-objective"), st.objectives.map((x) => option(x.id, `${x.code} ${inLang(x.title, x.title_ja)} (${x.owner})`)));
  if (o) $("ex-evaluate-what").textContent = inLang(o.response, o.response_ja);
}

function renderView() {
  for (const section of shell.section.querySelectorAll(".ex-view")) section.hidden = !current() || section.dataset.view !== st.view;
  for (const link of shell.section.querySelectorAll(".ex-views a")) {
    const on = link.dataset.view === st.view;
    link.classList.toggle("active", on);
    if (on) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
    if (st.id) link.href = `#/exercise/${link.dataset.view}/${enc(st.id)}`;
  }
}

// ---------------------------------------------------------------- actions: clock

async function clockAct(op) {
  const ex = current();
  if (!ex) return;
  const body = { version: ex.version };
  if (op === "start" || op === "speed") {
    const speed = Number($("ex-speed").value);
    if (!(speed >= 0.01 && speed <= 3600)) {
      showError(new Error(t("ex_speed_bad")));
      $("ex-speed").focus();
      return;
    }
    body.speed = speed;
  }
  try {
    await send(P.clock(ex.id, op), body);
    showError(null);
    await loadExercise();
  } catch (err) {
    showError(err);
    await loadExercise().catch(() => {});
  }
}

// ---------------------------------------------------------------- actions: observations and ratings

function openObserve(deliveryId) {
  st.observing = deliveryId;
  renderInbox();
  $("ex-observe-text").focus();
}

async function observe(event) {
  event.preventDefault();
  const d = st.inbox.find((x) => x.id === st.observing);
  const ex = current();
  if (!d || !ex) return;
  const text = $("ex-observe-text").value.trim();
  if (!text) {
    showError(new Error(t("ex_observe_need_text")));
    $("ex-observe-text").focus();
    return;
  }
  const body = { delivery_id: d.id, response: text };
  const ja = $("ex-observe-text-ja").value.trim();
  if (ja) body.response_ja = ja;
  if ($("ex-observe-release").checked) {
    const others = ex.participants.map((p) => p.nation).filter((n) => n !== me().nation);
    if (others.length) body.marking = { releasable_to: others };
  }
  const button = $("ex-observe-send");
  button.disabled = true;
  try {
    await send(P.observe(), body);
    $("ex-observe-text").value = "";
    $("ex-observe-text-ja").value = "";
    st.observing = null;
    showError(null);
    await Promise.all([loadObservations(), loadMsel()]);
  } catch (err) {
    showError(err);
  } finally {
    button.disabled = false;
  }
}

function openEvaluate(observationId) {
  st.evaluating = observationId;
  renderEvaluateForm();
  $("ex-evaluate-objective").focus();
}

async function evaluate(event) {
  event.preventDefault();
  const o = st.observations.find((x) => x.id === st.evaluating);
  if (!o) return;
  const objective = $("ex-evaluate-objective").value;
  if (!objective) {
    showError(new Error(t("ex_evaluate_need_objective")));
    return;
  }
  const rating = shell.section.querySelector("input[name='ex-rating']:checked").value;
  const body = { objective_id: objective, rating };
  const comment = $("ex-evaluate-comment").value.trim();
  if (comment) body.comment = comment;
  // Released to the exercise's other nations as far as the objective it names is
  // (the node refuses to release a rating beyond its objective).
  const ex = current();
  const named = st.objectives.find((x) => x.id === objective);
  const reach = new Set(named && named.marking ? named.marking.releasable_to : []);
  const others = ex.participants.map((p) => p.nation).filter((n) => n !== me().nation && reach.has(n));
  if (others.length) body.marking = { releasable_to: others };
  try {
    await send(P.evaluate(o.id), body);
    $("ex-evaluate-comment").value = "";
    st.evaluating = null;
    showError(null);
    await loadObservations();
  } catch (err) {
    showError(err);
  }
}

// ---------------------------------------------------------------- MSEL sheets

async function download(path, name) {
  try {
    const res = await shell.api(path);
    const blob = await res.blob();
    const url = URL.createObjectURL(blob);
    const a = el("a", { href: url, download: name });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
    showError(null);
  } catch (err) {
    showError(err);
  }
}

function stamp() {
  return shell.dtg(new Date(), shell.ZONES[0], "en").replace(/ /g, ""); // a file name: ASCII
}

// The node's own words for a refused sheet: the message, then each row's and
// column's (the API names them), in the user's language.
function importErrors(err) {
  const box = $("ex-import-errors");
  const body = err instanceof shell.ApiError && err.body ? err.body : {};
  const each = Array.isArray(body.errors) ? body.errors.filter((e) => e.message) : [];
  // With the problems listed, the message's first line heads them; each is the
  // node's own words, naming the row and the column (its field says which cell).
  const said = errText(err);
  box.replaceChildren(
    el("p", { class: "ex-import-head", text: each.length ? said.split("\n")[0] : said }),
    each.length
      ? el("ul", {}, ...each.map((e) => el("li", { "data-field": e.field || "", "data-code": e.code || "", text: bi(e.message) })))
      : null,
  );
  box.hidden = false;
}

async function importSheet(event) {
  event.preventDefault();
  const ex = current();
  const file = $("ex-import-file").files[0];
  $("ex-import-errors").hidden = true;
  $("ex-import-done").hidden = true;
  if (!ex) return;
  if (!file) {
    importErrors(new Error(t("ex_import_need_file")));
    return;
  }
  const xlsx = /\.xlsx$/i.test(file.name);
  const button = $("ex-import-send");
  button.disabled = true;
  try {
    // The sheet itself is the body (not a form), its kind named in the query.
    const res = await fetch(shell.API + P.mselImport(ex.id, xlsx ? "xlsx" : "csv"), {
      method: "POST",
      headers: { ...shell.auth(), "Content-Type": xlsx ? XLSX_TYPE : "text/csv" },
      body: file,
      cache: "no-store",
      credentials: "same-origin",
    });
    const data = await res.json().catch(() => null);
    if (!res.ok) throw new shell.ApiError(res.status, data);
    const count = data ? data.imported : 0;
    $("ex-import-done").textContent = t("ex_import_done", { count, kind: xlsx ? "XLSX" : "CSV" });
    $("ex-import-done").hidden = false;
    $("ex-import-file").value = "";
    await loadMsel();
  } catch (err) {
    importErrors(err);
  } finally {
    button.disabled = false;
  }
}

// ---------------------------------------------------------------- the after-action report

// The node's HTML report, shown in the pane: parsed as an inert document and
// its body taken without its scripts, styles or inline style (the console's
// policy allows neither; the pane's styles dress it instead).
async function loadAar() {
  const ex = current();
  const box = $("ex-aar-doc");
  if (!ex) return;
  const tab = $("ex-aar-tab");
  // A cookie session reads the report in a tab of its own (the node's page, its policy);
  // a token is never put in a URL, so a token session reads it here only.
  tab.hidden = "Authorization" in shell.auth();
  tab.href = shell.API + P.aar(ex.id, "html");
  box.replaceChildren(el("p", { class: "note", text: t("ex_aar_loading") }));
  try {
    const html = await (await shell.api(P.aar(ex.id, "html"))).text();
    // Its style sheet and style attributes go before it is parsed: the parsed
    // document is under this page's policy too, which would refuse them (and
    // say so). The node escapes every quote of user text, so a style="…" here is
    // the report's own markup.
    const bare = html.replace(/<style[\s\S]*?<\/style>/gi, "").replace(/\sstyle="[^"]*"/gi, "");
    const doc = new DOMParser().parseFromString(bare, "text/html");
    for (const bad of doc.querySelectorAll("script, style, link, meta, iframe, object, embed, base, form")) bad.remove();
    for (const node of doc.body.querySelectorAll("*")) {
      for (const attr of [...node.attributes]) {
        // Its landmarks and ids are the report's own, not the console's.
        const drop = ["style", "role", "id"].includes(attr.name) || attr.name.startsWith("on");
        if (drop || (attr.name === "href" && !attr.value.startsWith("#"))) node.removeAttribute(attr.name);
      }
    }
    const view = el("article", { class: "ex-aar-body", "data-exercise": ex.id });
    view.append(...[...doc.body.childNodes].map((n) => document.importNode(n, true)));
    box.replaceChildren(view);
    st.aarLoaded = ex.id;
    showError(null);
  } catch (err) {
    box.replaceChildren();
    st.aarLoaded = null;
    showError(err);
  }
}

// ---------------------------------------------------------------- routes and hooks

async function choose(id) {
  if (!id || id === st.id) return;
  st.id = id;
  st.hq = "";
  st.known = null;
  st.observing = null;
  st.evaluating = null;
  st.aarLoaded = null;
  $("ex-aar-doc").replaceChildren();
  renderPicker();
  renderClock();
  renderHqPicker();
  try {
    await loadChosen();
  } catch (err) {
    if (!quiet(err)) showError(err);
  }
}

async function route(parts) {
  const [view, id] = parts;
  st.view = ["msel", "inbox", "aar"].includes(view) ? view : st.view;
  if (id && st.exercises.some((x) => x.id === id)) await choose(id);
  else if (id && !st.exercises.length) st.wanted = id; // still loading: chosen once listed
  renderView();
  if (st.view === "aar" && st.aarLoaded !== st.id) await loadAar();
}

function enter() {
  st.known = null;
  if (unsubscribe) unsubscribe();
  unsubscribe = shell.subscribe(onChange);
  st.poll.delay = POLL_MIN;
  pollLater();
  loadAll();
}

function leave() {
  if (unsubscribe) unsubscribe();
  unsubscribe = null;
  clearTimeout(st.poll.timer);
  clearTimeout(st.refreshTimer);
  Object.assign(st, {
    exercises: [], id: null, objectives: [], injects: [], inbox: [], hq: "", observations: [], evaluations: [],
    observing: null, evaluating: null, known: null, aarLoaded: null,
  });
  st.pending.clear();
  $("ex-aar-doc").replaceChildren();
}

function language() {
  if (!me()) return;
  renderPicker();
  renderClock();
  renderFilters();
  renderMsel();
  renderHqPicker();
  renderInbox();
  renderObservations();
}

export function mount(given, section) {
  shell = Object.create(given, { section: { value: section } });
  $("ex-pick").addEventListener("change", (e) => shell.navigate(`exercise/${st.view}/${e.target.value}`));
  for (const id of ["ex-f-state", "ex-f-addressee", "ex-f-method", "ex-f-objective"]) $(id).addEventListener("change", renderMsel);
  $("ex-f-text").addEventListener("input", renderMsel);
  $("ex-reload").addEventListener("click", loadAll);
  $("ex-start").addEventListener("click", () => clockAct("start"));
  $("ex-pause").addEventListener("click", () => clockAct("pause"));
  $("ex-resume").addEventListener("click", () => clockAct("resume"));
  $("ex-set-speed").addEventListener("click", () => clockAct("speed"));
  $("ex-end").addEventListener("click", () => clockAct("end"));
  $("ex-hq").addEventListener("change", async (e) => {
    st.hq = e.target.value;
    st.known = null;
    await loadInbox().catch(showError);
  });
  $("ex-observe-form").addEventListener("submit", observe);
  $("ex-observe-cancel").addEventListener("click", () => {
    st.observing = null;
    renderObserveForm();
  });
  $("ex-evaluate-form").addEventListener("submit", evaluate);
  $("ex-evaluate-cancel").addEventListener("click", () => {
    st.evaluating = null;
    renderEvaluateForm();
  });
  $("ex-export-csv").addEventListener("click", () => download(P.mselExport(st.id, "csv", shell.lang), `msel-${st.id}-${me().nation}-${stamp()}.csv`));
  $("ex-export-xlsx").addEventListener("click", () => download(P.mselExport(st.id, "xlsx", shell.lang), `msel-${st.id}-${me().nation}-${stamp()}.xlsx`));
  $("ex-import-form").addEventListener("submit", importSheet);
  $("ex-aar-refresh").addEventListener("click", loadAar);
  $("ex-aar-pdf").addEventListener("click", () => download(P.aar(st.id, "pdf"), `aar-${st.id}-${me().nation}-${stamp()}.pdf`));
  $("ex-aar-csv").addEventListener("click", () => download(P.aar(st.id, "csv"), `aar-${st.id}-${me().nation}-${stamp()}.csv`));
  renderView();
  return {
    enter,
    leave,
    language,
    route,
    tick: () => {
      tickClock();
      if (st.view === "msel" && current() && current().clock.state === "running") markDue();
    },
  };
}

// Approved rows whose moment has come on the ticking clock (the scheduler is delivering them).
function markDue() {
  const now = exerciseNow(current());
  if (!now) return;
  for (const row of shell.section.querySelectorAll("#ex-msel-rows tr[data-state='approved']")) {
    const i = st.injects.find((x) => x.id === row.dataset.id);
    if (i) row.classList.toggle("due", timeOf(i.due_ex) <= now);
  }
}
