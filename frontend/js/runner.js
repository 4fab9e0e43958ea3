// Keeps one streaming run per run uid in flight: a changed request aborts the old stream and
// starts a new one. The old result stays on screen until the new one's first block arrives.

import { postStream } from "./api.js";

export function createRunner(onUpdate) {
  const results = {}; // uid -> shown result {key, points, loss, grad_norm, lr, status, ...}
  const live = new Map(); // uid -> {key, controller}

  function start(uid, body, key) {
    const controller = new AbortController();
    const entry = { key, controller, done: false };
    live.set(uid, entry);
    const result = { key, points: [], loss: [], grad_norm: [], lr: [], status: null, message: "", request: body };
    // a thinned run (max_points) also lists each point's step in `index`
    let shown = false;
    const show = () => {
      if (!shown && live.get(uid)?.controller === controller) {
        results[uid] = result;
        shown = true;
      }
      return shown;
    };
    postStream(
      "/api/runs/stream",
      body,
      (block) => {
        if (block.index) result.index ||= [];
        for (const name of ["points", "loss", "grad_norm", "lr", ...(block.index ? ["index"] : [])]) {
          result[name].length = block.start; // a block replaces anything from its start on
          result[name].push(...block[name]);
        }
        if (show()) onUpdate(uid, "block");
      },
      { signal: controller.signal },
    )
      .then((done) => {
        Object.assign(result, done || { status: "completed", message: "" });
        entry.done = true;
        if (show()) onUpdate(uid, "done");
      })
      .catch((err) => {
        if (err.name === "AbortError") return;
        result.error = err.message;
        result.status = "error";
        entry.done = true;
        if (show()) onUpdate(uid, "error");
      });
  }

  // jobs: [{uid, body}]. Returns the uids whose runs were (re)started.
  function sync(jobs) {
    const wanted = new Set(jobs.map((j) => j.uid));
    for (const [uid, entry] of live) {
      if (!wanted.has(uid)) {
        entry.controller.abort();
        live.delete(uid);
        delete results[uid];
      }
    }
    for (const uid of Object.keys(results)) if (!wanted.has(uid)) delete results[uid];
    const started = [];
    for (const { uid, body } of jobs) {
      const key = JSON.stringify(body);
      if (live.get(uid)?.key === key) continue;
      live.get(uid)?.controller.abort();
      start(uid, body, key);
      started.push(uid);
    }
    return started;
  }

  const running = () => [...live.values()].some((entry) => !entry.done);

  return { results, sync, running };
}
