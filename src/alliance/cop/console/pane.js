// The COP desk's console pane: the map, the filters, the track table, the
// selected track and the exports, kept live from /api/v1/cop/stream.
//
// Loaded by the console's shell (web/console/console.js), which calls
// mount(shell) once and then the hooks it returns. Libraries are the npm
// registry's browser builds, served by this node (head.html): Leaflet (L),
// milsymbol (ms), mgrs, topojson. Live updates are read with fetch() so that
// the token can go in the Authorization header.
//
// Fast at thousands of tracks (issue 12, item 6; measured by bench/console.py):
// - a stream update only stores the track and marks its uid dirty; one
//   requestAnimationFrame callback per frame (frame()) applies what changed;
// - markers live in a Map uid -> marker and are moved (setLatLng) and
//   re-labelled in place, never rebuilt for a position; symbol images are
//   drawn once per SIDC (symbolImage) and shared by every marker and the
//   detail;
// - the table is virtual: only the rows in view (plus a margin) are in the
//   DOM, between two spacer bodies, at a fixed row height; sorting and
//   filtering work on data (state.order), and a row is rewritten only when
//   what it shows changed, for reports at most every TABLE_STREAM_MS (each
//   rewrite costs the page a layout and a paint), at once for what the user
//   did;
// - above DOM_MARKERS_MAX tracks the markers give way to one canvas
//   (tracklayer.js): measured, 2,000 DOM markers cost the browser most of each
//   frame in paint and compositing however little script runs; below it each
//   track keeps a DOM marker (its label selectable, its element addressable);
//   the canvas keeps what it drew per track and redraws only where tracks
//   moved, at most every CANVAS_STREAM_MS for reports, at once for a
//   selection, a filter or a language; its labels are decluttered and its
//   tracks have hover tooltips (labels.js, on the canvas's kept boxes);
// - nothing is written to the page that did not change (a rewrite of the
//   same text still costs a layout and a paint);
// - the basemap (CoveringSVG) is redrawn only when the view leaves what it
//   drew: a pan no longer rewrites the whole coastline;
// - selecting a track paints its detail at once, before anything else;
//   a language switch re-labels the visible rows, the filters, the detail and
//   the unmanned aircraft's labels, nothing else.
//
// `view` (exported, below) is the pane's small internal interface for map
// tools that live in files of their own in this folder (grid, cursor readout,
// range and bearing, scale, trails, alerts...). A tool gets it and hooks in:
//
//   view.map                  the Leaflet map (null until the pane is first
//                             entered; use view.onMap(fn) to be called with it)
//   view.tracks               Map uid -> track JSON as the API gives it (read only)
//   view.selected             the selected uid, or null
//   view.lang, view.t(key, vars), view.label(kind, code)
//                             the language, a string of the console's tables,
//                             a code's label (LABELS in i18n.js)
//   view.visible(track), view.isStale(track)
//                             whether the filters show it; whether it is stale now
//   view.callsign(track), view.otherCallsign(track)
//                             its callsign in the user's language (the Japanese one
//                             where given, in Japanese), and the other language's
//                             when it differs ("" if not)
//   view.marker(uid)          its L.Marker (null when it has none, e.g. on the canvas)
//   view.canvas               whether the tracks are drawn on the canvas now
//   view.trackLayer           the canvas layer (tracklayer.js) while it draws, else null
//   view.select(uid, {pan})   select a track (or null), as a click does
//   view.onMap(fn)            fn(map) once the map exists
//   view.onCanvas(fn)         fn(layer) once the canvas layer exists (a large picture)
//   view.onTrackChange(fn)    fn(uids): once per frame, the uids whose track, visibility
//                             or staleness changed (gone ones are no longer in view.tracks)
//   view.onSelect(fn)         fn(uid or null) after a selection
//   view.onLanguage(fn)       fn(lang) after a language switch
//   view.onLeave(fn)          fn() on sign-out, after the picture is cleared
//
// Listeners run inside the frame: keep them incremental (only the given uids).

import { LABELS, STRINGS } from "./i18n.js";
import { altitudeText, installOperations } from "./operations.js";
import { createTrackLayer } from "./tracklayer.js";

/* global L, ms, mgrs, topojson */

const INITIAL_VIEW = { center: [30, 135], zoom: 5 }; // Japan and the Western Pacific
const SYMBOL_SIZE = 30;
const FRAME_BUDGET_MS = 8; // marker work per frame; the rest waits for the next frame
const OVERSCAN = 8; // rows drawn above and below the table's view
const DOM_MARKERS_MAX = 250; // more tracks than this: drawn on a canvas (back below 200)
const CANVAS_STREAM_MS = 50; // the canvas redraws for reports at most 20 times a second
const TABLE_STREAM_MS = 250; // rows re-filled for reports at most 4 times a second
const collate = new Intl.Collator().compare; // as String.localeCompare, many times faster

let shell = null; // what the console gives the pane: mount(shell)
let $, t, api, ApiError, dtg, ZONES;

const state = {
  tracks: new Map(), // uid -> track JSON as the API gives it
  staleAt: new Map(), // uid -> ms since the epoch
  staleShown: new Map(), // uid -> whether it was stale when last drawn
  markers: new Map(), // uid -> { marker, root, name, uas, sidc }
  uas: new Map(), // uid -> [layers]: an unmanned aircraft's route and control station
  owners: new Map(), // owner -> how many tracks
  exercises: new Map(), // uid -> exercise name, for tracks that are exercise data
  exerciseKey: "",
  selected: null,
  filters: { owner: "", affiliation: "", domain: "", stale: true, search: "" },
  live: "off",
  stream: null, // AbortController of the running stream
  events: 0,
  dirty: new Set(), // uids whose marker, route or row may need redrawing
  framePending: false,
  order: [], // the table: uids that pass the filters, sorted
  orderDirty: true,
  ownersDirty: true,
  exerciseDirty: true,
  detailDirty: false,
  rows: new Map(), // uid -> { tr, key }: the rows now in the DOM
  windowUids: [], // their order
  rowH: 21, // px; measured from the first drawn row
  rowHMeasured: false,
  scrollTop: 0,
  viewH: 600,
  countText: "",
  canvas: false, // the tracks are drawn on trackLayer, not as DOM markers
  canvasDirty: false,
  canvasUrgent: false, // a selection, filter or language: draw in this frame
  canvasChanged: new Set(), // uids to redraw on the canvas
  canvasDrawnAt: 0,
  tableUrgent: true, // a selection, scroll or resize: the table in this frame
  tableDrawnAt: 0,
  tableLate: false, // rows wait for the next re-fill
  tableView: "", // scrollTop|viewH as last drawn
};

let map = null;
let markerLayer = null;
let uasLayer = null; // lost-link routes and control stations of unmanned aircraft
let areaLayer = null; // the exercise's notional areas (the OPFOR's training box)
let scenario = null; // /cop/exercise once exercise data is on the picture: null, "asked" or it
let zoomControl = null;
let trackLayer = null; // the canvas, once a picture has needed it
let basemapRenderer = null;

// The basemap's renderer. Leaflet's SVG renderer re-clips and rewrites every
// path after each move; the coastline is large, so each pan (a row click pans)
// cost hundreds of milliseconds. This one redraws only when the view leaves
// what it drew (half a view of margin each side), or after a zoom or resize.
const CoveringSVG = L.SVG.extend({
  _update() {
    const m = this._map;
    if (m._animatingZoom && this._bounds) return;
    const size = m.getSize();
    const seen = L.bounds(m.containerPointToLayerPoint([0, 0]), m.containerPointToLayerPoint(size));
    if (
      this._bounds &&
      this._drawn === `${m.getZoom()}|${size.x}|${size.y}` &&
      this._bounds.contains(seen)
    ) {
      return;
    }
    this._drawn = `${m.getZoom()}|${size.x}|${size.y}`;
    L.SVG.prototype._update.call(this);
  },
});

const pad = (n) => String(n).padStart(2, "0");

function label(kind, code) {
  const entry = LABELS[kind][code];
  return entry ? entry[shell.lang] : code;
}

function isStale(track) {
  const at = state.staleAt.get(track.uid);
  return (at === undefined ? Date.parse(track.stale) : at) <= Date.now();
}

// A track's callsign and remarks in the user's language: in Japanese the
// Japanese ones where the owner gave them, else the English (or only) ones.
// The other language's is shown on hover and in the detail: nothing is hidden.
function callsignOf(track) {
  return shell.lang === "ja" && track.callsign_ja ? track.callsign_ja : track.callsign;
}

function otherCallsign(track) {
  const other = shell.lang === "ja" ? track.callsign : track.callsign_ja;
  return other && other !== callsignOf(track) ? other : "";
}

function remarksOf(track) {
  return shell.lang === "ja" && track.remarks_ja ? track.remarks_ja : track.remarks;
}

function otherRemarks(track) {
  const other = shell.lang === "ja" ? track.remarks : track.remarks_ja;
  return other && other !== remarksOf(track) ? other : "";
}

// Both callsigns, the user's language first (a hover title).
function bothCallsigns(track) {
  const other = otherCallsign(track);
  return other ? `${callsignOf(track)} / ${other}` : callsignOf(track);
}

// ---------------------------------------------------------------- the pane's interface for tools

const listeners = { map: [], canvas: [], change: [], select: [], language: [], leave: [] };

function notify(kind, arg) {
  for (const fn of listeners[kind]) {
    try {
      fn(arg);
    } catch (err) {
      console.error(err); // one tool's fault does not stop the picture
    }
  }
}

export const view = {
  map: null,
  tracks: state.tracks,
  get selected() {
    return state.selected;
  },
  get lang() {
    return shell.lang;
  },
  t: (key, vars) => t(key, vars),
  label,
  visible: (track) => visible(track),
  isStale,
  callsign: callsignOf,
  otherCallsign,
  marker: (uid) => state.markers.get(uid)?.marker ?? null,
  get canvas() {
    return state.canvas;
  },
  get trackLayer() {
    return state.canvas ? trackLayer : null;
  },
  select: (uid, { pan = false } = {}) => select(uid, { pan }),
  onMap(fn) {
    listeners.map.push(fn);
    if (map) fn(map);
  },
  onCanvas(fn) {
    listeners.canvas.push(fn);
    if (trackLayer) fn(trackLayer);
  },
  onTrackChange: (fn) => listeners.change.push(fn),
  onSelect: (fn) => listeners.select.push(fn),
  onLanguage: (fn) => listeners.language.push(fn),
  onLeave: (fn) => listeners.leave.push(fn),
};

// ---------------------------------------------------------------- the pane's hooks

export function mount(given) {
  shell = given;
  view.onMap(() => installOperations(view, shell)); // the map's operator tools
  ({ $, t, api, ApiError, dtg, ZONES } = shell);
  for (const id of ["f-owner", "f-affiliation", "f-domain", "f-stale"]) {
    $(id).addEventListener("change", onFilter);
  }
  $("f-search").addEventListener("input", onFilter);
  $("export-geojson").addEventListener("click", () => download("/cop/export.geojson", "geojson"));
  $("export-kml").addEventListener("click", () => download("/cop/export.kml", "kml"));
  const rows = $("track-rows");
  rows.addEventListener("click", (event) => {
    const tr = event.target.closest("tr[data-uid]");
    if (tr) select(tr.dataset.uid, { pan: true });
  });
  rows.addEventListener("keydown", (event) => {
    const tr = event.target.closest("tr[data-uid]");
    if (tr && event.key === "Enter") select(tr.dataset.uid, { pan: true });
  });
  const wrap = tableWrap();
  wrap.addEventListener(
    "scroll",
    () => {
      state.scrollTop = wrap.scrollTop;
      requestFrame();
    },
    { passive: true },
  );
  return { enter, leave, language, tick, show };
}

function enter() {
  if (!map) initMap();
  map.invalidateSize();
  everythingDirty();
  if (state.stream) state.stream.abort();
  state.stream = new AbortController();
  runStream(state.stream);
}

function leave() {
  if (state.stream) state.stream.abort();
  state.stream = null;
  state.tracks.clear();
  state.staleAt.clear();
  state.staleShown.clear();
  state.owners.clear();
  state.exercises.clear();
  state.selected = null;
  if (markerLayer) markerLayer.clearLayers();
  state.markers.clear();
  if (uasLayer) uasLayer.clearLayers();
  state.uas.clear();
  if (areaLayer) areaLayer.clearLayers();
  scenario = null;
  state.live = "off";
  state.dirty.clear();
  everythingDirty();
  frame();
  if (trackLayer) trackLayer.drawNow();
  notify("leave");
}

function language() {
  if (map) mapControls();
  fillFilterOptions();
  renderDetail();
  renderLive();
  // Translated text on markers: an unmanned aircraft's label, and a callsign
  // given in Japanese (the table sorts by the callsign the user reads).
  for (const track of state.tracks.values()) {
    if (track.unmanned || track.callsign_ja) state.dirty.add(track.uid);
  }
  state.orderDirty = true;
  state.exerciseDirty = true;
  state.canvasUrgent = true;
  renderTable(); // rows carry the language in their key: the visible ones are rewritten
  requestFrame();
  notify("language", shell.lang);
}

// A track turns stale by the clock, not only by a report.
function tick() {
  const now = Date.now();
  for (const [uid, at] of state.staleAt) {
    if (at <= now !== state.staleShown.get(uid)) trackChanged(uid, true);
  }
}

function show() {
  if (map) map.invalidateSize();
  state.viewH = tableWrap().clientHeight;
  requestFrame();
}

function tableWrap() {
  return $("track-rows").closest(".table-wrap");
}

// ---------------------------------------------------------------- frames

function requestFrame() {
  if (state.framePending) return;
  state.framePending = true;
  requestAnimationFrame(frame);
}

function everythingDirty() {
  for (const uid of state.tracks.keys()) state.dirty.add(uid);
  for (const uid of state.markers.keys()) state.dirty.add(uid);
  state.orderDirty = true;
  state.ownersDirty = true;
  state.exerciseDirty = true;
  state.detailDirty = true;
  requestFrame();
}

// A track's data, visibility or staleness changed; `order` when its place in
// the table may have (new, gone, renamed, filtered in or out).
function trackChanged(uid, order) {
  state.dirty.add(uid);
  if (order) state.orderDirty = true;
  if (uid === state.selected) state.detailDirty = true;
  requestFrame();
}

// One animation frame: what changed since the last, and nothing else.
function frame() {
  state.framePending = false;
  const start = performance.now();
  // Reads first (the layout is clean here), writes after.
  const wrap = tableWrap();
  state.scrollTop = wrap.scrollTop;
  state.viewH = wrap.clientHeight || state.viewH;
  if (!state.rowHMeasured) {
    const first = $("track-rows").firstElementChild;
    const h = first ? first.getBoundingClientRect().height : 0;
    if (h > 0) {
      state.rowH = h;
      state.rowHMeasured = true;
    }
  }
  if (map) chooseRenderer();
  const changed = new Set();
  for (const uid of state.dirty) {
    if (map) {
      drawMarker(uid);
      drawUas(uid);
    }
    changed.add(uid);
    state.dirty.delete(uid);
    if (performance.now() - start > FRAME_BUDGET_MS) break;
  }
  if (state.ownersDirty) fillFilterOptions();
  if (state.exerciseDirty) renderExercise();
  // Rows re-filled for reports only now and then: each re-fill costs the
  // page a layout and a paint. What the user did (select, scroll, filter,
  // resize) shows in this frame.
  const tableView = `${state.scrollTop}|${state.viewH}`;
  if (
    state.tableUrgent ||
    state.orderDirty ||
    tableView !== state.tableView ||
    start - state.tableDrawnAt >= TABLE_STREAM_MS
  ) {
    renderTable();
  } else {
    state.tableLate = true;
  }
  if (state.detailDirty) renderDetail();
  renderLive();
  if (state.canvas && state.canvasDirty) {
    if (state.canvasUrgent || start - state.canvasDrawnAt >= CANVAS_STREAM_MS) {
      state.canvasDirty = false;
      state.canvasUrgent = false;
      state.canvasDrawnAt = start;
      trackLayer.drawNow(state.canvasChanged);
      state.canvasChanged = new Set();
    } else {
      requestFrame();
    }
  }
  if (changed.size) notify("change", changed);
  if (state.dirty.size || state.tableLate) requestFrame();
}

// DOM markers for a small picture, the canvas for a large one (with some
// hysteresis, so that a picture near the limit does not flip back and forth).
function chooseRenderer() {
  const n = state.tracks.size;
  if (!state.canvas && n > DOM_MARKERS_MAX) {
    state.canvas = true;
    markerLayer.clearLayers();
    state.markers.clear();
    if (!trackLayer) {
      trackLayer = createTrackLayer(map, {
        symbol: symbolImage,
        onClick: (uid) => select(uid, { pan: false }),
      });
      trackLayer.setSource({ item: canvasItemOf, items: canvasItems });
      window.allianceTracks = trackLayer; // as allianceMap: for tools and tests
      notify("canvas", trackLayer);
    }
    state.canvasDirty = true;
  } else if (state.canvas && n < DOM_MARKERS_MAX * 0.8) {
    state.canvas = false;
    trackLayer.redraw(); // empty now: canvasItems gives nothing off the canvas
    for (const uid of state.tracks.keys()) state.dirty.add(uid);
  }
}

const LINK_COLOURS = { ok: "--ok", degraded: "--warn", lost: "--bad", unknown: "--bad" };
const linkColours = new Map(); // link -> colour: the style sheet's, read once

function linkColour(link) {
  let colour = linkColours.get(link);
  if (colour === undefined) {
    const css = getComputedStyle(document.documentElement);
    colour = css.getPropertyValue(LINK_COLOURS[link]).trim() || "#eef4fa";
    linkColours.set(link, colour);
  }
  return colour;
}

// What the canvas draws: every shown track, the selected one last (on top).
function* canvasItems() {
  if (!state.canvas) return;
  let chosen = null;
  for (const track of state.tracks.values()) {
    if (!visible(track)) continue;
    const item = canvasItem(track);
    if (item.selected) chosen = item;
    else yield item;
  }
  if (chosen) yield chosen;
}

// One track's drawing, or null when the canvas does not show it.
function canvasItemOf(uid) {
  const track = state.tracks.get(uid);
  return state.canvas && track && visible(track) ? canvasItem(track) : null;
}

function canvasItem(track) {
  const labels = [[callsignOf(track), "#eef4fa"]];
  if (track.unmanned) labels.push([uasText(track), linkColour(track.control_link || "unknown")]);
  return {
    uid: track.uid,
    lat: track.lat,
    lon: track.lon,
    sidc: track.sidc,
    stale: isStale(track),
    selected: state.selected === track.uid,
    estimated: Boolean(track.estimated),
    labels,
  };
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
  basemapRenderer = new CoveringSVG({ pane: "basemap", padding: 0.5 });
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
  return L.polyline(lines, {
    pane: "basemap",
    renderer: basemapRenderer,
    color: "#2b3b4b",
    weight: 0.6,
    interactive: false,
  });
}

async function loadBasemap() {
  try {
    const res = await fetch("/static/world-atlas/countries-50m.json");
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const world = await res.json();
    L.geoJSON(topojson.feature(world, world.objects.countries), {
      pane: "basemap",
      renderer: basemapRenderer,
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

// One image per symbol code, drawn once and shared by every marker and the detail.
const symbols = new Map(); // sidc -> { url, width, height, ax, ay }

function symbolImage(sidc) {
  let image = symbols.get(sidc);
  if (!image) {
    const symbol = new ms.Symbol(sidc, {
      size: SYMBOL_SIZE,
      outlineWidth: 2,
      outlineColor: "rgba(8, 12, 16, 0.85)",
    });
    const size = symbol.getSize();
    const anchor = symbol.getAnchor();
    image = {
      url: symbol.toDataURL(),
      canvas: symbol.asCanvas(),
      width: size.width,
      height: size.height,
      ax: anchor.x,
      ay: anchor.y,
    };
    symbols.set(sidc, image);
  }
  return image;
}

function uasText(track) {
  let text = t("uas_label", {
    nation: track.operator_nation || t("unknown_value"),
    link: track.control_link ? label("link", track.control_link) : t("unknown_value"),
  });
  if (track.estimated) text += ` · ${t("estimated")}`;
  return text;
}

// A marker's element: the symbol image and the callsign beside it (and, for an
// unmanned aircraft, who flies it and its link). Built once per symbol code.
function newMarker(track) {
  const image = symbolImage(track.sidc);
  const root = document.createElement("div");
  root.className = "trk";
  root.dataset.uid = track.uid;
  const img = document.createElement("img");
  img.className = "sym";
  img.src = image.url;
  img.alt = callsignOf(track);
  img.style.width = `${image.width}px`;
  img.style.height = `${image.height}px`;
  img.dataset.ax = String(image.ax);
  img.dataset.ay = String(image.ay);
  const text = document.createElement("div");
  text.className = "lbl";
  text.style.left = `${image.width + 3}px`;
  text.style.top = `${image.ay - 8}px`;
  const name = document.createElement("span");
  text.append(name);
  const uas = document.createElement("span");
  uas.className = "uas";
  uas.hidden = true;
  text.append(uas);
  root.append(img, text);
  const icon = L.divIcon({
    html: root,
    className: "trk-icon",
    iconSize: [image.width, image.height],
    iconAnchor: [image.ax, image.ay],
  });
  return { root, img, name, uas, sidc: track.sidc, icon, shown: "" };
}

// What a marker shows, updated in place: only what differs is written.
function labelMarker(entry, track) {
  const stale = isStale(track);
  const key = [
    callsignOf(track),
    otherCallsign(track),
    stale,
    state.selected === track.uid,
    Boolean(track.estimated),
    track.exercise,
    track.affiliation,
    track.unmanned ? uasText(track) : "",
  ].join("|");
  if (key === entry.shown) return;
  entry.shown = key;
  const { root } = entry;
  root.classList.toggle("stale", stale);
  root.classList.toggle("selected", state.selected === track.uid);
  root.classList.toggle("estimated", Boolean(track.estimated));
  root.dataset.exercise = track.exercise ? "true" : "false";
  root.dataset.affiliation = track.affiliation;
  entry.img.alt = callsignOf(track);
  entry.name.textContent = callsignOf(track);
  entry.name.title = otherCallsign(track);
  entry.uas.hidden = !track.unmanned;
  if (track.unmanned) {
    entry.uas.className = `uas link-${track.control_link || "unknown"}`;
    entry.uas.textContent = uasText(track);
  } else {
    entry.uas.textContent = "";
  }
}

function drawMarker(uid) {
  const track = state.tracks.get(uid);
  if (state.canvas) {
    if (track) state.staleShown.set(uid, isStale(track));
    else state.staleShown.delete(uid);
    state.canvasDirty = true;
    state.canvasChanged.add(uid);
    return;
  }
  let entry = state.markers.get(uid);
  if (!track) {
    if (entry) markerLayer.removeLayer(entry.marker);
    state.markers.delete(uid);
    return;
  }
  if (entry && entry.sidc !== track.sidc) {
    // Another symbol (rare): another icon, on the same marker.
    const fresh = newMarker(track);
    fresh.marker = entry.marker;
    entry.marker.setIcon(fresh.icon);
    state.markers.set(uid, fresh);
    entry = fresh;
  }
  if (!entry) {
    entry = newMarker(track);
    entry.marker = L.marker([track.lat, track.lon], { icon: entry.icon, keyboard: false });
    entry.marker.on("click", () => select(uid, { pan: false }));
    state.markers.set(uid, entry);
  } else {
    const at = entry.marker.getLatLng();
    if (at.lat !== track.lat || at.lng !== track.lon) entry.marker.setLatLng([track.lat, track.lon]);
  }
  state.staleShown.set(uid, isStale(track));
  labelMarker(entry, track);
  const z = state.selected === uid ? 1000 : 0;
  if (entry.marker.options.zIndexOffset !== z) entry.marker.setZIndexOffset(z);
  const shown = visible(track);
  const on = markerLayer.hasLayer(entry.marker);
  if (shown && !on) markerLayer.addLayer(entry.marker);
  if (!shown && on) markerLayer.removeLayer(entry.marker);
}

// ---------------------------------------------------------------- the picture

function visible(track) {
  const f = state.filters;
  return (
    (!f.owner || track.owner === f.owner) &&
    (!f.affiliation || track.affiliation === f.affiliation) &&
    (!f.domain || track.domain === f.domain) &&
    (f.stale || !isStale(track)) &&
    (!f.search || matches(track, f.search))
  );
}

// The search box: part of the callsign in either language, or of the uid,
// whatever the language shown (case and width folded: ＢＬＵＥ finds BLUE).
const fold = (text) => (text || "").normalize("NFKC").toLowerCase();

function matches(track, wanted) {
  return (
    fold(track.callsign).includes(wanted) ||
    fold(track.callsign_ja).includes(wanted) ||
    fold(track.uid).includes(wanted)
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
  const staleAt = Date.parse(track.stale);
  const order =
    !held ||
    held.owner !== track.owner ||
    held.callsign !== track.callsign ||
    held.callsign_ja !== track.callsign_ja ||
    held.affiliation !== track.affiliation ||
    held.domain !== track.domain ||
    (state.staleAt.get(track.uid) <= Date.now()) !== staleAt <= Date.now();
  if (held) countOwner(held.owner, -1);
  countOwner(track.owner, 1);
  state.tracks.set(track.uid, track);
  state.staleAt.set(track.uid, staleAt);
  noteExercise(track.uid, track);
  trackChanged(track.uid, order);
}

function remove(uid) {
  const held = state.tracks.get(uid);
  if (!held) return;
  countOwner(held.owner, -1);
  state.tracks.delete(uid);
  state.staleAt.delete(uid);
  state.staleShown.delete(uid);
  noteExercise(uid, null);
  trackChanged(uid, true);
}

function countOwner(owner, by) {
  const n = (state.owners.get(owner) || 0) + by;
  if (n > 0) state.owners.set(owner, n);
  else state.owners.delete(owner);
  if (n === 0 || (n === 1 && by > 0)) state.ownersDirty = true;
}

function noteExercise(uid, track) {
  const before = state.exercises.get(uid);
  const now = track && track.exercise ? track.exercise_name || "EXERCISE" : undefined;
  if (before === now) return;
  if (now === undefined) state.exercises.delete(uid);
  else state.exercises.set(uid, now);
  state.exerciseDirty = true;
}

function replacePicture(tracks) {
  const uids = new Set(tracks.map((tr) => tr.uid));
  for (const uid of [...state.tracks.keys()]) if (!uids.has(uid)) remove(uid);
  for (const track of tracks) upsert(track);
}

// ---------------------------------------------------------------- the table (virtual)

function sortOrder() {
  const shown = [];
  for (const track of state.tracks.values()) if (visible(track)) shown.push(track);
  shown.sort(
    (a, b) =>
      collate(a.owner, b.owner) || collate(callsignOf(a), callsignOf(b)) || collate(a.uid, b.uid),
  );
  state.order = shown.map((tr) => tr.uid);
  state.orderDirty = false;
}

function cell(text, className) {
  const td = document.createElement("td");
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

// Day-hour-minute and zone in the table; the whole DTG on hover, in the user's language.
function timeCell(at) {
  const td = cell(dtg(at, ZONES[0], "en").slice(0, 7), "mono");
  td.title = dtg(at, ZONES[0]);
  return td;
}

function rowKey(track) {
  return [
    shell.lang,
    state.selected === track.uid,
    isStale(track),
    track.callsign,
    track.callsign_ja,
    track.owner,
    track.domain,
    track.affiliation,
    track.lat.toFixed(3),
    track.lon.toFixed(3),
    track.time,
    track.marking.releasable_to.join(" "),
    track.exercise,
    track.exercise_name,
    track.unmanned,
    track.control_link,
  ].join("|");
}

function fillRow(tr, track) {
  const stale = isStale(track);
  tr.dataset.uid = track.uid;
  tr.tabIndex = 0;
  tr.classList.toggle("stale", stale);
  tr.classList.toggle("selected", state.selected === track.uid);
  const name = cell(callsignOf(track), "callsign");
  name.title = bothCallsigns(track);
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
  if (stale) {
    const badge = document.createElement("span");
    badge.className = "badge stale";
    badge.textContent = t("stale");
    name.append(" ", badge);
  }
  tr.replaceChildren(
    name,
    cell(track.owner),
    cell(label("domain", track.domain)),
    cell(label("affiliation", track.affiliation), `aff aff-${track.affiliation}`),
    cell(`${track.lat.toFixed(3)} ${track.lon.toFixed(3)}`, "mono"),
    timeCell(new Date(track.time)),
    cell(track.marking.releasable_to.join(" "), "mono"),
  );
}

// The rows in view (and OVERSCAN more each side), between two spacers that
// stand for the rest; a row is rewritten only when what it shows changed.
function renderTable() {
  state.tableUrgent = false;
  state.tableLate = false;
  state.tableDrawnAt = performance.now();
  state.tableView = `${state.scrollTop}|${state.viewH}`;
  if (state.orderDirty) sortOrder();
  const order = state.order;
  const rowH = state.rowH;
  const first = Math.max(0, Math.floor(state.scrollTop / rowH) - OVERSCAN);
  const last = Math.min(order.length, Math.ceil((state.scrollTop + state.viewH) / rowH) + OVERSCAN);
  const uids = order.slice(first, last);
  const rows = new Map();
  for (const uid of uids) {
    const track = state.tracks.get(uid);
    let row = state.rows.get(uid);
    if (!row) row = { tr: document.createElement("tr"), key: "" };
    const key = rowKey(track);
    if (key !== row.key) {
      fillRow(row.tr, track);
      row.key = key;
    }
    rows.set(uid, row);
  }
  state.rows = rows;
  const same =
    uids.length === state.windowUids.length && uids.every((uid, i) => uid === state.windowUids[i]);
  if (!same) {
    const body = $("track-rows");
    const focused = document.activeElement?.closest?.("#track-rows tr")?.dataset.uid;
    body.replaceChildren(...uids.map((uid) => rows.get(uid).tr));
    state.windowUids = uids;
    if (focused && rows.has(focused)) rows.get(focused).tr.focus({ preventScroll: true });
  }
  spacer("rows-before", first * rowH);
  spacer("rows-after", (order.length - last) * rowH);
  const empty = $("table-empty");
  if (empty.hidden !== order.length > 0) empty.hidden = order.length > 0;
  const count = t("count", { shown: order.length, total: state.tracks.size });
  if (count !== state.countText) {
    $("count").textContent = count;
    state.countText = count;
  }
}

function spacer(id, px) {
  const tr = $(id).firstElementChild;
  const height = `${px}px`;
  if (tr.style.height !== height) tr.style.height = height;
}

function fillFilterOptions() {
  state.ownersDirty = false;
  const owners = [...state.owners.keys()].sort();
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
    search: fold($("f-search").value.trim()),
  };
  for (const uid of state.tracks.keys()) state.dirty.add(uid);
  state.orderDirty = true;
  state.canvasUrgent = true;
  tableWrap().scrollTop = 0;
  state.scrollTop = 0;
  renderTable(); // the table at once; the markers follow frame by frame
  requestFrame();
}

function select(uid, { pan }) {
  const before = state.selected;
  state.selected = uid;
  const track = uid ? state.tracks.get(uid) : null;
  if (track && pan) map.panTo([track.lat, track.lon], { animate: false });
  renderDetail(); // first: what the user asked for
  state.canvasUrgent = true;
  state.tableUrgent = true;
  if (before) state.dirty.add(before);
  if (uid) state.dirty.add(uid);
  requestFrame();
  notify("select", uid);
}

// ---------------------------------------------------------------- exercise data

// The EXERCISE banner: shown whenever any track on the picture is exercise data.
function renderExercise() {
  state.exerciseDirty = false;
  const names = [...new Set(state.exercises.values())].sort();
  const el = $("exercise-banner");
  el.hidden = names.length === 0;
  el.textContent = names.length ? t("exercise_banner", { names: names.join(", ") }) : "";
  document.body.dataset.exercise = names.length ? "shown" : "none";
  if (names.length && scenario === null) loadScenario();
  const key = `${names.length > 0}|${scenario && scenario !== "asked"}|${shell.lang}`;
  if (key !== state.exerciseKey) {
    state.exerciseKey = key;
    drawAreas(names.length > 0);
  }
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
  state.exerciseDirty = true;
  requestFrame();
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

// A shown unmanned aircraft's lost-link route (dashed) and control station.
function drawUas(uid) {
  const held = state.uas.get(uid);
  if (held) {
    for (const layer of held) uasLayer.removeLayer(layer);
    state.uas.delete(uid);
  }
  const track = state.tracks.get(uid);
  if (!track || !track.unmanned || !visible(track)) return;
  const layers = [];
  const route = track.lost_link_route || [];
  if (route.length) {
    const line = L.polyline([[track.lat, track.lon], ...route], {
      color: track.control_link === "lost" ? "#ff6b6b" : "#9fb3c8",
      weight: 1.5,
      dashArray: "6 6",
      interactive: false,
    });
    layers.push(line);
  }
  const station = track.control_station;
  if (station && station.lat !== null && station.lon !== null) {
    const mark = L.circleMarker([station.lat, station.lon], {
      radius: 4,
      color: "#9fb3c8",
      weight: 1,
      fillOpacity: 0.6,
    }).bindTooltip(station.name);
    layers.push(mark);
  }
  for (const layer of layers) {
    uasLayer.addLayer(layer);
    layer.getElement?.()?.setAttribute("data-uid", uid);
  }
  if (layers.length) state.uas.set(uid, layers);
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
  state.detailDirty = false;
  const track = state.selected ? state.tracks.get(state.selected) : null;
  $("detail-none").hidden = Boolean(track);
  $("detail-body").hidden = !track;
  $("detail").classList.toggle("stale", Boolean(track && isStale(track)));
  if (!track) return;
  $("d-symbol").src = symbolImage(track.sidc).url;
  $("d-callsign").textContent = callsignOf(track);
  $("d-callsign-other").textContent = otherCallsign(track);
  $("d-callsign-other").lang = shell.lang === "ja" ? "en" : "ja";
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
  $("d-remarks").textContent = remarksOf(track) || t("unknown_value");
  const other = otherRemarks(track);
  $("d-remarks-other").hidden = !other;
  $("d-remarks-other").textContent = other;
  $("d-remarks-other").lang = shell.lang === "ja" ? "en" : "ja";
}

// ---------------------------------------------------------------- live updates

function renderLive() {
  const el = $("live");
  const text = t(`live_${state.live}`);
  if (el.dataset.state !== state.live) el.dataset.state = state.live;
  if (el.textContent !== text) el.textContent = text;
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
    remove(uid);
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
    const stamp = dtg(new Date(), ZONES[0], "en").replace(/ /g, ""); // a file name: ASCII
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
