// The finished run as JSON (the request and the API's whole answer) and its per-step curves as
// CSV. Pure builders; export.js's `download` saves them.

import { toCSV } from "../export.js";

// The fields of POST /api/networks/runs's answer (NetworkRunResponse).
const RESPONSE_KEYS = [
  "loss", "val_loss", "accuracy", "val_accuracy", "lr", "sharpness", "landscape", "path", "path_steps",
  "interpolation", "boundary", "status", "steps_taken", "message",
];
const CURVE_COLUMNS = ["step", "loss", "val_loss", "accuracy", "val_accuracy", "lr", "sharpness"];

// The link that showed the run, the request that was sent and the API's whole answer to it.
export function runToJSON(result) {
  const response = Object.fromEntries(RESPONSE_KEYS.map((k) => [k, result[k] ?? null]));
  return JSON.stringify({ link: result.link, request: result.request, response }, null, 1);
}

// One row per recorded step; sharpness only on the steps where it was measured.
export function curvesToCSV(result) {
  const sharpness = new Map(result.sharpness.map((s) => [s.step, s.value]));
  const rows = result.loss.map((loss, k) => [
    k, loss, result.val_loss[k], result.accuracy?.[k], result.val_accuracy?.[k], result.lr[k], sharpness.get(k),
  ]);
  return toCSV(CURVE_COLUMNS, rows);
}
