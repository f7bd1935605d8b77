// The industry desk's pane: a co-production model solved with its scenarios
// (POST /industry/solve, the node's HiGHS), compared side by side in a table
// and in the plots the node draws. Nothing is stored; the model is the
// illustrative one (GET /industry/example) or a JSON file the user picks.
// Routes: #/industry.

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

const st = { model: null, scenarios: [], result: null, urls: [] };

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

function language() {
  renderModel();
  renderPicker();
  render();
}

function leave() {
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
  renderPicker();
  return { leave, language };
}
