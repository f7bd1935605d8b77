// The industry desk's pane: a co-production model solved with its scenarios
// (POST /industry/solve, the node's HiGHS), compared side by side in a table
// and in the plots the node draws. Nothing is stored by that; the model is the
// illustrative one (GET /industry/example) or a JSON file the user picks.
// Below it, joint planning: the model stored as the nation's dataset
// (national only), its aggregates released by a commander, joint plans solved
// on a dataset and partners' releases, approved revision by revision, with
// their plots from the stored plan. Routes: #/industry.

let shell = null;

const PLOTS = ["deliveries", "bottlenecks", "production", "shortfall"];
// Changes the illustrative model's planners ask about (its ids).
const EXAMPLE_SCENARIOS = [
  {
    id: "seekers-plus-30",
    name_en: "Seeker supply +30% from 2027",
    name_ja: "2027年からシーカー供給30%増",
    changes: [{ kind: "scale", target: "pac3-seeker", factor: 1.3, start: "2027" }],
  },
  {
    id: "jpn-amraam-2029",
    name_en: "AMRAAM line in Japan from 2029",
    name_ja: "2029年から日本でAMRAAM生産",
    changes: [{ kind: "open", line: "jpn-amraam-n", start: "2029", rate_per_year: 150 }],
  },
];

const st = { model: null, scenarios: [], result: null, urls: [], jointUrls: [] };
const joint = { datasets: [], releases: [], plans: [], timer: null };
// The stored kinds this pane shows: a change to one (here or from a partner,
// by the shell's live stream) refreshes the joint planning tables.
const LIVE = new Set(["industry_dataset", "industry_release", "industry_plan", "industry_plan_approval"]);
let unsubscribe = null;

const $ = (id) => shell.$(id);
const t = (key, vars) => shell.t(key, vars);
const bi = (en, ja) => (shell.lang === "ja" && ja ? ja : en);

function showError(err) {
  const box = $("in-error");
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

const number = (v, digits = 1) =>
  v.toLocaleString(shell.lang === "ja" ? "ja-JP" : "en-US", { maximumFractionDigits: digits });

// ---------------------------------------------------------------- the model

function setModel(model) {
  st.model = model;
  renderModel();
  $("in-solve").disabled = !model;
  $("in-store").disabled = !model;
}

function renderModel() {
  const m = st.model;
  $("in-model").textContent = m
    ? t("in_model", {
        name: bi(m.name_en, m.name_ja),
        lines: m.lines.length,
        suppliers: m.suppliers.length,
        periods: m.horizon.periods,
        start: m.horizon.start,
      })
    : t("in_no_model");
}

async function loadExample() {
  try {
    setModel(await (await shell.api("/industry/example")).json());
    $("in-scenarios").value = JSON.stringify(EXAMPLE_SCENARIOS, null, 1);
    showError(null);
  } catch (err) {
    showError(err);
  }
}

async function loadFile(event) {
  const file = event.target.files[0];
  if (!file) return;
  try {
    setModel(JSON.parse(await file.text()));
    showError(null);
  } catch (err) {
    showError(new Error(t("in_bad_json", { what: t("in_what_file"), error: err.message })));
  }
}

// ---------------------------------------------------------------- solving

async function solve() {
  let scenarios;
  try {
    scenarios = JSON.parse($("in-scenarios").value || "[]");
  } catch (err) {
    showError(new Error(t("in_bad_json", { what: t("in_what_scenarios"), error: err.message })));
    return;
  }
  $("in-solve").disabled = true;
  $("in-busy").hidden = false;
  try {
    st.result = await shell.postJson("/industry/solve", { model: st.model, scenarios, plots: true });
    st.scenarios = scenarios;
    showError(null);
    render();
  } catch (err) {
    showError(err);
  } finally {
    $("in-solve").disabled = !st.model;
    $("in-busy").hidden = true;
  }
}

function scenarioName(id) {
  if (id === "baseline") return t("in_baseline");
  const s = st.scenarios.find((x) => x.id === id);
  return s ? bi(s.name_en, s.name_ja) : id;
}

function render() {
  const r = st.result;
  $("in-results").hidden = !r;
  if (!r) return;
  const rows = $("in-rows");
  rows.replaceChildren();
  for (const [id, plan] of Object.entries(r.plans)) {
    const status =
      plan.status === "optimal"
        ? t("in_status_optimal")
        : t("in_status_time_limit", { gap: `${number(100 * plan.gap, 3)}%` });
    const top = plan.bottlenecks.length ? bi(plan.bottlenecks[0].text.en, plan.bottlenecks[0].text.ja) : "—";
    const built = plan.investments.map((i) => `${i.expansion} (${i.decided})`).join(", ") || t("in_none");
    rows.append(
      el(
        "tr",
        { "data-scenario": id },
        el("td", { text: scenarioName(id) }),
        el("td", { text: status }),
        el("td", { class: "num", text: number(plan.weighted_shortfall) }),
        el("td", { class: "num", text: `${plan.currency} ${number(plan.cost, 0)}` }),
        el("td", { text: built }),
        el("td", { class: "in-bottleneck", text: top }),
      ),
    );
  }
  renderPlots();
}

function renderPicker() {
  const pick = $("in-plot");
  const chosen = pick.value || PLOTS[0];
  pick.replaceChildren(...PLOTS.map((p) => el("option", { value: p, text: t(`in_plot_${p}`) })));
  pick.value = chosen;
}

function renderPlots() {
  for (const url of st.urls) URL.revokeObjectURL(url);
  st.urls = [];
  const box = $("in-plots");
  box.replaceChildren();
  const r = st.result;
  if (!r) return;
  const what = $("in-plot").value || PLOTS[0];
  for (const id of Object.keys(r.plans)) {
    const svg = (r.plots[id] || {})[what];
    if (!svg) continue;
    const url = URL.createObjectURL(new Blob([svg], { type: "image/svg+xml" }));
    st.urls.push(url);
    box.append(
      el(
        "figure",
        { "data-scenario": id },
        el("figcaption", { text: `${scenarioName(id)} — ${t(`in_plot_${what}`)}` }),
        el("img", { src: url, alt: `${t(`in_plot_${what}`)}: ${scenarioName(id)}`, "data-plot": what }),
      ),
    );
  }
}

// ---------------------------------------------------------------- joint planning

const partnerOf = () => (shell.me && shell.me.nation === "USA" ? "JPN" : "USA");

async function refreshJoint() {
  try {
    const [datasets, releases, plans] = await Promise.all(
      ["datasets", "releases", "plans"].map(async (what) => (await shell.api(`/industry/${what}`)).json()),
    );
    Object.assign(joint, { datasets, releases, plans });
    renderJoint();
  } catch (err) {
    showError(err);
  }
}

async function act(work) {
  try {
    await work();
    showError(null);
  } catch (err) {
    showError(err);
  }
  await refreshJoint();
}

function storeDataset() {
  return act(async () => {
    const name = bi(st.model.name_en, st.model.name_ja);
    await shell.postJson("/industry/datasets", { name, model: st.model });
    shell.notify(t("in_stored", { name }));
  });
}

function release(dataset) {
  const nation = partnerOf();
  return act(async () => {
    await shell.postJson(`/industry/datasets/${dataset.id}/releases`, { to: [nation] });
    shell.notify(t("in_released", { nation }));
  });
}

function solveJoint() {
  const chosen = document.querySelector('input[name="in-ds"]:checked');
  if (!chosen) {
    showError(new Error(t("in_no_dataset")));
    return Promise.resolve();
  }
  const releaseIds = [...document.querySelectorAll("input[data-release]:checked")].map((x) => x.value);
  const title = $("in-plan-title").value.trim() || t("in_default_title");
  $("in-plan").disabled = true;
  $("in-busy").hidden = false;
  return act(async () => {
    await shell.postJson("/industry/plans", { title, dataset_id: chosen.value, release_ids: releaseIds });
  }).finally(() => {
    $("in-plan").disabled = false;
    $("in-busy").hidden = true;
  });
}

function approve(plan) {
  return act(() => shell.postJson(`/industry/plans/${plan.id}/approvals`, { content_hash: plan.content_hash }));
}

function solveAgain(plan) {
  return act(() => shell.postJson(`/industry/plans/${plan.id}/revisions`, {}));
}

async function showPlots(plan) {
  for (const url of st.jointUrls) URL.revokeObjectURL(url);
  st.jointUrls = [];
  const box = $("in-joint-plots");
  box.replaceChildren();
  try {
    for (const what of ["deliveries", "production"]) {
      const blob = await (await shell.api(`/industry/plans/${plan.id}/plots/${what}.svg`)).blob();
      const url = URL.createObjectURL(blob);
      st.jointUrls.push(url);
      const label = `${plan.title} — ${t(`in_plot_${what}`)}`;
      box.append(
        el("figure", { "data-plan": plan.id }, el("figcaption", { text: label }),
           el("img", { src: url, alt: label, "data-plot": what })),
      );
    }
  } catch (err) {
    showError(err);
  }
}

function button(text, handler, attrs = {}) {
  const b = el("button", { type: "button", ...attrs, text });
  b.addEventListener("click", handler);
  return b;
}

function renderJoint() {
  const nation = partnerOf();
  $("in-ds-rows").replaceChildren(
    ...joint.datasets.map((d, i) =>
      el(
        "tr",
        { "data-dataset": d.id },
        el("td", {}, el("input", { type: "radio", name: "in-ds", value: d.id, checked: i === 0, "aria-label": d.name })),
        el("td", { text: d.name }),
        el("td", { class: "num", text: String(d.version) }),
        el("td", {}, button(t("in_release_to", { nation }), () => release(d), { "data-release-to": nation })),
      ),
    ),
  );
  const mine = shell.me ? shell.me.nation : "";
  $("in-rel-rows").replaceChildren(
    ...joint.releases.map((r) =>
      el(
        "tr",
        { "data-release-row": r.id },
        el("td", {}, r.owner === mine ? null : el("input", { type: "checkbox", value: r.id, "data-release": r.owner, checked: true, "aria-label": r.name })),
        el("td", { text: r.owner }),
        el("td", { text: r.name }),
        el("td", { text: r.marking.releasable_to.filter((n) => n !== r.owner).join(", ") }),
      ),
    ),
  );
  $("in-plan-rows").replaceChildren(
    ...joint.plans.map((p) =>
      el(
        "tr",
        { "data-plan": p.id, "data-status": p.status },
        el("td", { text: p.title }),
        el("td", { class: "num", text: String(p.revision) }),
        el("td", { text: p.status === "approved" ? t("in_approved") : t("in_awaiting", { nations: p.awaiting.join(", ") }) }),
        el("td", { class: "num", text: number(p.plan.weighted_shortfall) }),
        el(
          "td",
          {},
          p.awaiting.includes(mine) ? button(t("in_approve", { revision: p.revision }), () => approve(p), { "data-approve": p.id }) : null,
          p.owner === mine ? button(t("in_resolve"), () => solveAgain(p)) : null,
          button(t("in_show_plots"), () => showPlots(p), { "data-plots": p.id }),
        ),
      ),
    ),
  );
}

function language() {
  renderModel();
  renderPicker();
  render();
  renderJoint();
}

function onChange(notice) {
  if (notice && notice.type && !LIVE.has(notice.type)) return;
  clearTimeout(joint.timer);
  joint.timer = setTimeout(refreshJoint, 250);
}

function enter() {
  if (unsubscribe) unsubscribe();
  unsubscribe = shell.subscribe(onChange);
  refreshJoint();
}

function leave() {
  if (unsubscribe) unsubscribe();
  unsubscribe = null;
  clearTimeout(joint.timer);
  Object.assign(joint, { datasets: [], releases: [], plans: [] });
  renderJoint();
  st.model = null;
  st.result = null;
  st.scenarios = [];
  $("in-scenarios").value = "[]";
  setModel(null);
  render();
}

export function mount(given, section) {
  shell = Object.create(given, { section: { value: section } });
  $("in-example").addEventListener("click", loadExample);
  $("in-file").addEventListener("change", loadFile);
  $("in-solve").addEventListener("click", solve);
  $("in-plot").addEventListener("change", renderPlots);
  $("in-store").addEventListener("click", storeDataset);
  $("in-plan").addEventListener("click", solveJoint);
  renderPicker();
  return { enter, leave, language };
}
