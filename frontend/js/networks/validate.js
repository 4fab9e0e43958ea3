// Field checks before anything is sent: a number box's own limits (min, max, whole numbers,
// odd, optional) from its attributes, or a page-specific check; the reason is shown next to
// the field (../field-errors.js, as on the optimizer page). Nothing the user did not ask for
// is ever run, so Train refuses while any field holds a message.

import { showFieldError } from "../field-errors.js";

// The reason `input` holds a bad value, or "" when it is fine. `check(raw)` may add a rule.
export function numberProblem(input) {
  const raw = input.value.trim();
  if (input.validity?.badInput) return "Not a number.";
  if (raw === "") return input.dataset.optional !== undefined ? "" : "Enter a number.";
  const v = Number(raw);
  if (!Number.isFinite(v)) return "Not a number.";
  if (input.step === "1" && !Number.isInteger(v)) return "Must be a whole number.";
  if (input.min !== "" && input.dataset.minExclusive !== undefined && v <= Number(input.min)) return `Must be greater than ${input.min}.`;
  if (input.min !== "" && v < Number(input.min)) return `Must be at least ${input.min}.`;
  if (input.max !== "" && v > Number(input.max)) return `Must be at most ${input.max}.`;
  if (input.dataset.odd !== undefined && v % 2 === 0) return "Must be odd, so the final weights sit at the centre.";
  return "";
}

// Every field in `root` with a message now, after re-checking each number box.
export function problems(root, extraChecks = {}) {
  const found = [];
  for (const input of root.querySelectorAll("input[type=number], input[type=text], textarea")) {
    if (input.closest("[hidden]") || input.disabled) continue;
    const extra = extraChecks[input.id];
    const message = (input.type === "number" ? numberProblem(input) : "") || (extra ? extra(input) : "");
    showFieldError(input, message);
    if (message) found.push({ input, message });
  }
  return found;
}

// The label a person would read for `input`.
export function labelOf(input) {
  const label = input.labels?.[0]?.textContent || input.getAttribute("aria-label") || input.id;
  return label.trim();
}
