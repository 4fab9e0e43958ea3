// The surface's gradient at the points the heads pass, for the -lr·∇f arrows: fetched from
// POST /api/curvature in chunks around the frame shown, cached per result, prefetched ahead.

import { postJSON } from "./api.js";

const CHUNK = 256;

export function createGradientCache(onArrive) {
  const cache = new WeakMap(); // result -> Map(chunk -> gradients | "pending" | "failed")

  function request(result, chunk) {
    const chunks = cache.get(result) || new Map();
    cache.set(result, chunks);
    if (chunks.has(chunk)) return;
    const points = result.points.slice(chunk * CHUNK, (chunk + 1) * CHUNK);
    // a chunk still streaming in is asked for once it is whole or the run has ended
    if (!points.length || (points.length < CHUNK && !result.status)) return;
    chunks.set(chunk, "pending");
    postJSON("/api/curvature", { surface: result.request.surface, points })
      .then((answer) => {
        chunks.set(chunk, answer.gradient);
        onArrive();
      })
      .catch(() => chunks.set(chunk, "failed"));
  }

  // The gradient at point k of a result, or null while it is not known (it is then fetched).
  function at(result, k) {
    if (!result?.request?.surface) return null;
    const chunk = Math.floor(k / CHUNK);
    const got = cache.get(result)?.get(chunk);
    if (k % CHUNK > CHUNK / 2) request(result, chunk + 1);
    if (Array.isArray(got)) return got[k % CHUNK] || null;
    request(result, chunk);
    return null;
  }

  return { at };
}
