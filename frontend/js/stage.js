// What is drawn, and when. Whole figures (surface, paths, series) are drawn with Plotly.react
// once per result, at most every STATIC_EVERY ms while results stream in; every animation frame
// moves only what moves: heads, trails, arrows and cursors on canvases above the plots (in 3D
// projected through the scene's camera, so the scene is redrawn only when it turns).

import { drawChartCursor } from "./chart-cursor.js";
import { contourFigure, lossFigure, lrFigure, runHeights, surfaceScene } from "./figures.js";
import { createGradientCache } from "./head-gradients.js";
import { renderLegend, updateLegend } from "./legend.js";
import { createOverlay } from "./overlay.js";
import { plotConfig } from "./plot-config.js";
import { drawRace, drawRace3d, raceHeads, trailSteps } from "./race.js";
import { createScene3d } from "./scene3d.js";

const STATIC_EVERY = 250;
const nextTask = () => new Promise((resolve) => { setTimeout(resolve, 0); });
const PLOT_CONFIG = plotConfig(["select2d", "lasso2d"], { doubleClick: "reset" });
const CHART_CONFIG = plotConfig([], { displayModeBar: false });

// els: {plot, loss, lr, legend}; input(): {surface, grid, runs, results, labels, frame, start,
// planned, view3d}; afterFrame(input) runs after each frame is drawn. hooks.beforeStatic(input)
// runs before whole figures are drawn; hooks.lr(figure, input) may add to the lr chart and
// hooks.plot(figure, input) to the main plot; hooks.camera(view) hears where the user left the
// 3D view ({turn, tilt, zoom}), which input.camera3d gives back. input.key, if given, names the
// surface's view (a typed formula's changes with its text and range; its id stays "custom").
export function createStage(els, input, afterFrame = () => {}, hooks = {}) {
  const overlays = { plot: createOverlay(els.plot), loss: createOverlay(els.loss), lr: createOverlay(els.lr) };
  const hidden = new Set();
  const gradients = createGradientCache(() => requestFrame());
  let drawnView = null;
  let drawn = { frame: 0, view: "2d", runs: [] };
  let scene = null; // the 3D view (scene3d.js), while it shows
  let camera = null; // the input's camera3d the scene was last turned to
  let firstPath = false;

  // ---- whole figures ----
  let staticTimer = null;
  let lastStatic = -Infinity;
  let staticDrawing = false;
  let staticAgain = false; // a result arrived while drawing: draw once more after
  function requestStatic() {
    if (staticTimer !== null) return;
    const wait = Math.max(0, lastStatic + STATIC_EVERY - performance.now());
    staticTimer = setTimeout(() => requestAnimationFrame(() => {
      staticTimer = null;
      lastStatic = performance.now();
      drawStatic();
    }), wait);
  }

  function listen(gd) {
    if (gd._gradscapeListening || !gd.on) return;
    gd._gradscapeListening = true;
    for (const name of ["plotly_relayout", "plotly_relayouting", "plotly_afterplot"]) gd.on(name, () => requestFrame());
  }

  // Each figure is drawn in its own task, so the page stays responsive between them.
  async function drawStatic() {
    if (!window.Plotly) return;
    if (staticDrawing) {
      staticAgain = true;
      return;
    }
    staticDrawing = true;
    try {
      hooks.beforeStatic?.(input());
      await drawPlot(input());
      const lrWithHook = (inp) => (hooks.lr ? hooks.lr(lrFigure(inp), inp) : lrFigure(inp));
      for (const [gd, figure] of [[els.loss, lossFigure], [els.lr, lrWithHook]]) {
        await nextTask();
        const fig = figure(input());
        fig.data.forEach((t) => { if (hidden.has(t.meta?.run)) t.visible = false; });
        await Plotly.react(gd, fig.data, fig.layout, CHART_CONFIG);
        listen(gd);
      }
      const inp = input();
      renderLegend(els.legend, inp.runs, inp.results, hidden, toggle);
    } finally {
      staticDrawing = false;
      if (staticAgain) {
        staticAgain = false;
        requestStatic();
      }
      drawFrame();
    }
  }

  async function drawPlot(inp) {
    const { surface, grid } = inp;
    if (!surface || !grid) return;
    const view = `${inp.key ?? surface.id}:${inp.view3d}`;
    // Plotly.react can keep a previous surface's axis range (seen after a 3D <-> 2D switch,
    // with the equal-aspect axes): a new surface or view starts from a fresh plot instead.
    const fresh = drawnView !== view;
    if (fresh) {
      if (els.plot._fullLayout) Plotly.purge(els.plot);
      scene?.destroy();
      scene = null;
    }
    drawnView = view;
    els.plot.classList.toggle("plot-3d", Boolean(inp.view3d));
    if (inp.view3d) {
      if (!scene) {
        scene = createScene3d(els.plot, { onChange: () => requestFrame(), onSettle: (v) => hooks.camera?.(v) });
        camera = null;
      }
      // the state's camera, when the state changed it (a link, a preset): not while the user
      // turns the view, which the state hears only when they let go
      if (inp.camera3d !== camera) {
        if (inp.camera3d) scene.setView(inp.camera3d);
        else scene.reset();
      }
      camera = inp.camera3d;
      const s = surfaceScene(inp);
      s.paths = s.paths.filter((p) => !hidden.has(p.uid));
      scene.set(s);
      markFirstPath(s.paths.some((p) => p.x.length > 1));
      return;
    }
    const fig = contourFigure(inp);
    hooks.plot?.(fig, inp);
    fig.data.forEach((t) => {
      if (t.meta?.run && hidden.has(t.meta.run)) t.visible = false;
    });
    await Plotly.react(els.plot, fig.data, fig.layout, PLOT_CONFIG);
    listen(els.plot);
    markFirstPath(fig.data.some((t) => t.meta?.role === "path" && t.x.length > 1));
  }

  function markFirstPath(drawnOne) {
    if (firstPath || !drawnOne) return;
    firstPath = true;
    performance.mark("gradscape:first-path");
  }

  // ---- every frame ----
  let frameQueued = false;
  function requestFrame() {
    if (frameQueued) return;
    frameQueued = true;
    requestAnimationFrame(() => {
      frameQueued = false;
      drawFrame();
    });
  }

  function drawFrame() {
    const inp = input();
    const heads = raceHeads(inp.runs, inp.results, inp.frame);
    const trail = trailSteps(inp.planned);
    let runs = [];
    const m = overlays.plot.begin();
    if (m?.project && inp.grid) {
      runs = drawRace3d(m, heads, {
        trail,
        hidden,
        z: (h) => runHeights(h.result, inp.surface, inp.grid),
        gradientAt: (h) => gradients.at(h.result, h.k),
      });
    } else if (m && !m.project) {
      runs = drawRace(m, heads, {
        trail,
        hidden,
        gradientAt: (h) => gradients.at(h.result, h.k),
      });
    }
    drawChartCursor(overlays.loss.begin(), inp.frame, inp.runs.filter((r) => !hidden.has(r.uid)), inp.results, "loss");
    drawChartCursor(overlays.lr.begin(), inp.frame, inp.runs.filter((r) => !hidden.has(r.uid)), inp.results, "lr");
    updateLegend(els.legend, heads);
    drawn = { frame: inp.frame, view: inp.view3d ? "3d" : "2d", runs };
    afterFrame(inp);
  }

  function toggle(uid) {
    if (hidden.has(uid)) hidden.delete(uid);
    else hidden.add(uid);
    lastStatic = -Infinity;
    requestStatic();
  }

  // Frame every drawn path (and the start) in the 2D view.
  function fit() {
    const inp = input();
    if (inp.view3d || !inp.surface) return;
    let [x0, x1, y0, y1] = [inp.start[0], inp.start[0], inp.start[1], inp.start[1]];
    for (const run of inp.runs) {
      if (hidden.has(run.uid)) continue;
      for (const [x, y] of inp.results[run.uid]?.points || []) {
        if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
    const px = Math.max((x1 - x0) * 0.08, 1e-6 * Math.max(1, Math.abs(x0)));
    const py = Math.max((y1 - y0) * 0.08, 1e-6 * Math.max(1, Math.abs(y0)));
    Plotly.relayout(els.plot, { "xaxis.range": [x0 - px, x1 + px], "yaxis.range": [y0 - py, y1 + py] });
  }

  return {
    requestStatic,
    requestFrame,
    pending: () => staticTimer !== null || staticDrawing || staticAgain,
    fit,
    drawn: () => drawn,
    hidden,
  };
}
