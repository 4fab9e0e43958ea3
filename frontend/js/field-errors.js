// Input errors said next to the field: what is wrong and what is allowed. A field holding an
// invalid value is never applied, so the runs keep their last valid settings until it is fixed.

// The problem with a typed number, or null when it is fine.
// rules: {integer, min, max, minExclusive, label}
export function numberProblem(raw, { integer = false, min = null, max = null, minExclusive = false } = {}) {
  const text = String(raw ?? "").trim();
  if (text === "") return "enter a number";
  const v = Number(text);
  if (!Number.isFinite(v)) return "not a number";
  if (integer && !Number.isInteger(v)) return "must be a whole number";
  if (min !== null && (v < min || (minExclusive && v === min))) return `must be ${minExclusive ? ">" : "≥"} ${min}`;
  if (max !== null && v > max) return `must be ≤ ${max.toLocaleString("en-US")}`;
  return null;
}

// Show (or clear, with null or "") the message for one input, right below it; the input is
// described by it from then on.
export function showFieldError(input, message) {
  const id = `${input.id}-error`;
  let note = document.getElementById(id);
  if (!message) {
    input.setAttribute("aria-invalid", "false");
    if (note) note.hidden = true;
    input.removeAttribute("aria-errormessage");
    return;
  }
  if (!note) {
    note = document.createElement("span");
    note.id = id;
    note.className = "field-error";
    note.setAttribute("role", "alert");
    const host = input.closest(".control") || input.parentElement;
    host.append(note);
    const described = (input.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
    input.setAttribute("aria-describedby", [...described, id].join(" "));
  }
  note.textContent = message;
  note.hidden = false;
  input.setAttribute("aria-invalid", "true");
  input.setAttribute("aria-errormessage", id);
}

// Check `input` against `rules` on every keystroke; apply(value) only when it is valid.
export function validatedNumber(input, rules, apply) {
  input.addEventListener("input", () => {
    const problem = numberProblem(input.value, rules);
    showFieldError(input, problem);
    if (!problem) apply(Number(input.value));
  });
}

// An API error about the selected run's hyperparameter or schedule option ("params.nesterov:
// Nesterov momentum requires a momentum ...") shown next to that control. Returns true if shown.
const API_FIELDS = { params: "hp", schedule: "sched" };
export function showApiFieldError(message) {
  const m = /^(params|schedule)\.(\w+): (.*)$/.exec(message || "");
  const input = m && document.getElementById(`${API_FIELDS[m[1]]}-${m[2]}`);
  if (!input) return false;
  showFieldError(input, m[3]);
  return true;
}
