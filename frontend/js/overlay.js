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
    if (!xa?._length || !ya?._length || !xa.c2p) return null;
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
    if (gd._scene3d) {
      const p = gd._scene3d.projection();
      return p ? { ctx, ...p } : null;
    }
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
