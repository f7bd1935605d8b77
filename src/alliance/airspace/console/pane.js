// The airspace desk's pane: coordination measures on a map by kind and status,
// the conflicts among those released to the reader's nation (each with the
// coordination request opened about it), conformance alerts, and the form a
// planner proposes a measure with (a polygon typed, or clicked on the map).
//
// The map is Leaflet, which the COP pane's head.html loads from this node (no
// CDN, no tiles: the measures are drawn on a plain background with a graticule).
// Outlines come from /airspace/measures.geojson: the node draws circles and
// corridors geodesically. Live: the shell's stream names each measure, link or
// alert that changed, and the pane refetches. Routes: #/airspace[/<measure id>].

import { LABELS } from "./i18n.js";

let shell = null;
let unsubscribe = null;

const enc = encodeURIComponent;
const LIVE = new Set([
  "airspace_volume", "airspace_measure", "airspace_coordination", "airspace_alert", "coordination_request",
]);
const COLOURS = {
  roz: "#b03a2e", uas_volume: "#1f77b4", uas_route: "#17becf", training_area: "#2ca02c",
  corridor: "#9467bd", restricted: "#8c564b", other: "#7f7f7f",
};

const st = {
  measures: [], conflicts: [], alerts: [], geo: null, map: null, layer: null, timer: null,
  seenAlerts: null, selected: null, framed: new Set(),
};

const $ = (id) => shell.$(id);
const t = (key, vars) => shell.t(key, vars);
const me = () => shell.me;
const label = (kind, code) => {
  const entry = LABELS[kind][code];
  return entry ? entry[shell.lang] || entry.en : code;
};

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

function showError(err) {
  const box = $("as-error");
  box.textContent = err ? (err instanceof shell.ApiError ? err.text() : String(err.message || err)) : "";
  box.hidden = !err;
}

const z = (iso) => shell.dtg(new Date(iso), shell.ZONES[0]);

// ---------------------------------------------------------------- loading

async function getJson(path) {
  return (await shell.api(path)).json();
}

async function loadAll() {
  try {
    const [measures, conflicts, alerts, geo] = await Promise.all([
      getJson("/airspace/measures"),
      getJson("/airspace/conflicts"),
      getJson("/airspace/alerts"),
      getJson("/airspace/measures.geojson"),
    ]);
    Object.assign(st, { measures, conflicts, alerts, geo });
    announceAlerts();
    render();
    showError(null);
  } catch (err) {
    if (!(err instanceof shell.ApiError && err.status === 401)) showError(err);
  }
}

function announceAlerts() {
  const ids = new Set(st.alerts.map((a) => a.id));
  if (st.seenAlerts !== null) {
    for (const a of st.alerts) {
      if (!st.seenAlerts.has(a.id)) {
        shell.notify(t("as_alert_toast", { callsign: a.callsign, designator: a.designator }));
      }
    }
  }
  st.seenAlerts = ids;
}

// ---------------------------------------------------------------- the map

function ensureMap() {
  if (st.map || !window.L) return;
  st.map = window.L.map($("as-map"), { attributionControl: false, worldCopyJump: true }).setView([35, 137], 5);
  const lines = [];
  for (let lat = -80; lat <= 80; lat += 5) lines.push([[lat, -180], [lat, 180]]);
  for (let lon = -180; lon <= 180; lon += 5) lines.push([[-85, lon], [85, lon]]);
  window.L.polyline(lines, { color: "#33414e", weight: 1, interactive: false }).addTo(st.map);
  loadLand();
  st.layer = window.L.layerGroup().addTo(st.map);
  st.map.on("click", (e) => {
    const box = $("as-f-coords");
    const line = `${e.latlng.lng.toFixed(4)}, ${e.latlng.lat.toFixed(4)}`;
    box.value = box.value.trim() ? `${box.value.trim()}\n${line}` : line;
  });
}

// The land, from the world atlas this node serves (as the COP pane draws it).
async function loadLand() {
  if (!window.topojson) return;
  try {
    const res = await fetch("/static/world-atlas/countries-50m.json");
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const world = await res.json();
    window.L.geoJSON(window.topojson.feature(world, world.objects.countries), {
      interactive: false,
      style: { color: "#4d5f70", weight: 0.8, fillColor: "#1d2833", fillOpacity: 1 },
    })
      .addTo(st.map)
      .bringToBack();
  } catch {
    // the measures still draw on the graticule
  }
}

function inConflict() {
  const ids = new Set();
  for (const c of st.conflicts) {
    ids.add(c.a);
    ids.add(c.b);
  }
  return ids;
}

function drawMap() {
  ensureMap();
  if (!st.map || !st.geo) return;
  st.layer.clearLayers();
  const conflicted = inConflict();
  const status = new Map(st.measures.map((m) => [m.id, m.status]));
  for (const f of st.geo.features) {
    const s = status.get(f.id) || f.properties.status;
    const hot = conflicted.has(f.id);
    const shape = window.L.geoJSON(f, {
      style: {
        color: hot ? "#d62728" : COLOURS[f.properties.kind] || "#555",
        weight: hot ? 3 : 2,
        dashArray: s === "proposed" ? "6 4" : null,
        fillOpacity: s === "withdrawn" || s === "expired" ? 0.03 : 0.15,
      },
    });
    shape.bindTooltip(
      `${f.properties.designator} · ${f.properties.owner} · ${label("kind", f.properties.kind)} · ${label("status", s)}`,
    );
    shape.addTo(st.layer);
    shape.eachLayer((l) => {
      const path = l.getElement?.();
      if (path) {
        path.dataset.measure = f.id;
        path.classList.toggle("as-hot", hot);
      }
    });
  }
  setTimeout(() => {
    if (!st.map) return;
    st.map.invalidateSize();
    // Frame the measures once, and again when one appears that is out of view.
    const bounds = window.L.geoJSON(st.geo).getBounds();
    const unseen = st.geo.features.some((f) => !st.framed.has(f.id));
    if (bounds.isValid() && unseen) st.map.fitBounds(bounds.pad(0.3), { maxZoom: 10 });
    st.framed = new Set(st.geo.features.map((f) => f.id));
  }, 0);
}

// ---------------------------------------------------------------- tables

function designator(id) {
  const m = st.measures.find((x) => x.id === id);
  return m ? m.designator : id;
}

function renderConflicts() {
  $("as-conflicts").replaceChildren(
    ...st.conflicts.map((c) => {
      let coord;
      if (!c.cross_nation) coord = el("span", { text: t("as_same_nation") });
      else if (c.request_id) {
        coord = el("button", { type: "button", class: "as-open-request", "data-request": c.request_id, text: t("as_open_request") });
        coord.addEventListener("click", () => shell.navigate(`acm/requests/${c.request_id}`));
      } else coord = el("span", { text: t("as_not_opened") });
      return el(
        "tr",
        { class: c.cross_nation ? "as-cross" : null, "data-a": c.a, "data-b": c.b },
        el("td", { text: `${c.a_designator} (${c.a_owner}) × ${c.b_designator} (${c.b_owner})` }),
        el("td", { class: "mono", text: t("as_apart", { m: Math.round(c.distance_m), ft: Math.round(c.vertical_gap_ft) }) }),
        el("td", {}, coord),
      );
    }),
  );
  $("as-no-conflicts").hidden = st.conflicts.length > 0;
}

function renderAlerts() {
  $("as-alerts").replaceChildren(
    ...st.alerts.map((a) => {
      const reasons = a.reasons.map((r) => label("reason", r)).join(", ");
      const lost = a.control_link === "lost" ? ` · ${t("as_link_lost")}` : "";
      return el("li", { "data-id": a.id, text: t("as_alert", { callsign: a.callsign, designator: a.designator, reasons, time: z(a.seen_at.iso) }) + lost });
    }),
  );
  $("as-no-alerts").hidden = st.alerts.length > 0;
}

function band(m) {
  const alt = m.volume.altitude;
  const one = (v, d) => (d === "FL" ? `FL${v}` : `${v} ${d}`);
  return `${one(alt.lower, alt.lower_datum)} – ${one(alt.upper, alt.upper_datum)}`;
}

function renderMeasures() {
  const mine = me() ? me().nation : null;
  $("as-measures").replaceChildren(
    ...st.measures.map((m) => {
      const actions = el("td", {});
      if (m.owner === mine && m.status === "proposed") {
        const approve = el("button", { type: "button", class: "as-approve", text: t("as_approve") });
        approve.addEventListener("click", () => act(m.id, "approve"));
        actions.append(approve);
      }
      if (m.owner === mine && m.status !== "withdrawn") {
        const withdraw = el("button", { type: "button", class: "as-withdraw", text: t("as_withdraw") });
        withdraw.addEventListener("click", () => act(m.id, "withdraw"));
        actions.append(withdraw);
      }
      return el(
        "tr",
        { "data-id": m.id, "data-status": m.status },
        el("td", { text: m.designator }),
        el("td", { text: label("kind", m.kind) }),
        el("td", { text: m.owner }),
        el("td", { class: "as-status", text: label("status", m.status) }),
        el("td", { class: "mono", text: band(m) }),
        el("td", { class: "mono", text: `${z(m.volume.window.start)} – ${z(m.volume.window.end)}` }),
        actions,
      );
    }),
  );
}

function renderKinds() {
  const pick = $("as-f-kind");
  const chosen = pick.value || "roz";
  pick.replaceChildren(
    ...Object.keys(LABELS.kind).map((k) => el("option", { value: k, selected: k === chosen, text: label("kind", k) })),
  );
}

function render() {
  renderMeasures();
  renderConflicts();
  renderAlerts();
  drawMap();
}

// ---------------------------------------------------------------- acting

async function act(id, what) {
  try {
    await shell.postJson(`/airspace/measures/${enc(id)}/${what}`, {});
    await loadAll();
  } catch (err) {
    showError(err);
  }
}

function coordinates() {
  const lines = $("as-f-coords").value.split("\n").map((l) => l.trim()).filter(Boolean);
  return lines.map((line, i) => {
    const parts = line.split(/[,\s]+/).filter(Boolean).map(Number);
    if (parts.length !== 2 || parts.some((p) => !Number.isFinite(p))) {
      throw new Error(t("as_f_bad_coords", { n: i + 1 }));
    }
    return parts;
  });
}

const utc = (local) => `${local}:00Z`;

async function propose(event) {
  event.preventDefault();
  try {
    const body = {
      designator: $("as-f-designator").value,
      kind: $("as-f-kind").value,
      name: $("as-f-name").value,
      volume: {
        footprint: { shape: "polygon", coordinates: coordinates() },
        altitude: {
          lower: Number($("as-f-lower").value), lower_datum: "MSL",
          upper: Number($("as-f-upper").value), upper_datum: "MSL",
        },
        window: { start: utc($("as-f-start").value), end: utc($("as-f-end").value) },
      },
      marking: { releasable_to: $("as-f-release").checked ? [partnerOf(me().nation)] : [] },
    };
    const made = await shell.postJson("/airspace/measures", body);
    shell.notify(t("as_proposed", { designator: made.designator }));
    $("as-form").reset();
    defaults();
    await loadAll();
    showError(null);
  } catch (err) {
    showError(err);
  }
}

// The partner nation: the other nation of the alliance (JPN <-> USA).
const partnerOf = (nation) => (nation === "JPN" ? "USA" : "JPN");

function defaults() {
  const now = new Date();
  const iso = (d) => d.toISOString().slice(0, 16);
  $("as-f-start").value = iso(new Date(now.getTime() + 3600e3));
  $("as-f-end").value = iso(new Date(now.getTime() + 5 * 3600e3));
  $("as-f-lower").value = "0";
  $("as-f-upper").value = "5000";
}

// ---------------------------------------------------------------- hooks

function onChange(notice) {
  if (notice && notice.type && !LIVE.has(notice.type)) return;
  clearTimeout(st.timer);
  st.timer = setTimeout(() => loadAll(), 250);
}

function enter() {
  if (unsubscribe) unsubscribe();
  unsubscribe = shell.subscribe(onChange);
  renderKinds();
  loadAll();
}

function leave() {
  if (unsubscribe) unsubscribe();
  unsubscribe = null;
  clearTimeout(st.timer);
}

function language() {
  if (!me()) return;
  renderKinds();
  render();
}

export function mount(given, section) {
  shell = Object.create(given, { section: { value: section } });
  $("as-form").addEventListener("submit", propose);
  $("as-f-clear").addEventListener("click", () => {
    $("as-f-coords").value = "";
  });
  defaults();
  return { enter, leave, language };
}
