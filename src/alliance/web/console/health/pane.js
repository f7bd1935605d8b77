// The node's health pane: federation links (lag, queue, quarantine and the
// operator's resume), the ledger (head, last verification) and, for node
// administrators, users and roles.
//
// What a user may see is the server's decision (core/authority): the pane
// asks only for what the user's role is given and shows a plain note for the
// rest; a refusal the server still sends is shown in its own words.
// Refreshed from the shell's live events when the shell has them
// (shell.subscribe), otherwise whenever the tab is shown — never on a timer.

let shell = null;
let root = null;
let dirty = true;
let pending = null; // a refresh asked for by live events, coalesced
const data = { links: null, quarantine: [], ledger: null, users: null, errors: {} };

const MONITOR = ["commander", "staff_officer", "admin"];

const el = (id) => shell.$(id);

function role() {
  return shell.me ? shell.me.role : null;
}

function isAdmin() {
  return role() === "admin";
}

function mayMonitor() {
  return MONITOR.includes(role());
}

function when(time) {
  return time ? time.z : shell.t("h_links_never");
}

function cell(row, text, cls) {
  const td = document.createElement("td");
  td.textContent = text;
  if (cls) td.className = cls;
  row.append(td);
  return td;
}

function note(id, key, vars) {
  const p = el(id);
  p.hidden = !key;
  p.textContent = key ? shell.t(key, vars) : "";
}

function errorText(err) {
  return err instanceof shell.ApiError ? err.text() : String(err.message || err);
}

// ---------------------------------------------------------------- reading

async function json(path) {
  return (await shell.api(path)).json();
}

async function send(method, path, body) {
  const res = await fetch(shell.API + path, {
    method,
    headers: { ...shell.auth(), "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
    cache: "no-store",
  });
  if (!res.ok) {
    let parsed = null;
    try {
      parsed = await res.json();
    } catch {
      parsed = null;
    }
    throw new shell.ApiError(res.status, parsed);
  }
  return res.json();
}

async function refresh() {
  if (!shell.me) return;
  dirty = false;
  const errors = {};
  const tasks = [];
  if (mayMonitor()) {
    tasks.push(
      json("/federation/status").then(
        (v) => (data.links = v),
        (e) => (errors.links = e),
      ),
      json("/ledger/status").then(
        (v) => (data.ledger = v),
        (e) => (errors.ledger = e),
      ),
    );
  }
  if (isAdmin()) {
    tasks.push(
      json("/federation/quarantine").then(
        (v) => (data.quarantine = v),
        (e) => (errors.quarantine = e),
      ),
      json("/users").then(
        (v) => (data.users = v),
        (e) => (errors.users = e),
      ),
    );
  }
  await Promise.all(tasks);
  data.errors = errors;
  data.at = new Date();
  render();
}

function refreshSoon() {
  if (!root.classList.contains("active")) {
    dirty = true;
    return;
  }
  if (pending) return;
  // Every committed event moves the ledger's head; at most one read every
  // two seconds however busy the node is (a burst of tracks is one refresh).
  pending = setTimeout(() => {
    pending = null;
    refresh();
  }, 2000);
}

// ---------------------------------------------------------------- drawing

function renderLinks() {
  const table = el("links-table");
  const rows = el("links-rows");
  rows.replaceChildren();
  el("quarantine").hidden = true;
  el("resume-forms").replaceChildren();
  if (!mayMonitor()) {
    table.hidden = true;
    note("links-note", "h_links_not_for_role");
    return;
  }
  if (data.errors.links) {
    table.hidden = true;
    note("links-note", "health_failed", { error: errorText(data.errors.links) });
    return;
  }
  const links = data.links || [];
  table.hidden = links.length === 0;
  note("links-note", links.length ? null : "h_links_none");
  for (const link of links) {
    const tr = document.createElement("tr");
    tr.dataset.partner = link.partner;
    tr.dataset.state = link.state;
    tr.className = link.state === "running" ? "ok" : "bad";
    cell(tr, `${link.partner} · ${link.node_id}`);
    const state = cell(tr, shell.t(`h_state_${link.state === "running" ? "running" : "stopped"}`), "state");
    if (link.last_error) state.title = link.last_error;
    cell(tr, `${link.sent_seq} / ${link.acked_seq}`, "mono num");
    cell(tr, String(link.outbound_lag), "mono num queue");
    cell(tr, when(link.last_pull), "mono");
    cell(tr, `${link.received_seq} / ${link.partner_head_seq}`, "mono num");
    cell(tr, String(link.inbound_lag), "mono num lag");
    cell(tr, when(link.last_received), "mono");
    cell(tr, String(link.quarantined), `mono num quarantined${link.quarantined ? " bad" : ""}`);
    rows.append(tr);
  }
  const stopped = links.filter((l) => l.state !== "running" || l.quarantined > 0);
  if (!isAdmin()) {
    const forms = el("resume-forms");
    for (const link of stopped) {
      const p = document.createElement("p");
      p.className = "note admin-only";
      p.textContent = shell.t("h_quarantine_admin_only", { partner: link.partner, count: link.quarantined });
      forms.append(p);
    }
    return;
  }
  renderQuarantine();
  for (const link of stopped) el("resume-forms").append(resumeForm(link));
}

function renderQuarantine() {
  const box = el("quarantine");
  const rows = el("quarantine-rows");
  rows.replaceChildren();
  const items = data.quarantine || [];
  box.hidden = items.length === 0 && !data.errors.quarantine;
  for (const q of items) {
    const tr = document.createElement("tr");
    tr.dataset.partner = q.partner;
    cell(tr, q.partner);
    cell(tr, String(q.seq), "mono num");
    cell(tr, q.code, "mono code");
    cell(tr, q.reason[shell.lang] || q.reason.en, "reason");
    cell(tr, when(q.at), "mono");
    rows.append(tr);
  }
  if (data.errors.quarantine) {
    const tr = document.createElement("tr");
    cell(tr, shell.t("health_failed", { error: errorText(data.errors.quarantine) }), "error").colSpan = 5;
    rows.append(tr);
  }
}

function resumeForm(link) {
  const form = document.createElement("form");
  form.className = "resume";
  form.dataset.partner = link.partner;
  const id = `resume-note-${link.partner}`;
  const title = document.createElement("h4");
  title.textContent = shell.t("h_resume_title", { partner: link.partner });
  const label = document.createElement("label");
  label.htmlFor = id;
  label.textContent = shell.t("h_resume_note");
  const text = document.createElement("textarea");
  text.id = id;
  text.rows = 2;
  text.maxLength = 2000;
  const button = document.createElement("button");
  button.type = "submit";
  button.className = "primary";
  button.textContent = shell.t("h_resume_button");
  const error = document.createElement("p");
  error.className = "error";
  error.setAttribute("role", "alert");
  error.hidden = true;
  form.append(title, label, text, button, error);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const said = text.value.trim();
    if (!said) {
      error.textContent = shell.t("h_resume_needs_note");
      error.hidden = false;
      text.focus();
      return;
    }
    button.disabled = true;
    try {
      await send("POST", `/federation/${encodeURIComponent(link.partner)}/resume`, { note: said });
      await refresh();
      const done = el("links-note");
      done.hidden = false;
      done.textContent = shell.t("h_resume_done", { partner: link.partner });
    } catch (err) {
      error.textContent = errorText(err); // the server's words: e.g. not an administrator
      error.hidden = false;
      button.disabled = false;
    }
  });
  return form;
}

function renderLedger() {
  const facts = el("ledger-facts");
  el("ledger-verify-button").hidden = !isAdmin();
  if (!mayMonitor()) {
    facts.hidden = true;
    note("ledger-note", "h_ledger_not_for_role");
    return;
  }
  if (data.errors.ledger) {
    facts.hidden = true;
    note("ledger-note", "health_failed", { error: errorText(data.errors.ledger) });
    return;
  }
  const st = data.ledger;
  facts.hidden = !st;
  note("ledger-note", null);
  if (!st) return;
  el("ledger-head").textContent = String(st.head_seq);
  el("ledger-hash").textContent = st.head_hash;
  el("ledger-events").textContent = String(st.events);
  const v = st.last_verify;
  const out = el("ledger-verify");
  out.className = v ? (v.ok ? "ok" : "bad") : "";
  out.dataset.result = v ? (v.ok ? "ok" : "failed") : "never";
  if (!v) out.textContent = shell.t("h_ledger_never");
  else if (v.ok) out.textContent = shell.t("h_ledger_ok", { checked: v.checked, time: v.at.z });
  else {
    const reason = v.reason ? v.reason[shell.lang] || v.reason.en : "";
    out.textContent = shell.t("h_ledger_bad", { seq: v.first_bad_seq, reason, time: v.at.z });
  }
}

async function verifyNow() {
  const button = el("ledger-verify-button");
  const error = el("ledger-error");
  button.disabled = true;
  button.textContent = shell.t("h_ledger_verifying");
  error.hidden = true;
  try {
    await send("POST", "/ledger/verify");
    await refresh();
  } catch (err) {
    error.textContent = errorText(err);
    error.hidden = false;
  } finally {
    button.disabled = false;
    button.textContent = shell.t("h_ledger_verify");
  }
}

function renderUsers() {
  const table = el("users-table");
  const rows = el("users-rows");
  rows.replaceChildren();
  if (!isAdmin()) {
    table.hidden = true;
    note("users-note", "h_users_admin_only");
    return;
  }
  if (data.errors.users) {
    table.hidden = true;
    note("users-note", "health_failed", { error: errorText(data.errors.users) });
    return;
  }
  note("users-note", null);
  const users = data.users || [];
  table.hidden = false;
  for (const u of users) {
    const tr = document.createElement("tr");
    tr.dataset.user = u.id;
    if (u.disabled) tr.className = "disabled";
    cell(tr, u.name);
    cell(tr, u.nation);
    cell(tr, u.hq_id, "mono");
    cell(tr, shell.t(`h_role_${u.role}`));
    cell(tr, u.username || shell.t("h_users_no_password"), u.username ? "mono username" : "note username");
    const locked = u.locked_until && new Date(u.locked_until.iso) > new Date();
    const state = cell(tr, shell.t(u.disabled ? "h_users_disabled" : "h_users_active"), "state");
    if (locked && !u.disabled) {
      state.textContent += ` · ${shell.t("h_users_locked", { time: u.locked_until.z })}`;
      state.classList.add("bad");
    }
    const action = cell(tr, "", "actions");
    // One's own password is changed with the current one (the header's button).
    if (shell.me && u.id !== shell.me.user) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "set-password";
      button.textContent = shell.t("h_password_set");
      button.setAttribute("aria-label", shell.t("h_password_set_for", { name: u.name }));
      button.setAttribute("aria-haspopup", "dialog");
      button.addEventListener("click", () => openPasswordDialog(u, button));
      action.append(button);
    }
    rows.append(tr);
  }
}

// ---------------------------------------------------------------- setting a user's password

let passwordFor = null; // { user, button }: whose password the dialog sets

function passwordError(text) {
  const p = el("user-password-error");
  p.textContent = text || "";
  p.hidden = !text;
}

function openPasswordDialog(user, button) {
  passwordFor = { user, button };
  el("user-password-form").reset();
  passwordError("");
  el("user-password-title").textContent = shell.t("h_password_title", { name: user.name });
  el("user-password-username").value = user.username || "";
  el("user-password-dialog").showModal();
  el("user-password-new").focus();
}

function closePasswordDialog() {
  const dialog = el("user-password-dialog");
  if (dialog.open) dialog.close();
}

async function onSetPassword(event) {
  event.preventDefault();
  if (!passwordFor) return;
  const { user } = passwordFor;
  const password = el("user-password-new").value;
  const again = el("user-password-repeat").value;
  const username = el("user-password-username").value.trim();
  if (!password || !again) {
    passwordError(shell.t("h_password_fill"));
    return;
  }
  if (password !== again) {
    passwordError(shell.t("h_password_mismatch"));
    el("user-password-repeat").focus();
    return;
  }
  const submit = el("user-password-submit");
  submit.disabled = true;
  passwordError("");
  try {
    const body = username ? { password, username } : { password };
    const done = await send("PUT", `/users/${encodeURIComponent(user.id)}/password`, body);
    closePasswordDialog();
    shell.notify(shell.t("h_password_done", { name: user.name, username: done.username }));
    await refresh();
  } catch (err) {
    passwordError(errorText(err)); // the node's words: the rule broken, a username taken
    const field = err instanceof shell.ApiError && err.body ? err.body.field : null;
    const input = { password: "user-password-new", username: "user-password-username" }[field];
    if (input) el(input).focus();
  } finally {
    submit.disabled = false;
  }
}

function render() {
  if (!shell.me) return;
  el("health-updated").textContent = data.at
    ? shell.t("health_updated", { time: shell.dtg(data.at, shell.ZONES[0]) })
    : "";
  renderLinks();
  renderLedger();
  renderUsers();
}

function clear() {
  data.links = null;
  data.quarantine = [];
  data.ledger = null;
  data.users = null;
  data.errors = {};
  data.at = null;
  dirty = true;
  for (const id of ["links-rows", "quarantine-rows", "users-rows", "resume-forms"]) el(id).replaceChildren();
}

export function mount(given, section) {
  shell = given;
  root = section;
  el("health-refresh").addEventListener("click", () => refresh());
  el("ledger-verify-button").addEventListener("click", verifyNow);
  el("user-password-form").addEventListener("submit", onSetPassword);
  el("user-password-cancel").addEventListener("click", closePasswordDialog);
  // Closed however (Escape, Cancel, done): nothing typed is kept; the focus goes
  // back to the user's button (the row is redrawn after a success: found again).
  el("user-password-dialog").addEventListener("close", () => {
    el("user-password-form").reset();
    passwordError("");
    const was = passwordFor;
    passwordFor = null;
    if (!was) return;
    const again = root.querySelector(`tr[data-user="${CSS.escape(was.user.id)}"] button.set-password`);
    (again || was.button).focus();
  });
  // The shell's one stream of committed events: every one may move the ledger's head.
  shell.subscribe(() => refreshSoon());
  return {
    enter() {
      clear();
      if (root.classList.contains("active")) refresh();
    },
    leave() {
      closePasswordDialog();
      clear();
    },
    language: render,
    show() {
      // Events that came while the tab was hidden are read now, once.
      if (dirty) refresh();
    },
  };
}
