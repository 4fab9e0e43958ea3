// Pure functions: data in, Plotly figures ({data, layout}) out. No DOM, no HTTP, no state.
// Figures hold what changes once per result (surfaces, whole paths, series); what moves every
// frame is drawn by race.js on a canvas above the plot.

import { decimatePath, decimateSeries } from "./decimate.js";

import { visibleLandmarks } from "./landmarks.js";
import { scaleColors } from "./scene3d.js";

const FONT = { family: "Inter, system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", size: 12, color: "#2a3342" };
const GRID_COLOR = "#e8ecf2";
const SURFACE_SCALE = [
  [0, "#fbfcfd"],
  [0.15, "#e7edf4"],
  [0.35, "#c9d4e1"],
  [0.6, "#9fb0c5"],
  [0.85, "#7a8ba3"],
  [1, "#5a6880"],
];

const isNum = (v) => typeof v === "number" && Number.isFinite(v);

// How heights are drawn: raw, or log10(f - min + eps) when values span orders of magnitude.
const transforms = new WeakMap();
export function heightTransform(grid, logLevels) {
  const cached = transforms.get(grid);
  if (cached && cached.log === logLevels) return cached;
  let lo = Infinity;
  let hi = -Infinity;
  for (const row of grid.z) for (const v of row) if (isNum(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  const eps = Math.max((hi - lo) * 1e-6, 1e-12);
  const f = logLevels
    ? (v) => (isNum(v) ? Math.log10(Math.max(v - lo, 0) + eps) : null)
    : (v) => (isNum(v) ? v : null);
  const t = { log: logLevels, lo, hi, f, z: grid.z.map((row) => row.map(f)) };
  t.text = grid.z.map((row) => row.map((v) => (isNum(v) ? fmt(v) : "–")));
  transforms.set(grid, t);
  return t;
}

function fmt(v) {
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e4 || a < 1e-3)) return v.toExponential(2);
  return String(Number(v.toPrecision(4)));
}

// narrow: a phone-wide plot, where a bar beside the square plot would take a quarter of its
// width; there the bar lies under the x axis.
function colorbar(t, narrow = false) {
  const bar = narrow
    ? { orientation: "h", x: 0.5, xanchor: "center", y: -0.2, yanchor: "top", thickness: 8, len: 0.9, outlinewidth: 0, tickfont: { size: 10 } }
    : { thickness: 10, outlinewidth: 0, len: 0.85, tickfont: { size: 10 } };
  const side = narrow ? "top" : "right";
  if (!t.log) return { ...bar, title: { text: "f", side } };
  const lo = Math.ceil(Math.log10(Math.max(t.hi - t.lo, 1e-12) * 1e-6));
  const hi = Math.floor(Math.log10(Math.max(t.hi - t.lo, 1e-12)));
  const every = Math.max(1, Math.ceil((hi - lo + 1) / 6));
  const ticks = [];
  for (let k = hi; k >= lo; k -= every) ticks.push(k);
  return {
    ...bar,
    title: { text: "f − min", side },
    tickvals: ticks,
    ticktext: ticks.map((k) => `1e${k}`),
  };
}

// Derived arrays are cached per source array (and its length, since streams append), so a
// redraw hands Plotly the same arrays and a long run is thinned once per result, not per frame.
const derived = new WeakMap();
function memo(source, tag, make) {
  let entry = derived.get(source);
  if (!entry) derived.set(source, (entry = {}));
  const hit = entry[tag];
  if (hit && hit.length === source.length) return hit.value;
  const value = make(source);
  entry[tag] = { length: source.length, value };
  return value;
}

// How run i is drawn, so runs that coincide stay distinguishable: earlier runs lie below,
// wider; later runs on top, narrower and dashed; heads shrink in the same order, so heads on
// one point read as concentric rings.
const DASHES = ["solid", "dash", "dot", "dashdot", "longdash", "longdashdot"];
export function runStyle(i) {
  return {
    width: Math.max(1.4, 4.2 - 1.1 * i),
    dash: DASHES[i % DASHES.length],
    head: Math.max(3.5, 10 - 3 * i),
  };
}

// Screen resolution of a view: data units per pixel of a plot about `px` pixels across.
const PATH_3D_PX = 400; // the 3D view's paths: each segment a painter's-algorithm item, fewer suffice
function pixelSize(domain, px = 900) {
  return [(domain.x[1] - domain.x[0]) / px, (domain.y[1] - domain.y[0]) / px];
}

// A path thinned to about a pixel of the surface's domain (whole when short).
function drawnPath(points, domain, px = 900) {
  const [tx, ty] = pixelSize(domain, px);
  return memo(points, `path${tx},${ty}`, (p) => decimatePath(p, tx, ty));
}

function markerTraces(surface, start) {
  const pts = (list) => ({ x: list.map((p) => p[0]), y: list.map((p) => p[1]) });
  const traces = [];
  const marks = visibleLandmarks(surface, start);
  if (marks.minima.length) {
    traces.push({
      type: "scatter", mode: "markers", name: "minimum", ...pts(marks.minima),
      marker: { symbol: "star", size: 15, color: "#ffffff", line: { color: "#1b2330", width: 1.5 } },
      hovertemplate: "minimum (%{x:.3g}, %{y:.3g})<extra></extra>", meta: { role: "minimum" },
    });
  }
  if (marks.saddles.length) {
    traces.push({
      type: "scatter", mode: "markers", name: "saddle point", ...pts(marks.saddles),
      marker: { symbol: "x", size: 12, color: "#1b2330", line: { color: "#ffffff", width: 1 } },
      hovertemplate: "saddle (%{x:.3g}, %{y:.3g})<extra></extra>", meta: { role: "saddle" },
    });
  }
  if (marks.maxima.length) {
    traces.push({
      type: "scatter", mode: "markers", name: "maximum", ...pts(marks.maxima),
      marker: { symbol: "triangle-up", size: 13, color: "#1b2330", line: { color: "#ffffff", width: 1.5 } },
      hovertemplate: "local maximum (%{x:.3g}, %{y:.3g})<extra></extra>", meta: { role: "maximum" },
    });
  }
  traces.push({
    type: "scatter", mode: "markers", name: "start", x: [start[0]], y: [start[1]],
    marker: { symbol: "circle-open", size: 16, color: "#1b2330", line: { width: 2.5 } },
    hovertemplate: "start (%{x:.3g}, %{y:.3g})<extra></extra>", meta: { role: "start" },
  });
  return traces;
}

const HOVER_LABEL = { bgcolor: "#ffffff", bordercolor: "#8792a4", font: { color: "#1b2330" } };

// One whole path per run, drawn once per result; heads and trails move on a canvas above it.
function pathTrace2d(run, i, result, label, domain) {
  const points = result?.points || [];
  if (!points.length) return [];
  const d = drawnPath(points, domain);
  const style = runStyle(i);
  const loss = result.loss;
  return [{
    type: "scatter", mode: points.length <= 60 ? "lines+markers" : "lines", x: d.x, y: d.y, name: label,
    showlegend: false, line: { color: run.color, width: style.width, dash: style.dash },
    marker: { size: Math.max(3, style.width + 1), color: run.color }, opacity: 0.75,
    customdata: d.steps.map((k) => [k, loss[k]]), hoverlabel: { ...HOVER_LABEL, bordercolor: run.color },
    hovertemplate: `${i + 1}. %{fullData.name}<br>step %{customdata[0]}<br>(%{x:.4g}, %{y:.4g})<br>loss %{customdata[1]:.4g}<extra></extra>`,
    meta: { run: run.uid, role: "path" },
  }];
}

// The contour plot: surface, known minima and saddles, start point, one whole path per run.
// modeBarRoom: leave room above the plot area for a mode bar that is always shown (touch
// screens show it all the time, over the plot's top right otherwise).
export function contourFigure({ surface, grid, runs, results, labels, start, modeBarRoom = false, narrow = false }) {
  const t = heightTransform(grid, surface.log_levels);
  const contour = {
    type: "contour", x: grid.x, y: grid.y, z: t.z, text: t.text,
    colorscale: SURFACE_SCALE, ncontours: 24, showscale: true, colorbar: colorbar(t, narrow),
    contours: { coloring: "fill", showlines: true },
    line: { color: "rgba(255,255,255,0.55)", width: 0.6, smoothing: 0.8 },
    hovertemplate: "(%{x:.3g}, %{y:.3g})<br>f = %{text}<extra></extra>",
    name: surface.name, showlegend: false, meta: { role: "surface" },
  };
  const paths = runs.flatMap((run, i) => pathTrace2d(run, i, results[run.uid], labels[run.uid], surface.domain));
  const [dx, dy] = [surface.domain.x, surface.domain.y];
  const aspect = (dx[1] - dx[0]) / (dy[1] - dy[0]);
  return {
    data: [contour, ...markerTraces(surface, start), ...paths],
    layout: {
      font: FONT, paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "#ffffff",
      margin: { l: 44, r: 8, t: modeBarRoom ? 40 : 8, b: narrow ? 84 : 36 },
      xaxis: { range: [...dx], title: { text: "x", standoff: 4 }, zeroline: false, showgrid: false, constrain: "domain" },
      yaxis: {
        range: [...dy], title: { text: "y", standoff: 4 }, zeroline: false, showgrid: false,
        ...(aspect > 0.5 && aspect < 2 ? { scaleanchor: "x", scaleratio: 1, constrain: "domain" } : {}),
      },
      showlegend: false, hovermode: "closest", dragmode: "zoom", uirevision: `contour:${surface.id}`,
    },
  };
}

// Mesh rows and columns of the 3D surface: about 60 per side is as smooth as the plot shows,
// and each redraw (every turn of the camera) costs in proportion to the mesh.
export const MESH_3D = 61;

// Every `every`-th entry of an array (rows, or each row's entries), the last always kept.
function coarse(rows, every) {
  const pick = (a) => a.filter((_, i) => i % every === 0 || i === a.length - 1);
  return memo(rows, `coarse${every}`, (r) => pick(r).map((row) => (Array.isArray(row) ? pick(row) : row)));
}

// The 3D mesh: the grid (drawn heights t.z, hover text) thinned to about MESH_3D per side.
function mesh3d(grid, t) {
  const every = Math.max(1, Math.floor((grid.x.length - 1) / (MESH_3D - 1)));
  return { x: coarse(grid.x, every), y: coarse(grid.y, every), z: coarse(t.z, every), text: coarse(t.text, every) };
}

// The drawn mesh's height at (x, y) (its nodes evenly spaced), null off it.
function meshHeight(mesh, x, y) {
  const { x: xs, y: ys, z } = mesh;
  const fx = ((x - xs[0]) / (xs[xs.length - 1] - xs[0])) * (xs.length - 1);
  const fy = ((y - ys[0]) / (ys[ys.length - 1] - ys[0])) * (ys.length - 1);
  if (!(fx >= 0 && fx <= xs.length - 1 && fy >= 0 && fy <= ys.length - 1)) return null;
  const i = Math.min(Math.floor(fy), ys.length - 2);
  const j = Math.min(Math.floor(fx), xs.length - 2);
  const [a, b, c, d] = [z[i][j], z[i][j + 1], z[i + 1][j], z[i + 1][j + 1]];
  if (![a, b, c, d].every(isNum)) return null;
  const u = fx - j;
  const v = fy - i;
  // a cell's four corners need not lie in one plane: the higher of its two triangulations is
  // at or above what is drawn
  const split1 = u + v <= 1 ? a + (b - a) * u + (c - a) * v : d + (c - d) * (1 - u) + (b - d) * (1 - v);
  const split2 = u >= v ? a + (b - a) * u + (d - b) * v : a + (c - a) * v + (d - c) * u;
  return Math.max(split1, split2);
}

// Heights of a run's points on the 3D surface: its loss, or the drawn mesh where the mesh
// passes above it (a narrow valley is shallower on a coarse mesh), so a path lies on the
// surface the viewer sees, never under it. Points off the drawn surface are null, so a run
// that escapes leaves the box.
function heights3d(result, surface, t, mesh) {
  const zlo = t.f(t.lo);
  const zhi = t.f(t.hi);
  const lift = (zhi - zlo) * 0.006;
  const [dx, dy] = [surface.domain.x, surface.domain.y];
  const inside = (p, h) => h !== null && p[0] >= dx[0] && p[0] <= dx[1] && p[1] >= dy[0] && p[1] <= dy[1] && h <= zhi;
  return memo(result.loss, `z${surface.id}`, (loss) => loss.map((v, i) => {
    const p = result.points[i];
    const h = t.f(v);
    if (!inside(p, h)) return null;
    const m = meshHeight(mesh, p[0], p[1]);
    return Math.max(h, zlo, m ?? -Infinity) + lift;
  }));
}

// Heights of a result's points in the 3D view (null where a point is off the drawn surface).
export function runHeights(result, surface, grid) {
  const t = heightTransform(grid, surface.log_levels);
  return heights3d(result, surface, t, mesh3d(grid, t));
}

const SURFACE_COLORS = scaleColors(SURFACE_SCALE);

// The same picture in 3D (drawn by scene3d.js): the surface as a mesh with level lines, and
// the whole paths lying on it; heads and trails move on a canvas above it (race.js).
export function surfaceScene(input) {
  const { surface, grid, runs, results, labels, narrow = false } = input;
  const t = heightTransform(grid, surface.log_levels);
  const zlo = t.f(t.lo);
  const zhi = t.f(t.hi);
  const lift = (zhi - zlo) * 0.006;
  const m = mesh3d(grid, t);
  const paths = runs.flatMap((run, i) => {
    const r = results[run.uid];
    if (!r?.points?.length) return [];
    const z = heights3d(r, surface, t, m);
    const d = drawnPath(r.points, surface.domain, PATH_3D_PX);
    return [{
      uid: run.uid, name: labels[run.uid], index: i, color: run.color, width: Math.max(3, runStyle(i).width + 1.5),
      x: d.x, y: d.y, z: d.steps.map((k) => z[k]), steps: d.steps,
    }];
  });
  const levels = [];
  for (let k = 1; k < 16; k++) levels.push(zlo + ((zhi - zlo) * k) / 16);
  return {
    mesh: m, colors: SURFACE_COLORS, levels, paths,
    axes: {
      x: { title: "x", range: [...surface.domain.x] },
      y: { title: "y", range: [...surface.domain.y] },
      z: { title: t.log ? (narrow ? "lg(f−min)" : "log₁₀(f − min)") : "f", range: [zlo - lift, zhi + 4 * lift] },
    },
  };
}

function decadesSpanned(values) {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) if (v > 0) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  return hi > lo ? Math.log10(hi / lo) : 0;
}

// A series chart: one thinned line per run; the cursor moves on a canvas above it.
function seriesFigure({ runs, results, key, yTitle, logWhen, yRange }) {
  const series = runs
    .map((run) => ({ run, values: results[run.uid]?.[key] || [] }))
    .filter(({ values }) => values.length);
  const finiteValues = series.flatMap(({ values }) => memo(values, "finite", (v) => v.filter(isNum)));
  const log = logWhen(finiteValues);
  const decades = log ? decadesSpanned(finiteValues) : 0;
  const data = series.map(({ run, values }) => {
    const shown = log ? positive(values) : values;
    const d = memo(shown, "series", (v) => decimateSeries(v, 400));
    const i = runs.indexOf(run);
    const index = results[run.uid]?.index; // a thinned run: each point's step
    return {
      type: "scatter", mode: "lines", x: index ? d.x.map((k) => index[k]) : d.x, y: d.y, name: String(i + 1),
      line: { color: run.color, width: 2, dash: runStyle(i).dash }, showlegend: false,
      hoverlabel: { ...HOVER_LABEL, bordercolor: run.color },
      hovertemplate: `run ${i + 1}<br>step %{x}<br>${yTitle} %{y:.4g}<extra></extra>`, meta: { run: run.uid, role: key },
    };
  });
  const range = log ? null : yRange?.(finiteValues);
  return {
    data,
    layout: {
      font: FONT, paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "#ffffff",
      margin: { l: 10, r: 10, t: 6, b: 34 },
      xaxis: { title: { text: "step", standoff: 2 }, gridcolor: GRID_COLOR, zeroline: false, rangemode: "tozero" },
      yaxis: {
        title: { text: yTitle, standoff: 8 }, type: log ? "log" : "linear", automargin: true,
        ...(decades >= 2 ? { dtick: Math.max(1, Math.ceil(decades / 5)) } : {}),
        ...(range ? { range, autorange: false } : {}),
        gridcolor: GRID_COLOR, exponentformat: "power", zeroline: false,
      },
      hovermode: "closest", showlegend: false, uirevision: "series",
    },
  };
}

const positive = (values) => memo(values, "pos", (v) => v.map((u) => (isNum(u) && u > 0 ? u : null)));

// Loss against step, on a log axis when every loss is positive (linear otherwise).
export function lossFigure({ runs, results }) {
  return seriesFigure({
    runs, results, key: "loss", yTitle: "loss",
    logWhen: (values) => values.length > 0 && values.every((v) => v > 0),
  });
}

// Learning rate against step: log axis when the rates span more than two decades; a linear
// axis starts at 0 (a rate is never negative, even when it is constant).
export function lrFigure({ runs, results }) {
  return seriesFigure({
    runs, results, key: "lr", yTitle: "learning rate",
    yRange: (values) => {
      const hi = values.reduce((a, b) => Math.max(a, b), 0);
      return [0, hi > 0 ? hi * 1.12 : 1];
    },
    logWhen: (values) => {
      let lo = Infinity;
      let hi = 0;
      for (const v of values) { if (v <= 0) return false; lo = Math.min(lo, v); hi = Math.max(hi, v); }
      return values.length > 0 && hi / lo > 100;
    },
  });
}
