// Field checks before anything is sent: a number box's own limits (min, max, whole numbers,
// odd, optional) from its attributes, or a page-specific check; the reason is shown next to
// the field. Nothing the user did not ask for is ever run, so Train refuses while any field
// holds a message.

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

// Show (or clear) the message under the field's control and mark the field.
export function showProblem(input, message) {
  const id = `${input.id}-error`;
  let note = document.getElementById(id);
  if (!note) {
    note = document.createElement("p");
    note.id = id;
    note.className = "field-error";
    note.setAttribute("role", "alert");
    const control = input.closest(".control") || input.parentElement;
    control.append(note);
    const described = (input.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
    input.setAttribute("aria-describedby", [...described, id].join(" "));
  }
  note.textContent = message;
  note.hidden = !message;
  input.setAttribute("aria-invalid", String(Boolean(message)));
}

// Every field in `root` with a message now, after re-checking each number box.
export function problems(root, extraChecks = {}) {
  const found = [];
  for (const input of root.querySelectorAll("input[type=number], input[type=text], textarea")) {
    if (input.closest("[hidden]") || input.disabled) continue;
    const extra = extraChecks[input.id];
    const message = (input.type === "number" ? numberProblem(input) : "") || (extra ? extra(input) : "");
    showProblem(input, message);
    if (message) found.push({ input, message });
  }
  return found;
}

// The label a person would read for `input`.
export function labelOf(input) {
  const label = input.labels?.[0]?.textContent || input.getAttribute("aria-label") || input.id;
  return label.trim();
}
