// Pure functions: data in, Plotly figures ({data, layout}) out. No DOM, no HTTP, no state.

import { visibleLandmarks } from "./landmarks.js";

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

function colorbar(t) {
  const bar = { thickness: 10, outlinewidth: 0, len: 0.85, tickfont: { size: 10 } };
  if (!t.log) return { ...bar, title: { text: "f", side: "right" } };
  const lo = Math.ceil(Math.log10(Math.max(t.hi - t.lo, 1e-12) * 1e-6));
  const hi = Math.floor(Math.log10(Math.max(t.hi - t.lo, 1e-12)));
  const every = Math.max(1, Math.ceil((hi - lo + 1) / 6));
  const ticks = [];
  for (let k = hi; k >= lo; k -= every) ticks.push(k);
  return {
    ...bar,
    title: { text: "f − min", side: "right" },
    tickvals: ticks,
    ticktext: ticks.map((k) => `1e${k}`),
  };
}

// Derived arrays are cached per source array (and its length, since streams append), so an
// animation frame hands Plotly.react the same arrays and only the moving traces recalculate.
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
const xsOf = (points) => memo(points, "x", (p) => p.map((q) => q[0]));
const ysOf = (points) => memo(points, "y", (p) => p.map((q) => q[1]));
const positive = (values) => memo(values, "pos", (v) => v.map((u) => (isNum(u) && u > 0 ? u : null)));
const steps = (values) => memo(values, "steps", (v) => v.map((_, i) => i));

// Where each run is at animation frame `frame`: its last received point at or before it.
const at = (arr, frame) => Math.min(frame, arr.length - 1);

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

function runTraces2d(run, result, label, frame) {
  const points = result?.points || [];
  if (!points.length) return [];
  const xs = xsOf(points);
  const ys = ysOf(points);
  const k = at(points, frame);
  const group = { legendgroup: run.uid, meta: { run: run.uid } };
  return [
    {
      type: "scatter", mode: "lines", x: xs, y: ys, name: label, showlegend: false, hoverinfo: "skip",
      line: { color: run.color, width: 1.2, dash: "dot" }, opacity: 0.55, ...group, meta: { run: run.uid, role: "path" },
    },
    {
      type: "scatter", mode: points.length <= 400 ? "lines+markers" : "lines", x: xs.slice(0, k + 1), y: ys.slice(0, k + 1),
      name: label, line: { color: run.color, width: 2.6 }, marker: { size: 4, color: run.color },
      customdata: result.loss.slice(0, k + 1),
      hovertemplate: "step %{pointNumber}<br>(%{x:.4g}, %{y:.4g})<br>loss %{customdata:.4g}<extra></extra>",
      ...group, meta: { run: run.uid, role: "trail" },
    },
    {
      type: "scatter", mode: "markers", x: [xs[k]], y: [ys[k]], showlegend: false, hoverinfo: "skip",
      marker: { size: 12, color: run.color, line: { color: "#ffffff", width: 2 } },
      ...group, meta: { run: run.uid, role: "head" },
    },
  ];
}

// The contour plot: surface, known minima and saddles, start point, one path per run.
export function contourFigure({ surface, grid, runs, results, labels, frame, start }) {
  const t = heightTransform(grid, surface.log_levels);
  const contour = {
    type: "contour", x: grid.x, y: grid.y, z: t.z, text: t.text,
    colorscale: SURFACE_SCALE, ncontours: 24, showscale: true, colorbar: colorbar(t),
    contours: { coloring: "fill", showlines: true },
    line: { color: "rgba(255,255,255,0.55)", width: 0.6, smoothing: 0.8 },
    hovertemplate: "(%{x:.3g}, %{y:.3g})<br>f = %{text}<extra></extra>",
    name: surface.name, showlegend: false, meta: { role: "surface" },
  };
  const paths = runs.flatMap((run) => runTraces2d(run, results[run.uid], labels[run.uid], frame));
  const [dx, dy] = [surface.domain.x, surface.domain.y];
  const aspect = (dx[1] - dx[0]) / (dy[1] - dy[0]);
  return {
    data: [contour, ...markerTraces(surface, start), ...paths],
    layout: {
      font: FONT, paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "#ffffff",
      margin: { l: 44, r: 8, t: 8, b: 36 },
      xaxis: { range: [...dx], title: { text: "x", standoff: 4 }, zeroline: false, showgrid: false, constrain: "domain" },
      yaxis: {
        range: [...dy], title: { text: "y", standoff: 4 }, zeroline: false, showgrid: false,
        ...(aspect > 0.5 && aspect < 2 ? { scaleanchor: "x", scaleratio: 1, constrain: "domain" } : {}),
      },
      legend: {
        orientation: "h", x: 0, y: -0.09, xanchor: "left", yanchor: "top",
        font: { size: 12.5 }, itemclick: "toggle", itemdoubleclick: "toggleothers",
      },
      hovermode: "closest", dragmode: "zoom", uirevision: `contour:${surface.id}`,
    },
  };
}

// The same picture in 3D: the surface as a mesh with the paths lying on it.
export function surfaceFigure({ surface, grid, runs, results, labels, frame }) {
  const t = heightTransform(grid, surface.log_levels);
  const zlo = t.f(t.lo);
  const zhi = t.f(t.hi);
  const lift = (zhi - zlo) * 0.006;
  const [dx, dy] = [surface.domain.x, surface.domain.y];
  const inside = (p, h) => h !== null && p[0] >= dx[0] && p[0] <= dx[1] && p[1] >= dy[0] && p[1] <= dy[1] && h <= zhi;
  const mesh = {
    type: "surface", x: grid.x, y: grid.y, z: t.z, text: t.text, colorscale: SURFACE_SCALE, showscale: false,
    opacity: 0.92, hovertemplate: "(%{x:.3g}, %{y:.3g})<br>f = %{text}<extra></extra>",
    contours: { z: { show: true, usecolormap: false, color: "rgba(255,255,255,0.5)", width: 1 } },
    lighting: { ambient: 0.75, diffuse: 0.5, specular: 0.05, roughness: 0.9 }, meta: { role: "surface" },
  };
  const paths = runs.flatMap((run) => {
    const r = results[run.uid];
    if (!r?.points?.length) return [];
    const k = at(r.points, frame);
    // Points off the drawn surface are left out, so a run that escapes leaves the box.
    const z = memo(r.loss, `z${surface.id}`, (loss) => loss.map((v, i) => {
      const h = t.f(v);
      return inside(r.points[i], h) ? Math.max(h, zlo) + lift : null;
    }));
    const xs = xsOf(r.points);
    const ys = ysOf(r.points);
    return [
      {
        type: "scatter3d", mode: "lines", x: xs.slice(0, k + 1), y: ys.slice(0, k + 1), z: z.slice(0, k + 1),
        name: labels[run.uid], line: { color: run.color, width: 6 }, legendgroup: run.uid,
        hovertemplate: "step %{pointNumber}<br>(%{x:.4g}, %{y:.4g})<extra></extra>", meta: { run: run.uid, role: "trail" },
      },
      {
        type: "scatter3d", mode: "markers", x: [xs[k]], y: [ys[k]], z: [z[k]], showlegend: false, hoverinfo: "skip",
        marker: { size: 5, color: run.color, line: { color: "#ffffff", width: 1 } }, legendgroup: run.uid,
        meta: { run: run.uid, role: "head" },
      },
    ];
  });
  const axis = (title, range) => ({ title: { text: title }, range, backgroundcolor: "#f6f8fb", gridcolor: "#dfe5ee", showbackground: true });
  return {
    data: [mesh, ...paths],
    layout: {
      font: FONT, paper_bgcolor: "rgba(0,0,0,0)", margin: { l: 0, r: 0, t: 0, b: 0 },
      scene: {
        xaxis: axis("x", [...dx]), yaxis: axis("y", [...dy]),
        zaxis: axis(t.log ? "log₁₀(f − min)" : "f", [zlo - lift, zhi + 4 * lift]),
        aspectmode: "manual", aspectratio: { x: 1, y: 1, z: 0.6 },
        camera: { eye: { x: -1.4, y: -1.5, z: 1.1 } },
      },
      legend: { orientation: "h", x: 0, y: 1, bgcolor: "rgba(255,255,255,0.85)" },
      uirevision: `surface3d:${surface.id}`,
    },
  };
}

function cursorShape(frame) {
  return {
    type: "line", xref: "x", yref: "paper", x0: frame, x1: frame, y0: 0, y1: 1,
    line: { color: "#1b2330", width: 1, dash: "dot" },
  };
}

function decadesSpanned(values) {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) if (v > 0) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  return hi > lo ? Math.log10(hi / lo) : 0;
}

function seriesFigure({ runs, results, frame, key, yTitle, logWhen }) {
  const series = runs
    .map((run) => ({ run, values: results[run.uid]?.[key] || [] }))
    .filter(({ values }) => values.length);
  const finite = series.flatMap(({ values }) => memo(values, "finite", (v) => v.filter(isNum)));
  const log = logWhen(finite);
  const decades = log ? decadesSpanned(finite) : 0;
  const data = series.map(({ run, values }) => ({
    type: "scatter", mode: "lines", x: steps(values), name: String(runs.indexOf(run) + 1),
    y: log ? positive(values) : values,
    line: { color: run.color, width: 2 }, showlegend: false,
    hovertemplate: `step %{x}<br>${yTitle} %{y:.4g}<extra></extra>`, meta: { run: run.uid, role: key },
  }));
  const markers = series.map(({ run, values }) => {
    const k = at(values, frame);
    const v = values[k];
    return {
      type: "scatter", mode: "markers", x: [k], y: [isNum(v) && (!log || v > 0) ? v : null], showlegend: false,
      hoverinfo: "skip", marker: { size: 8, color: run.color, line: { color: "#fff", width: 1.5 } },
      meta: { run: run.uid, role: "cursor" },
    };
  });
  return {
    data: [...data, ...markers],
    layout: {
      font: FONT, paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "#ffffff",
      margin: { l: 52, r: 10, t: 6, b: 34 },
      xaxis: { title: { text: "step", standoff: 2 }, gridcolor: GRID_COLOR, zeroline: false, rangemode: "tozero" },
      yaxis: { title: { text: yTitle, standoff: 4 }, type: log ? "log" : "linear", ...(decades >= 2 ? { dtick: Math.max(1, Math.ceil(decades / 5)) } : {}), gridcolor: GRID_COLOR, exponentformat: "power", zeroline: false },
      shapes: [cursorShape(frame)], hovermode: "closest", showlegend: false, uirevision: "series",
    },
  };
}

// Loss against step, on a log axis when every loss is positive (linear otherwise).
export function lossFigure({ runs, results, frame }) {
  return seriesFigure({
    runs, results, frame, key: "loss", yTitle: "loss",
    logWhen: (values) => values.length > 0 && values.every((v) => v > 0),
  });
}

// Learning rate against step: log axis when the rates span more than two decades.
export function lrFigure({ runs, results, frame }) {
  return seriesFigure({
    runs, results, frame, key: "lr", yTitle: "learning rate",
    logWhen: (values) => {
      let lo = Infinity;
      let hi = 0;
      for (const v of values) { if (v <= 0) return false; lo = Math.min(lo, v); hi = Math.max(hi, v); }
      return values.length > 0 && hi / lo > 100;
    },
  });
}
