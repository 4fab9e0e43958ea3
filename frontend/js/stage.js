// What is drawn, and when. Whole figures (surface, paths, series) are drawn with Plotly.react
// once per result, at most every STATIC_EVERY ms while results stream in; every animation frame
// moves only what moves: heads, trails, arrows and cursors on canvases above the plots (in 3D
// projected through the scene's camera, so the WebGL scene is redrawn only when it turns).

import { drawChartCursor } from "./chart-cursor.js";
import { contourFigure, lossFigure, lrFigure, runHeights, surfaceFigure } from "./figures.js";
import { createGradientCache } from "./head-gradients.js";
import { renderLegend, updateLegend } from "./legend.js";
import { createOverlay } from "./overlay.js";
import { plotConfig } from "./plot-config.js";
import { drawRace, drawRace3d, raceHeads, trailSteps } from "./race.js";
import { plainWebGLInside } from "./webgl-software.js";

const STATIC_EVERY = 250;
const nextTask = () => new Promise((resolve) => { setTimeout(resolve, 0); });
const PLOT_CONFIG = plotConfig(["select2d", "lasso2d"], { doubleClick: "reset" });
const CHART_CONFIG = plotConfig([], { displayModeBar: false });
// Plotly renders 3D scenes at twice the screen's pixels by default (plotGlPixelRatio 2): four
// times the fragments, which under software rendering is most of a redraw. The screen's own
// ratio is as sharp as the screen can show.
const scene3dConfig = () => ({ ...PLOT_CONFIG, plotGlPixelRatio: Math.max(1, window.devicePixelRatio || 1) });
const nextFrame = () => new Promise((resolve) => { requestAnimationFrame(() => setTimeout(resolve, 0)); });

// els: {plot, loss, lr, legend}; input(): {surface, grid, runs, results, labels, frame, start,
// planned, view3d}; afterFrame(input) runs after each frame is drawn. hooks.beforeStatic(input)
// runs before whole figures are drawn; hooks.lr(figure, input) may add to the lr chart and
// hooks.plot(figure, input) to the main plot. input.key, if given, names the surface's view
// (a typed formula's changes with its text and range; its id stays "custom").
export function createStage(els, input, afterFrame = () => {}, hooks = {}) {
  const overlays = { plot: createOverlay(els.plot), loss: createOverlay(els.loss), lr: createOverlay(els.lr) };
  const hidden = new Set();
  plainWebGLInside(els.plot);
  const gradients = createGradientCache(() => requestFrame());
  let drawnView = null;
  let drawn = { frame: 0, view: "2d", runs: [] };
  let camera = null; // 3D: the camera the overlay was last drawn with
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
    const build3d = inp.view3d && fresh;
    // a new WebGL scene starts in a task of its own (see below), the old plot purged right there
    if (build3d) await nextTask();
    if (drawnView !== null && fresh) Plotly.purge(els.plot);
    drawnView = view;
    const fig = inp.view3d ? surfaceFigure(inp) : contourFigure(inp);
    hooks.plot?.(fig, inp);
    fig.data.forEach((t) => {
      if (t.meta?.run && hidden.has(t.meta.run)) t.visible = false;
    });
    const config = inp.view3d ? scene3dConfig() : PLOT_CONFIG;
    if (build3d) {
      // A new WebGL scene is built in two tasks, each with its own frame: the scene and its
      // surface first, the paths after, so neither blocks the page for long. Plotly's draws
      // run outside requestAnimationFrame here, so each frame's WebGL read-back (software
      // compositing) lands in a task of its own rather than in the one that built the scene.
      await Plotly.react(els.plot, fig.data.filter((t) => t.meta?.role !== "path"), fig.layout, config);
      await nextFrame();
      if (!input().view3d) return; // switched back meanwhile: the next draw replaces it
    }
    await Plotly.react(els.plot, fig.data, fig.layout, config);
    listen(els.plot);
    if (!firstPath && fig.data.some((t) => t.meta?.role === "path" && t.x.length > 1)) {
      firstPath = true;
      performance.mark("gradscape:first-path");
    }
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
    if (m?.project) {
      runs = drawRace3d(m, heads, {
        trail,
        hidden,
        z: (h) => runHeights(h.result, inp.surface, inp.grid),
        gradientAt: (h) => gradients.at(h.result, h.k),
      });
      camera = m.camera;
      watchCamera();
    } else if (m) {
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

  // While the 3D scene shows, redraw the overlay whenever the user turns the camera.
  let watching = false;
  function watchCamera() {
    if (watching) return;
    watching = true;
    const check = () => {
      const scene = els.plot._fullLayout?.scene?._scene;
      if (!scene?.glplot || !input().view3d) {
        watching = false;
        return;
      }
      const { view, projection } = scene.glplot.cameraParams;
      if ([...view, ...projection].map((v) => v.toFixed(5)).join(",") !== camera) requestFrame();
      requestAnimationFrame(check);
    };
    requestAnimationFrame(check);
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
