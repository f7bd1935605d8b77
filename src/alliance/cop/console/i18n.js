// Every string the COP pane shows, in English and Japanese. The console merges
// this table into its own (web/console/i18n.js): keys are the pane's, used in
// pane.html (data-i18n*) and pane.js; `tab_cop` names the pane's tab.

export const STRINGS = {
  tab_cop: { en: "COP", ja: "状況図" },

  // Live updates.
  live_live: { en: "LIVE", ja: "ライブ" },
  live_connecting: { en: "CONNECTING", ja: "接続中" },
  live_retrying: { en: "RECONNECTING", ja: "再接続中" },
  live_off: { en: "OFFLINE", ja: "停止中" },

  // Filters and table.
  filters: { en: "Filters", ja: "絞り込み" },
  filter_owner: { en: "Nation", ja: "国" },
  filter_affiliation: { en: "Affiliation", ja: "識別" },
  filter_domain: { en: "Domain", ja: "領域" },
  filter_stale: { en: "Show stale", ja: "失効航跡を表示" },
  filter_search: { en: "Callsign or UID", ja: "呼出符号・UID" },
  filter_search_placeholder: { en: "English or Japanese", ja: "日本語または英語" },
  filter_all: { en: "All", ja: "すべて" },
  count: { en: "{shown} of {total} tracks", ja: "全{total}件中 {shown}件" },
  col_callsign: { en: "Callsign", ja: "呼出符号" },
  col_owner: { en: "Nation", ja: "国" },
  col_domain: { en: "Domain", ja: "領域" },
  col_affiliation: { en: "Affil.", ja: "識別" },
  col_position: { en: "Position", ja: "位置" },
  col_time: { en: "Time (Z)", ja: "時刻（Z）" },
  col_release: { en: "Release", ja: "提供範囲" },
  table_empty: { en: "No released track matches the filters.", ja: "条件に合う提供済みの航跡はありません。" },

  // Selected track.
  detail_title: { en: "Selected track", ja: "選択中の航跡" },
  detail_none: { en: "Select a track on the map or in the table.", ja: "地図または表から航跡を選択してください。" },
  d_uid: { en: "UID", ja: "識別子（UID）" },
  d_owner: { en: "Owner nation", ja: "所有国" },
  d_sidc: { en: "Symbol code (SIDC)", ja: "シンボルコード（SIDC）" },
  d_type: { en: "Domain / affiliation", ja: "領域・識別" },
  d_latlon: { en: "Lat / Lon", ja: "緯度・経度" },
  d_mgrs: { en: "MGRS", ja: "MGRS" },
  d_hae: { en: "Altitude (HAE)", ja: "高度（HAE）" },
  d_course: { en: "Course / speed", ja: "針路・速力" },
  d_time: { en: "Time", ja: "時刻" },
  d_stale: { en: "Stale at", ja: "失効時刻" },
  d_source: { en: "Source", ja: "情報源" },
  d_marking: { en: "Marking", ja: "区分" },
  d_operator: { en: "Operator nation", ja: "運用国" },
  d_link: { en: "Control link", ja: "管制リンク" },
  d_remarks: { en: "Remarks", ja: "備考" },
  d_exercise: { en: "Exercise", ja: "演習" },
  d_station: { en: "Control station", ja: "地上管制所" },
  d_lost_link_route: { en: "Lost-link route", ja: "リンク途絶時経路" },
  exercise_banner: {
    en: "EXERCISE EXERCISE EXERCISE — {names} — exercise data, not real-world",
    ja: "演習 演習 演習 — {names} — 演習データ（実動ではありません）",
  },
  exercise_yes: { en: "EXERCISE — {name}", ja: "演習 — {name}" },
  exercise_no: { en: "No (real-world)", ja: "いいえ（実動）" },
  exercise_badge: { en: "EX", ja: "演習" },
  link_state: { en: "{link} for {minutes} min (since {since})", ja: "{link}（{since}から{minutes}分）" },
  estimated: { en: "EST", ja: "推定" },
  estimated_position: { en: "estimated (h-e)", ja: "推定位置（h-e）" },
  route_points: { en: "{count} waypoints: {points}", ja: "経由点{count}：{points}" },
  stale: { en: "STALE", ja: "失効" },
  uas: { en: "UAS", ja: "無人機" },
  uas_label: { en: "UAS · OP {nation} · LINK {link}", ja: "無人機・運用{nation}・リンク{link}" },
  unknown_value: { en: "—", ja: "—" },

  // Exports.
  exports: { en: "Export", ja: "出力" },
  export_geojson: { en: "GeoJSON", ja: "GeoJSON形式" },
  export_kml: { en: "KML", ja: "KML形式" },
  export_failed: { en: "Export failed: {why}", ja: "出力に失敗しました：{why}" },

  // Map.
  attribution: { en: "Basemap: Natural Earth (1:50m, 1:10m) via world-atlas", ja: "背景地図：Natural Earth（1:50m・1:10m、world-atlas）" },
  zoom_in: { en: "Zoom in", ja: "拡大" },
  zoom_out: { en: "Zoom out", ja: "縮小" },
  basemap_failed: { en: "The basemap could not be loaded.", ja: "背景地図を読み込めませんでした。" },

  // The map's operator tools (operations.js and its modules).
  map_alt_m_ft: { en: "{m} m · {ft} ft", ja: "{m} m・{ft} ft" },
  map_alt_m_ft_fl: { en: "{m} m · {ft} ft · FL{fl}", ja: "{m} m・{ft} ft・FL{fl}" },
  map_cursor_here: { en: "Cursor", ja: "カーソル" },
  map_cursor_centre: { en: "Centre", ja: "中心" },
  map_cursor_dms: { en: "DMS", ja: "度分秒" },
  map_cursor_decimal: { en: "Decimal", ja: "十進" },
  map_cursor_format_title: {
    en: "Switch between decimal degrees and degrees-minutes-seconds",
    ja: "十進表記と度分秒表記を切り替える",
  },
  map_rb_tool: { en: "Range & bearing", ja: "距離・方位" },
  map_rb_tool_title: {
    en: "Measure range and bearing: click two points (Esc cancels)",
    ja: "距離と方位を測る：2点をクリック（Escで取消）",
  },
  map_rb_help: {
    en: "Click two points, or Enter for the map's centre; Esc cancels",
    ja: "2点をクリック（Enterで地図の中心）。Escで取消",
  },
  map_rb_first: { en: "Click the first point", ja: "始点をクリック" },
  map_rb_second: { en: "Click the second point", ja: "終点をクリック" },
  map_rb_value: { en: "{nm} NM · {km} km · {brg}° T", ja: "{nm}海里・{km} km・真方位 {brg}°" },
  map_nm_scale: { en: "{n} NM", ja: "{n}海里" },
  map_cluster_title: { en: "{n} tracks: click to zoom in", ja: "航跡{n}件：クリックで拡大" },
  map_tip_alt: { en: "Alt", ja: "高度" },
  map_tip_course: { en: "Crs/spd", ja: "針路・速力" },
  map_alerts_title: { en: "Alerts", ja: "警報" },
  map_alerts_none: { en: "No alerts.", ja: "警報はありません。" },
  map_alert_lost: { en: "LINK LOST — {callsign}", ja: "リンク途絶 — {callsign}" },
  map_alert_degraded: { en: "LINK DEGRADED — {callsign}", ja: "リンク劣化 — {callsign}" },
  map_alert_hostile: { en: "NEW HOSTILE — {callsign}", ja: "新たな敵性目標 — {callsign}" },
  map_alert_stale: { en: "STALE — {callsign}", ja: "失効 — {callsign}" },
  map_alert_select: { en: "Select this track", ja: "この航跡を選択" },
  map_alert_dismiss: { en: "Dismiss", ja: "消去" },
  map_coast_failed: { en: "The 1:10m coastline could not be loaded.", ja: "1:10m海岸線を読み込めませんでした。" },
};

// Values that come from the API as codes.
export const LABELS = {
  domain: {
    land: { en: "Land", ja: "陸上" },
    maritime: { en: "Maritime", ja: "海上" },
    subsurface: { en: "Subsurface", ja: "水中" },
    air: { en: "Air", ja: "航空" },
    space: { en: "Space", ja: "宇宙" },
    installation: { en: "Installation", ja: "施設" },
  },
  affiliation: {
    friend: { en: "Friend", ja: "友軍" },
    hostile: { en: "Hostile", ja: "敵" },
    neutral: { en: "Neutral", ja: "中立" },
    unknown: { en: "Unknown", ja: "不明" },
  },
  link: {
    ok: { en: "OK", ja: "正常" },
    degraded: { en: "DEGRADED", ja: "劣化" },
    lost: { en: "LOST", ja: "途絶" },
  },
};
