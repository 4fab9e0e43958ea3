// The Maps page's state <-> the URL hash (link.js packs it): the preset and every map's
// request, so a link shows exactly the same maps.

import { hashFor, readHash } from "../link.js";

const KINDS = ["basin", "phase", "sweep", "theory"];

export function encodeState(s) {
  const compact = { maps: s.maps };
  if (s.active) compact.active = s.active;
  if (s.preset) compact.preset = s.preset;
  return hashFor(compact);
}

const validMap = (m) => m && KINDS.includes(m.kind)
  && (m.kind === "theory" || (m.run && typeof m.run.surface === "string" && typeof m.run.optimizer === "string"));

// The state a hash holds, or null when it holds none (or nothing usable).
export function decodeState(hash) {
  const c = readHash(hash);
  if (!c || !Array.isArray(c.maps)) return null;
  const maps = c.maps.filter(validMap).slice(0, 2);
  if (!maps.length || maps[0].kind === "theory") return null;
  return {
    maps,
    active: Math.min(Number(c.active) || 0, maps.length - 1),
    preset: typeof c.preset === "string" ? c.preset : null,
  };
}
