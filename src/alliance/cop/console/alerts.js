// The alert list: what needs the operator now. A control link lost or
// degraded (for as long as it is), a track gone stale while watched, and a
// hostile contact new since sign-in. Read out by screen readers (aria-live),
// each a button that selects the track; dismissed until it happens again.

const ORDER = { lost: 0, degraded: 1, hostile: 2, stale: 3 };

export function install(view, shell) {
  const { t } = shell;
  const alerts = new Map(); // `${kind}:${uid}` -> { kind, uid, at }
  const dismissed = new Set();
  const wasStale = new Map(); // uid -> stale when last looked at

  const section = document.createElement("section");
  section.className = "alerts";
  section.id = "alerts";
  section.setAttribute("aria-labelledby", "alerts-title");
  section.innerHTML =
    '<h2 id="alerts-title"><span data-i18n="map_alerts_title"></span> ' +
    '<span class="alert-count" id="alert-count"></span></h2>' +
    '<p class="none" id="alerts-none" data-i18n="map_alerts_none"></p>' +
    '<ul class="alert-list" id="alert-list" aria-live="polite" aria-relevant="additions text"></ul>';
  const detail = shell.$("detail");
  detail.parentNode.insertBefore(section, detail);
  const headings = () => {
    for (const el of section.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  };
  headings();

  function raise(kind, uid, at) {
    const key = `${kind}:${uid}`;
    if (!alerts.has(key)) alerts.set(key, { kind, uid, at });
  }

  function clear(kind, uid) {
    alerts.delete(`${kind}:${uid}`);
    dismissed.delete(`${kind}:${uid}`);
  }

  // Sign-in (or the tools' start): a hostile reported after it is a new contact.
  let since = Date.now();

  // What look() last saw of each track: the same report, as stale as before,
  // gives the same alerts (a filter or a selection notifies every track it
  // touches, thousands at once on a large picture).
  const looked = new Map(); // uid -> track object

  function look(uid) {
    const track = view.tracks.get(uid);
    if (!track) {
      for (const kind of Object.keys(ORDER)) clear(kind, uid);
      wasStale.delete(uid);
      looked.delete(uid);
      return;
    }
    if (looked.get(uid) === track && wasStale.get(uid) === view.isStale(track)) return;
    looked.set(uid, track);
    for (const level of ["lost", "degraded"]) {
      if (track.unmanned && track.control_link === level) raise(level, uid, track.link_since || track.time);
      else clear(level, uid);
    }
    if (track.affiliation === "hostile") {
      // New: first seen here, and reported since sign-in.
      if (!wasStale.has(uid) && Date.parse(track.time) >= since) raise("hostile", uid, track.time);
    } else {
      clear("hostile", uid);
    }
    const stale = view.isStale(track);
    if (stale && wasStale.get(uid) === false) raise("stale", uid, track.stale);
    if (!stale) clear("stale", uid);
    wasStale.set(uid, stale);
  }

  function render() {
    const items = [...alerts.entries()]
      .filter(([key, a]) => !dismissed.has(key) && view.tracks.has(a.uid))
      .sort(([, a], [, b]) => ORDER[a.kind] - ORDER[b.kind] || Date.parse(b.at) - Date.parse(a.at));
    const list = shell.$("alert-list");
    const wanted = items.map(([key, a]) => {
      const track = view.tracks.get(a.uid);
      const text = `${t(`map_alert_${a.kind}`, { callsign: view.callsign(track) })} · ${shell.dtg(new Date(a.at), shell.ZONES[0])}`;
      return { key, a, text };
    });
    const now = [...list.children].map((li) => `${li.dataset.key}|${li.dataset.text}`);
    if (JSON.stringify(now) !== JSON.stringify(wanted.map((w) => `${w.key}|${w.text}`))) {
      const focused = document.activeElement?.closest?.("#alert-list li")?.dataset.key;
      list.replaceChildren(
        ...wanted.map(({ key, a, text }) => {
          const li = document.createElement("li");
          li.className = `alert alert-${a.kind}`;
          li.dataset.key = key;
          li.dataset.text = text;
          li.dataset.uid = a.uid;
          li.dataset.kind = a.kind;
          const go = document.createElement("button");
          go.type = "button";
          go.className = "alert-select";
          go.textContent = text;
          go.title = t("map_alert_select");
          go.addEventListener("click", () => view.select(a.uid, { pan: true }));
          const off = document.createElement("button");
          off.type = "button";
          off.className = "alert-dismiss";
          off.textContent = "×";
          off.setAttribute("aria-label", t("map_alert_dismiss"));
          off.title = t("map_alert_dismiss");
          off.addEventListener("click", () => {
            dismissed.add(key);
            render();
          });
          li.append(go, off);
          return li;
        }),
      );
      if (focused) list.querySelector(`li[data-key="${CSS.escape(focused)}"] .alert-select`)?.focus();
    }
    // Written only when it differs: a rewrite of the same text costs a layout
    // and a paint, and this runs up to 20 times a second while tracks move.
    const count = shell.$("alert-count");
    const shown = wanted.length ? String(wanted.length) : "";
    if (count.textContent !== shown) count.textContent = shown;
    const none = shell.$("alerts-none");
    if (none.hidden !== wanted.length > 0) none.hidden = wanted.length > 0;
    section.classList.toggle("has-alerts", wanted.length > 0);
    section.classList.toggle("has-lost", wanted.some((w) => w.a.kind === "lost"));
  }

  let pending = false;
  const schedule = () => {
    if (pending) return;
    pending = true;
    setTimeout(() => {
      pending = false;
      render();
    }, 50);
  };

  view.onTrackChange((uids) => {
    for (const uid of uids) look(uid);
    schedule();
  });
  view.onLeave(() => {
    alerts.clear();
    dismissed.clear();
    wasStale.clear();
    looked.clear();
    since = Date.now();
    schedule();
  });
  // A track turns stale by the clock.
  setInterval(() => {
    let changed = false;
    for (const [uid, before] of wasStale) {
      const track = view.tracks.get(uid);
      if (track && view.isStale(track) !== before) {
        look(uid);
        changed = true;
      }
    }
    if (changed) schedule();
  }, 1000);
  render();
  view.onLanguage(() => {
    headings();
    shell.$("alert-list").replaceChildren();
    render();
  });
}
