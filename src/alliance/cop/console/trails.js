// Where the selected track has been: its recent positions as the node keeps
// them (GET /cop/tracks/{uid}/history, only what is released to us), drawn as a
// fading line of dots, and extended as new reports come in.

/* global L */

const MAX_POINTS = 200;

export function install(view, shell) {
  const map = view.map;
  const layer = L.layerGroup().addTo(map);
  let uid = null; // whose trail is drawn
  let points = []; // [{ lat, lon, time }]
  let asked = 0; // to drop an answer to an older request

  function draw() {
    layer.clearLayers();
    const track = uid ? view.tracks.get(uid) : null;
    if (!track || !view.visible(track) || points.length < 2) {
      map.getContainer().dataset.trail = "";
      return;
    }
    const latlngs = points.map((p) => [p.lat, p.lon]);
    layer.addLayer(
      L.polyline(latlngs, {
        className: "trail-line",
        color: track.affiliation === "hostile" ? "#ff8a8a" : "#8fd3ff",
        weight: 2,
        opacity: 0.8,
        interactive: false,
      }),
    );
    points.forEach((p, i) => {
      layer.addLayer(
        L.circleMarker([p.lat, p.lon], {
          className: "trail-dot",
          radius: 2.5,
          weight: 0,
          fillColor: "#8fd3ff",
          fillOpacity: 0.25 + (0.75 * (i + 1)) / points.length,
          interactive: false,
        }),
      );
    });
    map.getContainer().dataset.trail = `${uid}:${points.length}`;
  }

  async function load(track) {
    const ticket = ++asked;
    try {
      const path = `/cop/tracks/${encodeURIComponent(track.uid)}/history?owner=${encodeURIComponent(track.owner)}`;
      const res = await shell.api(path);
      const history = await res.json();
      if (ticket !== asked) return;
      const seen = new Map(points.map((p) => [p.time, p]));
      for (const h of history) seen.set(h.time, { lat: h.lat, lon: h.lon, time: h.time });
      points = [...seen.values()].sort((a, b) => Date.parse(a.time) - Date.parse(b.time)).slice(-MAX_POINTS);
    } catch {
      if (ticket !== asked) return;
    }
    draw();
  }

  view.onLeave(() => {
    uid = null;
    points = [];
    asked += 1;
    draw();
  });
  view.onSelect((selected) => {
    if (selected === uid) return;
    uid = selected;
    points = [];
    const track = selected ? view.tracks.get(selected) : null;
    if (track) {
      points = [{ lat: track.lat, lon: track.lon, time: track.time }];
      load(track);
    }
    draw();
  });
  // A new report extends the trail; a filter may hide or show the track.
  let shownBefore = false;
  view.onTrackChange((uids) => {
    if (!uid || !uids.has(uid)) return;
    const track = view.tracks.get(uid);
    const shown = Boolean(track && view.visible(track));
    let grew = false;
    if (!track) {
      points = [];
    } else if (!points.some((p) => p.time === track.time)) {
      points.push({ lat: track.lat, lon: track.lon, time: track.time });
      points = points.slice(-MAX_POINTS);
      grew = true;
    }
    if (grew || shown !== shownBefore || !track) draw();
    shownBefore = shown;
  });
}
