// What an operator measures the map with: the MGRS grid (grid-zone lines, then
// 100 km, 10 km and 1 km squares as the zoom allows), the cursor readout
// (lat/lon in decimal degrees or DMS, and MGRS), the range and bearing tool
// (geodesic on WGS 84, GeographicLib) and a nautical-mile scale beside the
// metric one. Altitude in feet and flight level beside metres: altitudeText().

/* global L, mgrs, geodesic */

const NM = 1852; // metres
const FT = 0.3048; // metres
const MIN_CELL_PX = 60; // the finest grid whose squares are at least this wide
const MAX_LINES = 300;

// ---------------------------------------------------------------- UTM (Krüger series, WGS 84)

const A_AXIS = 6378137;
const FLAT = 1 / 298.257223563;
const K0 = 0.9996;
const N3 = FLAT / (2 - FLAT);
const RECT = (A_AXIS / (1 + N3)) * (1 + N3 ** 2 / 4 + N3 ** 4 / 64);
const ALPHA = [N3 / 2 - (2 / 3) * N3 ** 2 + (5 / 16) * N3 ** 3, (13 / 48) * N3 ** 2 - (3 / 5) * N3 ** 3, (61 / 240) * N3 ** 3];
const BETA = [N3 / 2 - (2 / 3) * N3 ** 2 + (37 / 96) * N3 ** 3, (1 / 48) * N3 ** 2 + (1 / 15) * N3 ** 3, (17 / 480) * N3 ** 3];
const DELTA = [2 * N3 - (2 / 3) * N3 ** 2 - 2 * N3 ** 3, (7 / 3) * N3 ** 2 - (8 / 5) * N3 ** 3, (56 / 15) * N3 ** 3];
const E2N = (2 * Math.sqrt(N3)) / (1 + N3);
const RAD = Math.PI / 180;

// Easting and northing of (lat, lon) about central meridian lon0 (degrees).
export function utmForward(lat, lon, lon0, south) {
  const phi = lat * RAD;
  const dl = (lon - lon0) * RAD;
  const t = Math.sinh(Math.atanh(Math.sin(phi)) - E2N * Math.atanh(E2N * Math.sin(phi)));
  const xi = Math.atan2(t, Math.cos(dl));
  const eta = Math.atanh(Math.sin(dl) / Math.sqrt(1 + t * t));
  let e = eta;
  let n = xi;
  for (let j = 1; j <= 3; j++) {
    e += ALPHA[j - 1] * Math.cos(2 * j * xi) * Math.sinh(2 * j * eta);
    n += ALPHA[j - 1] * Math.sin(2 * j * xi) * Math.cosh(2 * j * eta);
  }
  return [500000 + K0 * RECT * e, (south ? 10000000 : 0) + K0 * RECT * n];
}

export function utmInverse(easting, northing, lon0, south) {
  const xi = (northing - (south ? 10000000 : 0)) / (K0 * RECT);
  const eta = (easting - 500000) / (K0 * RECT);
  let xi1 = xi;
  let eta1 = eta;
  for (let j = 1; j <= 3; j++) {
    xi1 -= BETA[j - 1] * Math.sin(2 * j * xi) * Math.cosh(2 * j * eta);
    eta1 -= BETA[j - 1] * Math.cos(2 * j * xi) * Math.sinh(2 * j * eta);
  }
  const chi = Math.asin(Math.sin(xi1) / Math.cosh(eta1));
  let phi = chi;
  for (let j = 1; j <= 3; j++) phi += DELTA[j - 1] * Math.sin(2 * j * chi);
  return [phi / RAD, lon0 + Math.atan2(Math.sinh(eta1), Math.cos(xi1)) / RAD];
}

// ---------------------------------------------------------------- formatting

const pad = (n, width) => String(n).padStart(width, "0");

export function decimalText(lat, lon) {
  const ns = lat >= 0 ? "N" : "S";
  const ew = lon >= 0 ? "E" : "W";
  return `${Math.abs(lat).toFixed(5)}° ${ns}, ${Math.abs(lon).toFixed(5)}° ${ew}`;
}

function dms(value, width) {
  let tenths = Math.round(Math.abs(value) * 36000); // tenths of a second
  const deg = Math.floor(tenths / 36000);
  tenths -= deg * 36000;
  const min = Math.floor(tenths / 600);
  tenths -= min * 600;
  return `${pad(deg, width)}°${pad(min, 2)}′${pad((tenths / 10).toFixed(1), 4)}″`;
}

export function dmsText(lat, lon) {
  return `${dms(lat, 2)}${lat >= 0 ? "N" : "S"} ${dms(lon, 3)}${lon >= 0 ? "E" : "W"}`;
}

const wrapLon = (lon) => ((((lon + 180) % 360) + 360) % 360) - 180;

// MGRS to 1 m, grouped: zone+band, 100 km square, easting, northing.
export function mgrsText(lat, lon, digits = 5) {
  if (lat < -80 || lat > 84) return null; // polar: UPS, not MGRS
  const ref = mgrs.forward([wrapLon(lon), lat], digits);
  const m = /^(\d{1,2}[C-X])([A-Z]{2})(\d*)$/.exec(ref);
  if (!m) return ref;
  const half = m[3].length / 2;
  return [m[1], m[2], m[3].slice(0, half), m[3].slice(half)].filter(Boolean).join(" ");
}

// "7600 m · 24,934 ft · FL249": flight level for aircraft only (from the
// reported height, as a guide: a flight level is a pressure altitude).
export function altitudeText(track, shell) {
  if (track.hae === null || track.hae === undefined) return shell.t("unknown_value");
  const ft = Math.round(track.hae / FT);
  const vars = { m: Math.round(track.hae).toLocaleString("en-US"), ft: ft.toLocaleString("en-US") };
  if (track.domain !== "air") return shell.t("map_alt_m_ft", vars);
  return shell.t("map_alt_m_ft_fl", { ...vars, fl: pad(Math.max(0, Math.round(ft / 100)), 3) });
}

// ---------------------------------------------------------------- the grid

function metresPerPixel(map) {
  const lat = map.getCenter().lat;
  return (40075016.686 * Math.cos(lat * RAD)) / (256 * 2 ** map.getZoom());
}

// Points of a line t ∈ [0, 1] → [lat, lon], cut where it leaves `inside`.
function sampled(at, inside, steps = 32) {
  const runs = [];
  let run = [];
  let prev = null;
  for (let i = 0; i <= steps; i++) {
    const t = i / steps;
    const p = at(t);
    const ok = inside(p);
    if (prev && ok !== prev.ok) {
      // Find the edge between the two samples.
      let [lo, hi] = prev.ok ? [prev.t, t] : [t, prev.t];
      for (let k = 0; k < 20; k++) {
        const mid = (lo + hi) / 2;
        if (inside(at(mid))) lo = mid;
        else hi = mid;
      }
      run.push(at(lo));
      if (!ok) {
        runs.push(run);
        run = [];
      }
    }
    if (ok) run.push(p);
    prev = { t, ok };
  }
  if (run.length > 1) runs.push(run);
  return runs.filter((r) => r.length > 1);
}

function gridLevel(map) {
  const mpp = metresPerPixel(map);
  for (const spacing of [1000, 10000, 100000]) if (spacing / mpp >= MIN_CELL_PX) return spacing;
  return 0; // grid zones only
}

// Lines and labels of the squares of `spacing` metres in view.
function squares(bounds, spacing) {
  const lines = [];
  const labels = [];
  const s = Math.max(bounds.getSouth(), -80);
  const n = Math.min(bounds.getNorth(), 84);
  const w = bounds.getWest();
  const e = bounds.getEast();
  if (s >= n) return { lines, labels };
  const digits = { 100000: 0, 10000: 1, 1000: 2 }[spacing];
  for (let i = Math.floor((w + 180) / 6); i <= Math.floor((e + 180) / 6); i++) {
    const zw = -180 + 6 * i;
    const lon0 = zw + 3;
    for (const south of [false, true]) {
      const ps = Math.max(s, south ? -80 : 0);
      const pn = Math.min(n, south ? 0 : 84);
      const pw = Math.max(w, zw);
      const pe = Math.min(e, zw + 6);
      if (ps >= pn || pw >= pe) continue;
      const inside = ([lat, lon]) => lat >= ps && lat <= pn && lon >= pw && lon <= pe;
      let [emin, emax, nmin, nmax] = [Infinity, -Infinity, Infinity, -Infinity];
      for (let a = 0; a <= 4; a++) {
        for (let b = 0; b <= 4; b++) {
          const [x, y] = utmForward(ps + ((pn - ps) * a) / 4, pw + ((pe - pw) * b) / 4, lon0, south);
          [emin, emax, nmin, nmax] = [Math.min(emin, x), Math.max(emax, x), Math.min(nmin, y), Math.max(nmax, y)];
        }
      }
      const e0 = Math.floor(emin / spacing) * spacing;
      const n0 = Math.floor(nmin / spacing) * spacing;
      if ((emax - e0) / spacing + (nmax - n0) / spacing > MAX_LINES) return null;
      for (let x = e0 + spacing; x < emax; x += spacing) {
        lines.push(...sampled((t) => utmInverse(x, nmin + (nmax - nmin) * t, lon0, south), inside));
      }
      for (let y = n0 + spacing; y < nmax; y += spacing) {
        lines.push(...sampled((t) => utmInverse(emin + (emax - emin) * t, y, lon0, south), inside));
      }
      for (let x = e0; x < emax; x += spacing) {
        for (let y = n0; y < nmax; y += spacing) {
          const centre = utmInverse(x + spacing / 2, y + spacing / 2, lon0, south);
          const corner = utmInverse(x + spacing * 0.04, y + spacing * 0.04, lon0, south);
          if (!inside(centre) || !inside(corner)) continue;
          const ref = mgrsText(centre[0], centre[1], digits);
          if (!ref) continue;
          // 100 km: "54S UE"; 10 km: "UE 3 8"; 1 km: "UE 39 87".
          const text = digits === 0 ? ref : ref.split(" ").slice(1).join(" ");
          labels.push({ at: corner, text, ref });
          if (labels.length > 2 * MAX_LINES) return null;
        }
      }
    }
  }
  return { lines, labels };
}

// Grid zones (6° by 8°, X 12°) with their designators.
function zones(bounds) {
  const lines = [];
  const labels = [];
  const s = Math.max(bounds.getSouth(), -80);
  const n = Math.min(bounds.getNorth(), 84);
  const w = Math.floor(bounds.getWest() / 6) * 6;
  const e = Math.ceil(bounds.getEast() / 6) * 6;
  if (s >= n) return { lines, labels };
  const bands = [];
  for (let lat = -80; lat < 72; lat += 8) bands.push([lat, lat + 8]);
  bands.push([72, 84]);
  for (let lon = w; lon <= e; lon += 6) lines.push([[s, lon], [n, lon]]);
  for (const [lo, hi] of bands) {
    if (hi < s || lo > n) continue;
    if (lo >= s) lines.push([[lo, w], [lo, e]]);
    for (let lon = w; lon < e; lon += 6) {
      const lat = (lo + hi) / 2;
      const ref = mgrsText(lat, lon + 3, 0);
      if (ref) labels.push({ at: [lo + 0.3, lon + 0.3], text: ref.split(" ")[0], ref });
    }
  }
  return { lines, labels };
}

function installGrid(view) {
  const map = view.map;
  map.createPane("grid").style.zIndex = 250;
  map.getPane("grid").style.pointerEvents = "none";
  const layer = L.layerGroup().addTo(map);
  const draw = () => {
    layer.clearLayers();
    const bounds = map.getBounds();
    let spacing = gridLevel(map);
    let got = spacing ? squares(bounds, spacing) : zones(bounds);
    while (got === null && spacing && spacing < 100000) {
      spacing *= 10;
      got = squares(bounds, spacing);
    }
    if (got === null) {
      spacing = 0;
      got = zones(bounds);
    }
    map.getContainer().dataset.grid = String(spacing || "gzd");
    layer.addLayer(
      L.polyline(got.lines, {
        pane: "grid",
        className: "mgrs-line",
        color: "#5f8fb0",
        weight: spacing ? 0.8 : 1.2,
        opacity: 0.7,
        interactive: false,
      }),
    );
    for (const label of got.labels) {
      const el = document.createElement("span");
      el.textContent = label.text;
      el.dataset.ref = label.ref;
      layer.addLayer(
        L.marker(label.at, {
          pane: "grid",
          interactive: false,
          keyboard: false,
          icon: L.divIcon({ html: el, className: "mgrs-label", iconSize: null, iconAnchor: [0, 14] }),
        }),
      );
    }
  };
  map.on("moveend zoomend", draw);
  draw();
}

// ---------------------------------------------------------------- cursor readout

function installReadout(view, shell) {
  const map = view.map;
  let format = "decimal";
  let last = null; // the cursor's lat/lon, or null when off the map (the centre is shown)
  const Readout = L.Control.extend({
    options: { position: "bottomright" },
    onAdd() {
      const box = L.DomUtil.create("div", "leaflet-control cursor-readout");
      box.id = "cursor-readout";
      box.innerHTML =
        '<span class="where" id="cursor-where"></span>' +
        '<span class="mono" id="cursor-latlon"></span>' +
        '<span class="mono" id="cursor-mgrs"></span>' +
        '<button type="button" id="cursor-format"></button>';
      L.DomEvent.disableClickPropagation(box);
      box.querySelector("button").addEventListener("click", () => {
        format = format === "decimal" ? "dms" : "decimal";
        render();
      });
      return box;
    },
  });
  new Readout().addTo(map);
  const render = () => {
    const at = last || map.getCenter();
    const lat = at.lat;
    const lon = wrapLon(at.lng);
    shell.$("cursor-where").textContent = shell.t(last ? "map_cursor_here" : "map_cursor_centre");
    shell.$("cursor-latlon").textContent = format === "dms" ? dmsText(lat, lon) : decimalText(lat, lon);
    shell.$("cursor-mgrs").textContent = mgrsText(lat, lon) || shell.t("unknown_value");
    const button = shell.$("cursor-format");
    button.textContent = shell.t(format === "dms" ? "map_cursor_dms" : "map_cursor_decimal");
    button.title = shell.t("map_cursor_format_title");
    button.dataset.format = format;
  };
  map.on("mousemove", (event) => {
    last = event.latlng;
    render();
  });
  map.on("mouseout", () => {
    last = null;
    render();
  });
  map.on("move", () => {
    if (!last) render();
  });
  render();
  return { language: render };
}

// ---------------------------------------------------------------- range and bearing

export function rangeBearing(a, b) {
  const geod = geodesic.Geodesic.WGS84;
  const r = geod.Inverse(a.lat, a.lng, b.lat, b.lng);
  const line = geod.InverseLine(a.lat, a.lng, b.lat, b.lng);
  const path = [];
  for (let i = 0; i <= 64; i++) {
    const p = line.Position((r.s12 * i) / 64, geodesic.Geodesic.STANDARD | geodesic.Geodesic.LONG_UNROLL);
    path.push([p.lat2, p.lon2]);
  }
  return { metres: r.s12, bearing: (r.azi1 + 360) % 360, path };
}

function installRangeBearing(view, shell) {
  const map = view.map;
  const layer = L.layerGroup().addTo(map);
  let active = false;
  let points = [];
  let result = null;
  let button = null;
  let rubber = null;

  const Tool = L.Control.extend({
    options: { position: "topleft" },
    onAdd() {
      const box = L.DomUtil.create("div", "leaflet-bar leaflet-control rb-control");
      button = L.DomUtil.create("button", "rb-toggle", box);
      button.type = "button";
      button.id = "rb-toggle";
      const out = L.DomUtil.create("div", "rb-result", box);
      out.id = "rb-result";
      out.setAttribute("aria-live", "polite");
      out.hidden = true;
      L.DomEvent.disableClickPropagation(box);
      button.addEventListener("click", () => (active ? cancel() : start()));
      return box;
    },
  });
  new Tool().addTo(map);

  const render = () => {
    button.textContent = shell.t("map_rb_tool");
    button.title = shell.t(active ? "map_rb_help" : "map_rb_tool_title");
    button.setAttribute("aria-pressed", String(active));
    const out = shell.$("rb-result");
    out.hidden = !active;
    map.getContainer().classList.toggle("rb-active", active);
    if (!active) return;
    if (!result) {
      out.textContent = shell.t(points.length ? "map_rb_second" : "map_rb_first");
      delete out.dataset.nm;
      return;
    }
    const text = shell.t("map_rb_value", {
      nm: (result.metres / NM).toFixed(1),
      km: (result.metres / 1000).toFixed(1),
      brg: pad(result.bearing.toFixed(1), 5),
    });
    out.textContent = text;
    out.dataset.nm = String(result.metres / NM);
    out.dataset.km = String(result.metres / 1000);
    out.dataset.bearing = String(result.bearing);
    layer.eachLayer((l) => l.getTooltip?.()?.setContent(text));
  };

  const drawLine = (a, b, final) => {
    const got = rangeBearing(a, b);
    if (rubber) layer.removeLayer(rubber);
    rubber = L.polyline(got.path, {
      className: "rb-line",
      color: "#ffd166",
      weight: 2,
      dashArray: final ? null : "4 4",
      interactive: false,
    });
    layer.addLayer(rubber);
    return got;
  };

  const addPoint = (latlng) => {
    if (points.length === 2) {
      points = [];
      result = null;
      layer.clearLayers();
      rubber = null;
    }
    points.push(latlng);
    layer.addLayer(
      L.circleMarker(latlng, { radius: 4, color: "#ffd166", weight: 2, fillOpacity: 1, interactive: false }),
    );
    if (points.length === 2) {
      result = drawLine(points[0], points[1], true);
      rubber.bindTooltip("", { permanent: true, direction: "center", className: "rb-label" });
    }
    render();
  };

  function start() {
    active = true;
    points = [];
    result = null;
    render();
  }

  function cancel() {
    active = false;
    points = [];
    result = null;
    rubber = null;
    layer.clearLayers();
    render();
    button.focus();
  }

  map.on("click", (event) => {
    if (active) addPoint(event.latlng);
  });
  map.on("mousemove", (event) => {
    if (active && points.length === 1) drawLine(points[0], event.latlng, false);
  });
  // Keyboard: Escape cancels; Enter (the map focused) puts a point at the map's centre.
  document.addEventListener("keydown", (event) => {
    if (!active) return;
    if (event.key === "Escape") {
      event.preventDefault();
      cancel();
    } else if (event.key === "Enter" && document.activeElement === map.getContainer()) {
      event.preventDefault();
      addPoint(map.getCenter());
    }
  });
  render();
  return { language: render };
}

// ---------------------------------------------------------------- nautical-mile scale

function installScale(view, shell) {
  const NauticalScale = L.Control.Scale.extend({
    options: { position: "bottomleft", metric: false, imperial: true, maxWidth: 120 },
    _updateImperial(maxMeters) {
      const nm = maxMeters / NM;
      const round = nm >= 1 ? this._getRoundNum(nm) : this._getRoundNum(nm * 10) / 10;
      this._updateScale(this._iScale, shell.t("map_nm_scale", { n: round }), round / nm);
      this._iScale.classList.add("nm-scale");
      this._iScale.id = "nm-scale";
    },
  });
  const scale = new NauticalScale().addTo(view.map);
  return { language: () => scale._update() };
}

// ---------------------------------------------------------------- install

export function install(view, shell) {
  installGrid(view);
  for (const hook of [installReadout(view, shell), installRangeBearing(view, shell), installScale(view, shell)]) {
    view.onLanguage(hook.language);
  }
}
