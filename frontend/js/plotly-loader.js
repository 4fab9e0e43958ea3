// plotly.js (4.8 MB) loads beside the page's own start-up, not before it: the catalog, grid and
// runs are fetched while it downloads and parses. Resolves with window.Plotly.

export function loadPlotly() {
  return new Promise((resolve, reject) => {
    if (window.Plotly) {
      resolve(window.Plotly);
      return;
    }
    const script = document.getElementById("plotly-js");
    script.addEventListener("load", () => resolve(window.Plotly));
    script.addEventListener("error", () => reject(new Error("could not load plotly.js")));
  });
}
