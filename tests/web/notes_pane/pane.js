// The example desk's pane: says whose notes these are, in the console's language.

let shell = null;

function render() {
  const me = shell.me;
  shell.$("notes-who").textContent = me ? shell.t("notes_who", { name: me.name }) : "";
}

export function mount(given) {
  shell = given;
  return { enter: render, leave: render, language: render };
}
