// The finer coastline and place names. The coarse (1:50m) land the pane draws
// is replaced, from FINE_ZOOM on, by Natural Earth's 1:10m land (world-atlas's
// land-10m.json, served by this node), kept to the region the console watches
// so a zoom stays quick; Tokyo Bay, the Boso and Miura peninsulas show as such.
// Place names (places.js: public geography only) appear as the zoom allows, in
// the console's language.

import { placeLabels } from "./labels.js";
import { PLACES } from "./places.js";

/* global L, topojson */

const FINE_ZOOM = 6;
// West, south, east, north: East Asia and the Western Pacific.
const REGION = [95, -12, 180, 62];
const LAND_STYLE = { color: "#4d5f70", weight: 0.8, fillColor: "#1d2833", fillOpacity: 1 };

// Leaflet's SVG renderer re-clips every path after each move; the 10 m land is
// large, so this one redraws only when the view leaves what it drew (half a
// view of margin each side), or after a zoom or resize.
const CoveringSVG = L.SVG.extend({
  _update() {
    const m = this._map;
    if (m._animatingZoom && this._bounds) return;
    const size = m.getSize();
    const seen = L.bounds(m.containerPointToLayerPoint([0, 0]), m.containerPointToLayerPoint(size));
    const key = `${m.getZoom()}|${size.x}|${size.y}`;
    if (this._bounds && this._drawn === key && this._bounds.contains(seen)) return;
    this._drawn = key;
    L.SVG.prototype._update.call(this);
  },
});

function inRegion(polygon) {
  let [w, s, e, n] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const [lon, lat] of polygon[0]) {
    [w, s, e, n] = [Math.min(w, lon), Math.min(s, lat), Math.max(e, lon), Math.max(n, lat)];
  }
  return e >= REGION[0] && w <= REGION[2] && n >= REGION[1] && s <= REGION[3];
}

async function loadFineLand(map) {
  const res = await fetch("/static/world-atlas/land-10m.json");
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  const world = await res.json();
  const land = topojson.feature(world, world.objects.land);
  const polygons = [];
  for (const feature of land.features || [land]) {
    const g = feature.geometry;
    const all = g.type === "Polygon" ? [g.coordinates] : g.coordinates;
    polygons.push(...all.filter(inRegion));
  }
  return L.geoJSON(
    { type: "Feature", properties: {}, geometry: { type: "MultiPolygon", coordinates: polygons } },
    {
      pane: "basemap",
      interactive: false,
      style: LAND_STYLE,
      className: "land-fine",
      renderer: new CoveringSVG({ pane: "basemap", padding: 0.5 }),
    },
  );
}

function installPlaces(view, shell) {
  const map = view.map;
  map.createPane("places").style.zIndex = 390; // above the grid, below tracks
  map.getPane("places").style.pointerEvents = "none";
  const layer = L.layerGroup().addTo(map);
  const markers = PLACES.map((place) => {
    const el = document.createElement("div");
    el.className = `place place-${place.kind}`;
    el.dataset.place = place.id;
    const dot = document.createElement("span");
    dot.className = "dot";
    const name = document.createElement("span");
    name.className = "name";
    el.append(dot, name);
    const marker = L.marker([place.lat, place.lon], {
      pane: "places",
      interactive: false,
      keyboard: false,
      icon: L.divIcon({ html: el, className: "place-icon", iconSize: null, iconAnchor: [3, 3] }),
    });
    return { place, marker, name };
  });
  // No place name over another: the one shown from a lower zoom wins.
  const declutter = () => {
    const items = [];
    for (const { place, marker } of markers) {
      const el = layer.hasLayer(marker) && marker.getElement()?.firstElementChild;
      if (!el) continue;
      el.classList.remove("place-hidden");
      const r = el.getBoundingClientRect();
      items.push({ key: place.id, rank: place.zoom, box: r, el });
    }
    const shown = placeLabels(items);
    for (const item of items) item.el.classList.toggle("place-hidden", !shown.has(item.key));
  };
  const render = () => {
    const zoom = map.getZoom();
    for (const { place, marker, name } of markers) {
      name.textContent = place.name[shell.lang];
      const shown = zoom >= place.zoom;
      if (shown && !layer.hasLayer(marker)) layer.addLayer(marker);
      if (!shown && layer.hasLayer(marker)) layer.removeLayer(marker);
    }
    requestAnimationFrame(declutter);
  };
  map.on("zoomend", render);
  render();
  return { language: render };
}

export function install(view, shell) {
  const map = view.map;
  const container = map.getContainer();
  let fine = null;
  const show = () => {
    const on = map.getZoom() >= FINE_ZOOM && fine !== null;
    container.classList.toggle("coast-fine", on);
    if (fine && on && !map.hasLayer(fine)) fine.addTo(map);
    if (fine && !on && map.hasLayer(fine)) map.removeLayer(fine);
  };
  loadFineLand(map)
    .then((layer) => {
      fine = layer;
      container.dataset.coast = "10m";
      show();
    })
    .catch((err) => {
      container.dataset.coast = "failed";
      console.warn(shell.t("map_coast_failed"), err);
    });
  map.on("zoomend", show);
  view.onLanguage(installPlaces(view, shell).language);
}
