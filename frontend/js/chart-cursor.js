// The loss and learning-rate charts' cursor, on the chart's overlay canvas: a dotted line at
// the animation frame and a dot on each run's line.

const finite = (v) => typeof v === "number" && Number.isFinite(v);
const stepOf = (r, k) => r?.index?.[k] ?? k;

// x is the step: the frame's step in the longest run, and each run's own step for its dot.
export function drawChartCursor(m, frame, runs, results, key) {
  if (!m) return;
  const { ctx, box } = m;
  const longest = runs.map((r) => results[r.uid]).filter(Boolean).reduce((a, b) => (b.points.length > (a?.points.length ?? -1) ? b : a), null);
  const x = m.x(stepOf(longest, Math.min(frame, (longest?.points.length ?? 1) - 1)));
  if (finite(x) && x >= box.left - 1 && x <= box.right + 1) {
    ctx.strokeStyle = "#1b2330";
    ctx.lineWidth = 1;
    ctx.setLineDash([2, 3]);
    ctx.beginPath();
    ctx.moveTo(x, box.top);
    ctx.lineTo(x, box.bottom);
    ctx.stroke();
    ctx.setLineDash([]);
  }
  for (const run of runs) {
    const values = results[run.uid]?.[key];
    if (!values?.length) continue;
    const k = Math.min(frame, values.length - 1);
    const v = values[k];
    if (!finite(v) || (m.yLog && v <= 0)) continue;
    const px = m.x(stepOf(results[run.uid], k));
    const py = m.y(v);
    if (!finite(px) || !finite(py) || py < box.top - 4 || py > box.bottom + 4) continue;
    ctx.beginPath();
    ctx.arc(px, py, 4.5, 0, 2 * Math.PI);
    ctx.fillStyle = run.color;
    ctx.strokeStyle = "#ffffff";
    ctx.lineWidth = 1.5;
    ctx.fill();
    ctx.stroke();
  }
}
