// A canvas over a Plotly plot, for what moves every frame (heads, trails, cursors): drawing
// a few shapes on it costs well under a millisecond, where moving one Plotly marker costs tens.
// The canvas ignores the pointer, so Plotly's hover, zoom and double-click stay underneath.

export function createOverlay(gd) {
  const canvas = document.createElement("canvas");
  canvas.className = "plot-overlay";
  canvas.setAttribute("aria-hidden", "true");
  gd.parentElement.append(canvas);
  const ctx = canvas.getContext("2d");

  // Axes of the plot as drawn now, or null before Plotly has drawn a cartesian plot.
  function axes() {
    const layout = gd._fullLayout;
    const xa = layout?.xaxis;
    const ya = layout?.yaxis;
    if (!xa?._length || !ya?._length || !xa.c2p || layout._has?.("gl3d")) return null;
    return { xa, ya };
  }

  // Clear the canvas; return a mapping from data to canvas pixels, or null when nothing 2D is
  // drawn (before the first draw, and in the 3D view).
  function begin() {
    const dpr = window.devicePixelRatio || 1;
    const w = gd.clientWidth;
    const h = gd.clientHeight;
    if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
      canvas.width = Math.round(w * dpr);
      canvas.height = Math.round(h * dpr);
      canvas.style.width = `${w}px`;
      canvas.style.height = `${h}px`;
    }
    canvas.style.left = `${gd.offsetLeft}px`;
    canvas.style.top = `${gd.offsetTop}px`;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, h);
    const scene = gd._fullLayout?._has?.("gl3d") ? gd._fullLayout.scene?._scene : null;
    if (scene) return scene.glplot?.cameraParams ? { ctx, ...sceneProjection(scene) } : null;
    const a = axes();
    if (!a) return null;
    const { xa, ya } = a;
    const box = { left: xa._offset, top: ya._offset, right: xa._offset + xa._length, bottom: ya._offset + ya._length };
    return {
      ctx,
      box,
      x: (v) => xa._offset + xa.c2p(v),
      y: (v) => ya._offset + ya.c2p(v),
      xRange: [...xa.range],
      yRange: [...ya.range],
      xLog: xa.type === "log",
      yLog: ya.type === "log",
    };
  }

  return { canvas, begin };
}

const mul = (m, v) => {
  const r = [0, 0, 0, 0];
  for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) r[j] += m[4 * i + j] * v[i];
  return r;
};

// The 3D scene's data -> pixel mapping, as Plotly places its 3D annotations: data scaled by
// the scene's dataScale, through the camera's model, view and projection matrices.
function sceneProjection(scene) {
  const { model, view, projection } = scene.glplot.cameraParams;
  const layout = scene.fullSceneLayout;
  const size = scene.fullLayout._size;
  const d = layout.domain;
  const left = size.l + d.x[0] * size.w;
  const top = size.t + (1 - d.y[1]) * size.h;
  const w = size.w * (d.x[1] - d.x[0]);
  const h = size.h * (d.y[1] - d.y[0]);
  const s = scene.dataScale;
  const [xa, ya, za] = [layout.xaxis, layout.yaxis, layout.zaxis];
  return {
    box: { left, top, right: left + w, bottom: top + h },
    // a signature of the camera, to redraw when the user turns the scene
    camera: [...view, ...projection].map((v) => v.toFixed(5)).join(","),
    project: (x, y, z) => {
      const p = mul(projection, mul(view, mul(model, [xa.r2l(x) * s[0], ya.r2l(y) * s[1], za.r2l(z) * s[2], 1])));
      if (!(p[3] > 0)) return null;
      return [left + 0.5 * (1 + p[0] / p[3]) * w, top + 0.5 * (1 - p[1] / p[3]) * h];
    },
  };
}
