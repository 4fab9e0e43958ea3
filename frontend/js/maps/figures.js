// Pure functions: a map's data -> a Plotly figure. Basin maps are images (colour = which
// stationary point, shade = steps taken, black = diverged) under the contour and the
// stationary points; phase diagrams and the theory picture are heatmaps; a sweep is a line.

import { gdBoundApplies, heavyBallRate } from "./state.js";

const INK = "#1d2433";
const GRID = "#e3e7ef";
const FONT = { family: "system-ui, -apple-system, Segoe UI, sans-serif", size: 12, color: INK };
export const BASIN_COLORS = [
  [91, 141, 239], [255, 107, 74], [46, 176, 134], [240, 180, 41], [155, 89, 182],
  [52, 195, 214], [230, 90, 160], [130, 150, 60], [120, 120, 200],
];
const DIVERGED = [0, 0, 0];
const NOWHERE = [150, 150, 150]; // ended near no stationary point
const PENDING = [246, 247, 250]; // row not computed yet
const MARKERS = { minimum: "star", saddle: "x", maximum: "diamond", degenerate: "circle" };

const label = (name) => ({
  "start.x": "start x", "start.y": "start y", "params.lr": "learning rate", noise: "noise σ",
}[name] || name.replace(/^params\./, "").replace(/^schedule\./, "schedule "));

function baseLayout(title, compact) {
  return {
    // On phones the mode bar is always shown: the title sits just above the plot, below it.
    title: compact
      ? { text: title, font: { size: 13 }, x: 0.02, xanchor: "left", y: 1, yref: "paper", yanchor: "bottom", pad: { b: 6 } }
      : { text: title, font: { size: 13 }, x: 0.02, xanchor: "left" },
    font: FONT,
    margin: { l: 56, r: compact ? 12 : 20, t: compact ? 60 : 34, b: 44 },
    paper_bgcolor: "rgba(0,0,0,0)",
    plot_bgcolor: "#fff",
    showlegend: false,
    uirevision: title,
  };
}

// Colour of one basin-map cell: its stationary point's colour, darker the more steps it took
// (on a log scale from the fewest to the most steps any run of the map took).
export function basinColor(status, attractor, steps, [fewest, most]) {
  if (status === null) return PENDING;
  if (status === "diverged") return DIVERGED;
  if (attractor === null) return NOWHERE;
  const base = BASIN_COLORS[attractor % BASIN_COLORS.length];
  const span = Math.log1p(most) - Math.log1p(fewest);
  const f = span > 0 ? (Math.log1p(steps) - Math.log1p(fewest)) / span : 0;
  return base.map((c) => Math.round(c * (1 - 0.65 * f)));
}

function stepRange(result) {
  let fewest = Infinity;
  let most = 0;
  result.status.forEach((row, i) => row.forEach((s, j) => {
    if (s === null || s === "diverged") return;
    const steps = result.steps_taken[i][j];
    fewest = Math.min(fewest, steps);
    most = Math.max(most, steps);
  }));
  return most > 0 ? [fewest, most] : [0, 0];
}

export function basinFigure(map, result, grid, surface, compact = false) {
  const [xs, ys] = result.axes.map((a) => a.values);
  const steps = map.run.steps ?? 200;
  const range = stepRange(result);
  const z = result.status.map((row, i) => row.map((s, j) =>
    basinColor(s, result.attractor[i][j], result.steps_taken[i][j], range)));
  const text = result.status.map((row, i) => row.map((s, j) =>
    s === null ? "" : `${s} in ${result.steps_taken[i][j]} steps`));
  const dx = xs.length > 1 ? xs[1] - xs[0] : 1;
  const dy = ys.length > 1 ? ys[1] - ys[0] : 1;
  const data = [{
    type: "image", z, x0: xs[0], dx, y0: ys[0], dy, text,
    hovertemplate: "start (%{x:.3f}, %{y:.3f})<br>%{text}<extra></extra>",
  }];
  if (grid) {
    const finite = grid.z.flat().filter((v) => v !== null && v > 0);
    const logged = surface?.log_levels && finite.length;
    data.push({
      type: "contour", x: grid.x, y: grid.y,
      z: logged ? grid.z.map((r) => r.map((v) => (v === null ? null : Math.log10(Math.max(v, 1e-12))))) : grid.z,
      contours: { coloring: "none" }, line: { color: "rgba(255,255,255,0.55)", width: 1 },
      ncontours: 18, showscale: false, hoverinfo: "skip",
    });
  }
  const points = result.attractors;
  const color = (k) => `rgb(${BASIN_COLORS[k % BASIN_COLORS.length].join(",")})`;
  const sets = points.map((p, k) => [p, k]).filter(([p]) => (p.members?.length ?? 1) > 1);
  if (sets.length) { // a set (a curve of minima) is one attractor: its points, small, in its colour
    const members = sets.flatMap(([p, k]) => p.members.map((m) => [m, p, k]));
    data.push({
      type: "scatter", mode: "markers", meta: { role: "attractor-sets" },
      x: members.map(([m]) => m[0]), y: members.map(([m]) => m[1]),
      text: members.map(([, p, k]) => `${k}: ${p.label}`),
      hovertemplate: "%{text}<extra></extra>",
      marker: { symbol: "circle", size: 5, color: members.map(([, , k]) => color(k)), line: { color: "#fff", width: 0.5 } },
    });
  }
  if (points.length) {
    data.push({
      type: "scatter", mode: "markers",
      x: points.map((p) => p.point[0]), y: points.map((p) => p.point[1]),
      text: points.map((p, k) => (p.label ? `${k}: ${p.label}` : `${p.kind} ${k}: (${p.point[0].toFixed(3)}, ${p.point[1].toFixed(3)})`)),
      hovertemplate: "%{text}<extra></extra>",
      marker: {
        symbol: points.map((p) => MARKERS[p.kind] || "circle"), size: 12,
        color: points.map((p, k) => color(k)),
        line: { color: "#fff", width: 1.5 },
      },
    });
  }
  const name = `${map.run.optimizer}${map.run.params?.lr ? `, lr ${map.run.params.lr}` : ""}`;
  const layout = baseLayout(`Basins: ${name}, ${steps} steps on ${map.run.surface}`, compact);
  layout.xaxis = { title: { text: "start x" }, range: [xs[0] - dx / 2, xs[xs.length - 1] + dx / 2], constrain: "domain", gridcolor: GRID };
  layout.yaxis = {
    title: { text: "start y" }, range: [ys[0] - dy / 2, ys[ys.length - 1] + dy / 2],
    scaleanchor: "x", constrain: "domain", gridcolor: GRID,
  };
  return { data, layout };
}

// A heatmap value per cell: log10 of the final loss, or the steps a converged run took.
export function phaseValue(metric, status, loss, steps) {
  if (status === null || status === "diverged") return null;
  if (metric === "steps") return status === "converged" ? steps : null;
  return loss === null ? null : Math.log10(Math.max(loss, 1e-300));
}

function hyperAxis(axis, spec) {
  return { title: { text: label(axis.name) }, type: spec.log ? "log" : "linear", gridcolor: GRID };
}

export function phaseFigure(map, result, compact = false) {
  const [xs, ys] = result.axes.map((a) => a.values);
  const metric = map.metric || "final_loss";
  const z = result.status.map((row, i) => row.map((s, j) =>
    phaseValue(metric, s, result.final_loss[i][j], result.steps_taken[i][j])));
  const black = result.status.map((row) => row.map((s) => (s === "diverged" ? 1 : null)));
  const data = [
    {
      type: "heatmap", x: xs, y: ys, z: black, colorscale: [[0, "#000"], [1, "#000"]],
      showscale: false, hovertemplate: "diverged<extra></extra>",
    },
    {
      type: "heatmap", x: xs, y: ys, z, colorscale: "Viridis", reversescale: metric === "steps",
      colorbar: { title: { text: metric === "steps" ? "steps to<br>converge" : "log10<br>final loss" }, thickness: 12 },
      hovertemplate: `${label(map.axes[0].name)} %{x:.4g}<br>${label(map.axes[1].name)} %{y:.4g}<br>%{z:.3g}<extra></extra>`,
    },
  ];
  const layout = baseLayout(`Computed: ${map.run.optimizer} on ${map.run.surface}, ${map.run.steps ?? 200} steps`, compact);
  layout.xaxis = hyperAxis(result.axes[0], map.axes[0]);
  layout.yaxis = hyperAxis(result.axes[1], map.axes[1]);
  layout.shapes = [];
  layout.annotations = [];
  const lambda = result.start_curvature?.[1];
  if (lambda > 0 && gdBoundApplies(map)) {
    const bound = 2 / lambda;
    const onX = map.axes[0].name === "params.lr";
    layout.shapes.push(onX
      ? { type: "line", x0: bound, x1: bound, yref: "paper", y0: 0, y1: 1, line: { color: "#ff6b4a", width: 2, dash: "dash" } }
      : { type: "line", y0: bound, y1: bound, xref: "paper", x0: 0, x1: 1, line: { color: "#ff6b4a", width: 2, dash: "dash" } });
    layout.annotations.push({
      text: `2/λmax = ${bound.toPrecision(3)}`, showarrow: false, font: { color: "#ff6b4a" },
      bgcolor: "rgba(255,255,255,0.85)",
      ...(onX ? { x: map.axes[0].log ? Math.log10(bound) : bound, y: 0.02, yref: "paper", xanchor: "right", yanchor: "bottom" } : { y: bound, x: 1, xref: "paper", xanchor: "right", yanchor: "bottom" }),
    });
  }
  return { data, layout };
}

// Distill's picture: the heavy ball's convergence rate from the closed form, on map 0's axes.
export function theoryFigure(phaseMap, result, compact = false) {
  const [xs, ys] = result.axes.map((a) => a.values);
  const curvatures = result.start_curvature || [1, 1];
  const z = ys.map((m) => xs.map((lr) => heavyBallRate(lr, m, curvatures)));
  const clipped = z.map((row) => row.map((r) => (r < 1 ? r : null)));
  const black = z.map((row) => row.map((r) => (r >= 1 ? 1 : null)));
  const data = [
    { type: "heatmap", x: xs, y: ys, z: black, colorscale: [[0, "#000"], [1, "#000"]], showscale: false, hovertemplate: "rate ≥ 1: diverges<extra></extra>" },
    {
      type: "heatmap", x: xs, y: ys, z: clipped, colorscale: "Viridis", zmin: 0.8, zmax: 1,
      colorbar: { title: { text: "rate<br>max |root|" }, thickness: 12 },
      hovertemplate: "lr %{x:.4g}<br>momentum %{y:.3g}<br>rate %{z:.4f}<extra></extra>",
    },
  ];
  const layout = baseLayout(`Closed form (Distill): rate, curvatures ${curvatures.map((c) => +c.toPrecision(3)).join(" and ")}`, compact);
  layout.xaxis = hyperAxis(result.axes[0], phaseMap.axes[0]);
  layout.yaxis = hyperAxis(result.axes[1], phaseMap.axes[1]);
  const bound = 2 / curvatures[1];
  layout.shapes = [{ type: "line", x0: bound, x1: bound, yref: "paper", y0: 0, y1: 1, line: { color: "#ff6b4a", width: 2, dash: "dash" } }];
  return { data, layout, rate: z };
}

export function sweepFigure(map, result, compact = false) {
  const xs = result.axes[0].values;
  const status = result.status[0];
  const loss = result.final_loss[0];
  const ok = xs.map((_, j) => status[j] !== null && status[j] !== "diverged");
  const finite = loss.filter((v, j) => ok[j] && v > 0);
  const top = finite.length ? Math.max(...finite) * 10 : 1;
  const data = [
    {
      type: "scatter", mode: "lines+markers", name: "final loss",
      x: xs.filter((_, j) => ok[j]), y: loss.filter((_, j) => ok[j]).map((v) => Math.max(v, 1e-300)),
      line: { color: "#5b8def", width: 2 }, marker: { size: 4 },
      hovertemplate: "lr %{x:.4g}<br>final loss %{y:.4g}<extra></extra>",
    },
    {
      type: "scatter", mode: "markers", name: "diverged",
      x: xs.filter((_, j) => status[j] === "diverged"), y: xs.filter((_, j) => status[j] === "diverged").map(() => top),
      marker: { symbol: "x", color: "#000", size: 7 },
      hovertemplate: "lr %{x:.4g}: diverged<extra></extra>",
    },
  ];
  const layout = baseLayout(`Learning-rate sweep: ${map.run.optimizer} on ${map.run.surface}, ${map.run.steps ?? 200} steps`, compact);
  layout.xaxis = { title: { text: label(map.axes[0].name) }, type: map.axes[0].log ? "log" : "linear", gridcolor: GRID };
  layout.yaxis = { title: { text: "final loss" }, type: "log", gridcolor: GRID, exponentformat: "power" };
  layout.showlegend = true;
  layout.legend = { orientation: "h", y: -0.16 };
  const lambda = result.start_curvature?.[1];
  if (lambda > 0 && map.axes[0].name === "params.lr") {
    const bound = 2 / lambda;
    layout.shapes = [{ type: "line", x0: bound, x1: bound, yref: "paper", y0: 0, y1: 1, line: { color: "#ff6b4a", width: 2, dash: "dash" } }];
    layout.annotations = [{ text: `2/λmax at start = ${bound.toPrecision(3)}`, x: map.axes[0].log ? Math.log10(bound) : bound, y: 1.02, yref: "paper", showarrow: false, xanchor: "right", font: { color: "#ff6b4a" } }];
  }
  return { data, layout };
}
