// The animation clock: a frame index that plays, pauses, steps and scrubs over the steps.
// It knows nothing about plots; it calls onFrame(frame) whenever the frame changes.

export function createPlayer(onFrame, onPlayingChange = () => {}) {
  let position = 0; // fractional frame while playing
  let length = 1; // points available (frame runs 0 .. length - 1)
  let planned = 1; // points a full run would have, sets the pace
  let speed = 1;
  let playing = false;
  let waiting = () => false; // true while more points may still arrive
  let last = 0;

  const frame = () => Math.floor(position);
  const rate = () => speed * Math.max(6, planned / 4); // a full run lasts about 4 s at 1x

  function set(p) {
    const before = frame();
    position = Math.max(0, Math.min(p, length - 1));
    if (frame() !== before) onFrame(frame());
  }

  function tick(now) {
    if (!playing) return;
    const dt = Math.min((now - last) / 1000, 0.1);
    last = now;
    set(position + dt * rate());
    if (position >= length - 1 && !waiting()) {
      pause();
      return;
    }
    requestAnimationFrame(tick);
  }

  function play() {
    if (playing) return;
    if (position >= length - 1 && !waiting()) position = 0;
    playing = true;
    onPlayingChange(true);
    last = performance.now();
    requestAnimationFrame(tick);
  }

  function pause() {
    if (!playing) return;
    playing = false;
    onPlayingChange(false);
  }

  return {
    frame,
    get playing() { return playing; },
    play,
    pause,
    toggle: () => (playing ? pause() : play()),
    seek: (k) => { pause(); set(k); },
    step: (d) => { pause(); set(frame() + d); },
    restart: () => { set(0); onFrame(0); play(); },
    setSpeed: (s) => { speed = s; },
    setLength: (n, plannedPoints = n) => { length = Math.max(1, n); planned = Math.max(1, plannedPoints); if (position > length - 1) set(length - 1); },
    setWaiting: (fn) => { waiting = fn; },
    length: () => length,
  };
}
