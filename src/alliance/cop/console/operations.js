// The map's operator tools, each in its own module with an install(view, shell)
// that returns its hooks: the MGRS grid, cursor readout, range and bearing and
// nautical-mile scale (maptools.js), the 10 m coastline and place names
// (coast.js), label decluttering, clustering, hover tooltips and the selection
// halo (labels.js), trails (trails.js) and the alert list (alerts.js).
//
// `view` is the pane's interface for tools (pane.js): view.map, view.tracks,
// view.selected, view.visible(track), view.isStale(track), view.select(uid, {pan}),
// and view.onTrackChange(fn(uids)), onSelect(fn(uid)), onLanguage(fn(lang)),
// onLeave(fn()). The pane calls installOperations(view, shell) once its map exists.

import { install as installAlerts } from "./alerts.js";
import { install as installCoast } from "./coast.js";
import { install as installLabels } from "./labels.js";
import { altitudeText, install as installMapTools } from "./maptools.js";
import { install as installTrails } from "./trails.js";

export { altitudeText };

export function installOperations(view, shell) {
  for (const install of [installCoast, installMapTools, installLabels, installTrails, installAlerts]) {
    install(view, shell);
  }
}
