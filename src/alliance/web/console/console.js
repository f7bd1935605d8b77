// The Alliance console's shell: sign-in, the header (tabs, clock, who,
// language) and the banner. The panes come from the desks.
//
// Plain ES module, no build step. The node writes one tab and one
// <section class="pane" data-desk=… data-base=…> per desk that declares a
// console pane (alliance.desks, see api/console.py); the shell imports the
// pane's strings (<base>i18n.js) and its module (<base>pane.js), whose
// mount(shell) returns the pane's hooks. The API token is kept in
// sessionStorage (this tab only) and sent only in the Authorization header —
// never in a URL.

import { LANGS, STRINGS } from "./i18n.js";

const API = "/api/v1";
const TOKEN_KEY = "alliance.token";
const LANG_KEY = "alliance.lang";
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

// A date-time group such as 291200Z NOV 26, in the given military zone.
function dtg(date, zone) {
  const d = new Date(date.getTime() + zone.hours * 3600e3);
  const day = pad(d.getUTCDate()) + pad(d.getUTCHours()) + pad(d.getUTCMinutes());
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

function auth(token = state.token) {
  return { Authorization: `Bearer ${token}` };
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
  state.me = me;
  state.node = node;
  sessionStorage.setItem(TOKEN_KEY, token);
}

async function onSignIn(event) {
  event.preventDefault();
  const token = $("token").value.trim();
  if (!token.startsWith("alc_")) {
    signinError(t("signin_bad_format"));
    return;
  }
  signinError(t("signin_checking"));
  $("signin-button").disabled = true;
  try {
    await signIn(token);
    $("token").value = "";
    signinError("");
    enterConsole();
  } catch (err) {
    signinError(err instanceof ApiError ? err.text() : t("signin_unreachable"));
  } finally {
    $("signin-button").disabled = false;
  }
}

function signOut(reasonKey = null) {
  sessionStorage.removeItem(TOKEN_KEY);
  state.token = null;
  state.me = null;
  state.node = null;
  state.banner = null;
  state.tlpLabel = null;
  each("leave");
  renderBanner();
  showScreen("signin");
  signinError(reasonKey ? t(reasonKey) : "");
  $("token").focus();
}

// ---------------------------------------------------------------- the console

function enterConsole() {
  showScreen("console");
  renderHeader();
  renderBanner();
  each("enter");
}

function renderHeader() {
  const me = state.me;
  if (!me) return;
  $("user-line").textContent = t("user_line", {
    name: me.name,
    hq: me.hq,
    role: me.role_name ? me.role_name[state.lang] : me.role,
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
  auth,
  ApiError,
  dtg,
  ZONES,
  API,
  setBanner,
  signOut,
};

// ---------------------------------------------------------------- start

async function start() {
  await loadPanes();
  for (const el of document.querySelectorAll("button.lang")) {
    el.addEventListener("click", () => setLanguage(el.dataset.lang));
  }
  $("signin-form").addEventListener("submit", onSignIn);
  $("signout").addEventListener("click", () => signOut());
  for (const tab of document.querySelectorAll("#tabs .tab")) {
    tab.addEventListener("click", () => showPane(tab.dataset.pane));
  }
  applyLanguage();
  setInterval(tick, 1000);
  window.allianceConsole = { state, dtg, ZONES, panes };
  if (state.token) {
    try {
      await signIn(state.token);
      enterConsole();
      return;
    } catch {
      sessionStorage.removeItem(TOKEN_KEY);
      state.token = null;
    }
  }
  showScreen("signin");
}

start();
