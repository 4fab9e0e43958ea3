import { numberProblem, showFieldError } from "./field-errors.js";

// Form controls built from the API's parameter metadata ({name, type, default, min, max, log,
// help, choices}). Each is a real <label>-ed input; reading a value back gives the API's type.

// Display names where the API name would be ambiguous for label lookups ("Steps").
const LABELS = { warmup_steps: "warmup", step_size: "step_size (decay every)" };

export function labelFor(name) {
  return LABELS[name] || name;
}

function readValue(spec, input) {
  if (spec.type === "bool") return input.checked;
  if (spec.type === "choice") return input.value;
  if (input.value.trim() === "") return null;
  const v = Number(input.value);
  if (!Number.isFinite(v)) return null;
  return spec.type === "int" ? Math.round(v) : v;
}

// One control for one parameter; onChange(name, value) fires with a valid value only.
export function paramControl(spec, value, idPrefix, onChange) {
  const id = `${idPrefix}-${spec.name}`;
  const wrap = document.createElement("div");
  wrap.className = spec.type === "bool" ? "control control-check" : "control";
  wrap.title = spec.help || "";
  const label = document.createElement("label");
  label.htmlFor = id;
  label.textContent = labelFor(spec.name);
  let input;
  if (spec.type === "choice") {
    input = document.createElement("select");
    for (const choice of spec.choices) input.add(new Option(choice, choice));
    input.value = value;
  } else {
    input = document.createElement("input");
    if (spec.type === "bool") {
      input.type = "checkbox";
      input.checked = Boolean(value);
    } else {
      input.type = "number";
      input.step = spec.type === "int" ? "1" : "any";
      input.inputMode = spec.type === "int" ? "numeric" : "decimal";
      if (spec.min !== null && spec.min !== undefined) input.min = spec.min;
      if (spec.max !== null && spec.max !== undefined) input.max = spec.max;
      input.value = value ?? "";
    }
  }
  input.id = id;
  input.name = spec.name;
  if (spec.help) {
    const help = document.createElement("span");
    help.className = "sr-only";
    help.id = `${id}-help`;
    help.textContent = spec.help;
    input.setAttribute("aria-describedby", help.id);
    wrap.append(help);
  }
  input.addEventListener(spec.type === "bool" || spec.type === "choice" ? "change" : "input", () => {
    if (spec.type === "bool" || spec.type === "choice") {
      onChange(spec.name, readValue(spec, input));
      return;
    }
    const problem = numberProblem(input.value, { integer: spec.type === "int", min: spec.min ?? null, max: spec.max ?? null });
    showFieldError(input, problem);
    if (!problem) onChange(spec.name, readValue(spec, input));
  });
  if (spec.type === "bool") wrap.append(input, label);
  else wrap.append(label, input);
  return wrap;
}

// Replace `container`'s children with one control per spec (skipping names in `skip`).
export function renderParamControls(container, specs, values, idPrefix, onChange, skip = []) {
  container.replaceChildren(
    ...specs.filter((s) => !skip.includes(s.name)).map((s) => paramControl(s, values[s.name], idPrefix, onChange)),
  );
}

export function fillSelect(select, items, value) {
  select.replaceChildren(...items.map((item) => new Option(item.name, item.id)));
  if (value !== undefined) select.value = value;
}

// The learning rate: a log-scale slider and a number box that mirror each other.
export function bindLearningRate(slider, box, spec, onChange) {
  const lo = Math.log10(spec?.min > 0 ? spec.min : 1e-6);
  slider.min = String(Math.max(lo, -5));
  slider.max = String(Math.min(Math.log10(spec?.max || 10), 1)); // the box takes larger rates
  slider.addEventListener("input", () => {
    const v = Number((10 ** Number(slider.value)).toPrecision(3));
    box.value = String(v);
    onChange(v);
  });
  box.addEventListener("input", () => {
    const problem = numberProblem(box.value, { min: 0, minExclusive: true, max: spec?.max ?? null });
    showFieldError(box, problem);
    if (problem) return;
    const v = Number(box.value);
    slider.value = String(Math.log10(v));
    onChange(v);
  });
  return (v) => {
    box.value = String(v);
    showFieldError(box, null);
    slider.value = String(Math.log10(v));
  };
}

// One button per preset, numbered from `first`, in the list element `list`.
export function renderPresetButtons(list, presets, onLoad, first = 0) {
  list.replaceChildren(
    ...presets.map((preset, i) => {
      const li = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.className = "preset";
      button.dataset.preset = preset.id;
      button.title = preset.text;
      button.innerHTML = `<span class="preset-num">${i + first}</span><span class="preset-title"></span>`;
      button.querySelector(".preset-title").textContent = preset.title;
      button.addEventListener("click", () => onLoad(preset.id));
      li.append(button);
      return li;
    }),
  );
}
