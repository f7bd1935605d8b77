// The COP pane's canvas layer: every shown track drawn on one canvas, for
// pictures too large for a DOM marker each (pane.js switches at DOM_MARKERS_MAX).
// Measured (bench/console.py): with 2,000 DOM markers moving, the browser spends
// most of each frame painting and compositing them; one canvas redrawn from
// cached bitmaps costs a few milliseconds a frame.
//
// Symbols are milsymbol's, drawn once per SIDC into a canvas; labels once per
// text and colour; a frame is then only drawImage calls. The canvas covers the
// map's container and is redrawn (at most once per animation frame) when
// tracks change, the view moves, or the map is resized. Clicks are hit-tested
// against what was last drawn, topmost first.

/* global L */

const LABEL_FONT = "11px system-ui, sans-serif";
const LABEL_LINE = 14;

export function createTrackLayer(map, { symbol, labelsOf, onClick }) {
  const pane = map.getPane("tracks") || map.createPane("tracks");
  pane.style.zIndex = 600; // where Leaflet puts markers
  pane.style.pointerEvents = "none";
  const canvas = L.DomUtil.create("canvas", "track-canvas leaflet-zoom-hide", pane);
  const ctx = canvas.getContext("2d");
  const labels = new Map(); // text|colour -> canvas
  let drawn = []; // [{ uid, x, y, w, h }] in container pixels, in drawing order
  let pending = false;
  let source = () => [];
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

  // source(): [{ uid, lat, lon, sidc, stale, selected, estimated, labels: [[text, colour]] }],
  // in drawing order. draw(changed): with a set of uids, only the rectangles
  // those tracks left and entered are cleared and redrawn (with whatever else
  // overlaps them, in order); without, or after the view moved, everything.
  let full = true;
  let drawnOrigin = null; // the layer point of the canvas's top left, as last drawn whole
  let drawnZoom = null;
  let bounds = new Map(); // uid -> [x0, y0, x1, y1]: what its drawing covers, halo included

  function draw(changed = null) {
    pending = false;
    if (!map._loaded) return;
    const resized = size();
    const dpr = window.devicePixelRatio || 1;
    const zoom = map.getZoom();
    // Many changes at once (a filter, a language): drawing all is cheaper than
    // clipping. After a pan, the canvas (in the map's pane) has moved with the
    // map: what it shows is still right, and a partial drawing stays in its
    // frame; the whole is redrawn a frame later (moved), not in the frame that
    // shows what the user clicked.
    const whole =
      full || resized || changed === null || changed.size > 100 || zoom !== drawnZoom;
    full = false;
    if (whole) {
      drawnOrigin = map.containerPointToLayerPoint([0, 0]);
      drawnZoom = zoom;
      L.DomUtil.setPosition(canvas, drawnOrigin);
    }
    const origin = drawnOrigin;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const s = map.getSize();
    const out = [];
    const covers = new Map();
    for (const item of source()) {
      let at = points.get(item.uid);
      if (!at || at[0] !== item.lat || at[1] !== item.lon || at[2] !== zoom) {
        const lp = map.latLngToLayerPoint([item.lat, item.lon]);
        at = [item.lat, item.lon, zoom, lp.x, lp.y];
        points.set(item.uid, at);
      }
      const img = symbol(item.sidc);
      const x = Math.round(at[3] - origin.x - img.ax); // whole pixels: no resampling
      const y = Math.round(at[4] - origin.y - img.ay);
      const ly = Math.round(at[4] - origin.y - 8);
      const images = item.labels.map(([text, colour]) => labelImage(text, colour));
      const lx = x + Math.round(img.width) + 1;
      const right = Math.max(x + img.width + 6, ...images.map((l) => lx + l.width));
      const bottom = Math.max(y + img.height + 6, ly - 1 + images.length * LABEL_LINE + 2);
      const box = [x - 6, Math.min(y - 6, ly - 1), right, bottom];
      if (box[0] > s.x || box[1] > s.y || box[2] < 0 || box[3] < 0) continue;
      out.push({ uid: item.uid, x, y, w: img.width, h: img.height, item, img, images, lx, ly, box });
      covers.set(item.uid, box);
    }
    let dirty = null; // rectangles to redraw, or null for all
    if (whole) {
      ctx.clearRect(0, 0, s.x, s.y);
    } else {
      dirty = [];
      for (const uid of changed) {
        if (bounds.has(uid)) dirty.push(bounds.get(uid));
        if (covers.has(uid)) dirty.push(covers.get(uid));
      }
      ctx.save();
      ctx.beginPath();
      for (const [x0, y0, x1, y1] of dirty) {
        ctx.clearRect(x0, y0, x1 - x0, y1 - y0);
        ctx.rect(x0, y0, x1 - x0, y1 - y0);
      }
      ctx.clip();
    }
    const touches = (b) =>
      dirty === null || dirty.some((d) => b[0] < d[2] && b[2] > d[0] && b[1] < d[3] && b[3] > d[1]);
    for (const d of out) {
      if (dirty !== null && (dirty.length === 0 || !touches(d.box))) continue;
      const { item, img } = d;
      ctx.globalAlpha = item.stale ? 0.4 : item.estimated ? 0.6 : 1;
      ctx.drawImage(bitmap(img.canvas), d.x, d.y, img.width, img.height);
      d.images.forEach((label, i) => {
        ctx.drawImage(bitmap(label), d.lx, d.ly - 1 + i * LABEL_LINE);
      });
      if (item.selected) {
        ctx.globalAlpha = 1;
        ctx.strokeStyle = "#4db3ff";
        ctx.lineWidth = 2;
        ctx.strokeRect(d.x - 5, d.y - 5, d.w + 10, d.h + 10);
      }
    }
    ctx.globalAlpha = 1;
    if (dirty !== null) ctx.restore();
    drawn = out;
    bounds = covers;
    if (points.size > out.length * 2 + 1000) points.clear(); // gone tracks
    canvas.dataset.drawn = String(out.length);
  }

  function redraw() {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => draw());
  }

  // After the view moved: the whole, a frame later (see draw).
  function moved() {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => requestAnimationFrame(() => draw()));
  }

  function hit(point) {
    for (let i = drawn.length - 1; i >= 0; i -= 1) {
      const b = drawn[i];
      if (point.x >= b.x && point.x <= b.x + b.w && point.y >= b.y && point.y <= b.y + b.h) {
        return b.uid;
      }
    }
    return null;
  }

  // Drawn boxes are in the canvas's pixels; the canvas sits at drawnOrigin.
  function onCanvas(event) {
    return drawnOrigin ? event.layerPoint.subtract(drawnOrigin) : event.containerPoint;
  }

  function click(event) {
    const uid = hit(onCanvas(event));
    if (uid) onClick(uid);
  }

  function hover(event) {
    map.getContainer().style.cursor = hit(onCanvas(event)) ? "pointer" : "";
  }

  map.on("move", moved);
  map.on("zoomend viewreset resize", redraw);
  map.on("click", click);
  map.on("mousemove", hover);

  return {
    canvas,
    hit,
    redraw,
    drawNow: (changed = null) => draw(changed),
    setSource(fn) {
      source = fn;
      redraw();
    },
    drawn: () => drawn,
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
