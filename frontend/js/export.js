// Export the current runs as CSV or JSON, and the plot as PNG. Builders are pure; `download`
// is the only part that touches the page. `toCSV` and `download` serve both pages.

const COLUMNS = ["run", "optimizer", "label", "step", "x", "y", "loss", "grad_norm", "lr"];

function csvCell(v) {
  if (v === null || v === undefined) return "";
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

// A header line and one line per row; null and undefined cells are left empty.
export function toCSV(columns, rows) {
  return `${[columns, ...rows].map((row) => row.map(csvCell).join(",")).join("\n")}\n`;
}

// One row per recorded point of every run.
export function runsToCSV(runs, results, labels) {
  const rows = [];
  runs.forEach((run, i) => {
    const r = results[run.uid];
    if (!r) return;
    r.points.forEach((p, k) => {
      rows.push([i + 1, run.optimizer, labels[run.uid], r.index?.[k] ?? k, p[0], p[1], r.loss[k], r.grad_norm[k], r.lr[k]]);
    });
  });
  return toCSV(COLUMNS, rows);
}

// Each run's request (exactly what was sent to the API) beside its result.
export function runsToJSON(runs, results, labels, link) {
  return JSON.stringify(
    {
      link,
      runs: runs.map((run) => {
        const r = results[run.uid] || {};
        return {
          label: labels[run.uid],
          color: run.color,
          request: r.request,
          result: {
            points: r.points, loss: r.loss, grad_norm: r.grad_norm, lr: r.lr,
            status: r.status, steps_taken: r.steps_taken, message: r.message,
            ...(r.index ? { index: r.index } : {}),
          },
        };
      }),
    },
    null,
    1,
  );
}

// Save text (or a Blob) as a file.
export function download(text, filename, type) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
