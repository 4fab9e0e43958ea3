// The 3D view, drawn on a 2D canvas: the axis box's back walls with grid lines; the surface as
// shaded cells, sorted far to near (the painter's algorithm), with white level lines on it; the
// whole paths lying on the surface, sorted with the cells, so a hill in front hides the part of
// a path behind it (which still shows through, faint and dashed); tick labels and axis titles
// on the box's outer edges.
//
// Why not WebGL (Plotly's gl3d): in a browser without a GPU (software rendering) each new WebGL
// context cost the page a frame of 260-280 ms it had to wait for, and each turn of the camera
// 55-130 ms. 60 x 60 cells on a 2D canvas draw in 10 to 40 ms.
//
// scene (figures.js surfaceScene): {mesh: {x, y, z, text}, colors (256 [r, g, b], low to
// high), levels (heights of the level lines), axes: {x, y, z: {title, range}},
// paths: [{uid, name, index, color, width, x, y, z, steps}]}, z null where a point is off the
// surface.
// Drag turns the scene about its vertical axis and tilts it, the wheel or a pinch zooms, a
// double click (or reset()) brings back the first view.

const ASPECT = [1, 1, 0.6]; // half-sizes of the box: x and y as wide, z a little lower
const EYE = [-1.2, -1.35, 1.6]; // the first view's direction: high enough to see into valleys
const DISTANCE = 3.6; // the eye's distance from the box's centre, in half-widths: mild perspective
const LIGHT = normalize([-0.45, -0.6, 1]);
const FONT = "Inter, system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";
const TEXT = "#2a3342";
const WALL = "#f6f8fb";
const GRID = "#dfe5ee";
const EDGE = "#c3ccd8";
const PAD = { left: 64, right: 36, top: 14, bottom: 44 }; // room for tick labels and titles
const TURN = 0.008; // radians per pixel dragged
const MAX_TILT = 1.5;
const tilted = (t) => Math.max(-MAX_TILT, Math.min(MAX_TILT, t));
const zoomed = (z) => Math.max(0.3, Math.min(8, z));

// The first view, and any view: turned about z from the x axis, tilted up from the floor, zoomed.
const FIRST_VIEW = { turn: Math.atan2(EYE[1], EYE[0]), tilt: Math.asin(EYE[2] / Math.hypot(...EYE)), zoom: 1 };

function normalize(v) {
  const n = Math.hypot(...v) || 1;
  return v.map((c) => c / n);
}
const dot = (a, b) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
const cross = (a, b) => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];

// A colour scale ([[0, "#rrggbb"], ..., [1, "#rrggbb"]]) as 256 [r, g, b], low to high.
export function scaleColors(scale) {
  const rgb = (hex) => [1, 3, 5].map((k) => parseInt(hex.slice(k, k + 2), 16));
  const out = [];
  for (let n = 0; n < 256; n++) {
    const t = n / 255;
    const k = Math.max(1, scale.findIndex(([s], i) => i > 0 && t <= s));
    const [[s0, c0], [s1, c1]] = [scale[k - 1], scale[k]];
    const u = (t - s0) / (s1 - s0);
    out.push(rgb(c0).map((v, i) => v + (rgb(c1)[i] - v) * u));
  }
  return out;
}

// About n round ticks inside [lo, hi].
export function niceTicks(lo, hi, n = 5) {
  const span = hi - lo;
  if (!(span > 0) || !Number.isFinite(span)) return [];
  const raw = span / n;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = mag * ([1, 2, 2.5, 5, 10].find((m) => m * mag >= raw) ?? 10);
  const ticks = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) {
    ticks.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  }
  return ticks;
}

const tickText = (v) => {
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e5 || a < 1e-3)) return v.toExponential(1).replace("e+", "e").replace(/-/g, "−");
  return String(Number(v.toPrecision(4))).replace(/-/g, "−");
};

// Each entry of a rows x cols grid (flat) replaced by the least within NEAR entries of it along
// rows (stride cols) or along columns (stride 1).
const NEAR = 2;
function minAround(values, rows, cols, stride) {
  const out = new Float64Array(values.length);
  const along = stride === 1 ? cols : rows;
  for (let n = 0; n < values.length; n++) {
    const at = stride === 1 ? n % cols : Math.floor(n / cols);
    let m = values[n];
    for (let d = -NEAR; d <= NEAR; d++) {
      if (d && at + d >= 0 && at + d < along) m = Math.min(m, values[n + d * stride]);
    }
    out[n] = m;
  }
  return out;
}

// The level lines crossing one cell (corners a b / c d: rows i, i+1, columns j, j+1), as
// segments in cell coordinates (u along x, v along y), by marching squares.
function cellLevels(a, b, c, d, levels) {
  const out = [];
  const lo = Math.min(a, b, c, d);
  const hi = Math.max(a, b, c, d);
  for (const h of levels) {
    if (h <= lo || h >= hi) continue;
    const cuts = [];
    const edge = (p, q, pu, pv, qu, qv) => {
      if ((p < h) !== (q < h)) {
        const s = (h - p) / (q - p);
        cuts.push(pu + (qu - pu) * s, pv + (qv - pv) * s);
      }
    };
    edge(a, b, 0, 0, 1, 0);
    edge(b, d, 1, 0, 1, 1);
    edge(d, c, 1, 1, 0, 1);
    edge(c, a, 0, 1, 0, 0);
    if (cuts.length >= 4) out.push(cuts.slice(0, 4));
    if (cuts.length === 8) out.push(cuts.slice(4, 8));
  }
  return out;
}

// The scene takes the container's place (what was in it is removed) and is its `_scene3d`
// until destroyed. onChange(): the picture moved (redraw what is drawn over it);
// onSettle(view): the user has turned, zoomed or reset the view and let go, with the view as
// {turn, tilt, zoom}.
export function createScene3d(container, { onChange = () => {}, onSettle = () => {} } = {}) {
  const canvas = document.createElement("canvas");
  canvas.className = "scene3d";
  canvas.style.cssText = "position:absolute;left:0;top:0;width:100%;height:100%;touch-action:none;cursor:grab";
  const tip = document.createElement("div");
  tip.className = "scene3d-tip";
  tip.hidden = true;
  if (getComputedStyle(container).position === "static") container.style.position = "relative";
  container.replaceChildren(canvas, tip);
  const ctx = canvas.getContext("2d");

  let scene = null;
  let world = null; // the scene in box coordinates, with what does not depend on the camera
  const view = { ...FIRST_VIEW };
  let frame = null; // the last drawn frame: camera, projected nodes, drawn order (for hover)
  let renderMs = 0;
  let labels = []; // the boxes of the tick labels and titles last drawn, in CSS pixels

  // ---- data -> box coordinates ----
  function toBox(axis, v) {
    const [lo, hi] = scene.axes[axis].range;
    const k = "xyz".indexOf(axis);
    return ((v - lo) / (hi - lo) * 2 - 1) * ASPECT[k];
  }

  function prepare() {
    const { mesh, colors, levels } = scene;
    const rows = mesh.y.length;
    const cols = mesh.x.length;
    const X = mesh.x.map((v) => toBox("x", v));
    const Y = mesh.y.map((v) => toBox("y", v));
    const Z = mesh.z.map((row) => row.map((v) => (v === null ? null : toBox("z", v))));
    const cells = [];
    for (let i = 0; i < rows - 1; i++) {
      for (let j = 0; j < cols - 1; j++) {
        const [a, b, c, d] = [Z[i][j], Z[i][j + 1], Z[i + 1][j], Z[i + 1][j + 1]];
        if (a === null || b === null || c === null || d === null) continue;
        // shade: the colour of the cell's mean height, lit from above-left by its normal
        const n = normalize(cross([X[j + 1] - X[j], Y[i + 1] - Y[i], d - a], [X[j] - X[j + 1], Y[i + 1] - Y[i], c - b]));
        const up = n[2] < 0 ? n.map((v) => -v) : n;
        const mean = (mesh.z[i][j] + mesh.z[i][j + 1] + mesh.z[i + 1][j] + mesh.z[i + 1][j + 1]) / 4;
        const [zlo, zhi] = scene.axes.z.range;
        const t = Math.min(1, Math.max(0, (mean - zlo) / (zhi - zlo)));
        const base = colors[Math.round(t * (colors.length - 1))];
        const light = Math.min(1.06, 0.74 + 0.32 * dot(up, LIGHT));
        const fill = `rgb(${base.map((v) => Math.min(255, Math.round(v * light))).join(",")})`;
        const lines = cellLevels(mesh.z[i][j], mesh.z[i][j + 1], mesh.z[i + 1][j], mesh.z[i + 1][j + 1], levels);
        // level lines in the box, at their height between the cell's corners
        const at = (u, v) => [X[j] + (X[j + 1] - X[j]) * u, Y[i] + (Y[i + 1] - Y[i]) * v, a * (1 - u) * (1 - v) + b * u * (1 - v) + c * (1 - u) * v + d * u * v];
        cells.push({ i, j, fill, lines: lines.map(([u0, v0, u1, v1]) => [at(u0, v0), at(u1, v1)]) });
      }
    }
    const paths = scene.paths.map((p) => ({
      ...p,
      P: p.x.map((x, k) => (p.z[k] === null ? null : [toBox("x", x), toBox("y", p.y[k]), toBox("z", p.z[k])])),
    }));
    world = { X, Y, Z, rows, cols, cells, paths };
  }

  // The cell (row, column) under a point of the box, clamped to the mesh.
  function cellAt(p) {
    const { X, Y, rows, cols } = world;
    const j = Math.floor(((p[0] - X[0]) / (X[cols - 1] - X[0])) * (cols - 1));
    const i = Math.floor(((p[1] - Y[0]) / (Y[rows - 1] - Y[0])) * (rows - 1));
    return [Math.max(0, Math.min(rows - 2, i)), Math.max(0, Math.min(cols - 2, j))];
  }

  // ---- camera ----
  // Looking at the box's centre from `dir` (a unit vector), up being z: the eye, and each point
  // as [across, up] over its depth, and its depth.
  function lookFrom(dir) {
    const eye = dir.map((v) => v * DISTANCE);
    const fwd = dir.map((v) => -v);
    const right = normalize(cross(fwd, [0, 0, 1]));
    const up = cross(right, fwd);
    const raw = (p) => {
      const c = [p[0] - eye[0], p[1] - eye[1], p[2] - eye[2]];
      const depth = dot(c, fwd);
      return [dot(c, right) / depth, dot(c, up) / depth, depth];
    };
    return { eye, raw };
  }

  function camera() {
    const w = container.clientWidth;
    const h = container.clientHeight;
    const { eye, raw } = lookFrom([Math.cos(view.tilt) * Math.cos(view.turn), Math.cos(view.tilt) * Math.sin(view.turn), Math.sin(view.tilt)]);
    // the box of the first view fills the plot, less room for labels; turning keeps that scale
    const fit = fitOf(w, h);
    const s = fit.s * view.zoom;
    const project = (p) => {
      const [u, v, depth] = raw(p);
      return [fit.cx + s * u, fit.cy - s * v, depth];
    };
    return { w, h, eye, project, signature: `${view.turn.toFixed(5)},${view.tilt.toFixed(5)},${view.zoom.toFixed(5)},${w},${h}` };
  }

  let fitCache = null;
  function fitOf(w, h) {
    if (fitCache && fitCache.w === w && fitCache.h === h) return fitCache;
    const { raw } = lookFrom(normalize(EYE));
    let [x0, x1, y0, y1] = [Infinity, -Infinity, Infinity, -Infinity];
    for (const p of corners()) {
      const [u, v] = raw(p);
      [x0, x1, y0, y1] = [Math.min(x0, u), Math.max(x1, u), Math.min(y0, v), Math.max(y1, v)];
    }
    const s = Math.max(1, Math.min((w - PAD.left - PAD.right) / (x1 - x0), (h - PAD.top - PAD.bottom) / (y1 - y0)));
    const cx = PAD.left + (w - PAD.left - PAD.right) / 2 - s * (x0 + x1) / 2;
    const cy = PAD.top + (h - PAD.top - PAD.bottom) / 2 + s * (y0 + y1) / 2;
    fitCache = { w, h, s, cx, cy };
    return fitCache;
  }

  function corners() {
    const out = [];
    for (const x of [-1, 1]) for (const y of [-1, 1]) for (const z of [-1, 1]) out.push([x * ASPECT[0], y * ASPECT[1], z * ASPECT[2]]);
    return out;
  }

  // ---- drawing ----
  let queued = false;
  function requestRender() {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => {
      queued = false;
      render();
      onChange();
    });
  }

  function render() {
    if (!scene) return;
    const t0 = performance.now();
    const dpr = window.devicePixelRatio || 1;
    const cam = camera();
    if (canvas.width !== Math.round(cam.w * dpr) || canvas.height !== Math.round(cam.h * dpr)) {
      canvas.width = Math.round(cam.w * dpr);
      canvas.height = Math.round(cam.h * dpr);
    }
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, cam.w, cam.h);
    const ticks = { x: niceTicks(...scene.axes.x.range), y: niceTicks(...scene.axes.y.range), z: niceTicks(...scene.axes.z.range, 4) };
    const back = cam.eye.map((e, k) => (e > 0 ? -ASPECT[k] : ASPECT[k])); // the far wall on each axis
    drawWalls(cam, back, ticks);
    const order = drawSurfaceAndPaths(cam);
    drawLabels(cam, back, ticks);
    frame = { cam, order };
    renderMs = performance.now() - t0;
  }

  function drawWalls(cam, back, ticks) {
    const A = ASPECT;
    const walls = [
      { axis: 0, at: back[0], quad: (s, t) => [back[0], s * A[1], t * A[2]], lines: [["y", 1, (v) => [back[0], v, -A[2]], (v) => [back[0], v, A[2]]], ["z", 2, (v) => [back[0], -A[1], v], (v) => [back[0], A[1], v]]] },
      { axis: 1, at: back[1], quad: (s, t) => [s * A[0], back[1], t * A[2]], lines: [["x", 0, (v) => [v, back[1], -A[2]], (v) => [v, back[1], A[2]]], ["z", 2, (v) => [-A[0], back[1], v], (v) => [A[0], back[1], v]]] },
      { axis: 2, at: back[2], quad: (s, t) => [s * A[0], t * A[1], back[2]], lines: [["x", 0, (v) => [v, -A[1], back[2]], (v) => [v, A[1], back[2]]], ["y", 1, (v) => [-A[0], v, back[2]], (v) => [A[0], v, back[2]]]] },
    ];
    ctx.lineWidth = 1;
    for (const wall of walls) {
      const pts = [[-1, -1], [1, -1], [1, 1], [-1, 1]].map(([s, t]) => cam.project(wall.quad(s, t)));
      ctx.beginPath();
      pts.forEach((p, k) => (k ? ctx.lineTo(p[0], p[1]) : ctx.moveTo(p[0], p[1])));
      ctx.closePath();
      ctx.fillStyle = WALL;
      ctx.fill();
      ctx.strokeStyle = GRID;
      ctx.beginPath();
      for (const [axis, k, from, to] of wall.lines) {
        for (const v of ticks[axis]) {
          const b = toBox(axis, v);
          if (Math.abs(b) > ASPECT[k] + 1e-9) continue;
          const [p, q] = [cam.project(from(b)), cam.project(to(b))];
          ctx.moveTo(p[0], p[1]);
          ctx.lineTo(q[0], q[1]);
        }
      }
      ctx.stroke();
      ctx.strokeStyle = EDGE;
      ctx.beginPath();
      pts.forEach((p, k) => (k ? ctx.lineTo(p[0], p[1]) : ctx.moveTo(p[0], p[1])));
      ctx.closePath();
      ctx.stroke();
    }
  }

  // Cells far to near, each path segment among them. Seen from above, a segment is drawn after
  // every cell within NEAR cells of it (the ground it lies on, the walls of its valley) and
  // before any nearer one, so only terrain further away (a hill in front) hides it; seen from
  // below, before every cell around it, so the surface it lies on hides it.
  function drawSurfaceAndPaths(cam) {
    const above = view.tilt > 0;
    const { X, Y, Z, rows, cols, cells, paths } = world;
    const node = new Array(rows * cols);
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) node[i * cols + j] = Z[i][j] === null ? null : cam.project([X[j], Y[i], Z[i][j]]);
    }
    const [R, C] = [rows - 1, cols - 1];
    const near = new Float64Array(R * C).fill(Infinity); // each cell's depth, then the least around it
    const items = [];
    for (const c of cells) {
      const q = [node[c.i * cols + c.j], node[c.i * cols + c.j + 1], node[(c.i + 1) * cols + c.j + 1], node[(c.i + 1) * cols + c.j]];
      const depth = (q[0][2] + q[1][2] + q[2][2] + q[3][2]) / 4;
      near[c.i * C + c.j] = depth;
      items.push({ depth, cell: c, q });
    }
    // seen from above, a segment waits for the cells around it; from below, it goes first
    const around = (values) => minAround(minAround(values, R, C, 1), R, C, C);
    const least = above ? around(near) : around(near.map((v) => -v)).map((v) => -v);
    for (const p of paths) {
      const pts = p.P.map((w) => (w ? cam.project(w) : null));
      p.screen = pts;
      for (let k = 1; k < pts.length; k++) {
        if (!pts[k - 1] || !pts[k]) continue;
        const mid = [(p.P[k - 1][0] + p.P[k][0]) / 2, (p.P[k - 1][1] + p.P[k][1]) / 2];
        const [i, j] = cellAt(mid);
        const own = (pts[k - 1][2] + pts[k][2]) / 2;
        const depth = above ? Math.min(own, least[i * C + j]) : Math.max(own, least[i * C + j]);
        items.push({ depth: depth + (above ? -1e-9 : 1e-9), path: p, k });
      }
    }
    items.sort((a, b) => b.depth - a.depth);
    ctx.lineJoin = "round";
    ctx.lineCap = "round";
    for (let n = 0; n < items.length; n++) {
      const it = items[n];
      if (it.cell) {
        drawCell(cam, it);
        continue;
      }
      // consecutive segments of one path in the drawn order: one stroke
      const p = it.path;
      ctx.beginPath();
      ctx.moveTo(p.screen[it.k - 1][0], p.screen[it.k - 1][1]);
      ctx.lineTo(p.screen[it.k][0], p.screen[it.k][1]);
      while (n + 1 < items.length && items[n + 1].path === p) {
        const next = items[++n];
        if (next.k !== items[n - 1].k + 1) ctx.moveTo(p.screen[next.k - 1][0], p.screen[next.k - 1][1]);
        ctx.lineTo(p.screen[next.k][0], p.screen[next.k][1]);
      }
      ctx.strokeStyle = p.color;
      ctx.lineWidth = p.width;
      ctx.stroke();
    }
    // where terrain hides a path, it still shows, faint and dashed, through the surface
    ctx.save();
    ctx.globalAlpha = 0.5;
    ctx.setLineDash([5, 4]);
    for (const p of paths) {
      ctx.beginPath();
      let pen = false;
      for (const q of p.screen) {
        if (!q) pen = false;
        else if (pen) ctx.lineTo(q[0], q[1]);
        else {
          ctx.moveTo(q[0], q[1]);
          pen = true;
        }
      }
      ctx.strokeStyle = p.color;
      ctx.lineWidth = Math.max(1.5, p.width * 0.6);
      ctx.stroke();
    }
    ctx.restore();
    return items;
  }

  function drawCell(cam, { cell, q }) {
    // each corner pushed half a pixel out, so neighbouring cells leave no seam between them
    const cx = (q[0][0] + q[1][0] + q[2][0] + q[3][0]) / 4;
    const cy = (q[0][1] + q[1][1] + q[2][1] + q[3][1]) / 4;
    ctx.beginPath();
    for (let k = 0; k < 4; k++) {
      const dx = q[k][0] - cx;
      const dy = q[k][1] - cy;
      const r = Math.hypot(dx, dy) || 1;
      const x = q[k][0] + (0.5 * dx) / r;
      const y = q[k][1] + (0.5 * dy) / r;
      if (k) ctx.lineTo(x, y);
      else ctx.moveTo(x, y);
    }
    ctx.fillStyle = cell.fill;
    ctx.fill();
    if (!cell.lines.length) return;
    ctx.beginPath();
    for (const [from, to] of cell.lines) {
      const p = cam.project(from);
      const r = cam.project(to);
      ctx.moveTo(p[0], p[1]);
      ctx.lineTo(r[0], r[1]);
    }
    ctx.strokeStyle = "rgba(255,255,255,0.6)";
    ctx.lineWidth = 1;
    ctx.stroke();
  }

  // Tick labels along the box's outer edges (x and y on the floor's near edges, z on a side
  // edge), each pushed out from the box's centre on the screen, none over another (where two
  // edges meet); titles beyond them.
  function drawLabels(cam, back, ticks) {
    const A = ASPECT;
    const front = back.map((v) => -v);
    const floor = back[2] < 0 ? -A[2] : A[2];
    const mid = cam.project([0, 0, 0]);
    const sideA = cam.project([back[0], front[1], 0]);
    const sideB = cam.project([front[0], back[1], 0]);
    const zEdge = sideA[0] < sideB[0] ? [back[0], front[1]] : [front[0], back[1]];
    const edges = {
      x: (v) => [v, front[1], floor],
      y: (v) => [front[0], v, floor],
      z: (v) => [zEdge[0], zEdge[1], v],
    };
    const placed = []; // boxes of the labels drawn so far
    labels = placed;
    const free = (b) => placed.every((o) => b.x1 < o.x0 || b.x0 > o.x1 || b.y1 < o.y0 || b.y0 > o.y1);
    ctx.fillStyle = TEXT;
    ctx.textBaseline = "middle";
    for (const axis of ["x", "y", "z"]) {
      const k = "xyz".indexOf(axis);
      // outward: from the screen centre of the box to the edge's middle (z: to the left)
      const m = cam.project(edges[axis](0));
      let [ox, oy] = axis === "z" ? [-1, 0] : [m[0] - mid[0], m[1] - mid[1]];
      const r = Math.hypot(ox, oy) || 1;
      [ox, oy] = [ox / r, oy / r];
      ctx.font = `11px ${FONT}`;
      const align = Math.abs(ox) < 0.35 ? "center" : ox < 0 ? "right" : "left";
      ctx.textAlign = align;
      let widest = 0;
      for (const v of ticks[axis]) {
        const b = toBox(axis, v);
        if (Math.abs(b) > A[k] + 1e-9) continue;
        const p = cam.project(edges[axis](b));
        const text = tickText(v);
        const w = ctx.measureText(text).width;
        const [x, y] = [p[0] + ox * 10, p[1] + oy * 10];
        const x0 = align === "center" ? x - w / 2 : align === "right" ? x - w : x;
        const box = { x0: x0 - 2, x1: x0 + w + 2, y0: y - 7, y1: y + 7 };
        if (!free(box)) continue;
        placed.push(box);
        ctx.fillText(text, x, y);
        widest = Math.max(widest, w);
      }
      ctx.font = `600 12px ${FONT}`;
      if (axis === "z") {
        // upright along the side edge, left of its tick labels
        const x = m[0] - 22 - widest;
        const w = ctx.measureText(scene.axes.z.title).width;
        placed.push({ x0: x - 14, x1: x, y0: m[1] - w / 2, y1: m[1] + w / 2 });
        ctx.save();
        ctx.translate(x, m[1]);
        ctx.rotate(-Math.PI / 2);
        ctx.textAlign = "center";
        ctx.textBaseline = "bottom";
        ctx.fillText(scene.axes.z.title, 0, 0);
        ctx.restore();
        ctx.textBaseline = "middle";
      } else {
        // beyond the tick labels, by the edge's middle or along it, where it covers none
        const { title } = scene.axes[axis];
        const w = ctx.measureText(title).width;
        const boxAt = ([x, y]) => ({ x0: x - w / 2 - 2, x1: x + w / 2 + 2, y0: y - 8, y1: y + 8 });
        const spots = [];
        for (const away of [30, 40, 50]) {
          for (const along of [0, 0.3, -0.3, 0.6, -0.6]) {
            const e = cam.project(edges[axis](along * A[k]));
            spots.push([e[0] + ox * away, e[1] + oy * away]);
          }
        }
        const at = spots.find((q) => free(boxAt(q))) ?? spots[0];
        placed.push(boxAt(at));
        ctx.textAlign = "center";
        ctx.fillText(title, at[0], at[1]);
      }
    }
  }

  // ---- hover: the path or the cell under the pointer, nearest first ----
  function hit(px, py) {
    if (!frame) return null;
    const { order } = frame;
    for (let n = order.length - 1; n >= 0; n--) {
      const it = order[n];
      if (it.path) {
        const p = it.path.screen[it.k - 1];
        const q = it.path.screen[it.k];
        const [dx, dy] = [q[0] - p[0], q[1] - p[1]];
        const len2 = dx * dx + dy * dy || 1;
        const s = Math.max(0, Math.min(1, ((px - p[0]) * dx + (py - p[1]) * dy) / len2));
        if (Math.hypot(p[0] + s * dx - px, p[1] + s * dy - py) <= it.path.width / 2 + 3) {
          return { path: it.path, k: s < 0.5 ? it.k - 1 : it.k };
        }
      } else if (inside(it.q, px, py)) {
        const { i, j } = it.cell;
        const near = [[i, j], [i, j + 1], [i + 1, j + 1], [i + 1, j]].map(([a, b], n2) => [a, b, Math.hypot(it.q[n2][0] - px, it.q[n2][1] - py)]);
        near.sort((a, b) => a[2] - b[2]);
        return { node: near[0] };
      }
    }
    return null;
  }

  function inside(q, px, py) {
    let sign = 0;
    for (let k = 0; k < 4; k++) {
      const [a, b] = [q[k], q[(k + 1) % 4]];
      const c = (b[0] - a[0]) * (py - a[1]) - (b[1] - a[1]) * (px - a[0]);
      if (c === 0) continue;
      if (sign && Math.sign(c) !== sign) return false;
      sign = Math.sign(c);
    }
    return true;
  }

  const g = (v) => Number(v.toPrecision(4)).toString();
  function showTip(px, py) {
    const found = hit(px, py);
    if (!found) {
      tip.hidden = true;
      return;
    }
    const { mesh } = scene;
    if (found.path) {
      const p = found.path;
      tip.style.borderColor = p.color;
      tip.innerHTML = "";
      tip.append(`${p.index + 1}. ${p.name}`, document.createElement("br"), `step ${p.steps[found.k]}`, document.createElement("br"), `(${g(p.x[found.k])}, ${g(p.y[found.k])})`);
    } else {
      const [i, j] = found.node;
      tip.style.borderColor = "";
      tip.innerHTML = "";
      tip.append(`(${g(mesh.x[j])}, ${g(mesh.y[i])})`, document.createElement("br"), `f = ${mesh.text[i][j]}`);
    }
    tip.hidden = false;
    const w = container.clientWidth;
    tip.style.left = `${Math.min(px + 12, w - tip.offsetWidth - 4)}px`;
    tip.style.top = `${Math.max(4, py - tip.offsetHeight - 8)}px`;
  }

  // ---- pointer: drag turns, pinch and wheel zoom, double click resets ----
  const pointers = new Map();
  let pinch = null;
  const local = (e) => {
    const r = canvas.getBoundingClientRect();
    return [e.clientX - r.left, e.clientY - r.top];
  };
  let tap = null; // a touch that has not moved (yet): on release it shows the label there
  canvas.addEventListener("pointerdown", (e) => {
    if (e.button !== 0) return;
    canvas.setPointerCapture(e.pointerId);
    pointers.set(e.pointerId, local(e));
    tap = pointers.size === 1 && e.pointerType !== "mouse" ? local(e) : null;
    canvas.style.cursor = "grabbing";
    tip.hidden = true;
    if (pointers.size === 2) {
      const [a, b] = [...pointers.values()];
      pinch = { d: Math.hypot(a[0] - b[0], a[1] - b[1]), zoom: view.zoom };
    }
  });
  canvas.addEventListener("pointermove", (e) => {
    const at = local(e);
    if (!pointers.has(e.pointerId)) {
      if (e.pointerType === "mouse") showTip(...at);
      return;
    }
    const was = pointers.get(e.pointerId);
    pointers.set(e.pointerId, at);
    if (tap && Math.hypot(at[0] - tap[0], at[1] - tap[1]) > 6) tap = null;
    if (pointers.size === 2 && pinch) {
      const [a, b] = [...pointers.values()];
      setZoom(pinch.zoom * (Math.hypot(a[0] - b[0], a[1] - b[1]) / pinch.d));
      moved = true;
      return;
    }
    if (tap) return;
    moved = true;
    view.turn -= (at[0] - was[0]) * TURN;
    view.tilt = tilted(view.tilt + (at[1] - was[1]) * TURN);
    requestRender();
  });
  let moved = false; // the pointers down have turned or zoomed the view
  const release = (e) => {
    if (tap && e.type === "pointerup") showTip(...tap);
    tap = null;
    pointers.delete(e.pointerId);
    if (!pointers.size && moved) {
      moved = false;
      settle();
    }
    if (pointers.size < 2) pinch = null;
    if (!pointers.size) canvas.style.cursor = "grab";
  };
  canvas.addEventListener("pointerup", release);
  canvas.addEventListener("pointercancel", release);
  canvas.addEventListener("pointerleave", (e) => { if (e.pointerType === "mouse") tip.hidden = true; });
  let wheeling = null;
  canvas.addEventListener("wheel", (e) => {
    e.preventDefault();
    setZoom(view.zoom * Math.exp(-e.deltaY * 0.0015));
    clearTimeout(wheeling);
    wheeling = setTimeout(settle, 250);
  }, { passive: false });
  canvas.addEventListener("dblclick", () => {
    reset();
    settle();
  });

  const settle = () => onSettle({ ...view });

  function setZoom(z) {
    view.zoom = zoomed(z);
    requestRender();
  }

  function reset() {
    Object.assign(view, FIRST_VIEW);
    requestRender();
  }

  // Look as `v` says ({turn, tilt, zoom}, as onSettle gives it), within the view's limits.
  function setView(v) {
    Object.assign(view, { turn: v.turn, tilt: tilted(v.tilt), zoom: zoomed(v.zoom) });
    requestRender();
  }

  const resized = new ResizeObserver(() => {
    fitCache = null;
    requestRender();
  });
  resized.observe(container);

  const api = {
    canvas,
    // Draw a scene (keeping the camera as the user left it).
    set(next) {
      scene = next;
      prepare();
      render();
    },
    // data -> pixel mapping of the current view, for what is drawn over it (overlay.js)
    projection() {
      if (!scene || !container.clientWidth) return null;
      const cam = camera();
      return {
        box: { left: 0, top: 0, right: cam.w, bottom: cam.h },
        camera: cam.signature,
        project: (x, y, z) => {
          const p = cam.project([toBox("x", x), toBox("y", y), toBox("z", z)]);
          return p[2] > 0 ? [p[0], p[1]] : null;
        },
      };
    },
    reset,
    setView,
    turn(dTurn, dTilt = 0) {
      view.turn += dTurn;
      view.tilt = tilted(view.tilt + dTilt);
      requestRender();
    },
    // for tests and benchmarks: what is drawn, and how long the last drawing took
    state() {
      const cam = camera();
      return {
        mesh: scene?.mesh, paths: scene?.paths, axes: scene?.axes, view: { ...view }, renderMs, eye: cam.eye, labels,
        corners: corners().map((c) => cam.project(c).slice(0, 2)), width: container.clientWidth, height: container.clientHeight,
      };
    },
    destroy() {
      resized.disconnect();
      canvas.remove();
      tip.remove();
      scene = null;
      delete container._scene3d;
    },
  };
  container._scene3d = api;
  return api;
}
