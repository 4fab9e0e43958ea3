// The race, drawn on the overlay canvas each frame: a fading trail and a bright head per run
// above every path, an arrow on the plot's edge for a run that left the view, and at each head
// two arrows: the step actually taken (points[k+1] - points[k]) and -lr·∇f, the step plain
// gradient descent would take from there (they differ for momentum, Adam, Newton).

import { formatNumber, stepOf } from "./state.js";
import { runStyle } from "./figures.js";

const EDGE = 14; // px: where edge arrows sit inside the plot area
const ARROW_MIN = 26; // px: the longer of a head's two arrows is at least this long ...
const ARROW_MAX = 90; // ... and at most this long; both share one scale, so they compare

// Where each run is at `frame`: its last received point at or before it.
export function raceHeads(runs, results, frame) {
  return runs.flatMap((run, i) => {
    const r = results[run.uid];
    if (!r?.points?.length) return [];
    const k = Math.min(frame, r.points.length - 1);
    return [{ uid: run.uid, index: i, color: run.color, k, step: stepOf(r, k), point: r.points[k], loss: r.loss[k], result: r }];
  });
}

// The trail covers the last `trailSteps` steps, fading toward its tail.
export function trailSteps(planned) {
  return Math.max(12, Math.round(planned / 25));
}

const finite = (v) => typeof v === "number" && Number.isFinite(v);

// The steps a trail ending at step k is drawn through: at most about 48 segments.
function trailIndices(k, trail) {
  const from = Math.max(0, k - trail);
  const stride = Math.max(1, Math.floor((k - from) / 48));
  const idx = [];
  for (let j = from; j < k; j += stride) idx.push(j);
  idx.push(k);
  return idx;
}

function drawTrail(ctx, m, h, trail) {
  const { points } = h.result;
  const idx = trailIndices(h.k, trail);
  if (idx.length < 2) return;
  const width = runStyle(h.index).width + 1.5;
  ctx.lineCap = "round";
  for (let s = 1; s < idx.length; s++) {
    const a = points[idx[s - 1]];
    const b = points[idx[s]];
    const ax = m.x(a[0]);
    const ay = m.y(a[1]);
    const bx = m.x(b[0]);
    const by = m.y(b[1]);
    if (![ax, ay, bx, by].every(finite)) continue;
    ctx.globalAlpha = 0.15 + 0.85 * (s / (idx.length - 1));
    ctx.strokeStyle = "#ffffff";
    ctx.lineWidth = width + 1.5;
    ctx.beginPath(); ctx.moveTo(ax, ay); ctx.lineTo(bx, by); ctx.stroke();
    ctx.strokeStyle = h.color;
    ctx.lineWidth = width;
    ctx.beginPath(); ctx.moveTo(ax, ay); ctx.lineTo(bx, by); ctx.stroke();
  }
  ctx.globalAlpha = 1;
}

// A disc in the run's colour with a thin dark rim: bright against the pale surface.
function drawHead(ctx, x, y, h) {
  const r = runStyle(h.index).head;
  ctx.beginPath();
  ctx.arc(x, y, r + 0.75, 0, 2 * Math.PI);
  ctx.fillStyle = h.color;
  ctx.strokeStyle = "#1b2330";
  ctx.lineWidth = 1.5;
  ctx.fill();
  ctx.stroke();
}

function arrow(ctx, x0, y0, x1, y1, color, { dashed = false, width = 2.2 } = {}) {
  const len = Math.hypot(x1 - x0, y1 - y0);
  if (!(len > 2)) return;
  const ux = (x1 - x0) / len;
  const uy = (y1 - y0) / len;
  const head = Math.min(9, len * 0.45);
  ctx.lineCap = "round";
  for (const [stroke, w] of [["rgba(255,255,255,0.9)", width + 2.5], [color, width]]) {
    ctx.strokeStyle = stroke;
    ctx.lineWidth = w;
    ctx.setLineDash(dashed && stroke === color ? [4, 3] : []);
    ctx.beginPath();
    ctx.moveTo(x0, y0);
    ctx.lineTo(x1 - ux * head * 0.6, y1 - uy * head * 0.6);
    ctx.stroke();
  }
  ctx.setLineDash([]);
  ctx.beginPath();
  ctx.moveTo(x1, y1);
  ctx.lineTo(x1 - ux * head - uy * head * 0.5, y1 - uy * head + ux * head * 0.5);
  ctx.lineTo(x1 - ux * head + uy * head * 0.5, y1 - uy * head - ux * head * 0.5);
  ctx.closePath();
  ctx.fillStyle = color;
  ctx.strokeStyle = "rgba(255,255,255,0.9)";
  ctx.lineWidth = 1.5;
  ctx.stroke();
  ctx.fill();
}

// The step taken and -lr·∇f at a head, in pixels, on one shared scale.
export function headVectors(h, gradient) {
  const { points, lr } = h.result;
  const { k } = h;
  // a thinned run's neighbouring points may be several steps apart: then no step arrow
  const next = k + 1 < points.length && stepOf(h.result, k + 1) === h.step + 1;
  const step = next ? [points[k + 1][0] - points[k][0], points[k + 1][1] - points[k][1]] : null;
  const rate = lr[k];
  const descent = gradient && finite(rate) ? [-rate * gradient[0], -rate * gradient[1]] : null;
  return { step, descent };
}

// Draws both arrows from the head at pixel (hx, hy); returns them in data units and their tips
// in canvas pixels. tipAt(v, s) is the pixel of the head's point moved by s·v (data units);
// both arrows share the scale s that makes the longer one ARROW_MIN to ARROW_MAX pixels long.
function drawVectors(ctx, tipAt, hx, hy, h, gradient) {
  const { step, descent } = headVectors(h, gradient);
  const out = { step, descent, stepTip: null, descentTip: null };
  const length = (v) => {
    const tip = v && tipAt(v, 1);
    return tip && tip.every(finite) ? Math.hypot(tip[0] - hx, tip[1] - hy) : null;
  };
  const [a, b] = [length(step), length(descent)];
  const longest = Math.max(0, ...[a, b].filter((v) => v !== null));
  if (!(longest > 0)) return out;
  const scale = Math.min(Math.max(longest, ARROW_MIN), ARROW_MAX) / longest;
  if (b !== null) {
    out.descentTip = tipAt(descent, scale);
    if (out.descentTip?.every(finite)) arrow(ctx, hx, hy, ...out.descentTip, "#1b2330", { dashed: true, width: 1.8 });
  }
  if (a !== null) {
    out.stepTip = tipAt(step, scale);
    if (out.stepTip?.every(finite)) arrow(ctx, hx, hy, ...out.stepTip, h.color);
  }
  return out;
}

// Where the ray from the plot's centre toward (x, y) meets the plot's edge, inset by EDGE.
function edgePoint(box, x, y) {
  const cx = (box.left + box.right) / 2;
  const cy = (box.top + box.bottom) / 2;
  const dx = x - cx;
  const dy = y - cy;
  const hw = (box.right - box.left) / 2 - EDGE;
  const hh = (box.bottom - box.top) / 2 - EDGE;
  const t = Math.min(dx ? hw / Math.abs(dx) : Infinity, dy ? hh / Math.abs(dy) : Infinity);
  return [cx + dx * t, cy + dy * t, Math.atan2(dy, dx)];
}

function drawEdgeArrow(ctx, box, ex, ey, angle, h) {
  ctx.save();
  ctx.translate(ex, ey);
  ctx.rotate(angle);
  ctx.beginPath();
  ctx.moveTo(11, 0);
  ctx.lineTo(-8, -9);
  ctx.lineTo(-4, 0);
  ctx.lineTo(-8, 9);
  ctx.closePath();
  ctx.fillStyle = h.color;
  ctx.strokeStyle = "#1b2330";
  ctx.lineWidth = 1.5;
  ctx.fill();
  ctx.stroke();
  ctx.restore();
  const text = `${h.index + 1} · step ${h.step} · loss ${formatNumber(h.loss)}`;
  ctx.font = "600 12px Inter, system-ui, sans-serif";
  const w = ctx.measureText(text).width + 10;
  // the label sits inward of the arrow, kept inside the plot area
  const lx = Math.min(Math.max(ex - Math.cos(angle) * 22 - w / 2, box.left + 2), box.right - w - 2);
  const ly = Math.min(Math.max(ey - Math.sin(angle) * 22 - 9, box.top + 2), box.bottom - 20);
  ctx.fillStyle = "rgba(255,255,255,0.92)";
  ctx.strokeStyle = h.color;
  ctx.lineWidth = 1.5;
  ctx.beginPath();
  ctx.roundRect(lx, ly, w, 18, 4);
  ctx.fill();
  ctx.stroke();
  ctx.fillStyle = "#1b2330";
  ctx.textBaseline = "middle";
  ctx.fillText(text, lx + 5, ly + 9.5);
  return { text, label: [lx, ly, w, 18] };
}

// Draw every head, trail, vector and edge arrow; return what was drawn for each run, in
// canvas pixels, so tests (through window.gradscape) read what a viewer sees.
export function drawRace(m, heads, { trail, gradientAt, hidden = new Set(), vectors = true }) {
  const { ctx, box } = m;
  const drawn = [];
  const inside = (x, y) => x >= box.left && x <= box.right && y >= box.top && y <= box.bottom;
  ctx.save();
  ctx.beginPath();
  ctx.rect(box.left, box.top, box.right - box.left, box.bottom - box.top);
  ctx.clip();
  const visible = heads.filter((h) => !hidden.has(h.uid));
  for (const h of visible) drawTrail(ctx, m, h, trail);
  const placed = visible.map((h) => {
    const x = m.x(h.point[0]);
    const y = m.y(h.point[1]);
    return { h, x, y, onScreen: finite(x) && finite(y) && inside(x, y) };
  });
  if (vectors) {
    for (const p of placed) {
      if (!p.onScreen) continue;
      const [x, y] = p.h.point;
      // on linear axes a vector's pixels scale with it
      const tipAt = (v, k) => [p.x + k * (m.x(x + v[0]) - p.x), p.y + k * (m.y(y + v[1]) - p.y)];
      p.vectors = drawVectors(ctx, tipAt, p.x, p.y, p.h, gradientAt(p.h));
    }
  }
  // later runs' heads on top and smaller, so coinciding heads read as concentric rings
  for (const p of placed) if (p.onScreen) drawHead(ctx, p.x, p.y, p.h);
  ctx.restore();
  for (const p of placed) {
    const entry = { uid: p.h.uid, run: p.h.index + 1, step: p.h.step, point: p.h.point, loss: p.h.loss, onScreen: p.onScreen, px: [p.x, p.y] };
    if (p.vectors) entry.vectors = p.vectors;
    if (!p.onScreen) {
      const [ex, ey, angle] = edgePoint(box, finite(p.x) ? p.x : box.right * 2, finite(p.y) ? p.y : box.top - 1e6);
      entry.edgeArrow = { px: [ex, ey], angle, ...drawEdgeArrow(ctx, box, ex, ey, angle, p.h) };
    }
    drawn.push(entry);
  }
  return drawn;
}

// The race in 3D: trails, arrows and heads projected onto the canvas over the WebGL scene. z(h)
// gives a run's heights (null off the drawn surface). The step and -lr·∇f arrows lie level at
// the head's height: both are moves in (x, y), drawn in perspective.
export function drawRace3d(m, heads, { trail, z, gradientAt, hidden = new Set() }) {
  const { ctx } = m;
  const drawn = [];
  const visible = heads.filter((h) => !hidden.has(h.uid));
  const placed = visible.map((h) => {
    const zs = z(h);
    const { points } = h.result;
    const line = trailIndices(h.k, trail).map((j) => (zs[j] === null ? null : m.project(points[j][0], points[j][1], zs[j])));
    const at = zs[h.k] === null ? null : m.project(h.point[0], h.point[1], zs[h.k]);
    return { h, line, at };
  });
  const width = (h) => runStyle(h.index).width + 2;
  for (const { h, line } of placed) {
    ctx.lineCap = "round";
    for (let s = 1; s < line.length; s++) {
      if (!line[s - 1] || !line[s]) continue;
      ctx.globalAlpha = 0.15 + 0.85 * (s / (line.length - 1));
      for (const [color, extra] of [["#ffffff", 2], [h.color, 0]]) {
        ctx.strokeStyle = color;
        ctx.lineWidth = width(h) + extra;
        ctx.beginPath();
        ctx.moveTo(...line[s - 1]);
        ctx.lineTo(...line[s]);
        ctx.stroke();
      }
    }
    ctx.globalAlpha = 1;
  }
  for (const p of placed) {
    if (!p.at || !gradientAt) continue;
    const [x, y] = p.h.point;
    const height = z(p.h)[p.h.k];
    const tipAt = (v, k) => m.project(x + k * v[0], y + k * v[1], height);
    p.vectors = drawVectors(ctx, tipAt, p.at[0], p.at[1], p.h, gradientAt(p.h));
  }
  for (const { h, at, vectors } of placed) {
    if (at) drawHead(ctx, at[0], at[1], h);
    const entry = { uid: h.uid, run: h.index + 1, step: h.step, point: h.point, loss: h.loss, onScreen: Boolean(at), px: at };
    if (vectors) entry.vectors = vectors;
    drawn.push(entry);
  }
  return drawn;
}
