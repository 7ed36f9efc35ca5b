// The search page's additions (html_search_scorer: Sphinx puts this file in
// language_data.js, which only the search page loads, after searchtools.js).

// Chapters first: a page of the API reference ranks below every chapter.
Scorer.score = (result) => {
  const [docname, , , , score] = result;
  return docname.startsWith("api/") ? score - 100 : score;
};

// A snippet under each page result, cut from the text the build wrote to
// _static/convbook-search-text.js (search_snippets.py): no page is fetched,
// so this works for a site opened from files too.
document.addEventListener("DOMContentLoaded", () => {
  const results = document.getElementById("search-results");
  if (!results) return;
  const query = new URLSearchParams(window.location.search).get("q") || "";
  const words = query.toLowerCase().split(/\s+/).filter((w) => w.length > 1);
  const snippet = (text, from) => {
    const lower = text.toLowerCase();
    const hits = words.map((w) => lower.indexOf(w, from)).filter((i) => i >= 0);
    let start = hits.length ? Math.max(Math.min(...hits) - 80, from) : from;
    if (start > from) start = text.indexOf(" ", start) + 1;
    const end = Math.min(start + 220, text.length);
    const cut = end < text.length ? text.lastIndexOf(" ", end) : end;
    const body = text.slice(start, cut > start ? cut : end);
    return (start > 0 ? "… " : "") + body + (end < text.length ? " …" : "");
  };
  const addSnippets = () => {
    const texts = window.CONVBOOK_PAGE_TEXT || {};
    for (const item of results.querySelectorAll("li")) {
      const link = item.querySelector("a");
      if (item.querySelector("p.context") || !link || item.children.length > 1) {
        continue; // done already, or an API entry with its own description
      }
      const [page, anchor] = decodeURI(link.getAttribute("href")).split("#");
      const [text, sections] = texts[page.replace(/\.html$/, "")] || [];
      if (!text) continue;
      const context = item.appendChild(document.createElement("p"));
      context.className = "context";
      context.textContent = snippet(text, (anchor && sections[anchor]) || 0);
    }
  };
  const data = document.createElement("script");
  data.src = `${document.documentElement.dataset.content_root || ""}_static/convbook-search-text.js`;
  data.onload = () => {
    addSnippets();
    new MutationObserver(addSnippets).observe(results, { childList: true, subtree: true });
  };
  document.head.appendChild(data);
});
