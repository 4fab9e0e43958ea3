// The header every page shares, built in JS: brand, page links, Copy link and an Export menu.
// A page passes its own export items; the markup and the Copy link behaviour live here once.
// Each page's HTML holds only `<header class="app-header" id="app-header"></header>`, which
// styles.css sizes, so the page does not move when the header is filled.

import { copyLink } from "./link.js";

const PAGES = [
  { href: "./", label: "Optimizers", id: "optimizers" },
  { href: "networks.html", label: "Networks", id: "networks" },
  { href: "maps.html", label: "Maps", id: "maps" },
];

// Fill `header` and return {id: button} for the export items ([{id, label, title?}]).
export function renderHeader(header, current, exportItems) {
  header.className = "app-header";
  header.innerHTML = `
    <a class="brand" href="./" aria-label="Gradscape home"><span class="brand-mark" aria-hidden="true"></span>Gradscape</a>
    <nav class="nav" aria-label="Pages"></nav>
    <div class="header-actions">
      <button type="button" class="btn btn-ghost" id="copy-link" title="Copy a link to exactly this view">Copy link</button>
      <details class="menu" id="export-menu"><summary class="btn btn-ghost">Export</summary><div class="menu-items"></div></details>
    </div>`;
  const nav = header.querySelector(".nav");
  for (const page of PAGES) {
    const a = document.createElement("a");
    a.href = page.href;
    a.textContent = page.label;
    if (page.id === current) a.setAttribute("aria-current", "page");
    nav.append(a);
  }
  const copy = header.querySelector("#copy-link");
  copy.addEventListener("click", () => copyLink(copy));
  const menu = header.querySelector("#export-menu");
  const buttons = {};
  for (const item of exportItems) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "btn btn-ghost";
    b.id = item.id;
    b.textContent = item.label;
    if (item.title) b.title = item.title;
    b.addEventListener("click", () => { menu.open = false; });
    menu.querySelector(".menu-items").append(b);
    buttons[item.id] = b;
  }
  return buttons;
}
