// Pure functions: data in, Plotly figures ({data, layout}) out. No DOM, no HTTP, no state.
// A "run" here is {label, color, result}: result holds the curves and views of one network run.
import { scaleColors } from "../scene3d.js";

const FONT = { family: "Inter, system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", size: 12, color: "#2a3342" };
const GRID = "#e8ecf2";
const CLASS_COLORS = ["#1f9bd1", "#ff5a36", "#00a77d", "#9b5de5", "#f4a259", "#2e4057", "#d81159", "#6a994e", "#8d6e63", "#546e7a"];
const LANDSCAPE_SCALE = "Viridis";
// Plotly's Viridis, for the 3D landscape drawn by scene3d.js
const VIRIDIS = scaleColors([
  [0, "#440154"], [0.0627, "#48186a"], [0.1255, "#472d7b"], [0.1882, "#424086"], [0.251, "#3b528b"],
  [0.3137, "#33638d"], [0.3765, "#2c728e"], [0.4392, "#26828e"], [0.502, "#21918c"], [0.5647, "#1fa088"],
  [0.6275, "#28ae80"], [0.6902, "#3fbc73"], [0.7529, "#5ec962"], [0.8157, "#84d44b"], [0.8784, "#addc30"],
  [0.9412, "#d8e219"], [1, "#fde725"],
]);

const isNum = (v) => typeof v === "number" && Number.isFinite(v);
const steps = (values, start = 0) => values.map((_, i) => start + i);

// At most MAX_DRAWN points of a long curve are drawn (every k-th, and the last): a plot a few
// hundred pixels wide shows no more, and redrawing fewer keeps the page responsive. Curves of
// up to MAX_DRAWN points are drawn whole; exports always hold every point.
const MAX_DRAWN = 2001;
function thin(x, y) {
  if (y.length <= MAX_DRAWN) return { x, y };
  const k = Math.ceil(y.length / MAX_DRAWN);
  const keep = (_, i) => i % k === 0 || i === y.length - 1;
  return { x: x.filter(keep), y: y.filter(keep) };
}

// The legend sits below the plot, clear of the mode bar Plotly shows at the top right.
function baseLayout(extra = {}) {
  return {
    font: FONT,
    margin: { l: 52, r: 16, t: 14, b: 40 },
    paper_bgcolor: "rgba(0,0,0,0)",
    plot_bgcolor: "#fff",
    showlegend: true,
    legend: { orientation: "h", x: 0, xanchor: "left", y: 0, yanchor: "bottom", yref: "container", font: { size: 11 } },
    ...extra,
  };
}

// Room under the axis for the legend: as many rows as its entries wrap into at `width` px.
function legendMargin(names, width = 560) {
  let rows = 1;
  let x = 0;
  for (const name of names) {
    const w = 56 + 7 * name.length; // symbol and gaps, then about 7 px per 11 px character
    if (x > 0 && x + w > width - 24) {
      rows += 1;
      x = 0;
    }
    x += w;
  }
  return { l: 52, r: 16, t: 14, b: 50 + 20 * rows };
}

const legendNames = (data) => data.filter((t) => t.showlegend !== false).map((t) => t.name);

// automargin: Plotly places the title below the tick labels it actually drew (without it the
// title's place is estimated, and long tick labels such as "−20" can run into it).
const axis = (title, extra = {}) => ({ title: { text: title, standoff: 6 }, automargin: true, gridcolor: GRID, zeroline: false, ...extra });

// A log axis labelled only at powers of ten when the values span two decades or more (Plotly's
// default also labels the 2s and 5s, which crowds a short chart; over less than two decades
// the powers of ten alone may be a single label, and the axis cannot be read).
function logAxis(title, values) {
  const positive = values.filter((v) => isNum(v) && v > 0);
  const decades = positive.length ? Math.log10(Math.max(...positive) / Math.min(...positive)) : 0;
  return axis(title, { type: "log", ...(decades >= 2 ? { dtick: 1 } : {}) });
}

const short = (run) => `run ${run.label.split(".")[0]}`;

function boundaryFill(boundary, binary, classes) {
  return {
    type: "contour", name: binary ? "P(class 1)" : "predicted class", x: boundary.x,
    y: boundary.y, z: boundary.z, showscale: false, hoverinfo: "skip", opacity: 0.55, showlegend: false,
    colorscale: binary
      ? [[0, "#cfe9f6"], [0.5, "#ffffff"], [1, "#ffd6cc"]]
      : CLASS_COLORS.slice(0, classes).map((c, i) => [i / Math.max(classes - 1, 1), c]),
    contours: binary ? { start: 0, end: 1, size: 0.1 } : { start: 0.5, end: classes - 1.5, size: 1, coloring: "heatmap" },
    line: { width: binary ? 0.5 : 1.5, color: "#ffffff" },
  };
}

// The data set as a scatter (training points circles, validation points diamonds) over the
// selected run's decision regions, with every run's decision boundary (P = 0.5) in its colour;
// for regression, every run's fitted curve.
export function dataFigure({ points, task, classes, runs, selected, width }) {
  const data = [];
  const isVal = (i) => i >= points.n_train;
  const symbols = (idx) => idx.map((i) => (isVal(i) ? "diamond" : "circle"));
  if (task === "regression") {
    const all = points.y.map((_, i) => i);
    data.push({
      type: "scatter", mode: "markers", name: "data", x: points.x.map((p) => p[0]), y: points.y,
      marker: { size: 6, color: "#8792a4", symbol: symbols(all), line: { width: 1, color: "#fff" } },
    });
    runs.forEach((run) => {
      const b = run.result?.boundary;
      if (b) data.push({ type: "scatter", mode: "lines", name: `fit · ${short(run)}`, x: b.x, y: b.y, line: { color: run.color, width: 3 } });
    });
    return { data, layout: baseLayout({ margin: legendMargin(legendNames(data), width), xaxis: axis("x"), yaxis: axis("y") }) };
  }
  const binary = task === "binary";
  const chosen = runs[selected]?.result?.boundary;
  if (chosen) data.push(boundaryFill(chosen, binary, classes));
  if (binary) {
    runs.forEach((run, i) => {
      const b = run.result?.boundary;
      if (!b) return;
      data.push({
        type: "contour", name: `boundary · ${short(run)}`, x: b.x, y: b.y, z: b.z, showscale: false, hoverinfo: "skip",
        contours: { start: 0.5, end: 0.5, size: 1, coloring: "none" },
        line: { width: i === selected ? 3.5 : 2, color: run.color }, showlegend: true,
      });
    });
  }
  for (let c = 0; c < classes; c += 1) {
    const idx = points.y.map((label, i) => (label === c ? i : -1)).filter((i) => i >= 0);
    data.push({
      type: "scatter", mode: "markers", name: `class ${c}`,
      x: idx.map((i) => points.x[i][0]), y: idx.map((i) => points.x[i][1]),
      marker: { size: 6, color: CLASS_COLORS[c % CLASS_COLORS.length], line: { width: 1, color: "#fff" }, symbol: symbols(idx) },
    });
  }
  return {
    data,
    layout: baseLayout({
      margin: legendMargin(legendNames(data), width),
      // Equal scales; the plot area shrinks to the data rather than padding it with empty range.
      xaxis: axis("x₁", { constrain: "domain" }), yaxis: axis("x₂", { scaleanchor: "x", constrain: "domain", constraintoward: "top" }),
    }),
  };
}

// Train (solid) and validation (dotted) curves of every run, in its colour.
function pairFigure(runs, key, yaxis, width) {
  const data = [];
  for (const run of runs) {
    const r = run.result;
    if (!r || !r[key]) continue;
    data.push(
      { type: "scatter", mode: "lines", name: `${short(run)} · train`, legendgroup: run.label, ...thin(steps(r[key]), r[key]), line: { color: run.color, width: 2 } },
      { type: "scatter", mode: "lines", name: `${short(run)} · validation`, legendgroup: run.label, showlegend: false, ...thin(steps(r[`val_${key}`]), r[`val_${key}`]), line: { color: run.color, width: 1.5, dash: "dot" } },
    );
  }
  return { data, layout: baseLayout({ margin: legendMargin(legendNames(data), width), xaxis: axis("step"), yaxis }) };
}

export function lossFigure(runs, width) {
  const values = runs.flatMap((run) => [...(run.result?.loss || []), ...(run.result?.val_loss || [])]);
  const positive = values.every((v) => !isNum(v) || v > 0);
  return pairFigure(runs, "loss", positive ? logAxis("loss", values) : axis("loss"), width);
}

export function accuracyFigure(runs, width) {
  return pairFigure(runs, "accuracy", axis("accuracy", { range: [0, 1.02] }), width);
}

// Each run's sharpness against its own stability bound (coefficient / lr): the Hessian's top
// eigenvalue against 2/lr for GD, (2 + 2β)/lr with momentum; for adaptive optimizers the
// preconditioned sharpness against theirs (Cohen et al. 2022). No line where none applies.
export function sharpnessFigure(runs, width) {
  const data = [];
  const values = [];
  for (const run of runs) {
    const r = run.result;
    if (!r) continue;
    const pre = r.stability?.kind === "preconditioned";
    data.push({
      type: "scatter", mode: r.sharpness.length > 300 ? "lines" : "lines+markers", name: `${short(run)} · ${pre ? "λmax(P⁻¹H)" : "λmax"}`,
      ...thin(r.sharpness.map((s) => s.step), r.sharpness.map((s) => s.value)),
      line: { color: run.color, width: 1.5 }, marker: { size: 3 },
    });
    values.push(...r.sharpness.map((s) => s.value));
    const c = r.stability?.coefficient;
    if (isNum(c)) {
      const bound = r.lr.map((lr) => (lr > 0 ? c / lr : null));
      data.push({
        type: "scatter", mode: "lines", name: `${short(run)} · ${r.stability.label}`,
        ...thin(steps(r.lr), bound), line: { color: run.color, dash: "dash", width: 1.5 },
      });
      values.push(...bound);
    }
  }
  const positive = values.filter((v) => isNum(v) && v > 0);
  const spans = positive.length && Math.max(...positive) / Math.min(...positive) > 20;
  return {
    data,
    layout: baseLayout({
      margin: legendMargin(legendNames(data), width), xaxis: axis("step"),
      yaxis: spans ? logAxis("sharpness", values) : axis("sharpness", { rangemode: "tozero" }),
    }),
  };
}

export function interpolationFigure(runs, width) {
  const data = [];
  for (const run of runs) {
    const interp = run.result?.interpolation;
    if (!interp) continue;
    data.push({ type: "scatter", mode: "lines", name: short(run), x: interp.alpha, y: interp.loss, line: { color: run.color, width: 2 } });
  }
  const values = data.flatMap((t) => t.y);
  return {
    data,
    layout: baseLayout({
      margin: legendMargin(legendNames(data), width),
      xaxis: axis("α: (1 − α) θ₀ + α θ*", {
        // α = 0 is each run's initial weights, α = 1 its final weights.
        tickvals: [-0.5, 0, 0.5, 1, 1.5], ticktext: ["−0.5", "0 (start)", "0.5", "1 (end)", "1.5"],
      }),
      yaxis: values.every((v) => !isNum(v) || v > 0) ? logAxis("training loss", values) : axis("training loss"),
    }),
  };
}

// Short titles for the 3D scene, where long ones run off the square plot or into each other.
function axisTitles(land, short3d) {
  if (land.directions === "pca") {
    const pct = (v) => `${(100 * v).toFixed(1)}%`;
    const [v1, v2] = land.explained_variance.map(pct);
    return short3d ? [`PC1 · ${v1}`, `PC2 · ${v2}`] : [`PC1 (${v1} of variance)`, `PC2 (${v2})`];
  }
  return short3d ? ["dir 1", "dir 2"] : ["direction 1 (filter-normalised)", "direction 2"];
}

const log10 = (v) => (isNum(v) && v > 0 ? Math.log10(v) : null);

function emptyLandscape(text) {
  return { data: [], layout: baseLayout({ xaxis: axis(""), yaxis: axis(""), annotations: [{ text, showarrow: false, xref: "paper", yref: "paper", x: 0.5, y: 0.5 }] }) };
}

// The landscape in 3D, as scene3d.js draws it: the slice's log10 loss as a surface, each run's
// path at the height of its own loss (above the slice or under it: the path's weights are off
// the plane, only projected onto it).
export function landscapeScene(land, runs) {
  const z = land.z.map((row) => row.map(log10));
  const [tx, ty] = axisTitles(land, true);
  const paths = land.paths.flatMap((p, i) => (runs[i] ? [{
    uid: String(i), name: runs[i].label, index: i, color: runs[i].color, width: 3,
    x: p.path.map((q) => q[0]), y: p.path.map((q) => q[1]), z: p.path_loss.map(log10),
    steps: p.path_steps ?? p.path.map((_, k) => k),
  }] : []));
  let [lo, hi] = [Infinity, -Infinity];
  for (const v of [...z.flat(), ...paths.flatMap((p) => p.z)]) if (isNum(v)) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
  if (!(hi > lo)) [lo, hi] = [lo - 1, lo + 1];
  const levels = [];
  for (let k = 1; k < 16; k++) levels.push(lo + ((hi - lo) * k) / 16);
  return {
    mesh: { x: land.x, y: land.y, z, text: land.z.map((row) => row.map((v) => (isNum(v) ? String(Number(v.toPrecision(4))) : "–"))) },
    colors: VIRIDIS, levels, paths,
    axes: { x: { title: tx, range: [land.x[0], land.x[land.x.length - 1]] }, y: { title: ty, range: [land.y[0], land.y[land.y.length - 1]] }, z: { title: "log₁₀ loss", range: [lo, hi] } },
  };
}

// One 2D slice of log10 loss shared by every run (through run 1's final weights), with each
// run's path projected onto it.
export function landscapeFigure(land, runs, width) {
  if (!land) return emptyLandscape("The landscape appears when training ends");
  const z = land.z.map((row) => row.map(log10));
  const [tx, ty] = axisTitles(land, false);
  const paths = land.paths.map((p, i) => ({ ...p, run: runs[i] })).filter((p) => p.run);
  return {
    data: [
      {
        type: "contour", x: land.x, y: land.y, z, colorscale: LANDSCAPE_SCALE, ncontours: 30, name: "log10 loss", showlegend: false,
        colorbar: { title: { text: "log10 loss", side: "right" }, thickness: 12 },
        contours: { coloring: "heatmap" }, line: { width: 0.5, color: "rgba(255,255,255,0.5)" },
      },
      ...paths.map((p) => ({
        type: "scatter", mode: "lines+markers", name: `path · ${short(p.run)}`, x: p.path.map((q) => q[0]), y: p.path.map((q) => q[1]),
        line: { color: p.run.color, width: 2 }, marker: { size: 3, color: p.run.color },
      })),
      {
        type: "scatter", mode: "markers", name: `final weights · ${paths[0] ? short(paths[0].run) : ""}`, x: [0], y: [0],
        marker: { size: 12, symbol: "star", color: "#fff", line: { color: "#1b2330", width: 1.5 } },
      },
    ],
    layout: baseLayout({ margin: { ...legendMargin(paths.map((p) => `path · ${short(p.run)}`).concat(["final weights · run 1"]), width), r: 8 }, xaxis: axis(tx), yaxis: axis(ty) }),
  };
}
