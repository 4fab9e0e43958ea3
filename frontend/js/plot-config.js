// Plotly's config for every plot on the site: nothing in the mode bar sends a chart off this
// machine (plotly.js 4 shows "Share chart" / Plotly Cloud upload unless told not to).

const CLOUD_BUTTONS = ["sendChartToCloud", "sendDataToCloud", "editInChartStudio"];

export const LOCAL_PLOT_CONFIG = {
  responsive: true,
  displaylogo: false,
  showSendToCloud: false,
  showEditInChartStudio: false,
  modeBarButtonsToRemove: CLOUD_BUTTONS,
};

// The same with more buttons removed (ids as in Plotly's modeBarButtonsToRemove).
export function plotConfig(remove = [], extra = {}) {
  return { ...LOCAL_PLOT_CONFIG, modeBarButtonsToRemove: [...CLOUD_BUTTONS, ...remove], ...extra };
}
