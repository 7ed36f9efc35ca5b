// Render TeX to HTML with KaTeX, for the Sphinx extension prerender_math.py.
//
// Reads one JSON request per line on standard input,
//   {"tex": "...", "display": true}
// and answers each with one JSON line on standard output:
//   {"html": "...", "warnings": [...]}   or   {"error": "...", "html": "..."}
// where the error's "html" is KaTeX's own error markup (class katex-error).
// The first argument is the path of KaTeX's katex.js (from the npm package).
"use strict";

const readline = require("node:readline");
const katex = require(process.argv[2]);

function options(display, warnings) {
  return {
    displayMode: display,
    output: "htmlAndMathml", // MathML is what screen readers read
    throwOnError: true,
    trust: false,
    // LaTeX-incompatible input (e.g. Unicode in math) is reported, so the
    // build can fail on it, instead of being printed to the console.
    strict: (code, message) => {
      warnings.push(`${code}: ${message}`);
      return "ignore";
    },
  };
}

const lines = readline.createInterface({ input: process.stdin });
lines.on("line", (line) => {
  const request = JSON.parse(line);
  const warnings = [];
  let answer;
  try {
    const html = katex.renderToString(
      request.tex,
      options(request.display, warnings),
    );
    answer = { html, warnings };
  } catch (error) {
    const fallback = { ...options(request.display, []), throwOnError: false };
    answer = {
      error: String(error.message || error),
      html: katex.renderToString(request.tex, fallback),
    };
  }
  process.stdout.write(JSON.stringify(answer) + "\n");
});
