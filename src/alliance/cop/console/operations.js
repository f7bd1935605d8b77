// The map's operator tools, each in its own module with an install(view, shell)
// that returns its hooks: the MGRS grid, cursor readout, range and bearing and
// nautical-mile scale (maptools.js), the 10 m coastline and place names
// (coast.js), label decluttering, clustering, hover tooltips and the selection
// halo (labels.js), trails (trails.js) and the alert list (alerts.js).
//
// `view` is what pane.js shows of itself: { map, tracks, selected, visible(track),
// isStale(track), onTrackChange(fn(uid, why)), onRender(fn), select(uid) }.

import { install as installAlerts } from "./alerts.js";
import { install as installCoast } from "./coast.js";
import { install as installLabels } from "./labels.js";
import { altitudeText, install as installMapTools } from "./maptools.js";
import { install as installTrails } from "./trails.js";

export { altitudeText };

export function installOperations(view, shell) {
  const hooks = [installCoast, installMapTools, installLabels, installTrails, installAlerts].map(
    (install) => install(view, shell) || {},
  );
  return {
    language() {
      for (const hook of hooks) if (hook.language) hook.language();
    },
  };
}
