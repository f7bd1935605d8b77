// The cyber desk's pane: the TAXII collections released to the reader's
// nation, the latest version of each STIX object in one (its owner and its
// marking as the reader's nation writes it), an object's versions, and
// sightings over time drawn by the node. Nothing here builds a banner: the API
// sends each marking in both languages.
//
// Live: the shell's stream names each STIX object or collection that changed,
// and the pane refetches its list. Routes: #/cyber[/<collection id>].

let shell = null;
let unsubscribe = null;

const enc = encodeURIComponent;
const P = {
  collections: () => "/cyber/collections",
  objects: (id, type, after) => {
    const q = new URLSearchParams({ limit: "50" });
    if (type) q.set("type", type);
    if (after !== null && after !== undefined) q.set("after", String(after));
    return `/cyber/collections/${enc(id)}/objects?${q}`;
  },
  versions: (id, stixId) => `/cyber/collections/${enc(id)}/objects/${enc(stixId)}/versions`,
  plot: (id) => `/cyber/collections/${enc(id)}/sightings.svg`,
  bundle: (id) => `/cyber/collections/${enc(id)}/bundle`,
};
const TYPES = [
  "indicator", "sighting", "observed-data", "malware", "attack-pattern", "infrastructure",
  "vulnerability", "course-of-action", "identity", "relationship", "report", "note",
];
const LIVE = new Set(["stix_object", "taxii_collection"]);

const st = { collections: [], id: null, type: "", items: [], next: null, plotUrl: null, timer: null };

const $ = (id) => shell.$(id);
const t = (key, vars) => shell.t(key, vars);
const me = () => shell.me;
const bi = (pair) => (pair ? pair[shell.lang] || pair.en : "");

async function getJson(path) {
  return (await shell.api(path)).json();
}

function showError(err) {
  const box = $("cy-error");
  box.textContent = err ? (err instanceof shell.ApiError ? err.text() : String(err.message || err)) : "";
  box.hidden = !err;
}

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

// The marking as the reader's nation writes it, with its TLP beside it.
function marked(marking) {
  const own = marking.by_nation && me() ? marking.by_nation[me().nation] : null;
  const portion = bi(own ? own.portion : marking.portion);
  return marking.tlp ? `${portion} · TLP:${marking.tlp}` : portion;
}

const added = (time) => (time ? shell.dtg(new Date(time.iso), shell.ZONES[0]) : "—");

// ---------------------------------------------------------------- loading

async function loadAll() {
  try {
    st.collections = await getJson(P.collections());
    if (!st.collections.some((c) => c.id === st.id)) st.id = st.collections.length ? st.collections[0].id : null;
    renderPicker();
    await loadObjects();
    showError(null);
  } catch (err) {
    if (!(err instanceof shell.ApiError && err.status === 401)) showError(err);
  }
}

async function loadObjects(more = false) {
  if (!st.id) {
    st.items = [];
    renderObjects();
    return;
  }
  const page = await getJson(P.objects(st.id, st.type, more ? st.next : null));
  st.items = more ? st.items.concat(page.items) : page.items;
  st.next = page.more ? page.next : null;
  renderObjects();
  if (!more) await loadPlot();
}

async function loadPlot() {
  const blob = await (await shell.api(P.plot(st.id))).blob();
  if (st.plotUrl) URL.revokeObjectURL(st.plotUrl);
  st.plotUrl = URL.createObjectURL(blob);
  $("cy-plot").src = st.plotUrl;
}

async function showVersions(stixId) {
  try {
    const page = await getJson(P.versions(st.id, stixId));
    $("cy-versions-title").textContent = t("cy_versions", { id: stixId });
    $("cy-version-list").replaceChildren(
      ...page.items.map((v) =>
        el(
          "li",
          {},
          el("span", { class: "mono", text: `${v.modified} · ${v.owner} · ${marked(v.marking)}` }),
          el("pre", { text: JSON.stringify(v.object, null, 2) }),
        ),
      ),
    );
    $("cy-versions").hidden = false;
    $("cy-versions-title").focus();
  } catch (err) {
    showError(err);
  }
}

async function download() {
  try {
    const blob = await (await shell.api(P.bundle(st.id))).blob();
    const url = URL.createObjectURL(blob);
    const a = el("a", { href: url, download: `${st.id}.json` });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  } catch (err) {
    showError(err);
  }
}

// ---------------------------------------------------------------- rendering

function renderPicker() {
  const pick = $("cy-pick");
  pick.replaceChildren(
    ...st.collections.map((c) => {
      const title = shell.lang === "ja" && c.title_ja ? c.title_ja : c.title;
      return el("option", { value: c.id, selected: c.id === st.id, text: `${title} (${c.id})` });
    }),
  );
  $("cy-none").hidden = st.collections.length > 0;
  const types = $("cy-type");
  types.replaceChildren(
    el("option", { value: "", selected: !st.type, text: t("cy_all_types") }),
    ...TYPES.map((ty) => el("option", { value: ty, selected: ty === st.type, text: ty })),
  );
  $("cy-taxii").textContent = st.id ? t("cy_taxii", { id: st.id }) : "";
  $("cy-export").disabled = !st.id;
}

function renderObjects() {
  $("cy-rows").replaceChildren(
    ...st.items.map((o) => {
      const button = el("button", { type: "button", text: t("cy_show_versions") });
      button.addEventListener("click", () => showVersions(o.id));
      return el(
        "tr",
        { "data-id": o.id },
        el("td", { class: "mono", text: o.type }),
        el("td", { class: "cy-name", text: o.name }),
        el("td", { text: o.owner }),
        el("td", { class: "cy-marking", text: marked(o.marking) }),
        el("td", { class: "mono", text: o.modified }),
        el("td", { class: "mono", text: added(o.date_added) }),
        el("td", {}, button),
      );
    }),
  );
  $("cy-empty").hidden = st.items.length > 0 || !st.id;
  $("cy-more").hidden = st.next === null;
  $("cy-plot").alt = t("cy_plot_alt");
}

// ---------------------------------------------------------------- hooks

function onChange(notice) {
  if (!LIVE.has(notice.type)) return;
  clearTimeout(st.timer);
  st.timer = setTimeout(() => loadAll(), 300); // a burst of imports refetches once
}

async function route(parts) {
  const [id] = parts;
  if (id && id !== st.id && st.collections.some((c) => c.id === id)) {
    st.id = id;
    renderPicker();
    await loadObjects().catch(showError);
  }
}

function enter() {
  if (unsubscribe) unsubscribe();
  unsubscribe = shell.subscribe(onChange);
  loadAll();
}

function leave() {
  if (unsubscribe) unsubscribe();
  unsubscribe = null;
  clearTimeout(st.timer);
  if (st.plotUrl) URL.revokeObjectURL(st.plotUrl);
  Object.assign(st, { collections: [], id: null, items: [], next: null, plotUrl: null });
  $("cy-plot").removeAttribute("src");
}

function language() {
  if (!me()) return;
  renderPicker();
  renderObjects();
}

export function mount(given, section) {
  shell = Object.create(given, { section: { value: section } });
  $("cy-pick").addEventListener("change", (e) => shell.navigate(`cyber/${e.target.value}`));
  $("cy-type").addEventListener("change", (e) => {
    st.type = e.target.value;
    loadObjects().catch(showError);
  });
  $("cy-reload").addEventListener("click", loadAll);
  $("cy-export").addEventListener("click", download);
  $("cy-more").addEventListener("click", () => loadObjects(true).catch(showError));
  $("cy-versions-close").addEventListener("click", () => {
    $("cy-versions").hidden = true;
  });
  return { enter, leave, language, route };
}
