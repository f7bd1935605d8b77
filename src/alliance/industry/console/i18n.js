// The industry desk's strings (industry pane), in English and Japanese: merged
// into the console's table when the pane loads.

export const STRINGS = {
  tab_industry: { en: "Industry", ja: "防衛産業" },
  in_note: {
    en: "The illustrative model is fictional; only its orders of magnitude follow the public figures it cites. Nothing you solve here is stored.",
    ja: "例示用のモデルは架空です。規模のみ出典付きの公開情報に合わせています。ここでの求解結果は保存されません。",
  },
  in_example: { en: "Load the illustrative model", ja: "例示用モデルを読み込む" },
  in_file: { en: "Or a model file (JSON)", ja: "またはモデルファイル（JSON）" },
  in_no_model: { en: "No model loaded.", ja: "モデルが読み込まれていません。" },
  in_model: {
    en: "Model: {name} — {lines} lines, {suppliers} suppliers, {periods} periods from {start}.",
    ja: "モデル: {name}（ライン{lines}、供給元{suppliers}、{start}から{periods}期間）",
  },
  in_scenarios: { en: "Scenarios (JSON: the baseline plus changes)", ja: "シナリオ（JSON：基準に加える変更）" },
  in_solve: { en: "Solve and compare", ja: "求解して比較" },
  in_busy: { en: "Solving…", ja: "求解中…" },
  in_compare: { en: "Scenarios compared", ja: "シナリオの比較" },
  in_col_scenario: { en: "Scenario", ja: "シナリオ" },
  in_col_status: { en: "Status", ja: "状態" },
  in_col_shortfall: { en: "Weighted shortfall", ja: "重み付き不足" },
  in_col_cost: { en: "Cost", ja: "費用" },
  in_col_expansions: { en: "Expansions chosen", ja: "選択された拡張" },
  in_col_bottleneck: { en: "Main bottleneck", ja: "主な制約" },
  in_baseline: { en: "Baseline", ja: "基準" },
  in_status_optimal: { en: "optimal", ja: "最適" },
  in_status_time_limit: { en: "time limit (gap {gap})", ja: "制限時間（ギャップ {gap}）" },
  in_none: { en: "none", ja: "なし" },
  in_plot: { en: "Plot", ja: "図" },
  in_plot_deliveries: { en: "Deliveries against requirements", ja: "要求に対する引渡し" },
  in_plot_bottlenecks: { en: "Bottleneck timeline", ja: "制約の時系列" },
  in_plot_production: { en: "Production per line", ja: "ライン別生産" },
  in_plot_shortfall: { en: "Shortfall", ja: "不足" },
  in_bad_json: { en: "{what} is not valid JSON: {error}", ja: "{what}が正しいJSONではありません: {error}" },
  in_what_scenarios: { en: "The scenarios", ja: "シナリオ" },
  in_what_file: { en: "The model file", ja: "モデルファイル" },
};
