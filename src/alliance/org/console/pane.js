// The org desk's pane: the structure of both nations, drawn as a tree.
//
// Layout: d3-hierarchy's tidy tree (Reingold–Tilford), served by this node
// from the npm package as its UMD file (a global `d3`, loaded by head.html);
// no build step is needed, and a hand-made layered layout would overlap
// subtrees of uneven size, which the tidy tree solves. Each nation is a
// subtree (JPN above, USA below): HQs under their parent HQ, units under
// their HQ. Over that tree are drawn the command relationships (solid),
// support relationships (dashed, labelled by kind), dual-hat links, and the
// counterpart pairs across the two nations (a distinct dash-dot style).
// Everything shown is what the node releases to the user's nation.
//
// Pan by dragging, with the wheel or with the arrow keys on the drawing, zoom
// with Ctrl and the wheel, the + and − keys or the buttons; each box is focusable (Tab) and Enter or a click shows its
// details. Live: the shell's stream (shell.subscribe) when it has one,
// otherwise the tree is read again each time the tab is shown.

const SVG_NS = "http://www.w3.org/2000/svg";
const BOX_W = 168;
const BOX_H = 38;
const COL = 236; // between depths
const ROW = 48; // between siblings
const COMMAND = new Set(["cocom", "opcon", "tacon", "adcon"]);
const STRUCTURE = new Set(["nation", "hq", "unit", "relationship", "counterpart"]);

let shell = null;
let root = null;
let dirty = true;
let pending = null;
let selected = null;
const data = { nations: [], hqs: [], units: [], rels: [], cps: [] };
const pos = new Map(); // id -> {x, y, item, type}
const view = { k: 1, x: 20, y: 20 };

const el = (id) => shell.$(id);

function svg(tag, attrs = {}, parent = null) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (parent) parent.append(node);
  return node;
}

function ja() {
  return shell.lang === "ja";
}

function nameOf(item, type) {
  if (!item) return "";
  if (type === "nation") return ja() ? item.name_ja : item.name_en;
  if (type === "hq") return (ja() ? item.short_ja : item.short_en) || (ja() ? item.name_ja : item.name_en);
  return ja() ? item.name_ja : item.name_en;
}

function fullName(item) {
  return ja() ? item.name_ja : item.name_en;
}

function label(id) {
  const p = pos.get(id);
  return p ? nameOf(p.item, p.type) : id;
}

function kindName(rel) {
  return rel.kind_name[shell.lang] || rel.kind_name.en || rel.kind;
}

// The label on an edge: "OPCON" from "operational control (OPCON)", 作戦統制
// from 作戦統制（OPCON）; a name without an abbreviation as it is.
function kindLabel(rel) {
  const name = kindName(rel);
  if (ja()) return name.split("（")[0];
  const abbr = /\(([^)]+)\)\s*$/.exec(name);
  return abbr ? abbr[1] : name;
}

// ---------------------------------------------------------------- reading

async function load() {
  if (!shell.me) return;
  dirty = false;
  const get = async (path) => (await shell.api(path)).json();
  try {
    const [nations, hqs, units, rels, cps] = await Promise.all([
      get("/org/nations"),
      get("/org/hqs"),
      get("/org/units"),
      get("/org/relationships"),
      get("/org/counterparts"),
    ]);
    Object.assign(data, { nations, hqs, units, rels: rels.filter((r) => r.in_force), cps });
    el("org-error").hidden = true;
    draw();
  } catch (err) {
    const error = el("org-error");
    error.textContent = shell.t("org_failed", { error: err instanceof shell.ApiError ? err.text() : String(err) });
    error.hidden = false;
  }
}

function loadSoon() {
  if (!root.classList.contains("active")) {
    dirty = true;
    return;
  }
  if (pending) return;
  pending = setTimeout(() => {
    pending = null;
    load();
  }, 300);
}

// ---------------------------------------------------------------- layout

function layout() {
  const withUnits = el("org-units").checked;
  const hqIds = new Set(data.hqs.map((h) => h.id));
  const nations = [...new Set(data.hqs.map((h) => h.owner))].sort();
  const rows = [{ id: "~root", parent: null }];
  for (const code of nations) {
    const nation = data.nations.find((n) => n.code === code) || { code, name_en: code, name_ja: code };
    rows.push({ id: `nation:${code}`, parent: "~root", item: nation, type: "nation" });
  }
  for (const hq of data.hqs) {
    const parent = hq.parent_id && hqIds.has(hq.parent_id) ? hq.parent_id : `nation:${hq.owner}`;
    rows.push({ id: hq.id, parent, item: hq, type: "hq" });
  }
  if (withUnits) {
    for (const unit of data.units) {
      const parent = hqIds.has(unit.hq_id) ? unit.hq_id : `nation:${unit.owner}`;
      rows.push({ id: unit.id, parent, item: unit, type: "unit" });
    }
  }
  const tree = d3
    .stratify()
    .id((d) => d.id)
    .parentId((d) => d.parent)(rows)
    .sort((a, b) => (a.data.type === b.data.type ? a.id.localeCompare(b.id) : a.data.type === "unit" ? 1 : -1));
  d3.tree().nodeSize([ROW, COL]).separation((a, b) => (a.parent === b.parent ? 1 : 1.4))(tree);
  pos.clear();
  for (const node of tree.descendants()) {
    if (node.id === "~root") continue;
    // Depth runs left to right; the tidy tree's breadth runs down the page.
    pos.set(node.id, { x: (node.depth - 1) * COL, y: node.x, item: node.data.item, type: node.data.type, parent: node.parent.id });
  }
  return tree;
}

// ---------------------------------------------------------------- drawing

// A point of the cubic Bézier (p0, c1, c2, p1) at t.
function bezier(p, t) {
  const u = 1 - t;
  const at = (i) => u * u * u * p[0][i] + 3 * u * u * t * p[1][i] + 3 * u * t * t * p[2][i] + t * t * t * p[3][i];
  return [at(0), at(1)];
}

// An edge's path, and where its label goes: three quarters of the way, near
// the end it points to, so that the labels of edges fanning out of one box
// stand apart.
function edge(points) {
  const [p0, c1, c2, p1] = points;
  const [mx, my] = bezier(points, 0.72);
  return { d: `M${p0[0]},${p0[1]} C${c1[0]},${c1[1]} ${c2[0]},${c2[1]} ${p1[0]},${p1[1]}`, mx, my };
}

function curve(a, b) {
  // From the right edge of a to the left edge of b (or back, if b is left of a).
  const forward = b.x >= a.x;
  const x1 = forward ? a.x + BOX_W : a.x;
  const x2 = forward ? b.x : b.x + BOX_W;
  const bend = Math.max(40, Math.abs(x2 - x1) / 2) * (forward ? 1 : -1);
  return edge([
    [x1, a.y],
    [x1 + bend, a.y],
    [x2 - bend, b.y],
    [x2, b.y],
  ]);
}

function arc(a, b, side) {
  // Between boxes in the same column (or near it): an arc out to one side.
  const x = side > 0 ? Math.max(a.x, b.x) + BOX_W : Math.min(a.x, b.x);
  const out = side * (60 + Math.min(200, Math.abs(a.y - b.y) / 6));
  return edge([
    [x, a.y],
    [x + out, a.y],
    [x + out, b.y],
    [x, b.y],
  ]);
}

function draw() {
  const g = el("org-view");
  g.replaceChildren();
  layout();
  const edges = svg("g", { class: "edges" }, g);
  const labels = svg("g", { class: "edge-labels" }, g);
  const boxes = svg("g", { class: "boxes" }, g);

  // The organisation itself: each box under its parent.
  for (const [id, p] of pos) {
    if (!p.parent || p.parent === "~root") continue;
    const parent = pos.get(p.parent);
    if (!parent || parent.type === "nation") continue;
    const c = curve(parent, p);
    svg("path", { d: c.d, class: "edge edge-org", "data-from": p.parent, "data-to": id }, edges);
  }

  // Relationships: command solid, support dashed, dual-hat dotted, each labelled by kind.
  let nRels = 0;
  for (const rel of data.rels) {
    const sup = pos.get(rel.superior.id);
    const sub = pos.get(rel.subordinate.id);
    if (!sup || !sub) continue;
    nRels += 1;
    const style = COMMAND.has(rel.kind) ? "command" : rel.kind === "dual_hat" ? "dual_hat" : "support";
    // Command and dual-hat: from the superior to the subordinate; support:
    // from the supporting force to the supported.
    const [from, to] = style === "support" ? [sub, sup] : [sup, sub];
    const c = Math.abs(from.x - to.x) < COL / 2 ? arc(from, to, 1) : curve(from, to);
    const path = svg(
      "path",
      {
        d: c.d,
        class: `edge edge-${style}`,
        "marker-end": "url(#org-arrow)",
        "data-rel": rel.id,
        "data-kind": rel.kind,
        "data-from": rel.superior.id,
        "data-to": rel.subordinate.id,
      },
      edges,
    );
    const title = svg("title", {}, path);
    title.textContent = `${kindName(rel)}: ${label(rel.superior.id)} → ${label(rel.subordinate.id)}`;
    const text = svg("text", { x: c.mx, y: c.my - 3, class: `edge-label label-${style}`, "data-rel": rel.id, "text-anchor": "middle" }, labels);
    text.textContent = kindLabel(rel);
  }

  // Counterparts: one link per pair, whichever side recorded it.
  const pairs = new Map();
  for (const cp of data.cps) {
    const key = [cp.hq_id, cp.partner_hq_id].sort().join("|");
    if (!pairs.has(key)) pairs.set(key, cp);
  }
  let nPairs = 0;
  for (const [key, cp] of pairs) {
    const [a, b] = key.split("|");
    const pa = pos.get(a);
    const pb = pos.get(b);
    if (!pa || !pb) continue;
    nPairs += 1;
    const c = Math.abs(pa.x - pb.x) < COL / 2 ? arc(pa, pb, -1) : curve(pa, pb);
    const path = svg("path", { d: c.d, class: "edge edge-counterpart", "data-a": a, "data-b": b }, edges);
    const title = svg("title", {}, path);
    title.textContent = `${label(a)} ⇄ ${label(b)}${cp.note_en ? ` — ${ja() ? cp.note_ja : cp.note_en}` : ""}`;
  }

  for (const [id, p] of pos) drawBox(boxes, id, p);
  el("org-count").textContent = shell.t("org_count", {
    hqs: data.hqs.length,
    units: data.units.length,
    rels: nRels,
    cps: nPairs,
  });
  applyView();
  if (selected && pos.has(selected)) showDetail(selected);
}

function drawBox(parent, id, p) {
  const nation = p.type === "nation" ? p.item.code : p.item.owner;
  const g = svg(
    "g",
    {
      class: `org-node node-${p.type} nation-${nation}${id === selected ? " selected" : ""}`,
      transform: `translate(${p.x},${p.y - BOX_H / 2})`,
      "data-id": id,
      "data-type": p.type,
      "data-nation": nation,
      tabindex: p.type === "nation" ? -1 : 0,
      role: p.type === "nation" ? "heading" : "button",
      "aria-label": p.type === "nation" ? nameOf(p.item, "nation") : `${fullName(p.item)} (${nation})`,
    },
    parent,
  );
  svg("rect", { width: BOX_W, height: BOX_H, rx: p.type === "unit" ? 12 : 3, class: `box box-${p.type} nation-${nation}` }, g);
  const main = svg("text", { x: 8, y: p.type === "nation" ? 24 : 16, class: "box-name" }, g);
  main.textContent = clip(nameOf(p.item, p.type), 22);
  if (p.type !== "nation") {
    const sub = svg("text", { x: 8, y: 31, class: "box-sub" }, g);
    const kind = p.type === "hq" ? p.item.kind_name[shell.lang] || p.item.kind : p.item.echelon || p.item.domain;
    sub.textContent = clip(`${nation} · ${kind}`, 28);
    const title = svg("title", {}, g);
    title.textContent = `${p.item.name_en} / ${p.item.name_ja}`;
    g.addEventListener("click", () => select(id));
    g.addEventListener("keydown", (event) => {
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        select(id);
      }
    });
    g.addEventListener("focus", () => reveal(id));
  }
}

function clip(text, n) {
  return text.length > n ? `${text.slice(0, n - 1)}…` : text;
}

// ---------------------------------------------------------------- details

function select(id) {
  selected = id;
  for (const node of el("org-view").querySelectorAll(".org-node")) {
    node.classList.toggle("selected", node.dataset.id === id);
  }
  showDetail(id);
}

function showDetail(id) {
  const p = pos.get(id);
  if (!p) return;
  const item = p.item;
  el("org-detail-empty").hidden = true;
  el("org-detail-body").hidden = false;
  el("od-name").textContent = fullName(item);
  el("od-name-other").textContent = ja() ? item.name_en : item.name_ja;
  el("od-id").textContent = item.id;
  const nation = data.nations.find((n) => n.code === item.owner);
  el("od-nation").textContent = nation ? nameOf(nation, "nation") : item.owner;
  el("od-kind").textContent =
    p.type === "hq" ? item.kind_name[shell.lang] || item.kind : shell.t("org_d_unit", { domain: item.domain });
  el("od-where").textContent = (p.type === "hq" ? (ja() ? item.location_ja : item.location_en) : ja() ? item.home_ja : item.home_en) || "—";
  const parentId = p.type === "hq" ? item.parent_id : item.hq_id;
  el("od-parent").textContent = parentId ? label(parentId) : "—";

  const rels = el("od-rels");
  rels.replaceChildren();
  for (const rel of data.rels) {
    let key = null;
    let other = null;
    const support = !COMMAND.has(rel.kind) && rel.kind !== "dual_hat";
    if (rel.superior.id === id) [key, other] = [support ? "org_rel_supported" : "org_rel_over", rel.subordinate.id];
    else if (rel.subordinate.id === id) [key, other] = [support ? "org_rel_supports" : "org_rel_under", rel.superior.id];
    if (!key) continue;
    const li = document.createElement("li");
    li.textContent = shell.t(key, { kind: kindName(rel), other: label(other) });
    rels.append(li);
  }
  if (!rels.children.length) rels.append(Object.assign(document.createElement("li"), { textContent: shell.t("org_d_none") }));

  const cps = el("od-counterparts");
  cps.replaceChildren();
  const seen = new Set();
  for (const cp of data.cps) {
    const other = cp.hq_id === id ? cp.partner_hq_id : cp.partner_hq_id === id ? cp.hq_id : null;
    if (!other || seen.has(other)) continue;
    seen.add(other);
    const li = document.createElement("li");
    li.textContent = label(other);
    cps.append(li);
  }
  if (!cps.children.length) cps.append(Object.assign(document.createElement("li"), { textContent: shell.t("org_d_none") }));
}

// ---------------------------------------------------------------- pan and zoom

function applyView() {
  el("org-view").setAttribute("transform", `translate(${view.x},${view.y}) scale(${view.k})`);
}

function zoom(factor, cx = null, cy = null) {
  const box = el("org-svg").getBoundingClientRect();
  const px = cx ?? box.width / 2;
  const py = cy ?? box.height / 2;
  const k = Math.min(3, Math.max(0.2, view.k * factor));
  view.x = px - ((px - view.x) * k) / view.k;
  view.y = py - ((py - view.y) * k) / view.k;
  view.k = k;
  applyView();
}

// The whole drawing in sight (``whole``), or its width, at a readable scale,
// from the top: the first view, scrolled down with the wheel.
function fit(whole = true) {
  const g = el("org-view");
  const box = el("org-svg").getBoundingClientRect();
  if (!pos.size || !box.width) return;
  const b = g.getBBox();
  const across = (box.width - 20) / b.width;
  const k = whole
    ? Math.min(1.5, Math.max(0.2, Math.min(across, (box.height - 20) / b.height)))
    : Math.min(1, Math.max(0.6, across));
  view.k = k;
  view.x = 10 - b.x * k;
  view.y = 10 - b.y * k;
  applyView();
}

function reveal(id) {
  // Keep the focused box in sight when moving through the boxes with Tab.
  const p = pos.get(id);
  const box = el("org-svg").getBoundingClientRect();
  if (!p) return;
  const sx = view.x + p.x * view.k;
  const sy = view.y + p.y * view.k;
  if (sx < 0 || sy < 0 || sx + BOX_W * view.k > box.width || sy > box.height) {
    view.x = box.width / 2 - (p.x + BOX_W / 2) * view.k;
    view.y = box.height / 2 - p.y * view.k;
    applyView();
  }
}

function wirePanZoom() {
  const canvas = el("org-svg");
  canvas.addEventListener(
    "wheel",
    (event) => {
      event.preventDefault();
      if (event.ctrlKey || event.metaKey) {
        const r = canvas.getBoundingClientRect();
        zoom(event.deltaY < 0 ? 1.15 : 1 / 1.15, event.clientX - r.left, event.clientY - r.top);
      } else {
        // The wheel scrolls the drawing; with Ctrl it zooms.
        view.x -= event.shiftKey ? event.deltaY : event.deltaX;
        view.y -= event.shiftKey ? 0 : event.deltaY;
        applyView();
      }
    },
    { passive: false },
  );
  let drag = null;
  canvas.addEventListener("pointerdown", (event) => {
    if (event.target.closest(".org-node")) return;
    drag = { x: event.clientX, y: event.clientY, vx: view.x, vy: view.y };
    canvas.setPointerCapture(event.pointerId);
  });
  canvas.addEventListener("pointermove", (event) => {
    if (!drag) return;
    view.x = drag.vx + event.clientX - drag.x;
    view.y = drag.vy + event.clientY - drag.y;
    applyView();
  });
  canvas.addEventListener("pointerup", () => (drag = null));
  canvas.addEventListener("keydown", (event) => {
    const step = { ArrowLeft: [60, 0], ArrowRight: [-60, 0], ArrowUp: [0, 60], ArrowDown: [0, -60] }[event.key];
    if (step && !event.target.closest?.(".org-node")) {
      event.preventDefault();
      view.x += step[0];
      view.y += step[1];
      applyView();
    } else if (event.key === "+" || event.key === "=") zoom(1.2);
    else if (event.key === "-") zoom(1 / 1.2);
  });
  canvas.setAttribute("tabindex", "0");
  el("org-zoom-in").addEventListener("click", () => zoom(1.2));
  el("org-zoom-out").addEventListener("click", () => zoom(1 / 1.2));
  el("org-fit").addEventListener("click", () => fit(true));
  el("org-units").addEventListener("change", () => {
    draw();
    fit(false);
  });
}

// ---------------------------------------------------------------- the pane

export function mount(given, section) {
  shell = given;
  root = section;
  wirePanZoom();
  // Live: a change to the structure (or a reconnect, after which anything may
  // have changed) reads the tree again; tracks and requests do not.
  shell.subscribe((change) => {
    if (change.reconnected || STRUCTURE.has(change.type)) loadSoon();
  });
  let fitted = false;
  return {
    enter() {
      dirty = true;
      if (root.classList.contains("active")) load();
    },
    leave() {
      el("org-view").replaceChildren();
      pos.clear();
      selected = null;
      fitted = false;
      el("org-detail-body").hidden = true;
      el("org-detail-empty").hidden = false;
    },
    language() {
      if (pos.size) draw();
    },
    async show() {
      if (dirty) await load();
      if (!fitted && pos.size) {
        fit(false);
        fitted = true;
      }
    },
  };
}
