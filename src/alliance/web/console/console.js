// The Alliance console's shell: sign-in, the header (tabs, clock, who,
// language) and the banner. The panes come from the desks.
//
// Plain ES module, no build step. The node writes one tab and one
// <section class="pane" data-desk=… data-base=…> per desk that declares a
// console pane (alliance.desks, see api/console.py); the shell imports the
// pane's strings (<base>i18n.js) and its module (<base>pane.js), whose
// mount(shell) returns the pane's hooks. A user signs in with a username and
// password or a client certificate: the node then keeps the session in an
// HttpOnly cookie the page cannot read, and the page sends the session's CSRF
// token (X-CSRF-Token) with its requests. An API token, if used instead, is
// kept in sessionStorage (this tab only) and sent only in the Authorization
// header — never in a URL.

import { LANGS, STRINGS } from "./i18n.js";

const API = "/api/v1";
const TOKEN_KEY = "alliance.token";
const LANG_KEY = "alliance.lang";
// A password's length, as the node's rule says (alliance.access.signin
// MIN_PASSWORD, MAX_PASSWORD): only shown here; the node checks and says.
const PASSWORD_LENGTH = { min: 10, max: 200 };
const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
// Military time zones: Z = UTC, I (India) = UTC+9 = JST, W (Whiskey) = UTC-10 = HST.
const ZONES = [
  { id: "z", hours: 0, letter: "Z", name: "Z" },
  { id: "jst", hours: 9, letter: "I", name: "JST" },
  { id: "hst", hours: -10, letter: "W", name: "HST" },
];

const $ = (id) => document.getElementById(id);

const state = {
  lang: pickLanguage(),
  token: sessionStorage.getItem(TOKEN_KEY),
  csrf: null, // the cookie session's CSRF token (null when signed in by token)
  identity: null, // which node this is, from /signin/node (shown before sign-in)
  me: null,
  node: null,
  banner: null, // { en, ja }: the picture's banner, as the node sends it for this user's nation
  tlpLabel: null, // { en, ja }: its TLP label, shown beside the banner, never inside it
};

const strings = { ...STRINGS }; // the shell's, then each pane's
const panes = []; // { id, hooks } in tab order

// ---------------------------------------------------------------- language

function pickLanguage() {
  const stored = localStorage.getItem(LANG_KEY);
  if (LANGS.includes(stored)) return stored;
  return (navigator.language || "en").toLowerCase().startsWith("ja") ? "ja" : "en";
}

function t(key, vars = {}) {
  const entry = strings[key];
  if (!entry) throw new Error(`no string ${key}`);
  return entry[state.lang].replace(/\{(\w+)\}/g, (_, name) => String(vars[name] ?? ""));
}

function setLanguage(lang) {
  state.lang = lang;
  localStorage.setItem(LANG_KEY, lang);
  applyLanguage();
}

function applyLanguage() {
  document.documentElement.lang = state.lang;
  for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of document.querySelectorAll("[data-i18n-placeholder]")) {
    el.placeholder = t(el.dataset.i18nPlaceholder);
  }
  for (const el of document.querySelectorAll("[data-i18n-title]")) el.title = t(el.dataset.i18nTitle);
  for (const el of document.querySelectorAll("[data-i18n-aria-label]")) {
    el.setAttribute("aria-label", t(el.dataset.i18nAriaLabel));
  }
  for (const el of document.querySelectorAll("button.lang")) {
    el.classList.toggle("active", el.dataset.lang === state.lang);
    el.setAttribute("aria-pressed", String(el.dataset.lang === state.lang));
  }
  $("password-change-note").textContent = t("password_change_note", PASSWORD_LENGTH);
  each("language");
  renderHeader();
  renderBanner();
  tick();
}

// ---------------------------------------------------------------- panes

function each(hook) {
  for (const pane of panes) {
    const fn = pane.hooks[hook];
    if (fn) fn();
  }
}

// A pane that fails to load loses its tab (and says why in the browser's
// console); the shell and the other panes go on.
async function loadPanes() {
  for (const section of document.querySelectorAll("#console .pane[data-desk]")) {
    const base = section.dataset.base;
    try {
      const [table, module] = await Promise.all([import(`${base}i18n.js`), import(`${base}pane.js`)]);
      for (const key of Object.keys(table.STRINGS)) {
        if (key in strings) throw new Error(`it repeats the string ${key}`);
      }
      Object.assign(strings, table.STRINGS);
      panes.push({ id: section.id, hooks: module.mount(shell, section) || {} });
    } catch (err) {
      console.error(`The ${section.dataset.desk} desk's pane did not load:`, err);
      document.querySelector(`#tabs .tab[data-pane="${section.id}"]`)?.remove();
      section.remove();
    }
  }
  // The first pane left is the one shown.
  if (!document.querySelector("#tabs .tab.active")) {
    const first = document.querySelector("#tabs .tab");
    if (first) showPane(first.dataset.pane);
  }
}

function showPane(id) {
  for (const tab of document.querySelectorAll("#tabs .tab")) {
    tab.classList.toggle("active", tab.dataset.pane === id);
  }
  for (const pane of document.querySelectorAll(".pane")) pane.classList.toggle("active", pane.id === id);
  const shown = panes.find((pane) => pane.id === id);
  if (shown && shown.hooks.show) shown.hooks.show();
}

// ---------------------------------------------------------------- time

const pad = (n) => String(n).padStart(2, "0");

// A date-time group in the given military zone, as the user's language writes
// it: 291200Z NOV 26 in English; in Japanese as the node writes it
// (alliance.core.dtg.format_dtg_ja, the API's "z_ja"): 2026年11月29日 1200Z,
// the month a number, never an English abbreviation. lang: "en" for a DTG
// that must stay in the military form whatever the language (a file name).
function dtg(date, zone, lang = state.lang) {
  const d = new Date(date.getTime() + zone.hours * 3600e3);
  const hm = pad(d.getUTCHours()) + pad(d.getUTCMinutes());
  if (lang === "ja") {
    return `${d.getUTCFullYear()}年${d.getUTCMonth() + 1}月${d.getUTCDate()}日 ${hm}${zone.letter}`;
  }
  const day = pad(d.getUTCDate()) + hm;
  return `${day}${zone.letter} ${MONTHS[d.getUTCMonth()]} ${pad(d.getUTCFullYear() % 100)}`;
}

function tick() {
  const now = new Date();
  for (const zone of ZONES) $(`clock-${zone.id}`).textContent = dtg(now, zone);
  each("tick");
}

// ---------------------------------------------------------------- markings

// The banner of what is on the page comes from the node (the COP pane passes
// on its stream's "banner" event: what every track shown shares, in both
// languages, written as the user's nation writes it); the console displays
// it and builds none of its own. The TLP label is a separate label beside it.
// The note ({ en, ja }, from the node too) says which items set the banner
// ("JPN ONLY set by 1 of 19 tracks: …"): shown small on the top line and as
// the tooltip of both.
function setBanner(banner, tlpLabel = null, note = null) {
  state.banner = banner;
  state.tlpLabel = tlpLabel;
  state.bannerNote = note;
  renderBanner();
}

function renderBanner() {
  const text = state.me && state.banner ? state.banner[state.lang] : t("classification");
  const label = state.me && state.tlpLabel ? state.tlpLabel[state.lang] : "";
  const note = state.me && state.bannerNote ? state.bannerNote[state.lang] : "";
  for (const id of ["banner-top", "banner-bottom"]) {
    const line = $(id);
    line.textContent = text;
    line.title = note;
    if (label) {
      const tlp = document.createElement("span");
      tlp.className = "tlp-label";
      tlp.textContent = label;
      line.append(" ", tlp);
    }
    if (note && id === "banner-top") {
      const said = document.createElement("span");
      said.className = "banner-note";
      said.id = "banner-note";
      said.textContent = note;
      line.append(" ", said);
    }
  }
}

// ---------------------------------------------------------------- API

class ApiError extends Error {
  constructor(status, body) {
    const message = body && body.message ? body.message : null;
    super(message ? message.en : `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }

  text() {
    const message = this.body && this.body.message;
    return message ? message[state.lang] || message.en : this.message;
  }
}

// The headers that authenticate a request: the bearer token, or (cookie
// session) the CSRF token the node asks for with any change.
function auth(token = state.token) {
  if (token) return { Authorization: `Bearer ${token}` };
  return state.csrf ? { "X-CSRF-Token": state.csrf } : {};
}

async function api(path, { token = state.token, signal } = {}) {
  const res = await fetch(API + path, { headers: auth(token), signal, cache: "no-store" });
  if (!res.ok) {
    let body = null;
    try {
      body = await res.json();
    } catch {
      body = null;
    }
    if (res.status === 401 && token === state.token && state.me) signOut("signin_expired");
    throw new ApiError(res.status, body);
  }
  return res;
}

// ---------------------------------------------------------------- sign-in

function showScreen(which) {
  $("signin").hidden = which !== "signin";
  $("console").hidden = which !== "console";
  document.body.dataset.screen = which;
}

function signinError(text) {
  const el = $("signin-error");
  el.textContent = text || "";
  el.hidden = !text;
}

async function signIn(token) {
  const res = await api("/me", { token });
  const me = await res.json();
  const node = await (await api("/node", { token })).json();
  state.token = token;
  state.csrf = null;
  state.me = me;
  state.node = node;
  sessionStorage.setItem(TOKEN_KEY, token);
}

// A cookie session just opened (password, certificate) or found on reload.
async function enterSession(session) {
  state.token = null;
  state.csrf = session.csrf;
  state.me = session.me;
  sessionStorage.removeItem(TOKEN_KEY);
  state.node = await (await api("/node", { token: null })).json();
}

async function postJson(path, body) {
  const res = await fetch(API + path, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...auth() },
    body: body === undefined ? undefined : JSON.stringify(body),
    cache: "no-store",
  });
  let data = null;
  try {
    data = await res.json();
  } catch {
    data = null;
  }
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

async function busy(button, work) {
  signinError(t("signin_checking"));
  button.disabled = true;
  try {
    await work();
    signinError("");
    enterConsole();
  } catch (err) {
    signinError(err instanceof ApiError ? err.text() : t("signin_unreachable"));
  } finally {
    button.disabled = false;
  }
}

async function onPasswordSignIn(event) {
  event.preventDefault();
  const username = $("username").value.trim();
  const password = $("password").value;
  if (!username || !password) {
    signinError(t("signin_need_both"));
    return;
  }
  await busy($("password-signin-button"), async () => {
    await enterSession(await postJson("/session", { username, password }));
    $("password").value = "";
  });
}

async function onCertificateSignIn() {
  await busy($("cert-signin-button"), async () => {
    await enterSession(await postJson("/session/certificate"));
  });
}

async function onSignIn(event) {
  event.preventDefault();
  const token = $("token").value.trim();
  if (!token.startsWith("alc_")) {
    signinError(t("signin_bad_format"));
    return;
  }
  await busy($("signin-button"), async () => {
    await signIn(token);
    $("token").value = "";
  });
}

// Which node this is, shown on the sign-in card (before anyone signs in).
async function loadIdentity() {
  try {
    const res = await fetch(`${API}/signin/node`, { cache: "no-store" });
    if (res.ok) state.identity = await res.json();
  } catch {
    state.identity = null;
  }
  $("cert-signin-button").hidden = !(state.identity && state.identity.certificate_signin);
  renderIdentity();
}

function renderIdentity() {
  const id = state.identity;
  if (!id) return;
  const names = id.nation_name;
  // Both languages: the user may not yet have chosen theirs.
  $("signin-nation").textContent = state.lang === "ja" ? `${names.ja} / ${names.en}` : `${names.en} / ${names.ja}`;
  $("signin-hq").textContent = id.hq_name ? id.hq_name[state.lang] : "";
  $("signin-node").textContent = t("signin_node", { node: id.node_id, nation: id.nation });
}

// Ends the session at the node (cookie) and forgets it here. everywhere: all
// the user's sessions, on every browser.
async function endSession(everywhere) {
  const signedInByCookie = state.me && !state.token;
  try {
    if (everywhere) await postJson("/session/everywhere");
    else if (signedInByCookie) {
      await fetch(`${API}/session`, { method: "DELETE", headers: auth(), cache: "no-store" });
    }
  } catch {
    // Signed out here whatever the node answered.
  }
  signOut(everywhere ? "signed_out_everywhere" : null);
}

// ---------------------------------------------------------------- own password

// The header's "Change password": a modal dialog (Escape closes it, the focus
// comes back to the button). The node checks the current password (a wrong
// one counts toward the lock) and the rules; its message is shown as it says
// it, in the user's language. This session stays; the user's others end.
function passwordError(text) {
  const el = $("password-change-error");
  el.textContent = text || "";
  el.hidden = !text;
}

function openPasswordDialog() {
  const dialog = $("password-dialog");
  $("password-change-form").reset();
  passwordError("");
  dialog.showModal();
  $("current-password").focus();
}

function closePasswordDialog() {
  const dialog = $("password-dialog");
  if (dialog.open) dialog.close();
}

async function onPasswordChange(event) {
  event.preventDefault();
  const current = $("current-password").value;
  const fresh = $("new-password").value;
  const again = $("repeat-password").value;
  if (!current || !fresh || !again) {
    passwordError(t("password_fill_all"));
    return;
  }
  if (fresh !== again) {
    passwordError(t("password_mismatch"));
    $("repeat-password").focus();
    return;
  }
  const button = $("password-change-submit");
  button.disabled = true;
  passwordError("");
  try {
    const done = await postJson("/session/password", { current_password: current, new_password: fresh });
    closePasswordDialog();
    notify(t("password_changed", { ended: done.ended }));
  } catch (err) {
    passwordError(err instanceof ApiError ? err.text() : t("signin_unreachable"));
    const field = err instanceof ApiError && err.body ? err.body.field : null;
    const input = { current_password: "current-password", new_password: "new-password" }[field];
    if (input) $(input).focus();
  } finally {
    button.disabled = false;
  }
}

function signOut(reasonKey = null) {
  sessionStorage.removeItem(TOKEN_KEY);
  state.token = null;
  state.csrf = null;
  state.me = null;
  state.node = null;
  state.banner = null;
  state.tlpLabel = null;
  each("leave");
  renderBanner();
  closePasswordDialog();
  showScreen("signin");
  signinError(reasonKey ? t(reasonKey) : "");
  $("username").focus();
}

// ---------------------------------------------------------------- the console

function enterConsole() {
  showScreen("console");
  renderHeader();
  renderBanner();
  each("enter");
}

// Who is acting: nation (日本/米国 in Japanese), HQ by name, role, in the
// chosen language; the name of the person; the node.
function renderHeader() {
  renderIdentity();
  const me = state.me;
  if (!me) return;
  const lang = state.lang;
  $("who-nation").textContent = me.nation_name ? me.nation_name[lang] : me.nation;
  $("who-hq").textContent = me.hq_name ? me.hq_name[`short_${lang}`] || me.hq_name[lang] : me.hq;
  $("who-hq").title = me.hq_name ? me.hq_name[lang] : me.hq;
  $("user-line").textContent = t("user_line", {
    name: me.name,
    hq: me.hq_name ? me.hq_name[lang] : me.hq,
    role: me.role_name ? me.role_name[lang] : me.role,
  });
  $("released-to").textContent = t("released_to", { nation: me.nation });
  $("node-id").textContent = state.node ? state.node.node_id : "";
}

// ---------------------------------------------------------------- what panes get

// What a pane's mount(shell) gets. Hooks it may return, all optional:
// enter() on sign-in, leave() on sign-out, language() after a language switch,
// tick() every second, show() when its tab is chosen.
const shell = {
  get lang() {
    return state.lang;
  },
  get me() {
    return state.me;
  },
  $,
  t,
  api,
  postJson, // postJson(path, body): a POST with a JSON body; its JSON answer, or ApiError
  auth,
  ApiError,
  dtg, // dtg(date, zone[, lang]): in the user's language unless lang is given
  ZONES,
  API,
  setBanner,
  signOut,
};

// ---------------------------------------------------------------- live events, routes, badges, toasts

// One live stream per signed-in user (GET /api/v1/stream): what was committed
// and is released to the user's nation, partners' replicas included. The
// shell opens it once after sign-in (fetch + a stream reader: EventSource
// cannot send the Authorization header), reconnects with backoff, closes it on
// sign-out, and hands each change to the panes that called shell.subscribe(fn)
// (fn(change), change = {type, id, owner, kind, change, replica, at, refs};
// fn({reconnected: true}) after a reconnect, when a pane should refetch). Its
// hooks run as a pane's would: it is the first entry of `panes`.
const live = { ctrl: null, listeners: new Set(), state: "closed" };

function liveSubscribe(fn) {
  live.listeners.add(fn);
  return () => live.listeners.delete(fn);
}

function liveDeliver(change) {
  for (const fn of [...live.listeners]) {
    try {
      fn(change);
    } catch (err) {
      console.error("A pane's live listener failed:", err);
    }
  }
}

function liveSetState(value) {
  live.state = value;
  document.body.dataset.live = value;
}

function liveStart() {
  liveStop();
  live.ctrl = new AbortController();
  liveRun(live.ctrl);
}

function liveStop() {
  if (live.ctrl) live.ctrl.abort();
  live.ctrl = null;
  liveSetState("closed");
}

function liveHandle(block) {
  let kind = "message";
  const data = [];
  for (const line of block.split(/\r?\n/)) {
    if (line.startsWith("event:")) kind = line.slice(6).trim();
    else if (line.startsWith("data:")) data.push(line.slice(5).trim());
  }
  if (kind === "change" && data.length) liveDeliver(JSON.parse(data.join("\n")));
  return kind;
}

async function liveRun(ctrl) {
  let delay = 1000;
  let opened = false;
  while (!ctrl.signal.aborted) {
    try {
      liveSetState("connecting");
      const res = await fetch(`${API}/stream`, {
        headers: { ...auth(), Accept: "text/event-stream" },
        signal: ctrl.signal,
        cache: "no-store",
        credentials: "same-origin",
      });
      if (res.status === 401) {
        if (state.me) signOut("signin_expired");
        return;
      }
      if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
      liveSetState("live");
      if (opened) liveDeliver({ reconnected: true }); // what was missed: refetch
      opened = true;
      delay = 1000;
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = "";
      let closed = false;
      while (!closed) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        for (let m = /\r?\n\r?\n/.exec(buffer); m; m = /\r?\n\r?\n/.exec(buffer)) {
          if (liveHandle(buffer.slice(0, m.index)) === "closed") closed = true;
          buffer = buffer.slice(m.index + m[0].length);
        }
      }
    } catch {
      if (ctrl.signal.aborted) return;
    }
    if (ctrl.signal.aborted) return;
    liveSetState("retrying");
    await new Promise((resolve) => {
      const timer = setTimeout(resolve, delay);
      ctrl.signal.addEventListener("abort", () => {
        clearTimeout(timer);
        resolve();
      });
    });
    delay = Math.min(delay * 2, 30000);
  }
}

// Routes: #/<desk>[/<rest>] shows the desk's pane and gives it the rest
// (its hook route(parts)); a tab chosen writes #/<desk>.
function routeParts() {
  return location.hash.replace(/^#\/?/, "").split("/").filter(Boolean).map(decodeURIComponent);
}

function applyRoute() {
  const [desk, ...rest] = routeParts();
  if (!desk || !state.me) return;
  const id = `pane-${desk}`;
  if (!panes.some((pane) => pane.id === id)) return;
  if (!document.getElementById(id)?.classList.contains("active")) showPane(id);
  const hook = panes.find((pane) => pane.id === id).hooks.route;
  if (hook) hook(rest);
}

function navigate(path) {
  const hash = `#/${path.replace(/^\/+/, "")}`;
  if (location.hash === hash) applyRoute();
  else location.hash = hash;
}

// A count beside a desk's tab (e.g. what awaits the user's nation).
const badges = new Map();

function setBadge(desk, count, labelKey = null) {
  badges.set(desk, { count, labelKey });
  renderBadges();
}

function renderBadges() {
  for (const [desk, { count, labelKey }] of badges) {
    const tab = document.querySelector(`#tabs .tab[data-pane="pane-${desk}"]`);
    if (!tab) continue;
    let badge = tab.querySelector(".tab-badge");
    if (!badge) {
      badge = document.createElement("span");
      badge.className = "tab-badge";
      tab.append(badge);
    }
    badge.hidden = !count;
    badge.textContent = count ? String(count) : "";
    if (labelKey) badge.title = t(labelKey, { count });
  }
}

// A notice for the user: a toast that stays a few seconds, read out (aria-live).
function notify(text, { onOpen = null } = {}) {
  let box = $("toasts");
  if (!box) {
    box = document.createElement("div");
    box.id = "toasts";
    box.setAttribute("role", "status");
    box.setAttribute("aria-live", "polite");
    document.body.append(box);
  }
  const toast = document.createElement(onOpen ? "button" : "div");
  toast.className = "toast";
  toast.textContent = text;
  if (onOpen) {
    toast.type = "button";
    toast.addEventListener("click", () => {
      toast.remove();
      onOpen();
    });
  }
  box.append(toast);
  setTimeout(() => toast.remove(), 12000);
}

panes.push({
  id: "",
  hooks: {
    enter: () => {
      liveStart();
      setTimeout(applyRoute, 0); // after every pane's enter()
    },
    leave: () => {
      liveStop();
      badges.clear();
      for (const badge of document.querySelectorAll("#tabs .tab-badge")) badge.remove();
      $("toasts")?.replaceChildren();
    },
    language: renderBadges,
  },
});
window.addEventListener("hashchange", applyRoute);
document.addEventListener("click", (event) => {
  const tab = event.target.closest?.("#tabs .tab");
  if (tab) history.replaceState(null, "", `#/${tab.dataset.pane.replace(/^pane-/, "")}`);
});
Object.assign(shell, { subscribe: liveSubscribe, navigate, setBadge, notify });

// ---------------------------------------------------------------- start

async function start() {
  await loadPanes();
  for (const el of document.querySelectorAll("button.lang")) {
    el.addEventListener("click", () => setLanguage(el.dataset.lang));
  }
  $("signin-form").addEventListener("submit", onSignIn);
  $("password-form").addEventListener("submit", onPasswordSignIn);
  $("cert-signin-button").addEventListener("click", onCertificateSignIn);
  $("signout").addEventListener("click", () => endSession(false));
  $("change-password").addEventListener("click", openPasswordDialog);
  $("password-change-form").addEventListener("submit", onPasswordChange);
  $("password-change-cancel").addEventListener("click", closePasswordDialog);
  // Closed however (Escape, Cancel, done): nothing typed is kept, the focus goes back.
  $("password-dialog").addEventListener("close", () => {
    $("password-change-form").reset();
    passwordError("");
    if (state.me) $("change-password").focus();
  });
  $("signout-everywhere").addEventListener("click", () => endSession(true));
  for (const tab of document.querySelectorAll("#tabs .tab")) {
    tab.addEventListener("click", () => showPane(tab.dataset.pane));
  }
  applyLanguage();
  setInterval(tick, 1000);
  window.allianceConsole = { state, dtg, ZONES, panes };
  await loadIdentity();
  if (state.token) {
    try {
      await signIn(state.token);
      enterConsole();
      return;
    } catch {
      sessionStorage.removeItem(TOKEN_KEY);
      state.token = null;
    }
  } else {
    // A session cookie (HttpOnly: only the node can tell) survives a reload.
    try {
      const res = await fetch(`${API}/signin/session`, { cache: "no-store" });
      const found = res.ok ? (await res.json()).session : null;
      if (found) {
        await enterSession(found);
        enterConsole();
        return;
      }
    } catch {
      // not signed in
    }
  }
  showScreen("signin");
}

start();
