// Under software rendering (SwiftShader, llvmpipe: a browser without a GPU, as on this
// project's test machine) every WebGL sample is computed on the CPU, and the page waits for it
// each time the 3D scene is drawn. Plotly asks for an antialiased WebGL context for its 3D
// scenes (four samples a pixel) and has no option to ask otherwise, so inside the plot, and
// only under software rendering, the context is asked for without antialiasing.

let software = null;

// Whether WebGL runs on the CPU here (asked once, on a throwaway context).
export function softwareRendering() {
  if (software !== null) return software;
  const canvas = document.createElement("canvas");
  const gl = canvas.getContext("webgl");
  const info = gl?.getExtension("WEBGL_debug_renderer_info");
  const name = gl ? String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER)) : "";
  software = /swiftshader|llvmpipe|softpipe|software/i.test(name);
  gl?.getExtension("WEBGL_lose_context")?.loseContext();
  return software;
}

// WebGL contexts created for canvases inside `container` skip antialiasing when rendering is
// software. Other canvases are untouched.
export function plainWebGLInside(container) {
  const getContext = HTMLCanvasElement.prototype.getContext;
  HTMLCanvasElement.prototype.getContext = function patched(type, options) {
    if (/webgl/.test(type) && container.contains(this) && softwareRendering()) {
      return getContext.call(this, type, { ...options, antialias: false });
    }
    return getContext.call(this, type, options);
  };
}
