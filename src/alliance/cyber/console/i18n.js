// The cyber desk's strings (cyber pane), in English and Japanese: merged into
// the console's table when the pane loads.

export const STRINGS = {
  tab_cyber: { en: "Cyber", ja: "サイバー" },
  cy_note: {
    en: "Defensive threat intelligence, each object released on its own marking. Exercise content is fictional.",
    ja: "防御のための脅威情報。各オブジェクトはそれぞれのマーキングで提供されます。演習の内容は架空です。",
  },
  cy_collection: { en: "Collection", ja: "コレクション" },
  cy_reload: { en: "Refresh", ja: "再読込" },
  cy_none: { en: "No TAXII collection is released to your nation.", ja: "自国に提供されたTAXIIコレクションはありません。" },
  cy_type: { en: "Type", ja: "種別" },
  cy_all_types: { en: "All types", ja: "すべての種別" },
  cy_objects: { en: "Objects (latest version released to you)", ja: "オブジェクト（自国に提供された最新版）" },
  cy_col_type: { en: "Type", ja: "種別" },
  cy_col_name: { en: "Name", ja: "名称" },
  cy_col_owner: { en: "Owner", ja: "所有国" },
  cy_col_marking: { en: "Marking", ja: "マーキング" },
  cy_col_modified: { en: "Version", ja: "版" },
  cy_col_added: { en: "Added here", ja: "登録日時" },
  cy_empty: { en: "Nothing in this collection is released to your nation.", ja: "このコレクションに自国へ提供されたものはありません。" },
  cy_more: { en: "More", ja: "さらに表示" },
  cy_versions: { en: "Versions of {id}", ja: "{id} の版" },
  cy_show_versions: { en: "Versions", ja: "版の一覧" },
  cy_close: { en: "Close", ja: "閉じる" },
  cy_plot: { en: "Sightings over time", ja: "検知の推移" },
  cy_plot_alt: { en: "Bar chart of sightings per day in this collection", ja: "このコレクションの日ごとの検知数の棒グラフ" },
  cy_taxii: {
    en: "TAXII 2.1 clients read this collection at /taxii2/alliance/collections/{id}/ with your API token.",
    ja: "TAXII 2.1クライアントは /taxii2/alliance/collections/{id}/ からAPIトークンで読み取れます。",
  },
  cy_export: { en: "Download as STIX bundle", ja: "STIXバンドルでダウンロード" },
};
