// Export the animation as a WebM video at the current view and speed: the plot as drawn now
// (Plotly.toImage, once) under the race overlay, composited onto a canvas each frame while the
// player plays from the start, recorded with MediaRecorder from the canvas's stream.

const TYPES = ["video/webm;codecs=vp9", "video/webm;codecs=vp8", "video/webm"];

function loadImage(src) {
  return new Promise((resolve, reject) => {
    const img = new Image();
    img.onload = () => resolve(img);
    img.onerror = () => reject(new Error("could not render the plot"));
    img.src = src;
  });
}

// Resolves with the video as a Blob once the player has played to the end.
// The plot (2D or 3D) stays still while the race moves on the overlay, so one image of it is
// the background of every frame.
export async function recordVideo({ plot, overlay, player }) {
  if (typeof MediaRecorder === "undefined") throw new Error("this browser has no MediaRecorder");
  const mimeType = TYPES.find((t) => MediaRecorder.isTypeSupported(t));
  if (!mimeType) throw new Error("this browser cannot record WebM");
  const dpr = window.devicePixelRatio || 1;
  const width = plot.clientWidth;
  const height = plot.clientHeight;
  const background = await loadImage(await Plotly.toImage(plot, { format: "png", width, height, scale: dpr }));
  const canvas = document.createElement("canvas");
  canvas.width = Math.round(width * dpr) & ~1; // even sizes, as video encoders want
  canvas.height = Math.round(height * dpr) & ~1;
  const ctx = canvas.getContext("2d");
  const paint = () => {
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.drawImage(background, 0, 0, canvas.width, canvas.height);
    ctx.drawImage(overlay, 0, 0, canvas.width, canvas.height);
  };
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
