// The COP desk's console pane: the map, the filters, the track table, the
// selected track and the exports, kept live from /api/v1/cop/stream.
//
// Loaded by the console's shell (web/console/console.js), which calls
// mount(shell) once and then the hooks it returns. Libraries are the npm
// registry's browser builds, served by this node (head.html): Leaflet (L),
// milsymbol (ms), mgrs, topojson. Live updates are read with fetch() so that
// the token can go in the Authorization header.

import { LABELS, STRINGS } from "./i18n.js";
import { altitudeText, installOperations } from "./operations.js";

/* global L, ms, mgrs, topojson */

const INITIAL_VIEW = { center: [30, 135], zoom: 5 }; // Japan and the Western Pacific
const SYMBOL_SIZE = 30;

let shell = null; // what the console gives the pane: mount(shell)
let $, t, api, ApiError, dtg, ZONES;

const state = {
  tracks: new Map(), // uid -> track JSON as the API gives it
  markers: new Map(), // uid -> { marker, key }
  selected: null,
  filters: { owner: "", affiliation: "", domain: "", stale: true },
  live: "off",
  stream: null, // AbortController of the running stream
  renderPending: false,
  events: 0,
};

let map = null;
let markerLayer = null;
let uasLayer = null; // lost-link routes and control stations of unmanned aircraft
let areaLayer = null; // the exercise's notional areas (the OPFOR's training box)
let scenario = null; // /cop/exercise once exercise data is on the picture: null, "asked" or it
let zoomControl = null;

// The pane's interface for the map's operator tools (operations.js), the same
// shape as the faster pane's `view` (issue 12, item 6): the map, the tracks,
// selection, and calls on map, change (the changed uids, once per render),
// select, language and leave.
const listeners = { map: [], change: [], select: [], language: [], leave: [] };
const changed = new Set();
const notify = (kind, arg) => listeners[kind].forEach((fn) => fn(arg));
const view = {
  map: null,
  tracks: state.tracks,
  get selected() {
    return state.selected;
  },
  visible: (track) => visible(track),
  isStale: (track) => isStale(track),
  select: (uid, { pan = false } = {}) => select(uid, { pan }),
  onMap: (fn) => listeners.map.push(fn),
  onTrackChange: (fn) => listeners.change.push(fn),
  onSelect: (fn) => listeners.select.push(fn),
  onLanguage: (fn) => listeners.language.push(fn),
  onLeave: (fn) => listeners.leave.push(fn),
};
view.onMap(() => installOperations(view, shell));

const pad = (n) => String(n).padStart(2, "0");

function label(kind, code) {
  const entry = LABELS[kind][code];
  return entry ? entry[shell.lang] : code;
}

const isStale = (track) => Date.parse(track.stale) <= Date.now();

// ---------------------------------------------------------------- the pane's hooks

export function mount(given) {
  shell = given;
  ({ $, t, api, ApiError, dtg, ZONES } = shell);
  for (const id of ["f-owner", "f-affiliation", "f-domain", "f-stale"]) {
    $(id).addEventListener("change", onFilter);
  }
  $("export-geojson").addEventListener("click", () => download("/cop/export.geojson", "geojson"));
  $("export-kml").addEventListener("click", () => download("/cop/export.kml", "kml"));
  return { enter, leave, language, tick, show };
}

function enter() {
  if (!map) initMap();
  map.invalidateSize();
  renderNow();
  if (state.stream) state.stream.abort();
  state.stream = new AbortController();
  runStream(state.stream);
}

function leave() {
  if (state.stream) state.stream.abort();
  state.stream = null;
  state.tracks.clear();
  state.selected = null;
  if (markerLayer) markerLayer.clearLayers();
  state.markers.clear();
  if (areaLayer) areaLayer.clearLayers();
  scenario = null;
  state.live = "off";
  renderNow();
  notify("leave");
}

function language() {
  if (map) {
    mapControls();
    for (const uid of state.markers.keys()) drawMarker(uid);
  }
  fillFilterOptions();
  renderNow();
  notify("language", shell.lang);
}

// A track turns stale by the clock, not only by a report.
function tick() {
  for (const track of state.tracks.values()) {
    const entry = state.markers.get(track.uid);
    if (entry && entry.key !== markerKey(track)) scheduleRender();
  }
}

function show() {
  if (map) map.invalidateSize();
}

// ---------------------------------------------------------------- map

function initMap() {
  map = L.map("map", {
    zoomControl: false,
    minZoom: 2,
    maxZoom: 13,
    worldCopyJump: true,
    attributionControl: true,
  }).setView(INITIAL_VIEW.center, INITIAL_VIEW.zoom);
  map.createPane("basemap").style.zIndex = 200;
  mapControls();
  L.control.scale({ imperial: false, position: "bottomleft" }).addTo(map);
  graticule().addTo(map);
  areaLayer = L.layerGroup().addTo(map);
  uasLayer = L.layerGroup().addTo(map);
  markerLayer = L.layerGroup().addTo(map);
  loadBasemap();
  window.allianceMap = map;
  view.map = map;
  notify("map", map);
}

function mapControls() {
  if (zoomControl) zoomControl.remove();
  zoomControl = L.control
    .zoom({ position: "topleft", zoomInTitle: t("zoom_in"), zoomOutTitle: t("zoom_out") })
    .addTo(map);
  map.attributionControl.setPrefix(false);
  for (const text of Object.values(STRINGS.attribution)) map.attributionControl.removeAttribution(text);
  map.attributionControl.addAttribution(t("attribution"));
}

function graticule() {
  const lines = [];
  for (let lon = -180; lon <= 180; lon += 10) lines.push([[-85, lon], [85, lon]]);
  for (let lat = -80; lat <= 80; lat += 10) lines.push([[lat, -180], [lat, 180]]);
  return L.polyline(lines, { pane: "basemap", color: "#2b3b4b", weight: 0.6, interactive: false });
}

async function loadBasemap() {
  try {
    const res = await fetch("/static/world-atlas/countries-50m.json");
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const world = await res.json();
    L.geoJSON(topojson.feature(world, world.objects.countries), {
      pane: "basemap",
      interactive: false,
      style: { color: "#4d5f70", weight: 0.8, fillColor: "#1d2833", fillOpacity: 1 },
      className: "land-coarse", // hidden where operations.js draws the 1:10m coastline
    }).addTo(map);
    document.body.dataset.basemap = "ready";
  } catch (err) {
    document.body.dataset.basemap = "failed";
    console.warn(t("basemap_failed"), err);
  }
}

function symbolFor(track) {
  return new ms.Symbol(track.sidc, {
    size: SYMBOL_SIZE,
    outlineWidth: 2,
    outlineColor: "rgba(8, 12, 16, 0.85)",
  });
}

function markerKey(track) {
  return [
    track.sidc,
    track.callsign,
    isStale(track),
    state.selected === track.uid,
    shell.lang,
    track.control_link,
    track.operator_nation,
    track.how,
    track.exercise,
  ].join("|");
}

function markerIcon(track) {
  const symbol = symbolFor(track);
  const size = symbol.getSize();
  const anchor = symbol.getAnchor();
  const root = document.createElement("div");
  root.className = "trk";
  root.classList.toggle("stale", isStale(track));
  root.classList.toggle("selected", state.selected === track.uid);
  root.classList.toggle("estimated", Boolean(track.estimated));
  root.dataset.uid = track.uid;
  root.dataset.exercise = track.exercise ? "true" : "false";
  root.dataset.affiliation = track.affiliation;
  const img = document.createElement("img");
  img.className = "sym";
  img.src = symbol.toDataURL();
  img.alt = track.callsign;
  img.style.width = `${size.width}px`;
  img.style.height = `${size.height}px`;
  img.dataset.ax = String(anchor.x);
  img.dataset.ay = String(anchor.y);
  root.append(img);
  const text = document.createElement("div");
  text.className = "lbl";
  text.style.left = `${size.width + 3}px`;
  text.style.top = `${anchor.y - 8}px`;
  const name = document.createElement("span");
  name.textContent = track.callsign;
  text.append(name);
  if (track.unmanned) {
    const uas = document.createElement("span");
    uas.className = `uas link-${track.control_link || "unknown"}`;
    uas.textContent = t("uas_label", {
      nation: track.operator_nation || t("unknown_value"),
      link: track.control_link ? label("link", track.control_link) : t("unknown_value"),
    });
    if (track.estimated) uas.textContent += ` · ${t("estimated")}`;
    text.append(uas);
  }
  root.append(text);
  return L.divIcon({
    html: root,
    className: "trk-icon",
    iconSize: [size.width, size.height],
    iconAnchor: [anchor.x, anchor.y],
  });
}

function drawMarker(uid) {
  changed.add(uid);
  const track = state.tracks.get(uid);
  let entry = state.markers.get(uid);
  if (!track) {
    if (entry) markerLayer.removeLayer(entry.marker);
    state.markers.delete(uid);
    return;
  }
  const key = markerKey(track);
  if (!entry) {
    const marker = L.marker([track.lat, track.lon], { icon: markerIcon(track), keyboard: false });
    marker.on("click", () => select(uid, { pan: false }));
    entry = { marker, key };
    state.markers.set(uid, entry);
  } else {
    entry.marker.setLatLng([track.lat, track.lon]);
    if (entry.key !== key) {
      entry.marker.setIcon(markerIcon(track));
      entry.key = key;
    }
  }
  entry.marker.setZIndexOffset(state.selected === uid ? 1000 : 0);
  const shown = visible(track);
  if (shown && !markerLayer.hasLayer(entry.marker)) markerLayer.addLayer(entry.marker);
  if (!shown && markerLayer.hasLayer(entry.marker)) markerLayer.removeLayer(entry.marker);
}

// ---------------------------------------------------------------- the picture

function visible(track) {
  const f = state.filters;
  return (
    (!f.owner || track.owner === f.owner) &&
    (!f.affiliation || track.affiliation === f.affiliation) &&
    (!f.domain || track.domain === f.domain) &&
    (f.stale || !isStale(track))
  );
}

function upsert(track) {
  // Belt and braces: the node sends only what is released to us.
  if (!shell.me || !track.marking.releasable_to.includes(shell.me.nation)) return;
  const held = state.tracks.get(track.uid);
  // An older report of the same track is stale; another nation's track under
  // this uid is what the node now shows us instead (one track per uid).
  if (held && held.owner === track.owner && Date.parse(held.time) > Date.parse(track.time)) {
    return;
  }
  state.tracks.set(track.uid, track);
  drawMarker(track.uid);
  scheduleRender();
}

function replacePicture(tracks) {
  const uids = new Set(tracks.map((tr) => tr.uid));
  for (const uid of [...state.tracks.keys()]) {
    if (!uids.has(uid)) {
      state.tracks.delete(uid);
      drawMarker(uid);
    }
  }
  for (const track of tracks) upsert(track);
}

function scheduleRender() {
  if (state.renderPending) return;
  state.renderPending = true;
  setTimeout(renderNow, 25);
}

function renderNow() {
  state.renderPending = false;
  for (const uid of state.markers.keys()) drawMarker(uid);
  renderExercise();
  drawUas();
  fillFilterOptions();
  renderTable();
  renderDetail();
  renderLive();
  if (changed.size) notify("change", new Set(changed));
  changed.clear();
}

function sortedTracks() {
  return [...state.tracks.values()].sort(
    (a, b) =>
      a.owner.localeCompare(b.owner) ||
      a.callsign.localeCompare(b.callsign) ||
      a.uid.localeCompare(b.uid),
  );
}

function cell(text, className) {
  const td = document.createElement("td");
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

// Day-hour-minute and zone in the table; the whole DTG on hover.
function timeCell(at) {
  const full = dtg(at, ZONES[0]);
  const td = cell(full.slice(0, 7), "mono");
  td.title = full;
  return td;
}

function renderTable() {
  const rows = [];
  let shown = 0;
  for (const track of sortedTracks()) {
    if (!visible(track)) continue;
    shown += 1;
    const tr = document.createElement("tr");
    tr.dataset.uid = track.uid;
    tr.classList.toggle("stale", isStale(track));
    tr.classList.toggle("selected", state.selected === track.uid);
    const name = cell(track.callsign, "callsign");
    name.title = track.callsign;
    if (track.exercise) {
      const badge = document.createElement("span");
      badge.className = "badge exercise";
      badge.textContent = t("exercise_badge");
      badge.title = track.exercise_name;
      name.prepend(badge, " ");
    }
    if (track.unmanned) {
      const badge = document.createElement("span");
      badge.className = `badge link-${track.control_link || "unknown"}`;
      badge.textContent = t("uas");
      name.append(" ", badge);
    }
    if (isStale(track)) {
      const badge = document.createElement("span");
      badge.className = "badge stale";
      badge.textContent = t("stale");
      name.append(" ", badge);
    }
    tr.append(
      name,
      cell(track.owner),
      cell(label("domain", track.domain)),
      cell(label("affiliation", track.affiliation), `aff aff-${track.affiliation}`),
      cell(`${track.lat.toFixed(3)} ${track.lon.toFixed(3)}`, "mono"),
      timeCell(new Date(track.time)),
      cell(track.marking.releasable_to.join(" "), "mono"),
    );
    tr.tabIndex = 0;
    tr.addEventListener("click", () => select(track.uid, { pan: true }));
    tr.addEventListener("keydown", (event) => {
      if (event.key === "Enter") select(track.uid, { pan: true });
    });
    rows.push(tr);
  }
  const focused = document.activeElement?.closest?.("#track-rows tr")?.dataset.uid;
  $("track-rows").replaceChildren(...rows);
  if (focused) rows.find((row) => row.dataset.uid === focused)?.focus();
  $("table-empty").hidden = shown > 0;
  $("count").textContent = t("count", { shown, total: state.tracks.size });
}

function fillFilterOptions() {
  const owners = [...new Set([...state.tracks.values()].map((tr) => tr.owner))].sort();
  if (state.filters.owner && !owners.includes(state.filters.owner)) owners.push(state.filters.owner);
  fillSelect($("f-owner"), owners.map((o) => [o, o]), state.filters.owner);
  fillSelect(
    $("f-affiliation"),
    Object.keys(LABELS.affiliation).map((a) => [a, label("affiliation", a)]),
    state.filters.affiliation,
  );
  fillSelect(
    $("f-domain"),
    Object.keys(LABELS.domain).map((d) => [d, label("domain", d)]),
    state.filters.domain,
  );
}

function fillSelect(select, options, value) {
  const wanted = [["", t("filter_all")], ...options];
  const now = [...select.options].map((o) => [o.value, o.textContent]);
  if (JSON.stringify(now) !== JSON.stringify(wanted)) {
    select.replaceChildren(
      ...wanted.map(([v, text]) => {
        const option = document.createElement("option");
        option.value = v;
        option.textContent = text;
        return option;
      }),
    );
  }
  select.value = value;
}

function onFilter() {
  state.filters = {
    owner: $("f-owner").value,
    affiliation: $("f-affiliation").value,
    domain: $("f-domain").value,
    stale: $("f-stale").checked,
  };
  renderNow();
}

function select(uid, { pan }) {
  state.selected = uid;
  const track = state.tracks.get(uid);
  if (track && pan) map.panTo([track.lat, track.lon], { animate: false });
  renderNow();
  notify("select", uid);
}

// ---------------------------------------------------------------- exercise data

// The EXERCISE banner: shown whenever any track on the picture is exercise data.
function renderExercise() {
  const names = [
    ...new Set(
      [...state.tracks.values()].filter((tr) => tr.exercise).map((tr) => tr.exercise_name || "EXERCISE"),
    ),
  ].sort();
  const el = $("exercise-banner");
  el.hidden = names.length === 0;
  el.textContent = names.length ? t("exercise_banner", { names: names.join(", ") }) : "";
  document.body.dataset.exercise = names.length ? "shown" : "none";
  if (names.length && scenario === null) loadScenario();
  drawAreas(names.length > 0);
}

async function loadScenario() {
  scenario = "asked";
  try {
    const res = await api("/cop/exercise");
    scenario = await res.json();
  } catch (err) {
    scenario = null;
    return;
  }
  scheduleRender();
}

// The exercise's notional areas, labelled as the node names them (FICTIONAL).
function drawAreas(shown) {
  if (!areaLayer) return;
  areaLayer.clearLayers();
  if (!shown || !scenario || scenario === "asked") return;
  for (const area of scenario.areas) {
    const box = L.polygon(area.polygon, {
      color: "#d6c200",
      weight: 1.5,
      dashArray: "8 4",
      fillOpacity: 0.05,
      interactive: false,
      className: "exercise-area",
    });
    areaLayer.addLayer(box);
    // The label above the box, clear of the tracks inside it.
    const north = Math.max(...area.polygon.map(([lat]) => lat));
    const lons = area.polygon.map(([, lon]) => lon);
    const label = L.tooltip({ permanent: true, direction: "top", className: "exercise-area-label" })
      .setLatLng([north, (Math.min(...lons) + Math.max(...lons)) / 2])
      .setContent(area.name[shell.lang]);
    areaLayer.addLayer(label);
  }
}

// Each shown unmanned aircraft's lost-link route (dashed) and control station.
function drawUas() {
  if (!uasLayer) return;
  uasLayer.clearLayers();
  for (const track of state.tracks.values()) {
    if (!track.unmanned || !visible(track)) continue;
    const route = track.lost_link_route || [];
    if (route.length) {
      const line = L.polyline([[track.lat, track.lon], ...route], {
        color: track.control_link === "lost" ? "#ff6b6b" : "#9fb3c8",
        weight: 1.5,
        dashArray: "6 6",
        interactive: false,
      });
      line.getElement?.()?.setAttribute("data-uid", track.uid);
      uasLayer.addLayer(line);
    }
    const station = track.control_station;
    if (station && station.lat !== null && station.lon !== null) {
      const mark = L.circleMarker([station.lat, station.lon], {
        radius: 4,
        color: "#9fb3c8",
        weight: 1,
        fillOpacity: 0.6,
      }).bindTooltip(station.name);
      uasLayer.addLayer(mark);
    }
  }
}

// Time in state as of the report (the track's time), in whole minutes.
function minutesInState(track) {
  return Math.max(0, Math.floor((Date.parse(track.time) - Date.parse(track.link_since)) / 60000));
}

// ---------------------------------------------------------------- selected track

function latLonText(lat, lon) {
  const ns = lat >= 0 ? "N" : "S";
  const ew = lon >= 0 ? "E" : "W";
  return `${Math.abs(lat).toFixed(5)}° ${ns}, ${Math.abs(lon).toFixed(5)}° ${ew}`;
}

// MGRS to 1 m, grouped as zone+band, 100 km square, easting, northing.
function mgrsText(lat, lon) {
  if (lat < -80 || lat > 84) return t("unknown_value"); // polar: UPS, not MGRS
  const ref = mgrs.forward([lon, lat], 5);
  const m = /^(\d{1,2}[C-X])([A-Z]{2})(\d{5})(\d{5})$/.exec(ref);
  return m ? `${m[1]} ${m[2]} ${m[3]} ${m[4]}` : ref;
}

function renderDetail() {
  const track = state.selected ? state.tracks.get(state.selected) : null;
  $("detail-none").hidden = Boolean(track);
  $("detail-body").hidden = !track;
  $("detail").classList.toggle("stale", Boolean(track && isStale(track)));
  if (!track) return;
  $("d-symbol").src = symbolFor(track).toDataURL();
  $("d-callsign").textContent = track.callsign;
  $("d-banner").textContent = track.marking.banner[shell.lang];
  $("d-uid").textContent = track.uid;
  $("d-owner").textContent = track.owner;
  $("d-sidc").textContent = track.sidc;
  $("d-type").textContent =
    `${label("domain", track.domain)} / ${label("affiliation", track.affiliation)}`;
  $("d-exercise").textContent = track.exercise
    ? t("exercise_yes", { name: track.exercise_name || "EXERCISE" })
    : t("exercise_no");
  $("d-latlon").textContent =
    latLonText(track.lat, track.lon) + (track.estimated ? ` — ${t("estimated_position")}` : "");
  $("d-mgrs").textContent = mgrsText(track.lat, track.lon);
  $("d-hae").textContent = altitudeText(track, shell);
  const course = track.course === null ? "---" : `${pad(Math.round(track.course)).padStart(3, "0")}°`;
  const speed = track.speed === null ? "--" : `${(track.speed * 1.943844).toFixed(1)} kn`;
  $("d-course").textContent = `${course} / ${speed}`;
  const at = new Date(track.time);
  $("d-time").replaceChildren(
    ...ZONES.map((zone) => {
      const line = document.createElement("div");
      line.dataset.zone = zone.id;
      line.textContent = `${dtg(at, zone)}  ${zone.name}`;
      return line;
    }),
  );
  const stale = $("d-stale");
  stale.textContent = dtg(new Date(track.stale), ZONES[0]);
  if (isStale(track)) {
    const badge = document.createElement("span");
    badge.className = "badge stale";
    badge.textContent = t("stale");
    stale.append(" ", badge);
  }
  for (const el of document.querySelectorAll("#detail .uas-only")) el.hidden = !track.unmanned;
  $("d-operator").textContent = track.operator_nation || t("unknown_value");
  const link = $("d-link");
  link.textContent = track.control_link ? label("link", track.control_link) : t("unknown_value");
  if (track.control_link && track.link_since) {
    link.textContent = t("link_state", {
      link: label("link", track.control_link),
      minutes: minutesInState(track),
      since: dtg(new Date(track.link_since), ZONES[0]),
    });
  }
  const station = track.control_station;
  $("d-station").textContent = station
    ? station.lat === null
      ? station.name
      : `${station.name} — ${latLonText(station.lat, station.lon)}`
    : t("unknown_value");
  const route = track.lost_link_route || [];
  $("d-llr").textContent = route.length
    ? t("route_points", {
        count: route.length,
        points: route.map(([la, lo]) => `${la.toFixed(2)} ${lo.toFixed(2)}`).join(" → "),
      })
    : t("unknown_value");
  for (const level of ["ok", "degraded", "lost", "unknown"]) {
    link.classList.toggle(`link-${level}`, (track.control_link || "unknown") === level);
  }
  $("d-source").textContent = track.source;
  $("d-remarks").textContent = track.remarks || t("unknown_value");
}

// ---------------------------------------------------------------- live updates

function renderLive() {
  const el = $("live");
  el.dataset.state = state.live;
  el.textContent = t(`live_${state.live}`);
}

function setLive(value) {
  state.live = value;
  renderLive();
}

function sleep(ms, signal) {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

// Server-sent events, parsed by hand: EventSource cannot send the token header.
function handleEvent(block) {
  let name = "message";
  const data = [];
  for (const line of block.split(/\r?\n/)) {
    if (!line || line.startsWith(":")) continue;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
    if (field === "event") name = value;
    else if (field === "data") data.push(value);
  }
  if (name === "track" && data.length) {
    state.events += 1;
    upsert(JSON.parse(data.join("\n")));
  } else if (name === "banner" && data.length) {
    const marking = JSON.parse(data.join("\n"));
    shell.setBanner(marking.banner, marking.tlp_label, marking.note);
  } else if (name === "withdrawn" && data.length) {
    // The owner no longer releases it to us: it leaves the map and the table.
    const { uid } = JSON.parse(data.join("\n"));
    if (state.tracks.delete(uid)) {
      drawMarker(uid);
      scheduleRender();
    }
  }
}

async function runStream(ctrl) {
  let delay = 1000;
  while (!ctrl.signal.aborted) {
    try {
      setLive("connecting");
      // The whole picture first (it also drops what is no longer released), then the stream.
      const res = await api("/cop/tracks", { signal: ctrl.signal });
      replacePicture(await res.json());
      const stream = await fetch(`${shell.API}/cop/stream`, {
        headers: { ...shell.auth(), Accept: "text/event-stream" },
        signal: ctrl.signal,
        cache: "no-store",
      });
      if (stream.status === 401) {
        shell.signOut("signin_expired");
        return;
      }
      if (!stream.ok || !stream.body) throw new Error(`HTTP ${stream.status}`);
      setLive("live");
      delay = 1000;
      const reader = stream.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        for (let m = /\r?\n\r?\n/.exec(buffer); m; m = /\r?\n\r?\n/.exec(buffer)) {
          handleEvent(buffer.slice(0, m.index));
          buffer = buffer.slice(m.index + m[0].length);
        }
      }
    } catch (err) {
      if (ctrl.signal.aborted) return;
      if (err instanceof ApiError && err.status === 401) return; // signed out already
    }
    if (ctrl.signal.aborted) return;
    setLive("retrying");
    await sleep(delay, ctrl.signal);
    delay = Math.min(delay * 2, 15000);
  }
}

// ---------------------------------------------------------------- exports

async function download(path, extension) {
  const el = $("export-error");
  el.hidden = true;
  try {
    const res = await api(path);
    const blob = await res.blob();
    const url = URL.createObjectURL(blob);
    const a = document.createElement("a");
    const stamp = dtg(new Date(), ZONES[0]).replace(/ /g, "");
    a.href = url;
    a.download = `cop-${shell.me.nation}-${stamp}.${extension}`;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  } catch (err) {
    el.textContent = t("export_failed", { why: err instanceof ApiError ? err.text() : String(err) });
    el.hidden = false;
  }
}
