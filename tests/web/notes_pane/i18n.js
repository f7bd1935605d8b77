// The example desk's strings: merged into the console's table when its pane loads.

export const STRINGS = {
  tab_notes: { en: "Notes", ja: "メモ" },
  notes_title: { en: "Staff notes", ja: "幕僚メモ" },
  notes_who: { en: "Notes kept for {name}", ja: "{name}のメモ" },
};
