/* convbook widgets: the shape calculator, the layer-2 explorer and the
   sliding window. Plain JavaScript without dependencies. The page already
   holds each widget's controls and its starting state, written by the
   package (convbook.widgets); this script only makes them move.

   The arithmetic is exported as window.convbookWidgets so that the browser
   tests can sweep it against the package: every rule here mirrors one in
   convbook's geometry (output size, the two "same" rules, receptive fields,
   the convolution itself). */
(function () {
  "use strict";
  var MINUS = "\u2212";
  var LIMITS = { size: [1, 4096], kernel: [1, 64], stride: [1, 64],
    padding: [0, 64], dilation: [1, 64] };

  /* ---- arithmetic (mirrors convbook) ---------------------------------- */

  function span(kernel, dilation) { return dilation * (kernel - 1) + 1; }

  function fdiv(a, b) { return Math.floor(a / b); }

  /* One axis: {size, kernel, stride, padding, dilation, rule}. Returns the
     padding applied, the output size and the rows no window reads, or
     {error} when no output exists. */
  function resolveAxis(o) {
    var k2 = span(o.kernel, o.dilation), before, after, total;
    if (o.rule === "valid") {
      before = after = 0;
    } else if (o.rule === "pytorch-same") {
      if (o.stride !== 1) {
        return { error: "PyTorch refuses padding=\"same\" at stride " +
          o.stride + ": it is defined for stride 1 only. TensorFlow's " +
          "\"SAME\" works at any stride." };
      }
      total = k2 - 1;
      before = fdiv(total, 2);
      after = total - before;
    } else if (o.rule === "tensorflow-same") {
      var wanted = fdiv(o.size + o.stride - 1, o.stride);
      total = Math.max((wanted - 1) * o.stride + k2 - o.size, 0);
      before = fdiv(total, 2);
      after = total - before;
    } else {
      before = after = o.padding;
    }
    var padded = o.size + before + after;
    if (k2 > padded) {
      return { before: before, after: after, error: "No window fits: the " +
        "dilated kernel spans " + k2 + " rows but the padded input has " +
        "only " + padded + " (" + o.size + " + " + before + " + " + after +
        ")." };
    }
    var room = padded - k2, out = fdiv(room, o.stride) + 1;
    return { before: before, after: after, span: k2, padded: padded,
      room: room, output: out, unread: unreadRows(o.size, o.kernel,
        o.stride, before, o.dilation, out),
      trailing: padded - ((out - 1) * o.stride + k2) };
  }

  /* Input rows (unpadded numbering) that no tap of any window reads. */
  function unreadRows(size, kernel, stride, before, dilation, out) {
    var read = new Uint8Array(size), n, t, r, rows = [];
    for (n = 0; n < out; n++) {
      for (t = 0; t < kernel; t++) {
        r = n * stride + t * dilation - before;
        if (r >= 0 && r < size) read[r] = 1;
      }
    }
    for (r = 0; r < size; r++) if (!read[r]) rows.push(r);
    return rows;
  }

  /* Receptive fields after each layer of a chain, as convbook's
     receptive_fields: layers are {kernel, stride, before, dilation}. */
  function fields(layers) {
    var size = 1, jump = 1, start = 0, result = [];
    layers.forEach(function (l) {
      size += l.dilation * (l.kernel - 1) * jump;
      start -= l.before * jump;
      jump *= l.stride;
      result.push({ size: size, jump: jump, start: start });
    });
    return result;
  }

  /* First and last input row of unit `index`, clipped to [0, limit). */
  function region(field, index, limit) {
    var first = field.start + index * field.jump;
    return [Math.max(first, 0), Math.min(first + field.size - 1, limit - 1)];
  }

  /* One value of a convolution: x is C x H x W (nested arrays), w the
     C x kh x kw filter, padding [[top, bottom], [left, right]]. */
  function unit(x, w, bias, stride, padding, dilation, i, j) {
    var total = bias, H = x[0].length, W = x[0][0].length;
    for (var c = 0; c < w.length; c++) {
      for (var u = 0; u < w[c].length; u++) {
        var r = stride * i + dilation * u - padding[0][0];
        if (r < 0 || r >= H) continue;
        for (var v = 0; v < w[c][u].length; v++) {
          var s = stride * j + dilation * v - padding[1][0];
          if (s >= 0 && s < W) total += w[c][u][v] * x[c][r][s];
        }
      }
    }
    return total;
  }

  /* A whole convolution (PyTorch layout): K x Ho x Wo. */
  function conv2d(x, w, b, stride, padding, dilation) {
    var kh = w[0][0].length, kw = w[0][0][0].length;
    var ho = fdiv(x[0].length + padding[0][0] + padding[0][1] -
      span(kh, dilation), stride) + 1;
    var wo = fdiv(x[0][0].length + padding[1][0] + padding[1][1] -
      span(kw, dilation), stride) + 1;
    return w.map(function (wk, k) {
      var rows = [];
      for (var i = 0; i < ho; i++) {
        var row = [];
        for (var j = 0; j < wo; j++) {
          row.push(unit(x, wk, b[k], stride, padding, dilation, i, j));
        }
        rows.push(row);
      }
      return rows;
    });
  }

  function relu(a) {
    return a.map(function (m) {
      return m.map(function (row) {
        return row.map(function (v) { return v > 0 ? v : 0; });
      });
    });
  }

  /* ---- text shared with the package's static markup ------------------- */

  function num(v) { return String(v).replace("-", MINUS); }

  /* a / b to at most three decimals, rounded half up, "≈" when inexact. */
  function decimal(a, b) {
    var r = fdiv(2000 * a + b, 2 * b), text = String(fdiv(r, 1000));
    var frac = String(r % 1000);
    frac = ("00" + frac).slice(-3).replace(/0+$/, "");
    return ((1000 * a) % b ? "\u2248" : "") + text + (frac ? "." + frac : "");
  }

  function formula(o, g) {
    return "o = \u230a(" + o.size + " + " + g.before + " + " + g.after +
      " " + MINUS + " " + g.span + ") / " + o.stride + "\u230b + 1 = \u230a" +
      decimal(g.room, o.stride) + "\u230b + 1 = " + g.output;
  }

  function rowList(rows) {
    if (!rows.length) return "none";
    var shown = rows.length > 12 ? rows.slice(0, 10) : rows;
    return shown.join(", ") + (rows.length > 12 ?
      ", \u2026 (" + rows.length + " rows)" : "");
  }

  /* ---- shape calculator ------------------------------------------------ */

  function field(root, name) { return root.querySelector("[name='" + name + "']"); }

  function readInt(root, name, key, label) {
    var el = field(root, name), lim = LIMITS[key];
    var text = el.value.trim(), v = Number(text);
    if (!/^[0-9]+$/.test(text) || v < lim[0] || v > lim[1]) {
      throw new Error("Enter a whole number from " + lim[0] + " to " +
        lim[1] + " for the " + label + ".");
    }
    return v;
  }

  function readLayer(root, suffix, size) {
    var rule = field(root, "rule" + suffix).value;
    field(root, "padding" + suffix).disabled = rule !== "explicit";
    return { size: size, rule: rule,
      kernel: readInt(root, "kernel" + suffix, "kernel", "kernel size"),
      stride: readInt(root, "stride" + suffix, "stride", "stride"),
      dilation: readInt(root, "dilation" + suffix, "dilation", "dilation"),
      padding: rule === "explicit" ?
        readInt(root, "padding" + suffix, "padding", "padding") : 0 };
  }

  function show(root, role, text) {
    var el = root.querySelector("[data-role='" + role + "']");
    if (el) el.textContent = text;
  }

  function fail(root, suffix, message) {
    var out = field(root, "size" + suffix + "-out");
    out.value = "";
    out.setAttribute("data-error", "");
    field(root, "padding" + suffix + "-out").value = "";
    show(root, "formula" + suffix, message);
    show(root, "unread" + suffix, "");
  }

  function layerText(root, suffix, o, g) {
    var out = field(root, "size" + suffix + "-out");
    out.removeAttribute("data-error");
    out.value = String(g.output);
    field(root, "padding" + suffix + "-out").value = g.before + ", " + g.after;
    show(root, "formula" + suffix, formula(o, g));
    show(root, "unread" + suffix, "Input rows that no window reads: " +
      rowList(g.unread) + ".");
  }

  function updateCalculator(root) {
    var o1, g1, o2, g2;
    ["size2-out", "rf-out", "jump-out", "padding2-out"].forEach(function (n) {
      field(root, n).value = "";
    });
    show(root, "field", "");
    try {
      o1 = readLayer(root, "", readInt(root, "size", "size", "input size"));
    } catch (e) { fail(root, "", e.message); fail(root, "2", ""); return; }
    g1 = resolveAxis(o1);
    if (g1.error) {
      fail(root, "", g1.error);
      fail(root, "2", "The second layer needs the first layer's output.");
      return;
    }
    layerText(root, "", o1, g1);
    try { o2 = readLayer(root, "2", g1.output); } catch (e) {
      fail(root, "2", e.message); return;
    }
    g2 = resolveAxis(o2);
    if (g2.error) { fail(root, "2", g2.error); return; }
    layerText(root, "2", o2, g2);
    var f = fields([
      { kernel: o1.kernel, stride: o1.stride, before: g1.before, dilation: o1.dilation },
      { kernel: o2.kernel, stride: o2.stride, before: g2.before, dilation: o2.dilation }
    ])[1];
    field(root, "rf-out").value = String(f.size);
    field(root, "jump-out").value = String(f.jump);
    show(root, "field", "Second-layer unit 0 sees input rows " + num(f.start) +
      " to " + num(f.start + f.size - 1) + "; each next unit is " + f.jump +
      " rows further on.");
  }

  function initCalculator(root) {
    Array.prototype.forEach.call(root.querySelectorAll("input, select"),
      function (el) { el.disabled = false; });
    var handler = function () { updateCalculator(root); };
    root.addEventListener("input", handler);
    root.addEventListener("change", handler);
    updateCalculator(root);
  }

  /* ---- shared drawing --------------------------------------------------- */

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  /* A grid of rows r0..r1 and columns c0..c1; cell(r, c) fills a cell. */
  function grid(label, r0, r1, c0, c1, cell, tag) {
    var fig = el("figure", "cb-map"), g = el("div", "cb-grid"), r, c;
    g.style.gridTemplateColumns = "repeat(" + (c1 - c0 + 1) + ", 1fr)";
    g.setAttribute("aria-hidden", tag ? "false" : "true");
    for (r = r0; r <= r1; r++) {
      for (c = c0; c <= c1; c++) {
        var e = el(tag || "span", "cb-cell");
        e.setAttribute("data-r", r);
        e.setAttribute("data-c", c);
        cell(e, r, c);
        g.appendChild(e);
      }
    }
    fig.appendChild(g);
    fig.appendChild(el("figcaption", "", label));
    return fig;
  }

  function data(root) {
    return JSON.parse(root.querySelector("script.cb-data").textContent);
  }

  function mark(g, cls, test) {
    Array.prototype.forEach.call(g.querySelectorAll(".cb-cell"), function (e) {
      e.classList.toggle(cls, test(+e.getAttribute("data-r"),
        +e.getAttribute("data-c")));
    });
  }

  /* ---- layer-2 explorer -------------------------------------------------- */

  function initExplorer(root) {
    var d = data(root), H = d.x[0].length, W = d.x[0][0].length;
    var l1 = d.layers[0], l2 = d.layers[1];
    var pad1 = [[l1.padding, l1.padding], [l1.padding, l1.padding]];
    var pad2 = [[l2.padding, l2.padding], [l2.padding, l2.padding]];
    var a1 = relu(conv2d(d.x, d.w1, d.b1, l1.stride, pad1, l1.dilation));
    var H1 = a1[0].length, W1 = a1[0][0].length;
    var H2 = fdiv(H1 + 2 * l2.padding - span(l2.kernel, l2.dilation), l2.stride) + 1;
    var W2 = fdiv(W1 + 2 * l2.padding - span(l2.kernel, l2.dilation), l2.stride) + 1;
    var f = fields([
      { kernel: l1.kernel, stride: l1.stride, before: l1.padding, dilation: l1.dilation },
      { kernel: l2.kernel, stride: l2.stride, before: l2.padding, dilation: l2.dilation }
    ])[1];
    var lo = Math.min(f.start, 0);
    var hiR = Math.max(f.start + (H2 - 1) * f.jump + f.size - 1, H - 1);
    var hiC = Math.max(f.start + (W2 - 1) * f.jump + f.size - 1, W - 1);
    var k = d.unit[0];
    var maps = root.querySelector(".cb-maps");
    var gx = grid("Input X: " + H + " \u00d7 " + W + " pixels, zero padding " +
      "hatched; dotted cells lie beyond it", lo, hiR, lo, hiC,
      function (e, r, c) {
        var p = l1.padding;
        if (r < -p || c < -p || r >= H + p || c >= W + p) {
          e.classList.add("cb-beyond");
        } else if (r < 0 || c < 0 || r >= H || c >= W) {
          e.classList.add("cb-pad");
        }
      });
    var g1 = grid("First-layer map A\u207d\u00b9\u207e, padded by " + l2.padding,
      -l2.padding, H1 - 1 + l2.padding, -l2.padding, W1 - 1 + l2.padding,
      function (e, r, c) {
        if (r < 0 || c < 0 || r >= H1 || c >= W1) e.classList.add("cb-pad");
      });
    var g2 = grid("Second-layer map O\u207d\u00b2\u207e, channel " + k +
      ": choose a unit", 0, H2 - 1, 0, W2 - 1, function (e, r, c) {
      e.type = "button";
      e.setAttribute("data-k", k);
      e.setAttribute("data-i", r);
      e.setAttribute("data-j", c);
      e.setAttribute("tabindex", "-1");
      e.setAttribute("aria-label", "unit " + k + ", row " + r + ", column " + c);
    }, "button");
    g2.querySelector(".cb-grid").setAttribute("role", "group");
    g2.querySelector(".cb-grid").setAttribute("aria-label",
      "Second-layer units; arrow keys move between them");
    maps.textContent = "";
    [gx, g1, g2].forEach(function (g) { maps.appendChild(g); });
    var buttons = g2.querySelectorAll("button");

    function select(i, j) {
      var idx = d.channels.indexOf(k);
      var value = unit(a1, d.w2[idx], d.b2[idx], l2.stride, pad2, l2.dilation, i, j);
      var rows = region(f, i, H), cols = region(f, j, W);
      var r0 = f.start + i * f.jump, c0 = f.start + j * f.jump;
      mark(gx, "cb-on", function (r, c) {
        return r >= r0 && r < r0 + f.size && c >= c0 && c < c0 + f.size;
      });
      var top = l2.stride * i - l2.padding, left = l2.stride * j - l2.padding;
      mark(g1, "cb-on", function (r, c) {
        var u = r - top, v = c - left;
        return u >= 0 && v >= 0 && u % l2.dilation === 0 &&
          v % l2.dilation === 0 && u / l2.dilation < l2.kernel &&
          v / l2.dilation < l2.kernel;
      });
      Array.prototype.forEach.call(buttons, function (b) {
        var on = +b.getAttribute("data-i") === i && +b.getAttribute("data-j") === j;
        b.classList.toggle("cb-on", on);
        b.setAttribute("aria-pressed", on ? "true" : "false");
        b.setAttribute("tabindex", on ? "0" : "-1");
      });
      field(root, "value-out").value = value.toPrecision(6);
      field(root, "field-out").value = rows.join("-") + "," + cols.join("-");
      show(root, "unit", "(" + k + ", " + i + ", " + j + ")");
    }

    g2.addEventListener("click", function (e) {
      var b = e.target.closest("button");
      if (b) select(+b.getAttribute("data-i"), +b.getAttribute("data-j"));
    });
    ["focusin", "mouseover"].forEach(function (type) {
      g2.addEventListener(type, function (e) {
        var b = e.target.closest("button");
        if (b) select(+b.getAttribute("data-i"), +b.getAttribute("data-j"));
      });
    });
    g2.addEventListener("keydown", function (e) {
      var b = e.target.closest("button"), moves = { ArrowUp: [-1, 0],
        ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
      if (!b || !moves[e.key]) return;
      e.preventDefault();
      var i = Math.min(Math.max(+b.getAttribute("data-i") + moves[e.key][0], 0), H2 - 1);
      var j = Math.min(Math.max(+b.getAttribute("data-j") + moves[e.key][1], 0), W2 - 1);
      buttons[i * W2 + j].focus();
    });
    select(d.unit[1], d.unit[2]);
  }

  /* ---- sliding window ------------------------------------------------------ */

  function slidingState(d, stride, padding, dilation) {
    var H = d.x.length, W = d.x[0].length, kh = d.w.length, kw = d.w[0].length;
    var gh = resolveAxis({ size: H, kernel: kh, stride: stride, padding: padding,
      dilation: dilation, rule: "explicit" });
    var gw = resolveAxis({ size: W, kernel: kw, stride: stride, padding: padding,
      dilation: dilation, rule: "explicit" });
    if (gh.error || gw.error) return { error: gh.error || gw.error };
    var pad = [[padding, padding], [padding, padding]];
    return { H: H, W: W, kh: kh, kw: kw, ho: gh.output, wo: gw.output,
      stride: stride, padding: padding, dilation: dilation,
      out: conv2d([d.x], [[d.w]], [0], stride, pad, dilation)[0] };
  }

  /* "O[i, j] = x·w + ... = total", the products in reading order. */
  function sumText(d, s, i, j) {
    var terms = [], u, v, r, c, x;
    for (u = 0; u < s.kh; u++) {
      for (v = 0; v < s.kw; v++) {
        r = s.stride * i + s.dilation * u - s.padding;
        c = s.stride * j + s.dilation * v - s.padding;
        x = r >= 0 && c >= 0 && r < s.H && c < s.W ? d.x[r][c] : 0;
        terms.push(num(x) + "\u00b7" + (d.w[u][v] < 0 ? "(" + num(d.w[u][v]) + ")" : num(d.w[u][v])));
      }
    }
    return "O[" + i + ", " + j + "] = " + terms.join(" + ") + " = " + num(s.out[i][j]);
  }

  function initSliding(root) {
    var d = data(root), step = d.step, timer = null, s;
    var maps = root.querySelector(".cb-maps");
    var reduce = window.matchMedia &&
      window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    Array.prototype.forEach.call(root.querySelectorAll("select, button"),
      function (e) { e.disabled = false; });

    function draw() {
      var n = s.ho * s.wo, i = fdiv(step, s.wo), j = step % s.wo;
      var top = s.stride * i - s.padding, left = s.stride * j - s.padding;
      var hiR = Math.max(s.H - 1 + s.padding, top + span(s.kh, s.dilation) - 1);
      var hiC = Math.max(s.W - 1 + s.padding, left + span(s.kw, s.dilation) - 1);
      maps.textContent = "";
      maps.appendChild(grid("Input, padded by " + s.padding, -s.padding, hiR,
        -s.padding, hiC, function (e, r, c) {
          var inside = r >= 0 && c >= 0 && r < s.H && c < s.W;
          var u = r - top, v = c - left;
          e.textContent = num(inside ? d.x[r][c] : 0);
          if (!inside) e.classList.add("cb-pad");
          if (u >= 0 && v >= 0 && u % s.dilation === 0 && v % s.dilation === 0 &&
              u / s.dilation < s.kh && v / s.dilation < s.kw) e.classList.add("cb-on");
        }));
      maps.appendChild(grid("Kernel", 0, s.kh - 1, 0, s.kw - 1, function (e, r, c) {
        e.textContent = num(d.w[r][c]);
        e.classList.add("cb-on");
      }));
      maps.appendChild(grid("Output", 0, s.ho - 1, 0, s.wo - 1, function (e, r, c) {
        var at = r * s.wo + c;
        e.textContent = at <= step ? num(s.out[r][c]) : "";
        if (at === step) e.classList.add("cb-on");
      }));
      show(root, "position", "Position " + (step + 1) + " of " + n +
        ": output row " + i + ", column " + j + ".");
      show(root, "sum", sumText(d, s, i, j));
      field(root, "back").disabled = step === 0;
      field(root, "step").disabled = step === n - 1;
      field(root, "play").disabled = timer !== null || step === n - 1;
      field(root, "pause").disabled = timer === null;
    }

    function pause() {
      if (timer !== null) { clearInterval(timer); timer = null; }
    }

    function setup() {
      pause();
      var next = slidingState(d, +field(root, "stride").value,
        +field(root, "padding").value, +field(root, "dilation").value);
      if (next.error) {
        show(root, "sum", next.error);
        return;
      }
      s = next;
      step = Math.min(step, s.ho * s.wo - 1);
      draw();
    }

    root.addEventListener("change", function () { step = 0; setup(); });
    field(root, "step").addEventListener("click", function () {
      step = Math.min(step + 1, s.ho * s.wo - 1); draw();
    });
    field(root, "back").addEventListener("click", function () {
      pause(); step = Math.max(step - 1, 0); draw();
    });
    field(root, "pause").addEventListener("click", function () {
      pause(); draw(); field(root, "play").focus();
    });
    field(root, "play").addEventListener("click", function () {
      if (step === s.ho * s.wo - 1) return;
      timer = setInterval(function () {
        step += 1;
        if (step >= s.ho * s.wo - 1) { step = s.ho * s.wo - 1; pause(); }
        draw();
      }, reduce ? 1500 : 800);
      draw();
      field(root, "pause").focus();
    });
    setup();
  }

  /* ---- start ------------------------------------------------------------- */

  var api = { span: span, resolveAxis: resolveAxis, unreadRows: unreadRows,
    fields: fields, region: region, unit: unit, conv2d: conv2d, relu: relu,
    decimal: decimal, formula: formula, sumText: sumText,
    slidingState: slidingState };
  window.convbookWidgets = api;

  /* A widget comes alive (its controls enabled, its maps drawn) when it
     comes within a screen's height of the window, not while the page
     loads: building a widget's maps restyles and lays out its part of the
     page, work that a reader who never scrolls that far should not wait
     for. Until then it shows the starting state the page holds. */
  function start() {
    var inits = { "shape-calculator": initCalculator,
      "layer2-explorer": initExplorer, "sliding-window": initSliding };
    var roots = document.querySelectorAll("[data-widget]");
    function begin(root) {
      var init = inits[root.getAttribute("data-widget")];
      if (init && !root.classList.contains("cb-live")) {
        init(root);
        root.classList.add("cb-live");
      }
    }
    if (!window.IntersectionObserver) {
      Array.prototype.forEach.call(roots, begin);
      return;
    }
    var near = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (entry.isIntersecting) {
          near.unobserve(entry.target);
          begin(entry.target);
        }
      });
    }, { rootMargin: "100% 0px" });
    Array.prototype.forEach.call(roots, function (root) { near.observe(root); });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
