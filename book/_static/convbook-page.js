/* convbook: small page behaviours the themes leave out.
 *
 * 1. Sidebar buttons. pydata-sphinx-theme renders a hidden `.primary-toggle`
 *    (and `.secondary-toggle`) in its header and binds its click handler (the
 *    one that opens the sidebar as a dialog on narrow screens) to the first
 *    such button only; sphinx-book-theme binds its wide-screen handler (hide
 *    the chapter list) to the same first button. The buttons a reader sees are
 *    sphinx-book-theme's, in the article header, and receive nothing. A click
 *    on any later button is passed on to the first, so both themes' handlers
 *    run exactly as designed, by mouse and by keyboard (Enter and Space click
 *    a <button>).
 *
 * 2. Sideways scrolling that shows. A wide table or formula that does not fit
 *    a phone's column scrolls inside its own box; such a box gets a tab stop
 *    (so a keyboard can scroll it), and a `data-scroll` attribute saying on
 *    which sides more content hides ("start", "end" or "both"), which
 *    convbook.css turns into a fade at that edge.
 *
 * 3. Names for what the themes leave unnamed: the chapter list's
 *    expand/collapse <summary> (an icon only) is named after its chapter, a
 *    code fold's <summary> is named by its visible words, the
 *    book's title link in the sidebar sits in a navigation landmark, and the
 *    print-only page title is dropped where a page has none.
 */
(() => {
  "use strict";

  function forwardToggles(selector) {
    const [first, ...others] = document.querySelectorAll(selector);
    if (!first) {
      return;
    }
    others.forEach((button) => {
      button.addEventListener("click", (event) => {
        event.preventDefault();
        event.stopPropagation();
        first.click();
      });
    });
  }

  const SCROLLERS = [
    ".bd-article div.math",
    ".bd-article .pst-scrollable-table-container",
    ".bd-article table:not(.pst-scrollable-table-container table)",
  ].join(", ");

  function markScroll(box) {
    const more = box.scrollWidth - box.clientWidth;
    if (more <= 1) {
      box.removeAttribute("data-scroll");
      if (box.dataset.convbookTab) {
        box.removeAttribute("tabindex");
        delete box.dataset.convbookTab;
      }
      return;
    }
    if (!box.hasAttribute("tabindex")) {
      box.setAttribute("tabindex", "0");
      box.dataset.convbookTab = "1";
    }
    const left = box.scrollLeft > 1;
    const right = box.scrollLeft < more - 1;
    box.dataset.scroll = left && right ? "both" : left ? "start" : "end";
  }

  function watchScrollers() {
    const boxes = Array.from(document.querySelectorAll(SCROLLERS));
    const update = () => boxes.forEach(markScroll);
    boxes.forEach((box) =>
      box.addEventListener("scroll", () => markScroll(box), { passive: true }),
    );
    window.addEventListener("resize", update);
    if (window.ResizeObserver) {
      const observer = new ResizeObserver(update);
      boxes.forEach((box) => observer.observe(box));
    }
    update();
  }

  function nameUnnamed() {
    document.querySelectorAll(".bd-sidebar summary, dialog summary").forEach((summary) => {
      if (summary.textContent.trim() || summary.hasAttribute("aria-label")) {
        return;
      }
      const link = summary.parentElement.closest("li")?.querySelector("a");
      const title = link ? link.textContent.trim() : "this part";
      summary.setAttribute("aria-label", `Sections of ${title}`);
    });
    // myst-nb's fold toggles say "Show code cell source" but are labelled
    // "Toggle hidden content"; the visible words are the better name.
    document.querySelectorAll("summary[aria-label]").forEach((summary) => {
      const text = summary.textContent.replace(/\s+/g, " ").trim();
      if (text && !summary.getAttribute("aria-label").includes(text)) {
        summary.removeAttribute("aria-label");
      }
    });
    const brand = document.querySelector(".bd-sidebar-primary .navbar-brand");
    const item = brand && brand.closest(".sidebar-primary-item");
    if (item && !item.closest("nav, [role=navigation]")) {
      item.setAttribute("role", "navigation");
      item.setAttribute("aria-label", "Book");
    }
    const printTitle = document.querySelector("#jb-print-docs-body > h1");
    if (printTitle && !printTitle.textContent.trim()) {
      printTitle.remove();
    }
  }

  function start() {
    nameUnnamed();
    forwardToggles(".primary-toggle");
    forwardToggles(".secondary-toggle");
    watchScrollers();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
