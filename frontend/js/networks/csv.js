// Your own data from CSV text: `x1,x2,label` (classification) or `x,y` (regression). Pure:
// text in, points or the first problem (with its line number) out. Nothing leaves the page
// but the run request; the server checks the points again.

export const MAX_CLASSES = 10;
export const MIN_POINTS = 10;

const SEPARATOR = /\s*[,;\t]\s*/;
const isNumberText = (s) => s !== "" && Number.isFinite(Number(s));

// {points: {x, y, task}} or {error: "line 7: ..."}. `maxPoints` is the server's sample cap.
export function parseCSV(text, maxPoints) {
  const rows = [];
  let columns = 0;
  const lines = text.split(/\r\n|\n|\r/);
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i].trim();
    if (!line || line.startsWith("#")) continue;
    const cells = line.split(SEPARATOR);
    const where = `line ${i + 1}`;
    if (!rows.length && !columns && !cells.every(isNumberText)) {
      columns = cells.length; // a header names the columns: x1,x2,label or x,y
      if (columns !== 2 && columns !== 3) return { error: `${where}: the header must have 2 (x,y) or 3 (x1,x2,label) columns` };
      continue;
    }
    if (!columns) columns = cells.length;
    if (columns !== 2 && columns !== 3) return { error: `${where}: expected 2 values (x,y) or 3 (x1,x2,label), got ${cells.length}` };
    if (cells.length !== columns) return { error: `${where}: expected ${columns} values, got ${cells.length}` };
    const bad = cells.find((c) => !isNumberText(c));
    if (bad !== undefined) return { error: `${where}: "${bad}" is not a finite number` };
    const values = cells.map(Number);
    if (values.some((v) => Math.abs(v) > 1e6)) return { error: `${where}: values must be at most 1e6 in size` };
    if (columns === 3) {
      const label = values[2];
      if (!Number.isInteger(label) || label < 0 || label >= MAX_CLASSES) {
        return { error: `${where}: the label must be a whole number from 0 to ${MAX_CLASSES - 1}, got ${cells[2]}` };
      }
    }
    rows.push(values);
    if (rows.length > maxPoints) return { error: `${where}: more than ${maxPoints} points, the server's limit` };
  }
  if (rows.length < MIN_POINTS) return { error: `need at least ${MIN_POINTS} points, got ${rows.length}` };
  if (columns === 2) {
    return { points: { x: rows.map((r) => [r[0]]), y: rows.map((r) => r[1]), task: "regression" } };
  }
  const y = rows.map((r) => r[2]);
  const classes = Math.max(...y) + 1;
  if (new Set(y).size < 2) return { error: "need at least two classes (labels 0 and 1)" };
  return {
    points: { x: rows.map((r) => [r[0], r[1]]), y, task: classes === 2 ? "binary" : "multiclass" },
  };
}

// A short content hash of the points (FNV-1a, 64 bits as two 32-bit halves): links to data too
// big to inline name it, and the page finds the data again in this browser's storage.
export function contentHash(points) {
  const text = JSON.stringify([points.task, points.x, points.y]);
  let h1 = 0x811c9dc5;
  let h2 = 0xcbf29ce4;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193) >>> 0;
    h2 = Math.imul(h2 ^ c, 0x01000197) >>> 0;
  }
  return h1.toString(16).padStart(8, "0") + h2.toString(16).padStart(8, "0");
}

// Points back to CSV text, for the text box when a link brings the data along.
export function pointsToCSV(points) {
  const header = points.task === "regression" ? "x,y" : "x1,x2,label";
  const rows = points.x.map((p, i) => [...p, points.y[i]].join(","));
  return [header, ...rows].join("\n");
}
