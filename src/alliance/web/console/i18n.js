// Every string the console's shell shows (sign-in, header, clock), in English
// and Japanese. A key used in index.html (data-i18n*) or console.js must be
// here in both languages; `{name}` is filled in by t(key, {name: ...}).
// Each desk's pane brings its own table (<desk>/console/i18n.js), merged into
// this one when the pane is loaded; its keys must not repeat ours.

export const LANGS = ["en", "ja"];

export const STRINGS = {
  page_title: { en: "Alliance — Common Operational Picture", ja: "アライアンス — 共通作戦状況図" },
  app_name: { en: "ALLIANCE", ja: "アライアンス" },
  app_tagline: { en: "Common Operational Picture", ja: "共通作戦状況図" },

  // The banner before sign-in (after it, the node sends the picture's banner).
  classification: { en: "UNCLASSIFIED", ja: "非秘密" },

  // Sign-in screen.
  signin_title: { en: "Sign in", ja: "サインイン" },
  signin_token: { en: "API token", ja: "APIトークン" },
  signin_placeholder: { en: "Paste your token (alc_…)", ja: "トークンを貼り付け（alc_…）" },
  signin_button: { en: "Sign in", ja: "サインイン" },
  signin_note: {
    en: "Or paste an API token your node administrator issued to you. It is kept only in this browser tab and sent only to this node.",
    ja: "または、ノード管理者から発行されたAPIトークンを貼り付けてください。トークンはこのタブの中だけに保持され、このノードにだけ送信されます。",
  },
  signin_checking: { en: "Checking…", ja: "確認中…" },
  signin_bad_format: { en: "An API token starts with alc_.", ja: "APIトークンは alc_ で始まります。" },
  signin_expired: { en: "Your session has ended. Sign in again.", ja: "セッションが終了しました。再度サインインしてください。" },
  signin_unreachable: { en: "The node did not answer.", ja: "ノードが応答しません。" },
  signin_offline_note: {
    en: "Works without any network: map, symbols and basemap are served by this node.",
    ja: "外部ネットワーク不要：地図・シンボル・背景地図はすべてこのノードから配信されます。",
  },
  signout: { en: "Sign out", ja: "サインアウト" },
  language: { en: "Language", ja: "言語" },

  // Sign-in by password or certificate, and which node this is.
  signin_node_label: { en: "This node", ja: "このノード" },
  signin_node: { en: "Node {node} ({nation})", ja: "ノード {node}（{nation}）" },
  signin_username: { en: "Username", ja: "利用者名" },
  signin_password: { en: "Password", ja: "パスワード" },
  signin_certificate: { en: "Sign in with my certificate", ja: "自分の証明書でサインイン" },
  signin_need_both: { en: "Enter your username and password.", ja: "利用者名とパスワードを入力してください。" },
  signout_everywhere: { en: "Sign out everywhere", ja: "全端末でサインアウト" },
  signout_everywhere_title: {
    en: "End all your sessions, in every browser",
    ja: "すべてのブラウザで、自分のセッションをすべて終了します",
  },
  signed_out_everywhere: {
    en: "Signed out everywhere: all your sessions have ended.",
    ja: "全端末でサインアウトしました。すべてのセッションが終了しました。",
  },

  // A user's own password (the header's "Change password" dialog).
  password_change: { en: "Change password", ja: "パスワード変更" },
  password_change_title: { en: "Change your password", ja: "パスワードの変更" },
  password_change_note: {
    en: "{min} to {max} characters. Your other sessions end; this one stays signed in.",
    ja: "{min}〜{max}文字。他のセッションは終了し、この画面はサインインしたままです。",
  },
  password_current: { en: "Current password", ja: "現在のパスワード" },
  password_new: { en: "New password", ja: "新しいパスワード" },
  password_repeat: { en: "New password again", ja: "新しいパスワード（確認）" },
  password_change_submit: { en: "Change password", ja: "パスワードを変更" },
  password_fill_all: { en: "Fill in all three fields.", ja: "3つの欄をすべて入力してください。" },
  password_mismatch: {
    en: "The new password and its repetition differ.",
    ja: "新しいパスワードと確認用の入力が一致しません。",
  },
  password_changed: {
    en: "Your password is changed. Other sessions ended: {ended}.",
    ja: "パスワードを変更しました。終了した他のセッション：{ended}。",
  },
  password_cancel: { en: "Cancel", ja: "キャンセル" },

  // Header.
  tabs_label: { en: "Desks", ja: "デスク" },
  clock_z: { en: "Coordinated Universal Time (Z)", ja: "協定世界時（Z）" },
  clock_jst: { en: "Japan Standard Time (UTC+9, I)", ja: "日本標準時（UTC+9、I）" },
  clock_hst: { en: "Hawaii Standard Time (UTC−10, W)", ja: "ハワイ標準時（UTC−10、W）" },
  user_line: { en: "{name} · {hq} · {role}", ja: "{name}・{hq}・{role}" },
  released_to: { en: "Picture released to {nation}", ja: "{nation}へ提供された状況図" },
};
