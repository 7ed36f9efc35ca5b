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
 *    convbook.css turns into a fade at that edge. Code blocks and cell
 *    outputs that scroll get a tab stop too (the theme's job, which its
 *    script did for the whole page at once when it had loaded; the book's
 *    build takes that call out, see book/_ext/theme_scripts.py). Boxes are
 *    measured as they come near the screen and the rest when the browser is
 *    idle, so that measuring never lays out the whole page before it is
 *    ready.
 *
 * 3. Names for what the themes leave unnamed: the chapter list's
 *    expand/collapse <summary> (an icon only) is named after its chapter, a
 *    code fold's <summary> is named by its visible words, the
 *    book's title link in the sidebar sits in a navigation landmark, and the
 *    print-only page title is dropped where a page has none.
 *
 * 4. Figures open at full size. Each figure's image becomes the content of a
 *    button (its alt text stays its name, "open at full size" is added);
 *    Enter, Space, a click or a tap opens the picture in a modal <dialog>
 *    at least as wide as the figure was drawn (1.5x where the screen has
 *    room), scrolling inside the dialog on a phone. Esc, the Close button or
 *    a click on the picture closes it, and focus returns to the figure.
 *
 * 5. A link into a chapter stays on its target. The browser skips laying
 *    out sections far below the screen (convbook.css) and keeps a jump's
 *    target in place only until the page has loaded; blocks above the
 *    target that it draws after that would push the target down. So the
 *    section holding the target of the address's #fragment gets the class
 *    `convbook-jump`, and convbook.css draws that section whole at once;
 *    for a second after the jump (after `load` for a page opened at a
 *    #fragment) the target is held where the jump put it while the
 *    sections around it are drawn, unless the reader scrolls or goes back.
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
  // The boxes pydata-sphinx-theme gives a tab stop when they scroll, either
  // way (its addTabStopsToScrollableElements, minus the table box above).
  // They get the tab stop only: no fade, so code looks as the theme draws it.
  const THEME_BOXES = [
    "pre",
    ".nboutput > .output_area",
    ".cell_output > .output",
    ".jp-RenderedHTMLCommon",
  ]
    .map((box) => `#main-content ${box}`)
    .join(", ");
  const TAB_ONLY = new WeakSet();

  // How far a box's content reaches beyond its width. A box that the
  // browser has not drawn yet (content-visibility: auto in convbook.css,
  // far from the screen) reports none, so it is laid out for the
  // measurement when `layOut` is set.
  function overflow(box, layOut) {
    if (!layOut) {
      return box.scrollWidth - box.clientWidth;
    }
    box.style.setProperty("content-visibility", "visible");
    const more = box.scrollWidth - box.clientWidth;
    box.style.removeProperty("content-visibility");
    if (!box.getAttribute("style")) {
      box.removeAttribute("style");
    }
    return more;
  }

  function markScroll(box, layOut = true) {
    if (TAB_ONLY.has(box)) {
      markTabStop(box, layOut);
      return;
    }
    const more = overflow(box, layOut);
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

  // A code block or cell output: a tab stop when it scrolls either way, as
  // the theme gave it (its own script no longer measures the whole page).
  function markTabStop(box, layOut) {
    if (layOut) {
      box.style.setProperty("content-visibility", "visible");
    }
    const scrolls =
      box.scrollWidth > box.clientWidth || box.scrollHeight > box.clientHeight;
    if (layOut) {
      box.style.removeProperty("content-visibility");
      if (!box.getAttribute("style")) {
        box.removeAttribute("style");
      }
    }
    if (scrolls && !box.hasAttribute("tabindex")) {
      box.setAttribute("tabindex", "0");
      box.dataset.convbookTab = "1";
    } else if (!scrolls && box.dataset.convbookTab) {
      box.removeAttribute("tabindex");
      delete box.dataset.convbookTab;
    }
  }

  // Measuring a box lays it out, formula and all, and convbook.css lets the
  // browser skip laying out what is far from the screen until it is needed.
  // So the boxes are measured as they come near the screen, and the others
  // a few at a time while the browser is idle after the page has loaded:
  // the page is ready without laying out its last formula, and every box
  // that scrolls has its tab stop soon after. A Tab pressed before that
  // measures the rest first, so the keyboard never skips a box. When all are
  // measured, <html> gets data-convbook-scrollers="measured".
  function watchScrollers() {
    const codeBoxes = Array.from(document.querySelectorAll(THEME_BOXES)).filter(
      (box) => !box.matches(SCROLLERS),
    );
    codeBoxes.forEach((box) => TAB_ONLY.add(box));
    const boxes = Array.from(document.querySelectorAll(SCROLLERS)).concat(codeBoxes);
    const pending = new Set(boxes);
    const widths = new WeakMap();
    const remeasure = (box) => {
      widths.set(box, box.clientWidth);
      markScroll(box);
    };
    const resized = window.ResizeObserver
      ? new ResizeObserver((entries) =>
          entries.forEach((entry) => {
            if (widths.get(entry.target) !== entry.target.clientWidth) {
              remeasure(entry.target);
            }
          }),
        )
      : null;
    const measure = (box) => {
      if (!pending.delete(box)) {
        return;
      }
      remeasure(box);
      if (!TAB_ONLY.has(box)) {
        box.addEventListener("scroll", () => markScroll(box, false), { passive: true });
      }
      if (resized) {
        resized.observe(box);
      }
      if (!pending.size) {
        document.documentElement.dataset.convbookScrollers = "measured";
      }
    };
    const measureAll = () => boxes.forEach(measure);
    if (!boxes.length) {
      document.documentElement.dataset.convbookScrollers = "measured";
      return;
    }
    if (window.IntersectionObserver) {
      const near = new IntersectionObserver(
        (entries) =>
          entries.forEach((entry) => {
            if (entry.isIntersecting) {
              near.unobserve(entry.target);
              measure(entry.target);
            }
          }),
        { rootMargin: "50% 0px" },
      );
      boxes.forEach((box) => near.observe(box));
    }
    const idle =
      window.requestIdleCallback ||
      ((step) =>
        setTimeout(() => {
          const end = performance.now() + 10;
          step({ timeRemaining: () => end - performance.now() });
        }, 50));
    const step = (deadline) => {
      for (const box of pending) {
        measure(box);
        if (deadline.timeRemaining() < 5) {
          break;
        }
      }
      if (pending.size) {
        idle(step);
      }
    };
    const start = () => idle(step);
    if (document.readyState === "complete") {
      start();
    } else {
      window.addEventListener("load", start, { once: true });
    }
    document.addEventListener(
      "keydown",
      (event) => {
        if (event.key === "Tab") {
          measureAll();
        }
      },
      { capture: true },
    );
    let width = window.innerWidth;
    window.addEventListener("resize", () => {
      if (window.innerWidth !== width) {
        width = window.innerWidth;
        boxes.filter((box) => !pending.has(box)).forEach(remeasure);
      }
    });
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

  let zoom = null;
  let opener = null;

  function zoomDialog() {
    if (zoom) {
      return zoom;
    }
    zoom = document.createElement("dialog");
    zoom.className = "convbook-zoom";
    zoom.setAttribute("aria-label", "Figure at full size");
    const close = document.createElement("button");
    close.type = "button";
    close.className = "convbook-zoom-close";
    close.textContent = "Close";
    const frame = document.createElement("div");
    frame.className = "convbook-zoom-frame";
    frame.tabIndex = 0; // the picture may scroll: a keyboard must reach it
    frame.append(document.createElement("img"));
    zoom.append(close, frame);
    close.addEventListener("click", () => zoom.close());
    frame.addEventListener("click", () => zoom.close());
    zoom.addEventListener("close", () => {
      if (opener) {
        opener.focus();
      }
    });
    document.body.append(zoom);
    return zoom;
  }

  function openZoom(button) {
    const source = button.querySelector("img");
    const dialog = zoomDialog();
    const picture = dialog.querySelector("img");
    // The width the figure was drawn for: a PNG's width attribute (it holds
    // twice as many pixels), else the image's own width.
    const drawn = Number(source.getAttribute("width")) || source.naturalWidth;
    const room = document.documentElement.clientWidth * 0.92;
    picture.src = source.currentSrc || source.src;
    picture.alt = source.alt;
    picture.style.width = `${Math.round(Math.max(drawn, Math.min(room, 1.5 * drawn)))}px`;
    opener = button;
    dialog.showModal();
    dialog.querySelector(".convbook-zoom-close").focus();
  }

  function enlargeFigures() {
    document.querySelectorAll(".bd-article figure img").forEach((img) => {
      if (img.closest("button, a")) {
        return;
      }
      const button = document.createElement("button");
      button.type = "button";
      button.className = "convbook-zoom-open";
      const hint = document.createElement("span");
      hint.className = "visually-hidden";
      hint.textContent = " (open at full size)";
      img.replaceWith(button);
      button.append(img, hint);
      button.addEventListener("click", () => openZoom(button));
    });
  }

  function holdJumpTarget() {
    let marked = null;
    let moved = false; // the reader has scrolled since the last jump
    const land = () => {
      let target = null;
      try {
        const id = decodeURIComponent(location.hash.slice(1));
        target = id ? document.getElementById(id) : null;
      } catch (error) {
        target = null; // a malformed #fragment names nothing
      }
      const section = target ? target.closest(".bd-article section") : null;
      if (section !== marked) {
        if (marked) {
          marked.classList.remove("convbook-jump");
        }
        if (section) {
          section.classList.add("convbook-jump");
        }
        marked = section;
      }
      return section ? target : null;
    };
    // For a second after the jump (after `load` for a page opened at a
    // #fragment: the browser holds the target until then), the target is
    // held where the jump put it while the sections around it are drawn,
    // unless the reader scrolls.
    const settle = (target) => {
      moved = false;
      let line = null;
      const until = performance.now() + 1000;
      const hold = () => {
        if (moved) {
          return;
        }
        if (line === null || Math.abs(target.getBoundingClientRect().top - line) > 1) {
          target.scrollIntoView();
          line = target.getBoundingClientRect().top;
        }
        if (performance.now() < until) {
          requestAnimationFrame(hold);
        }
      };
      requestAnimationFrame(hold);
    };
    ["wheel", "touchstart", "keydown", "mousedown"].forEach((type) =>
      window.addEventListener(type, () => (moved = true), { passive: true, capture: true }),
    );
    const first = land();
    if (first) {
      const settleFirst = () => settle(first);
      if (document.readyState === "complete") {
        settleFirst();
      } else {
        window.addEventListener("load", settleFirst, { once: true });
      }
    }
    // Going back or forward restores the place the reader left, which is
    // not the target's: only a new jump is held (where the browser says
    // which kind of navigation it is).
    let traverse = false;
    if (window.navigation) {
      window.navigation.addEventListener("navigate", (event) => {
        traverse = event.navigationType === "traverse";
      });
    }
    window.addEventListener("hashchange", () => {
      const target = land();
      if (target && !traverse) {
        settle(target);
      }
    });
  }

  function start() {
    holdJumpTarget();
    nameUnnamed();
    enlargeFigures();
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
