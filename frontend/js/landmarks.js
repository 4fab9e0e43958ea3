// Which of a surface's known stationary points to mark on the contour. A few are landmarks;
// Rastrigin's 121 minima, 220 saddles and 100 maxima would bury the picture, so a long list
// shows only the global minimum and the points nearest the start, where the runs go.

const ALL_UP_TO = 12; // lists this short are drawn whole
const NEAREST = 4; // otherwise: this many nearest the start (plus the global minimum)

function nearest(points, start, n) {
  const d = (p) => (p[0] - start[0]) ** 2 + (p[1] - start[1]) ** 2;
  return [...points].sort((a, b) => d(a) - d(b)).slice(0, n);
}

// {minima, saddles, maxima} to draw; minima[0] stays the global minimum.
export function visibleLandmarks(surface, start) {
  const pick = (points = [], keepFirst = false) => {
    if (points.length <= ALL_UP_TO) return points;
    const near = nearest(keepFirst ? points.slice(1) : points, start, NEAREST);
    return keepFirst ? [points[0], ...near] : near;
  };
  return {
    minima: pick(surface.minima, true),
    saddles: pick(surface.saddles),
    maxima: pick(surface.maxima),
  };
}
