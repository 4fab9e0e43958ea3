// Pure functions: data in, Plotly figures ({data, layout}) out. No DOM, no HTTP, no state.

const FONT = { family: "Inter, system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", size: 12, color: "#2a3342" };
const GRID = "#e8ecf2";
const CLASS_COLORS = ["#1f9bd1", "#ff5a36", "#00a77d"];
const TRAIN = "#3b6fe0";
const VALID = "#ff7a45";
const LANDSCAPE_SCALE = "Viridis";

const isNum = (v) => typeof v === "number" && Number.isFinite(v);
const steps = (values, start = 0) => values.map((_, i) => start + i);

function baseLayout(extra = {}) {
  return {
    font: FONT,
    margin: { l: 52, r: 16, t: 30, b: 40 },
    paper_bgcolor: "rgba(0,0,0,0)",
    plot_bgcolor: "#fff",
    showlegend: true,
    legend: { orientation: "h", x: 0, y: 1, yanchor: "bottom" }, // in the top margin, clear of the data
    ...extra,
  };
}

const axis = (title, extra = {}) => ({ title: { text: title }, gridcolor: GRID, zeroline: false, ...extra });

// A log axis labelled only at powers of ten when the values span a decade or more (Plotly's
// default also labels the 2s and 5s, which crowds a short chart).
function logAxis(title, values) {
  const positive = values.filter((v) => isNum(v) && v > 0);
  const decades = positive.length ? Math.log10(Math.max(...positive) / Math.min(...positive)) : 0;
  return axis(title, { type: "log", ...(decades >= 1 ? { dtick: 1 } : {}) });
}

// The data set as a scatter over the live decision boundary (or the fitted curve for sine).
export function dataFigure({ points, boundary, task, classes }) {
  const data = [];
  if (task === "regression") {
    data.push({
      type: "scatter", mode: "markers", name: "data", x: points.x.map((p) => p[0]), y: points.y,
      marker: { size: 5, color: "#8792a4" },
    });
    if (boundary) {
      data.push({ type: "scatter", mode: "lines", name: "network", x: boundary.x, y: boundary.y,
        line: { color: VALID, width: 3 } });
    }
    return { data, layout: baseLayout({ xaxis: axis("x"), yaxis: axis("y") }) };
  }
  if (boundary) {
    const binary = task === "binary";
    data.push({
      type: "contour", name: binary ? "P(class 1)" : "predicted class", x: boundary.x,
      y: boundary.y, z: boundary.z, showscale: false, hoverinfo: "skip", opacity: 0.55,
      colorscale: binary
        ? [[0, "#cfe9f6"], [0.5, "#ffffff"], [1, "#ffd6cc"]]
        : CLASS_COLORS.map((c, i) => [i / (classes - 1), c]),
      contours: binary ? { start: 0, end: 1, size: 0.1 } : { start: 0.5, end: classes - 1.5, size: 1, coloring: "heatmap" },
      line: { width: binary ? 0.5 : 1.5, color: "#ffffff" },
    });
    if (binary) {
      data.push({
        type: "contour", name: "boundary", x: boundary.x, y: boundary.y, z: boundary.z,
        showscale: false, hoverinfo: "skip", contours: { start: 0.5, end: 0.5, size: 1, coloring: "none" },
        line: { width: 2.5, color: "#1b2330" }, showlegend: false,
      });
    }
  }
  for (let c = 0; c < classes; c += 1) {
    const idx = points.y.map((label, i) => (label === c ? i : -1)).filter((i) => i >= 0);
    data.push({
      type: "scatter", mode: "markers", name: `class ${c}`,
      x: idx.map((i) => points.x[i][0]), y: idx.map((i) => points.x[i][1]),
      marker: {
        size: 6, color: CLASS_COLORS[c % CLASS_COLORS.length],
        line: { width: 1, color: "#fff" },
        symbol: idx.map((i) => (i >= points.n_train ? "diamond" : "circle")),
      },
    });
  }
  return {
    data,
    layout: baseLayout({
      // Equal scales; the plot area shrinks to the data rather than padding it with empty range.
      xaxis: axis("x₁", { constrain: "domain" }), yaxis: axis("x₂", { scaleanchor: "x", constrain: "domain", constraintoward: "top" }),
    }),
  };
}

export function lossFigure(result) {
  const positive = result.loss.every((v) => !isNum(v) || v > 0);
  return {
    data: [
      { type: "scatter", mode: "lines", name: "train", x: steps(result.loss), y: result.loss, line: { color: TRAIN } },
      { type: "scatter", mode: "lines", name: "validation", x: steps(result.val_loss), y: result.val_loss, line: { color: VALID } },
    ],
    layout: baseLayout({
      xaxis: axis("step"),
      yaxis: positive ? logAxis("loss", [...result.loss, ...result.val_loss]) : axis("loss"),
    }),
  };
}

export function accuracyFigure(result, task) {
  if (task === "regression") {
    return {
      data: [],
      layout: baseLayout({
        xaxis: axis("step"), yaxis: axis("accuracy"),
        annotations: [{ text: "Regression: no accuracy, see the loss", showarrow: false, xref: "paper", yref: "paper", x: 0.5, y: 0.5 }],
      }),
    };
  }
  return {
    data: [
      { type: "scatter", mode: "lines", name: "train", x: steps(result.accuracy), y: result.accuracy, line: { color: TRAIN } },
      { type: "scatter", mode: "lines", name: "validation", x: steps(result.val_accuracy), y: result.val_accuracy, line: { color: VALID } },
    ],
    layout: baseLayout({ xaxis: axis("step"), yaxis: axis("accuracy", { range: [0, 1.02] }) }),
  };
}

// Sharpness (largest Hessian eigenvalue) against the stability bound 2/lr of plain GD.
export function sharpnessFigure(result) {
  return {
    data: [
      {
        type: "scatter", mode: "lines", name: "2 / lr", x: steps(result.lr), y: result.lr.map((lr) => (lr > 0 ? 2 / lr : null)),
        line: { color: "#c8352b", dash: "dash" },
      },
      {
        type: "scatter", mode: "lines+markers", name: "sharpness λmax", x: result.sharpness.map((s) => s.step),
        y: result.sharpness.map((s) => s.value), line: { color: TRAIN }, marker: { size: 4 },
      },
    ],
    layout: baseLayout({
      xaxis: axis("step"),
      yaxis: logAxis("λmax of the Hessian", [...result.sharpness.map((s) => s.value), ...result.lr.map((lr) => 2 / lr)]),
    }),
  };
}

export function interpolationFigure(result) {
  const interp = result.interpolation;
  const data = interp
    ? [
      { type: "scatter", mode: "lines", name: "loss", x: interp.alpha, y: interp.loss, line: { color: TRAIN } },
      {
        type: "scatter", mode: "markers", name: "initial (α=0), final (α=1)",
        x: [0, 1], y: [interp.loss[interp.alpha.indexOf(0)], interp.loss[interp.alpha.indexOf(1)]],
        marker: { size: 9, color: [VALID, "#1b2330"] },
      },
    ]
    : [];
  return { data, layout: baseLayout({ xaxis: axis("α: (1 − α) θ₀ + α θ*"), yaxis: logAxis("training loss", interp?.loss || []) }) };
}

// Short titles for the 3D scene, where long ones run off the square plot or into each other.
function axisTitles(land, short) {
  if (land.directions === "pca") {
    const pct = (v) => `${(100 * v).toFixed(1)}%`;
    const [v1, v2] = land.explained_variance.map(pct);
    return short ? [`PC1 · ${v1}`, `PC2 · ${v2}`] : [`PC1 (${v1} of variance)`, `PC2 (${v2})`];
  }
  return short ? ["dir 1", "dir 2"] : ["direction 1 (filter-normalised)", "direction 2"];
}

const sceneAxis = (title) => ({
  title: { text: title, font: { size: 11 } }, tickfont: { size: 10 }, nticks: 5, gridcolor: GRID,
});

const log10 = (v) => (isNum(v) && v > 0 ? Math.log10(v) : null);

// The 2D slice of log10 loss, with the training path projected onto it.
export function landscapeFigure(result, view3d) {
  const land = result.landscape;
  if (!land) {
    return { data: [], layout: baseLayout({ xaxis: axis(""), yaxis: axis(""), annotations: [{ text: "Train to see the landscape", showarrow: false, xref: "paper", yref: "paper", x: 0.5, y: 0.5 }] }) };
  }
  const z = land.z.map((row) => row.map(log10));
  const path = result.path || [];
  const [tx, ty] = axisTitles(land, view3d);
  if (view3d) {
    return {
      data: [
        // The legend, not a z-axis title, says what z is: that title runs off a narrow plot.
        {
          type: "surface", x: land.x, y: land.y, z, colorscale: LANDSCAPE_SCALE, showscale: false, opacity: 0.92,
          name: "surface: z = log10 loss", showlegend: true,
        },
        {
          type: "scatter3d", mode: "lines+markers", name: "path", x: path.map((p) => p[0]), y: path.map((p) => p[1]),
          z: land.path_loss.map(log10), line: { color: "#ff5a36", width: 5 }, marker: { size: 2, color: "#ff5a36" },
        },
      ],
      layout: baseLayout({
        margin: { l: 0, r: 0, t: 24, b: 0 },
        scene: {
          xaxis: sceneAxis(tx), yaxis: sceneAxis(ty), zaxis: sceneAxis(""),
          aspectmode: "cube",
          camera: { eye: { x: 1.6, y: 1.6, z: 0.95 }, center: { x: 0, y: 0, z: -0.1 } }, // farther out and lower than the default, so the tick labels fit
        },
      }),
    };
  }
  return {
    data: [
      {
        type: "contour", x: land.x, y: land.y, z, colorscale: LANDSCAPE_SCALE, ncontours: 30, name: "log10 loss",
        colorbar: { title: { text: "log10 loss", side: "right" }, thickness: 12 },
        contours: { coloring: "heatmap" }, line: { width: 0.5, color: "rgba(255,255,255,0.5)" },
      },
      {
        type: "scatter", mode: "lines+markers", name: "path", x: path.map((p) => p[0]), y: path.map((p) => p[1]),
        line: { color: "#ff5a36", width: 2 }, marker: { size: 3, color: "#ff5a36" },
      },
      {
        type: "scatter", mode: "markers", name: "final weights", x: [0], y: [0],
        marker: { size: 12, symbol: "star", color: "#fff", line: { color: "#1b2330", width: 1.5 } },
      },
    ],
    layout: baseLayout({ xaxis: axis(tx), yaxis: axis(ty) }),
  };
}
