// The finished runs as JSON (each request and the API's whole answer to it, plus the shared
// landscape) and their per-step curves as CSV. Pure builders; export.js's `download` saves them.

import { toCSV } from "../export.js";

// The fields of POST /api/networks/runs's answer (NetworkRunResponse).
const RESPONSE_KEYS = [
  "loss", "val_loss", "accuracy", "val_accuracy", "lr", "sharpness", "landscape", "path", "path_steps",
  "interpolation", "boundary", "stability", "status", "steps_taken", "message",
];
const CURVE_COLUMNS = ["run", "label", "step", "loss", "val_loss", "accuracy", "val_accuracy", "lr", "sharpness", "bound"];

const response = (result) => Object.fromEntries(RESPONSE_KEYS.map((k) => [k, result[k] ?? null]));

// The link that showed the runs, the batch request that was sent (POST /api/networks/batch),
// and for each run its label, colour, request and the API's answer.
export function runsToJSON(runs, landscape, link, request) {
  return JSON.stringify(
    {
      link,
      request,
      runs: runs.map((run) => ({ label: run.label, color: run.color, request: run.result.request, response: response(run.result) })),
      landscape,
    },
    null,
    1,
  );
}

// One row per run and recorded step; sharpness and its bound only where it was measured.
export function curvesToCSV(runs) {
  const rows = [];
  runs.forEach((run, i) => {
    const r = run.result;
    const sharpness = new Map(r.sharpness.map((s) => [s.step, s.value]));
    const c = r.stability?.coefficient;
    r.loss.forEach((loss, k) => {
      const measured = sharpness.has(k);
      rows.push([
        i + 1, run.label, k, loss, r.val_loss[k], r.accuracy?.[k], r.val_accuracy?.[k], r.lr[k],
        sharpness.get(k), measured && c ? c / r.lr[k] : null,
      ]);
    });
  });
  return toCSV(CURVE_COLUMNS, rows);
}
