// Links to exactly this view, shared by both pages: a page packs its state into compact JSON
// under "#s=...", and these helpers write, read and copy it. Which fields go in is the page's
// business (url-state.js, networks/url-state.js).

const KEY = "s";

// The entries of `values` that differ from `specDefaults`: what a link must spell out.
export function changed(values = {}, specDefaults = {}) {
  return Object.fromEntries(Object.entries(values).filter(([k, v]) => specDefaults[k] !== v));
}

// The hash (without "#") that holds `compact`.
export function hashFor(compact) {
  return `${KEY}=${encodeURIComponent(JSON.stringify(compact))}`;
}

// The object a hash ("#s=...") holds, or null when it holds none.
export function readHash(hash) {
  const raw = new URLSearchParams(hash.replace(/^#/, "")).get(KEY);
  if (!raw) return null;
  try {
    const parsed = JSON.parse(raw);
    return parsed && typeof parsed === "object" && !Array.isArray(parsed) ? parsed : null;
  } catch {
    return null;
  }
}

// The preset a link asks for with "#preset=<id>", if any.
export function presetFromHash(hash) {
  return new URLSearchParams(hash.replace(/^#/, "")).get("preset");
}

// The header's "Copy link" button: copy the address, say so for a moment.
export async function copyLink(button) {
  const label = "Copy link";
  try {
    await navigator.clipboard.writeText(location.href);
    button.textContent = "Link copied";
  } catch {
    button.textContent = "Copy the address bar";
  }
  setTimeout(() => { button.textContent = label; }, 1800);
}
