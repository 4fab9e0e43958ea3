// A tap or click on the 2D plot area, as a data coordinate: mouse and touch alike (pointer
// events, which Plotly's own touch handling does not swallow). A drag (zoom box, pan) is no tap,
// and neither is a double-click, which resets the zoom: a tap waits out the double-click time.

const MOVE = 6; // px a tap may wander
const DOUBLE = 300; // ms within which a second tap makes a double tap

// onTap(x, y, pointerType) after a tap; onWait(true) when a tap waits out the double-click time, onWait(false) when it stops waiting.
export function bindPlotTap(gd, onTap, onWait = () => {}) {
  let down = null;
  let pending = null;
  let lastUp = 0;

  gd.addEventListener("pointerdown", (e) => {
    if (e.button !== 0) return;
    down = { x: e.clientX, y: e.clientY };
  }, true);

  // Plotly covers the page while a drag is possible, so the pointer comes up outside the plot.
  window.addEventListener("pointerup", (e) => {
    const start = down;
    down = null;
    if (!start || Math.hypot(e.clientX - start.x, e.clientY - start.y) > MOVE) return;
    const now = performance.now();
    if (pending !== null) {
      clearTimeout(pending);
      pending = null;
      lastUp = now;
      onWait(false);
      return; // a double tap: Plotly resets the zoom, the start stays
    }
    if (now - lastUp < DOUBLE) return;
    lastUp = now;
    const at = dataPoint(gd, e.clientX, e.clientY);
    if (!at) return;
    onWait(true);
    const kind = e.pointerType;
    pending = setTimeout(() => {
      pending = null;
      onWait(false);
      onTap(...at, kind);
    }, DOUBLE);
  }, true);
}

// The data coordinate under a client position, or null outside the 2D plot area.
function dataPoint(gd, clientX, clientY) {
  const layout = gd._fullLayout;
  const area = gd.querySelector(".nsewdrag");
  if (!area || !layout?.xaxis?.p2c || layout._has?.("gl3d")) return null;
  const box = area.getBoundingClientRect();
  const fx = clientX - box.left;
  const fy = clientY - box.top;
  if (fx < 0 || fx > box.width || fy < 0 || fy > box.height) return null;
  return [layout.xaxis.p2c(fx), layout.yaxis.p2c(fy)];
}
