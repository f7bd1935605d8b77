// Labels an operator can read: no track's label hides another's (the one of
// lower priority is hidden; lost links and alerts first, then the selected
// track, hostiles, the rest), tracks gathered into a numbered cluster where
// they crowd when zoomed out, a tooltip on hover, and a halo around the
// selected track. Works on the pane's markers (.trk with .lbl inside) and, for
// a large picture, on the canvas (tracklayer.js: its kept boxes give the label
// placement and the hover hit test; no clusters there, every track is drawn);
// the placement itself (placeLabels, clusters) is plain geometry, reusable by
// any renderer.

/* global L */

import { altitudeText } from "./maptools.js";

const CLUSTER_BELOW_ZOOM = 7; // clusters only when zoomed out
const CLUSTER_PX = 44;
const CLUSTER_MIN = 3;
const LAYOUT_MS = 200;

// Lower is more important.
export function priority(track, selected) {
  if (track.control_link === "lost") return 0;
  if (track.uid === selected) return 1;
  if (track.control_link === "degraded") return 2;
  if (track.affiliation === "hostile") return 3;
  return 4;
}

const overlaps = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;

// items: [{ key, rank, box: {left, top, right, bottom} }] → the keys whose label stays.
// Most important first (ties by key); a label stays when it meets none kept
// before it. Kept boxes are found through a grid of cells, so that a canvas of
// thousands of labels is placed in a few milliseconds.
export function placeLabels(items, cell = 64) {
  const kept = new Map(); // cell (column * 65536 + row) -> boxes kept that meet it
  const shown = new Set();
  const keyed = items.map((item) => ({ item, key: String(item.key) }));
  keyed.sort((a, b) => a.item.rank - b.item.rank || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  for (const { item } of keyed) {
    const { box } = item;
    const c0 = Math.floor(box.left / cell);
    const c1 = Math.floor(box.right / cell);
    const r0 = Math.floor(box.top / cell);
    const r1 = Math.floor(box.bottom / cell);
    let free = true;
    for (let c = c0; c <= c1 && free; c += 1) {
      for (let r = r0; r <= r1 && free; r += 1) {
        const boxes = kept.get(c * 65536 + r);
        if (boxes) free = !boxes.some((other) => overlaps(other, box));
      }
    }
    if (!free) continue;
    for (let c = c0; c <= c1; c += 1) {
      for (let r = r0; r <= r1; r += 1) {
        const boxes = kept.get(c * 65536 + r);
        if (boxes) boxes.push(box);
        else kept.set(c * 65536 + r, [box]);
      }
    }
    shown.add(item.key);
  }
  return shown;
}

// points: [{ key, x, y }] → groups of at least CLUSTER_MIN in the same cell.
export function clusters(points, cell = CLUSTER_PX) {
  const cells = new Map();
  for (const p of points) {
    const id = `${Math.floor(p.x / cell)}:${Math.floor(p.y / cell)}`;
    if (!cells.has(id)) cells.set(id, []);
    cells.get(id).push(p);
  }
  return [...cells.values()].filter((group) => group.length >= CLUSTER_MIN);
}

export function install(view, shell) {
  const map = view.map;
  const container = map.getContainer();
  map.createPane("halo").style.zIndex = 590; // just under the markers (600)
  map.getPane("halo").style.pointerEvents = "none";
  const clusterLayer = L.layerGroup().addTo(map);
  let halo = null;
  let pending = false;

  const markerElement = (uid) =>
    container.querySelector(`.leaflet-marker-pane .trk[data-uid="${CSS.escape(uid)}"]`);

  let drawn = ""; // the clusters on the map, as "uids|uids|…"
  function drawClusters() {
    // Only DOM markers cluster (a canvas of a large picture draws its own).
    const dom = container.querySelector(".leaflet-marker-pane .trk") !== null;
    if (!dom || map.getZoom() >= CLUSTER_BELOW_ZOOM) {
      if (drawn) clusterLayer.clearLayers();
      drawn = "";
      for (const el of container.querySelectorAll(".trk.clustered")) el.classList.remove("clustered");
      return;
    }
    const points = [];
    for (const track of view.tracks.values()) {
      if (!view.visible(track) || track.uid === view.selected || track.control_link === "lost") continue;
      const p = map.latLngToContainerPoint([track.lat, track.lon]);
      points.push({ key: track.uid, x: p.x, y: p.y, track });
    }
    const groups = clusters(points);
    const signature = groups.map((g) => g.map((p) => p.key).join(" ")).join("|");
    // Markers re-made since (a new icon) lose their class: put it back.
    const hide = () => {
      for (const group of groups) for (const p of group) markerElement(p.key)?.classList.add("clustered");
    };
    if (signature === drawn) {
      hide();
      return;
    }
    drawn = signature;
    clusterLayer.clearLayers();
    for (const el of container.querySelectorAll(".trk.clustered")) el.classList.remove("clustered");
    for (const group of groups) {
      const lat = group.reduce((s, p) => s + p.track.lat, 0) / group.length;
      const lon = group.reduce((s, p) => s + p.track.lon, 0) / group.length;
      const hostile = group.some((p) => p.track.affiliation === "hostile");
      const el = document.createElement("div");
      el.className = `cluster${hostile ? " hostile" : ""}`;
      el.textContent = String(group.length);
      el.dataset.uids = group.map((p) => p.key).join(" ");
      const marker = L.marker([lat, lon], {
        icon: L.divIcon({ html: el, className: "cluster-icon", iconSize: [30, 30], iconAnchor: [15, 15] }),
        title: shell.t("map_cluster_title", { n: group.length }),
        zIndexOffset: 500,
      });
      marker.on("click", () => {
        map.fitBounds(
          L.latLngBounds(group.map((p) => [p.track.lat, p.track.lon])),
          { maxZoom: CLUSTER_BELOW_ZOOM, padding: [40, 40] },
        );
      });
      clusterLayer.addLayer(marker);
    }
    hide();
  }

  function declutter() {
    const items = [];
    for (const el of container.querySelectorAll(".leaflet-marker-pane .trk:not(.clustered)")) {
      const track = view.tracks.get(el.dataset.uid);
      const label = el.querySelector(".lbl");
      if (!track || !label) continue;
      label.classList.remove("lbl-hidden");
      const r = label.getBoundingClientRect();
      items.push({
        key: track.uid,
        rank: priority(track, view.selected),
        box: { left: r.left - 1, top: r.top - 1, right: r.right + 1, bottom: r.bottom + 1 },
        label,
      });
    }
    const shown = placeLabels(items);
    for (const item of items) item.label.classList.toggle("lbl-hidden", !shown.has(item.key));
  }

  function drawHalo() {
    const track = view.selected ? view.tracks.get(view.selected) : null;
    if (!track || !view.visible(track)) {
      if (halo) halo.remove();
      halo = null;
      return;
    }
    if (!halo) {
      halo = L.circleMarker([track.lat, track.lon], {
        pane: "halo",
        radius: 24,
        color: "#ffd166",
        weight: 3,
        opacity: 0.9,
        fillColor: "#ffd166",
        fillOpacity: 0.12,
        className: "selection-halo",
        interactive: false,
      }).addTo(map);
    } else {
      const at = halo.getLatLng();
      if (at.lat !== track.lat || at.lng !== track.lon) halo.setLatLng([track.lat, track.lon]);
    }
  }

  // On the canvas (a large picture): the same placement, on the boxes the
  // canvas keeps of what it drew (no layout to read).
  view.onCanvas((layer) => {
    layer.setPlacer((candidates) => {
      const items = [];
      for (const c of candidates) {
        const track = view.tracks.get(c.key);
        if (track) items.push({ key: c.key, rank: priority(track, view.selected), box: c.box });
      }
      return placeLabels(items);
    });
  });

  // Measuring every label forces a layout: at most every LAYOUT_MS while
  // tracks update, at once (next frame) when the view moves.
  let last = 0;
  function layout() {
    pending = false;
    last = performance.now();
    drawClusters();
    declutter();
    drawHalo();
    view.trackLayer?.declutter();
  }

  let timer = null;
  const schedule = () => {
    if (pending) return;
    pending = true;
    const wait = Math.max(0, LAYOUT_MS - (performance.now() - last));
    timer = setTimeout(() => requestAnimationFrame(layout), wait);
  };
  const now = () => {
    clearTimeout(timer);
    pending = false;
    last = 0;
    schedule();
  };

  view.onTrackChange(schedule);
  view.onSelect(now);
  view.onLeave(now);
  map.on("zoomend moveend", now);

  // Hover: what the operator asks of a symbol without selecting it.
  const tooltip = L.tooltip({ direction: "top", offset: [0, -18], className: "trk-tooltip" });
  const paneEl = map.getPane("markerPane");
  function showTooltip(uid) {
    const track = uid && view.tracks.get(uid);
    if (!track) {
      map.closeTooltip(tooltip);
      return;
    }
    const lines = [
      view.callsign(track),
      ...(view.otherCallsign(track) ? [view.otherCallsign(track)] : []),
      `${track.owner} · ${track.sidc}`,
      `${shell.t("map_tip_alt")} ${altitudeText(track, shell)}`,
    ];
    if (track.speed !== null && track.speed !== undefined) {
      const course = track.course === null ? "---" : String(Math.round(track.course)).padStart(3, "0");
      lines.push(`${shell.t("map_tip_course")} ${course}° / ${(track.speed * 1.943844).toFixed(1)} kn`);
    }
    if (view.isStale(track)) lines.push(shell.t("stale"));
    const content = document.createElement("div");
    content.dataset.uid = track.uid;
    for (const line of lines) {
      const div = document.createElement("div");
      div.textContent = line;
      content.append(div);
    }
    tooltip.setLatLng([track.lat, track.lon]).setContent(content);
    map.openTooltip(tooltip);
  }
  paneEl.addEventListener("mouseover", (event) => {
    const el = event.target.closest?.(".trk");
    if (el) showTooltip(el.dataset.uid);
  });
  paneEl.addEventListener("mouseout", (event) => {
    const el = event.target.closest?.(".trk");
    if (el && !el.contains(event.relatedTarget)) map.closeTooltip(tooltip);
  });
  // On the canvas: what the canvas says is under the cursor (its kept boxes).
  let hovered = null;
  map.on("mousemove", (event) => {
    const layer = view.trackLayer;
    const uid = layer ? layer.at(event) : null;
    if (uid === hovered) return;
    hovered = uid;
    if (uid) showTooltip(uid);
    else if (layer) map.closeTooltip(tooltip);
  });
  map.on("mouseout", () => {
    if (!hovered) return;
    hovered = null;
    map.closeTooltip(tooltip);
  });

  view.onLanguage(() => {
    drawn = ""; // the clusters' titles
    if (map.hasLayer(tooltip)) showTooltip(tooltip.getContent()?.dataset?.uid);
    now();
  });
}
