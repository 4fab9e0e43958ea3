// Thin long arrays down to what a screen can show. Pure functions; the data kept for exports
// and the API stays whole, only what is drawn is thinned.

const finite = (v) => typeof v === "number" && Number.isFinite(v);

// A path [[x, y], ...] as {x, y, steps}: a point is kept when it lies at least `tx` (in x) or
// `ty` (in y) from the last kept point, so nothing closer than a fraction of a pixel is drawn
// twice. The first and last points are always kept; paths of up to `keepAll` points are whole.
export function decimatePath(points, tx, ty, keepAll = 1500) {
  const n = points.length;
  const x = [];
  const y = [];
  const steps = [];
  if (n <= keepAll || !(tx > 0) || !(ty > 0)) {
    for (let i = 0; i < n; i++) { x.push(points[i][0]); y.push(points[i][1]); steps.push(i); }
    return { x, y, steps };
  }
  let lx = NaN;
  let ly = NaN;
  for (let i = 0; i < n; i++) {
    const [px, py] = points[i];
    if (i === 0 || i === n - 1 || !(Math.abs(px - lx) < tx && Math.abs(py - ly) < ty)) {
      x.push(px); y.push(py); steps.push(i);
      lx = px; ly = py;
    }
  }
  return { x, y, steps };
}

// A series against its index as {x, y}: at most `buckets` buckets, each drawn by its first,
// smallest, largest and last value, so spikes survive the thinning.
export function decimateSeries(values, buckets = 800) {
  const n = values.length;
  if (n <= buckets * 4) return { x: values.map((_, i) => i), y: values };
  const size = n / buckets;
  const x = [];
  const y = [];
  for (let b = 0; b < buckets; b++) {
    const lo = Math.floor(b * size);
    const hi = Math.min(n, Math.floor((b + 1) * size));
    let iMin = -1;
    let iMax = -1;
    for (let i = lo; i < hi; i++) {
      const v = values[i];
      if (!finite(v)) continue;
      if (iMin < 0 || v < values[iMin]) iMin = i;
      if (iMax < 0 || v > values[iMax]) iMax = i;
    }
    const keep = [...new Set([lo, iMin, iMax, hi - 1].filter((i) => i >= lo))].sort((a, b2) => a - b2);
    for (const i of keep) { x.push(i); y.push(values[i]); }
  }
  return { x, y };
}
