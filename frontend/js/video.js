// Export the animation as a WebM video at the current view and speed: the plot as drawn now
// (Plotly.toImage once, or the 3D view's canvas) under the race overlay, composited onto a
// canvas each frame while the player plays from the start, recorded with MediaRecorder from the
// canvas's stream. The same composite, once, is the 3D view's PNG.

const TYPES = ["video/webm;codecs=vp9", "video/webm;codecs=vp8", "video/webm"];

function loadImage(src) {
  return new Promise((resolve, reject) => {
    const img = new Image();
    img.onload = () => resolve(img);
    img.onerror = () => reject(new Error("could not render the plot"));
    img.src = src;
  });
}

// The plot as drawn now (2D: Plotly.toImage; 3D: the scene's canvas) and a painter that lays
// it and the race overlay onto one canvas of the plot's size at the screen's pixel ratio.
async function compositor({ plot, overlay }) {
  const dpr = window.devicePixelRatio || 1;
  const width = plot.clientWidth;
  const height = plot.clientHeight;
  const background = plot._scene3d
    ? plot._scene3d.canvas
    : await loadImage(await Plotly.toImage(plot, { format: "png", width, height, scale: dpr }));
  const canvas = document.createElement("canvas");
  canvas.width = Math.round(width * dpr) & ~1; // even sizes, as video encoders want
  canvas.height = Math.round(height * dpr) & ~1;
  const ctx = canvas.getContext("2d");
  const paint = () => {
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.drawImage(background, 0, 0, canvas.width, canvas.height);
    if (overlay) ctx.drawImage(overlay, 0, 0, canvas.width, canvas.height);
  };
  paint();
  return { canvas, paint };
}

// The plot as drawn now, with the heads and arrows over it (if an overlay is given), as a PNG
// Blob.
export async function plotPNG(els) {
  const { canvas } = await compositor(els);
  return new Promise((resolve) => { canvas.toBlob(resolve, "image/png"); });
}

// Resolves with the video as a Blob once the player has played to the end.
// The plot (2D or 3D) stays still while the race moves on the overlay, so one image of it is
// the background of every frame.
export async function recordVideo({ plot, overlay, player }) {
  if (typeof MediaRecorder === "undefined") throw new Error("this browser has no MediaRecorder");
  const mimeType = TYPES.find((t) => MediaRecorder.isTypeSupported(t));
  if (!mimeType) throw new Error("this browser cannot record WebM");
  const { canvas, paint } = await compositor({ plot, overlay });
  paint();
  const recorder = new MediaRecorder(canvas.captureStream(30), { mimeType, videoBitsPerSecond: 4e6 });
  const chunks = [];
  recorder.ondataavailable = (e) => e.data.size && chunks.push(e.data);
  const stopped = new Promise((resolve) => { recorder.onstop = resolve; });
  recorder.start(250);
  player.restart();
  await new Promise((resolve) => {
    const tick = () => {
      paint();
      if (player.playing) requestAnimationFrame(tick);
      else setTimeout(resolve, 400); // hold the last frame a moment
    };
    requestAnimationFrame(tick);
  });
  paint();
  recorder.stop();
  await stopped;
  return new Blob(chunks, { type: "video/webm" });
}
