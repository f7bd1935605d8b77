// The COP pane's canvas layer: every shown track drawn on one canvas, for
// pictures too large for a DOM marker each (pane.js switches at DOM_MARKERS_MAX).
// Measured (bench/console.py): with 2,000 DOM markers moving, the browser spends
// most of each frame painting and compositing them; one canvas redrawn from
// cached bitmaps costs a few milliseconds a frame.
//
// Symbols are milsymbol's, drawn once per SIDC into a canvas; labels once per
// text and colour; a frame is then only drawImage calls.
//
// What was drawn is kept: each shown track's entry (where its symbol and
// labels went, the box they cover) in a grid of cells over the canvas. A report
// moves one track: only its entry is recomputed, and only the boxes it left
// and entered are cleared and redrawn, each on its own (a rectangular clip is
// cheap to raster; a clip of many rectangles at once made the browser build a
// mask of the whole canvas at every redraw), with the tracks the grid says
// overlap them, in drawing order. A frame after a pan the canvas follows it:
// its pixels are copied by the pan's offset onto itself, its entries moved
// with them, and only the strips the pan uncovered are drawn. The whole
// canvas is redrawn only for a change of many tracks (a filter, a language),
// a zoom, a resize, or a pan of more than its size. Hit tests (clicks, the
// cursor, hover tooltips) use the same grid.
//
// Labels are decluttered when the pane gives a placer (labels.js): at each
// whole redraw and whenever declutter() is called, the placer gets every
// drawn track's label box and says whose label stays; a track whose label is
// hidden covers only its symbol.

/* global L */

const LABEL_FONT = "11px system-ui, sans-serif";
const LABEL_LINE = 14;
const CELL = 64; // px: the grid's cells
const WHOLE_ABOVE = 150; // changed tracks: above this, the whole canvas is redrawn

export function createTrackLayer(map, { symbol, onClick }) {
  const pane = map.getPane("tracks") || map.createPane("tracks");
  pane.style.zIndex = 600; // where Leaflet puts markers
  pane.style.pointerEvents = "none";
  const canvas = L.DomUtil.create("canvas", "track-canvas leaflet-zoom-hide", pane);
  const ctx = canvas.getContext("2d");
  const labels = new Map(); // text|colour -> canvas
  let pending = false;
  let item = () => null; // uid -> what to draw, or null (not shown)
  let items = () => []; // every shown track's item, in drawing order
  let placer = null; // candidates -> Set of uids whose label stays, or null: all
  const points = new Map(); // uid -> [lat, lon, zoom, x, y]: its layer point, projected once

  // A canvas as drawImage's source is copied at every call; an ImageBitmap is
  // not (measured: ~27 µs against ~1 µs a call). Bitmaps come asynchronously:
  // until one is ready the canvas is drawn.
  const bitmaps = new WeakMap(); // canvas -> ImageBitmap
  function bitmap(source) {
    const ready = bitmaps.get(source);
    if (ready) return ready === "pending" ? source : ready;
    bitmaps.set(source, "pending");
    createImageBitmap(source).then(
      (made) => {
        bitmaps.set(source, made);
        full = true;
        redraw();
      },
      () => bitmaps.delete(source),
    );
    return source;
  }

  function labelImage(text, colour) {
    const key = `${text}|${colour}`;
    let image = labels.get(key);
    if (!image) {
      image = document.createElement("canvas");
      const c = image.getContext("2d");
      c.font = LABEL_FONT;
      const width = Math.ceil(c.measureText(text).width) + 4;
      image.width = width;
      image.height = LABEL_LINE + 2;
      c.font = LABEL_FONT;
      c.textBaseline = "middle";
      c.lineJoin = "round";
      c.lineWidth = 3;
      c.strokeStyle = "rgba(0, 0, 0, 0.9)";
      c.strokeText(text, 2, image.height / 2);
      c.fillStyle = colour;
      c.fillText(text, 2, image.height / 2);
      if (labels.size > 20000) labels.clear(); // a bound, not a policy
      labels.set(key, image);
    }
    return image;
  }

  // Whether the canvas had to be resized (which clears it).
  function size() {
    const s = map.getSize();
    const dpr = window.devicePixelRatio || 1;
    if (canvas.width !== Math.round(s.x * dpr) || canvas.height !== Math.round(s.y * dpr)) {
      canvas.width = Math.round(s.x * dpr);
      canvas.height = Math.round(s.y * dpr);
      canvas.style.width = `${s.x}px`;
      canvas.style.height = `${s.y}px`;
      return true;
    }
    return false;
  }

  // ------------------------------------------------------------ what was drawn

  // uid -> { uid, seq, item, img, images, x, y, w, h, lx, ly, label, labelShown, box, on, cells }
  // in canvas pixels; box = [x0, y0, x1, y1], what its drawing covers (halo and
  // selection included); label = the labels' box, shown or not.
  const entries = new Map();
  let seq = 0; // drawing order: the order items() gives, the selected track last
  let shown = null; // Set of uids whose label stays (null: every label)
  let onCanvas = 0; // entries whose box meets the canvas
  let cols = 0;
  let rows = 0;
  let grid = []; // cols * rows Sets of entries
  let width = 0;
  let height = 0;
  let stamp = 0; // for queries: an entry is taken once
  let generations = 0; // whole redraws: entries not seen in the last are gone

  let full = true;
  let drawnOrigin = null; // the layer point of the canvas's top left, as last drawn whole
  let drawnZoom = null;

  const order = (e) => (e.item.selected ? Infinity : e.seq);

  function resetGrid() {
    const s = map.getSize();
    width = s.x;
    height = s.y;
    cols = Math.max(1, Math.ceil(width / CELL));
    rows = Math.max(1, Math.ceil(height / CELL));
    grid = Array.from({ length: cols * rows }, () => new Set());
  }

  function cellsOf(b) {
    const c0 = Math.max(0, Math.floor(b[0] / CELL));
    const c1 = Math.min(cols - 1, Math.floor(b[2] / CELL));
    const r0 = Math.max(0, Math.floor(b[1] / CELL));
    const r1 = Math.min(rows - 1, Math.floor(b[3] / CELL));
    return [c0, c1, r0, r1];
  }

  function unindex(e) {
    if (!e.on) return;
    const [c0, c1, r0, r1] = e.cells;
    for (let r = r0; r <= r1; r += 1) for (let c = c0; c <= c1; c += 1) grid[r * cols + c].delete(e);
    e.on = false;
    onCanvas -= 1;
  }

  function index(e) {
    const b = e.box;
    e.on = b[0] < width && b[1] < height && b[2] > 0 && b[3] > 0;
    if (!e.on) return;
    onCanvas += 1;
    e.cells = cellsOf(b);
    const [c0, c1, r0, r1] = e.cells;
    for (let r = r0; r <= r1; r += 1) for (let c = c0; c <= c1; c += 1) grid[r * cols + c].add(e);
  }

  // Where an item goes, in canvas pixels, given the canvas's origin.
  function place(e, it, zoom) {
    let at = points.get(it.uid);
    if (!at || at[0] !== it.lat || at[1] !== it.lon || at[2] !== zoom) {
      const lp = map.latLngToLayerPoint([it.lat, it.lon]);
      at = [it.lat, it.lon, zoom, lp.x, lp.y];
      points.set(it.uid, at);
    }
    const img = symbol(it.sidc);
    const origin = drawnOrigin;
    e.item = it;
    e.img = img;
    e.x = Math.round(at[3] - origin.x - img.ax); // whole pixels: no resampling
    e.y = Math.round(at[4] - origin.y - img.ay);
    // At the symbol canvas's own size: no resampling (its size as milsymbol
    // gives it is fractional, the canvas whole pixels).
    e.w = img.canvas.width;
    e.h = img.canvas.height;
    e.ly = Math.round(at[4] - origin.y - 8);
    e.lx = e.x + Math.round(img.width) + 1;
    if (!sameLabels(e.labelled, it.labels)) {
      e.images = it.labels.map(([text, colour]) => labelImage(text, colour));
      e.labelled = it.labels;
    }
    let right = e.lx;
    for (const l of e.images) right = Math.max(right, e.lx + l.width);
    e.label = e.images.length
      ? [e.lx, e.ly - 1, right, e.ly - 1 + e.images.length * LABEL_LINE + 2]
      : null;
    bound(e);
  }

  // Whether two items' labels ([[text, colour]]) are the same.
  function sameLabels(a, b) {
    if (!a || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i += 1) if (a[i][0] !== b[i][0] || a[i][1] !== b[i][1]) return false;
    return true;
  }

  function bound(e) {
    e.labelShown = e.label !== null && (shown === null || shown.has(e.uid));
    const box = [e.x - 6, e.y - 6, e.x + e.w + 6, e.y + e.h + 6];
    if (e.labelShown) {
      box[1] = Math.min(box[1], e.label[1]);
      box[2] = Math.max(box[2], e.label[2]);
      box[3] = Math.max(box[3], e.label[3]);
    }
    e.box = box;
  }

  // The entries whose box meets rectangle r, in drawing order.
  function query(r) {
    stamp += 1;
    const out = [];
    const [c0, c1, r0, r1] = cellsOf(r);
    for (let row = r0; row <= r1; row += 1) {
      for (let c = c0; c <= c1; c += 1) {
        for (const e of grid[row * cols + c]) {
          if (e.stamp === stamp) continue;
          e.stamp = stamp;
          const b = e.box;
          if (b[0] < r[2] && b[2] > r[0] && b[1] < r[3] && b[3] > r[1]) out.push(e);
        }
      }
    }
    return out.sort((a, b) => order(a) - order(b));
  }

  function paint(e) {
    const { item: it, img } = e;
    ctx.globalAlpha = it.stale ? 0.4 : it.estimated ? 0.6 : 1;
    ctx.drawImage(bitmap(img.canvas), e.x, e.y);
    if (e.labelShown) {
      for (let i = 0; i < e.images.length; i += 1) {
        ctx.drawImage(bitmap(e.images[i]), e.lx, e.ly - 1 + i * LABEL_LINE);
      }
    }
    if (it.selected) {
      ctx.globalAlpha = 1;
      ctx.strokeStyle = "#4db3ff";
      ctx.lineWidth = 2;
      ctx.strokeRect(e.x - 5, e.y - 5, e.w + 10, e.h + 10);
    }
  }

  // Rectangles that meet are drawn as one (a track's old and new place,
  // mostly); the first `apart` are kept apart from each other.
  function merge(rects, apart = 0) {
    const out = rects.slice(0, apart).map((r) => [
      Math.max(0, r[0]),
      Math.max(0, r[1]),
      Math.min(width, r[2]),
      Math.min(height, r[3]),
    ]);
    for (let r of rects.slice(apart)) {
      r = [Math.max(0, r[0]), Math.max(0, r[1]), Math.min(width, r[2]), Math.min(height, r[3])];
      if (r[0] >= r[2] || r[1] >= r[3]) continue;
      for (let i = 0; i < out.length; ) {
        const o = out[i];
        if (o[0] <= r[2] && r[0] <= o[2] && o[1] <= r[3] && r[1] <= o[3]) {
          r = [Math.min(o[0], r[0]), Math.min(o[1], r[1]), Math.max(o[2], r[2]), Math.max(o[3], r[3])];
          out.splice(i, 1);
          i = 0;
        } else {
          i += 1;
        }
      }
      out.push(r);
    }
    return out;
  }

  function drawRects(rects, apart = 0) {
    for (const r of merge(rects, apart)) {
      const [x0, y0, x1, y1] = r;
      ctx.clearRect(x0, y0, x1 - x0, y1 - y0);
      ctx.save();
      ctx.beginPath();
      ctx.rect(x0, y0, x1 - x0, y1 - y0);
      ctx.clip();
      for (const e of query(r)) paint(e);
      ctx.restore();
    }
    ctx.globalAlpha = 1;
  }

  function drawAll() {
    ctx.clearRect(0, 0, width, height);
    const all = [];
    for (const e of entries.values()) if (e.on) all.push(e);
    all.sort((a, b) => order(a) - order(b));
    for (const e of all) paint(e);
    ctx.globalAlpha = 1;
  }

  // The label placer's answer, applied: entries whose label comes or goes
  // are re-bounded; the rectangles to redraw are returned.
  function relabel() {
    if (!placer) {
      if (shown === null) return [];
      shown = null;
    } else {
      const candidates = [];
      for (const e of entries.values()) {
        if (!e.on || !e.label) continue;
        const [x0, y0, x1, y1] = e.label;
        candidates.push({ key: e.uid, box: { left: x0 - 1, top: y0 - 1, right: x1 + 1, bottom: y1 + 1 } });
      }
      shown = placer(candidates);
    }
    const dirty = [];
    for (const e of entries.values()) {
      const want = e.label !== null && (shown === null || shown.has(e.uid));
      if (want === e.labelShown) continue;
      dirty.push(e.box);
      unindex(e);
      bound(e);
      index(e);
      dirty.push(e.box);
    }
    return dirty;
  }

  // draw(changed): with a set of uids, only their entries are recomputed and
  // only the rectangles they left and entered redrawn; without, or after the
  // view moved, everything.
  // After a pan: the canvas's pixels moved by the pan (one copy of the canvas
  // onto itself), every entry with them, and only the strips the pan uncovered
  // drawn. The rectangles to draw are returned, or null when the whole must be.
  function follow(origin) {
    const dx = origin.x - drawnOrigin.x;
    const dy = origin.y - drawnOrigin.y;
    if (dx === 0 && dy === 0) return [];
    if (!Number.isInteger(dx) || !Number.isInteger(dy) || Math.abs(dx) >= width || Math.abs(dy) >= height) {
      return null;
    }
    const dpr = window.devicePixelRatio || 1;
    ctx.save();
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.globalCompositeOperation = "copy";
    ctx.drawImage(canvas, -dx * dpr, -dy * dpr);
    ctx.restore();
    drawnOrigin = origin;
    L.DomUtil.setPosition(canvas, drawnOrigin);
    for (const cell of grid) cell.clear();
    onCanvas = 0;
    const by = (b) => [b[0] - dx, b[1] - dy, b[2] - dx, b[3] - dy];
    for (const e of entries.values()) {
      e.x -= dx;
      e.y -= dy;
      e.lx -= dx;
      e.ly -= dy;
      if (e.label) e.label = by(e.label);
      e.box = by(e.box);
      e.on = false;
      index(e);
    }
    // Uncovered: a band of columns, and a band of rows beside it (apart, so
    // that they are not drawn as the one box that holds both).
    const strips = [];
    const x0 = dx > 0 ? width - dx : 0;
    const x1 = dx > 0 ? width : -dx;
    if (dx !== 0) strips.push([x0, 0, x1, height]);
    const cx0 = dx > 0 ? 0 : x1;
    const cx1 = dx > 0 ? x0 : width;
    if (dy > 0) strips.push([cx0, height - dy, cx1, height]);
    if (dy < 0) strips.push([cx0, 0, cx1, -dy]);
    return strips;
  }

  function draw(changed = null, { following = false } = {}) {
    pending = false;
    if (!map._loaded) return;
    const resized = size();
    const dpr = window.devicePixelRatio || 1;
    const zoom = map.getZoom();
    // After a pan, the canvas (in the map's pane) has moved with the map: what
    // it shows is still right, and a partial drawing stays in its frame; it
    // follows the pan a frame later (moved), not in the frame that shows what
    // the user clicked.
    let whole =
      full || resized || changed === null || changed.size > WHOLE_ABOVE || zoom !== drawnZoom;
    full = false;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    let uncovered = [];
    if (!whole && following) {
      uncovered = follow(map.containerPointToLayerPoint([0, 0]));
      if (uncovered === null) whole = true;
      // Other tracks are on the canvas now: the labels placed again.
      else uncovered.push(...relabel());
    }
    if (whole) {
      drawnOrigin = map.containerPointToLayerPoint([0, 0]);
      drawnZoom = zoom;
      L.DomUtil.setPosition(canvas, drawnOrigin);
      resetGrid();
      onCanvas = 0;
      seq = 0;
      const generation = ++generations;
      for (const it of items()) {
        let e = entries.get(it.uid);
        if (!e) {
          e = { uid: it.uid, seq: 0, on: false, stamp: 0, generation };
          entries.set(it.uid, e);
        }
        e.seq = seq++;
        e.generation = generation;
        e.on = false;
        place(e, it, zoom);
        index(e);
      }
      for (const [uid, e] of entries) if (e.generation !== generation) entries.delete(uid);
      relabel();
      drawAll();
      if (points.size > entries.size * 2 + 1000) points.clear(); // gone tracks
    } else {
      const dirty = uncovered;
      for (const uid of changed) {
        const it = item(uid);
        let e = entries.get(uid);
        if (e) {
          if (e.on) dirty.push(e.box);
          unindex(e);
        }
        if (!it) {
          entries.delete(uid);
          continue;
        }
        if (!e) {
          e = { uid, seq: seq++, on: false, stamp: 0, generation: generations };
          entries.set(uid, e);
        }
        place(e, it, zoom);
        index(e);
        if (e.on) dirty.push(e.box);
      }
      drawRects(dirty, uncovered.length);
    }
    canvas.dataset.drawn = String(onCanvas);
  }

  // The whole, next frame (a drawing already asked for becomes whole).
  function redraw() {
    full = true;
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => draw());
  }

  // After the view moved: the canvas follows, a frame later (see draw).
  function moved() {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => requestAnimationFrame(() => draw(new Set(), { following: true })));
  }

  // The uid of the topmost symbol under a point in canvas pixels, or null.
  function hit(point) {
    if (!drawnOrigin || point.x < 0 || point.y < 0 || point.x >= width || point.y >= height) return null;
    const cell = grid[Math.floor(point.y / CELL) * cols + Math.floor(point.x / CELL)];
    let best = null;
    for (const e of cell) {
      if (point.x >= e.x && point.x <= e.x + e.w && point.y >= e.y && point.y <= e.y + e.h) {
        if (!best || order(e) > order(best)) best = e;
      }
    }
    return best ? best.uid : null;
  }

  // Drawn boxes are in the canvas's pixels; the canvas sits at drawnOrigin.
  function toCanvas(event) {
    return drawnOrigin ? event.layerPoint.subtract(drawnOrigin) : event.containerPoint;
  }

  const at = (event) => hit(toCanvas(event));

  function click(event) {
    const uid = at(event);
    if (uid) onClick(uid);
  }

  function hover(event) {
    map.getContainer().style.cursor = at(event) ? "pointer" : "";
  }

  map.on("move", moved);
  map.on("zoomend viewreset resize", redraw);
  map.on("click", click);
  map.on("mousemove", hover);

  return {
    canvas,
    hit,
    at,
    redraw,
    drawNow: (changed = null) => draw(changed),
    // source: { item(uid) -> item or null, items() -> every shown item in drawing order },
    // an item being { uid, lat, lon, sidc, stale, selected, estimated, labels: [[text, colour]] }.
    setSource(source) {
      ({ item, items } = source);
      redraw();
    },
    // placer(candidates: [{ key, box: { left, top, right, bottom } }]) -> Set of keys, or null.
    setPlacer(fn) {
      placer = fn;
      full = true;
      redraw();
    },
    // The labels placed again (tracks moved since): only what changes is redrawn.
    declutter() {
      if (!drawnOrigin || pending) return;
      drawRects(relabel());
    },
    // What was drawn, for tools and tests: [{ uid, symbol: box, label: box or null }]
    // in canvas pixels (boxes as { left, top, right, bottom }), and where the canvas sits.
    drawn() {
      const out = [];
      const rect = (b) => ({ left: b[0], top: b[1], right: b[2], bottom: b[3] });
      for (const e of entries.values()) {
        if (!e.on) continue;
        out.push({
          uid: e.uid,
          symbol: rect([e.x, e.y, e.x + e.w, e.y + e.h]),
          label: e.labelShown ? rect(e.label) : null,
        });
      }
      return out;
    },
    remove() {
      map.off("move", moved);
      map.off("zoomend viewreset resize", redraw);
      map.off("click", click);
      map.off("mousemove", hover);
      map.getContainer().style.cursor = "";
      canvas.remove();
      labels.clear();
    },
    // used by tests and tools: the labels' cache size
    cached: () => labels.size,
  };
}
