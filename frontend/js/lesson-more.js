// On a phone the lesson card shows its text in two lines with a More/Less button for the rest,
// so the plot under the card stays in the first screen (styles.css clamps the text while the
// card's data-expanded is "false", below 641 px). Whoever fills the card only sets its text:
// a different text (another lesson) folds the card again; the same text set again (a redraw)
// leaves it as the viewer left it. Wider screens show the whole text and no button.

const NARROW = matchMedia("(max-width: 640px)");

// Give `card` a More/Less button for its `text` element, placed right after the text.
export function attachMoreToggle(card, text) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "lesson-more";
  button.id = `${text.id}-more`;
  button.setAttribute("aria-controls", text.id);
  text.after(button);

  const expanded = () => card.dataset.expanded === "true";
  // The button shows only where it does something: on a narrow screen, with text to reveal.
  const fit = () => {
    const clipped = text.scrollHeight > text.clientHeight + 1;
    button.hidden = !NARROW.matches || !(expanded() || clipped);
  };
  const set = (open) => {
    card.dataset.expanded = String(open);
    button.setAttribute("aria-expanded", String(open));
    button.textContent = open ? "Less" : "More";
    fit();
  };

  let shown = text.textContent;
  button.addEventListener("click", () => set(!expanded()));
  new MutationObserver(() => {
    if (text.textContent === shown) return fit();
    shown = text.textContent;
    set(false);
  }).observe(text, { childList: true, characterData: true, subtree: true });
  new MutationObserver(fit).observe(card, { attributes: true, attributeFilter: ["hidden"] });
  window.addEventListener("resize", fit);
  set(false);
}
