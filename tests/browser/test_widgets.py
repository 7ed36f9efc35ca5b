"""The interactive figures in a real browser, checked against the package.

The sweep runs the widgets' own arithmetic (``window.convbookWidgets``, the
script the pages load) over a grid of sizes, kernels, strides, paddings (a
number, both ``same`` rules, ``valid``), dilations and unit positions, and
compares every result with :mod:`convbook`: output sizes, padding splits,
unread rows, receptive fields and unit values. The other tests drive each
widget as a reader would: by keyboard, on a phone-sized screen, in dark mode
and with reduced motion, with no console error.
"""

from __future__ import annotations

import itertools
import json
from urllib.parse import urlsplit

import numpy as np
import pytest

import convbook

pytestmark = pytest.mark.browser

PAGES = {
    "shape-calculator": "output-shape.html",
    "layer2-explorer": "second-layer.html",
    "sliding-window": "convolution-vs-correlation.html",
}
LOCAL = {"file", "data", "blob", "about"}


def _page(browser, site, name, *, width=1280, scheme="light", motion=None, js=True):
    """Open the page holding widget ``name``; return (context, page, errors)."""
    context = browser.new_context(
        viewport={"width": width, "height": 900},
        color_scheme=scheme,
        reduced_motion=motion,
        java_script_enabled=js,
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.route(
        "**/*",
        lambda route: (
            route.continue_()
            if urlsplit(route.request.url).scheme in LOCAL
            else route.abort()
        ),
    )
    page.goto((site / PAGES[name]).as_uri(), wait_until="load")
    if js:
        # A widget comes alive as it nears the window (convbook-widgets.js).
        page.locator(f'[data-widget="{name}"]').scroll_into_view_if_needed()
        page.wait_for_selector(f'[data-widget="{name}"].cb-live')
    return context, page, errors


def test_a_widget_far_below_the_screen_comes_alive_as_a_reader_nears_it(
    browser, site
) -> None:
    # On a phone the layer-2 explorer sits many screens down its chapter:
    # building its maps while the page loads would hold the page up.
    context = browser.new_context(viewport={"width": 375, "height": 800})
    try:
        page = context.new_page()
        page.goto((site / PAGES["layer2-explorer"]).as_uri(), wait_until="load")
        page.wait_for_timeout(500)
        widget = '[data-widget="layer2-explorer"]'
        top, live = page.evaluate(
            """(selector) => {
                const root = document.querySelector(selector);
                return [root.getBoundingClientRect().top,
                        root.classList.contains('cb-live')];
            }""",
            widget,
        )
        assert top > 2 * 800, f"the explorer is not far below the screen: {top}"
        assert not live, "the explorer came alive while far below the screen"
        page.locator(widget).scroll_into_view_if_needed()
        page.wait_for_selector(f"{widget}.cb-live", timeout=5_000)
    finally:
        context.close()


@pytest.fixture(scope="module")
def engine(browser, site):
    """A page whose ``window.convbookWidgets`` the sweep calls."""
    context, page, errors = _page(browser, site, "shape-calculator")
    yield page
    context.close()
    assert not errors, errors


# -- the sweep ----------------------------------------------------------------

RULES = {
    "explicit": None,
    "pytorch-same": "same",
    "tensorflow-same": "same-tf",
    "valid": "valid",
}


def _package_axis(size, kernel, stride, padding, dilation, rule):
    """convbook's geometry for one axis, or None where it refuses."""
    try:
        return convbook.resolve_axis(
            size,
            kernel,
            stride=stride,
            padding=padding if RULES[rule] is None else RULES[rule],
            dilation=dilation,
        )
    except ValueError:
        return None


def test_sweep_shapes_paddings_and_unread_rows(engine):
    cases = [
        {"size": i, "kernel": k, "stride": s, "padding": p, "dilation": d, "rule": r}
        for i, k, s, p, d in itertools.product(
            range(1, 13), range(1, 6), range(1, 5), range(4), range(1, 4)
        )
        for r in RULES
        if r == "explicit" or p == 0
    ]
    results = engine.evaluate(
        "cases => cases.map(o => window.convbookWidgets.resolveAxis(o))", cases
    )
    errors = same = 0
    for case, got in zip(cases, results, strict=True):
        args = [case[n] for n in ("size", "kernel", "stride", "padding", "dilation")]
        axis = _package_axis(*args, case["rule"])
        if axis is None:
            assert "error" in got, (case, got)
            errors += 1
            continue
        assert "error" not in got, (case, got)
        assert got["before"] == axis.before, case
        assert got["after"] == axis.after, case
        assert got["output"] == axis.output_size, case
        assert got["span"] == axis.span, case
        assert got["trailing"] == axis.unread, case
        assert got["unread"] == list(axis.unread_inputs()), case
        same += case["rule"] != "explicit"
    # The grid reaches every branch: refusals, both same rules, odd splits.
    assert errors > 100
    assert same > 500
    assert any(r["before"] != r["after"] for r in results if "error" not in r)


def test_sweep_receptive_fields(engine):
    rng = np.random.default_rng(12)
    chains = [
        [
            (int(k), int(s), int(p), int(d))
            for k, s, p, d in zip(
                rng.integers(1, 6, n),
                rng.integers(1, 4, n),
                rng.integers(0, 3, n),
                rng.integers(1, 3, n),
                strict=True,
            )
        ]
        for n in rng.integers(1, 5, 300)
    ]
    layers = [
        [{"kernel": k, "stride": s, "before": p, "dilation": d} for k, s, p, d in c]
        for c in chains
    ]
    got = engine.evaluate(
        """chains => chains.map(layers => {
            const fields = window.convbookWidgets.fields(layers);
            const last = fields[fields.length - 1];
            return {fields: fields,
                    regions: [0, 1, 5].map(
                        n => window.convbookWidgets.region(last, n, 9))};
        })""",
        layers,
    )
    for chain, result in zip(chains, got, strict=True):
        fields = convbook.receptive_fields(chain)
        assert [(f["size"], f["jump"], f["start"]) for f in result["fields"]] == [
            (f.size, f.stride, f.start) for f in fields
        ], chain
        for n, (first, last) in zip([0, 1, 5], result["regions"], strict=True):
            lo, hi = fields[-1].region(n)
            assert (first, last) == (max(lo, 0), min(hi, 8)), (chain, n)


def test_sweep_unit_values(engine):
    rng = np.random.default_rng(7)
    cases = []
    for stride, dilation, pads in itertools.product(
        (1, 2, 3), (1, 2), [((0, 0), (0, 0)), ((1, 1), (1, 1)), ((0, 2), (1, 0))]
    ):
        x = rng.standard_normal((2, 7, 6))
        w = rng.standard_normal((3, 2, 3, 2))
        b = rng.standard_normal(3)
        cases.append((x, w, b, stride, pads, dilation))
    got = engine.evaluate(
        """cases => cases.map(c =>
            window.convbookWidgets.conv2d(c[0], c[1], c[2], c[3], c[4], c[5]))""",
        [(x.tolist(), w.tolist(), b.tolist(), s, p, d) for x, w, b, s, p, d in cases],
    )
    for (x, w, b, stride, pads, dilation), values in zip(cases, got, strict=True):
        expected = convbook.conv2d(
            x, w, b, stride=stride, padding=pads, dilation=dilation
        )
        assert np.asarray(values).shape == expected.shape
        np.testing.assert_allclose(values, expected, rtol=0, atol=1e-12)


# -- the widgets on their pages ----------------------------------------------


def _state(page, name):
    """Every output and every text line of a widget, in order."""
    return page.evaluate(
        """name => {
            const root = document.querySelector(`[data-widget="${name}"]`);
            const out = [...root.querySelectorAll("output")].map(
                o => [o.getAttribute("name"), o.value || o.textContent]);
            const text = [...root.querySelectorAll("[data-role]")].map(
                e => [e.dataset.role, e.textContent]);
            return [out, text];
        }""",
        name,
    )


@pytest.mark.parametrize("name", sorted(PAGES))
def test_widget_starts_as_the_page_reads_without_javascript(browser, site, name):
    context, page, _ = _page(browser, site, name, js=False)
    static = _state(page, name)
    context.close()
    context, page, errors = _page(browser, site, name)
    live = _state(page, name)
    context.close()
    assert live == static
    assert not errors, errors


@pytest.mark.parametrize("name", sorted(PAGES))
def test_no_block_holding_a_widget_is_skipped_while_off_screen(browser, site, name):
    # content-visibility: auto skips a block far from the screen; a widget in
    # such a block reads as empty right after a control changes it.
    context, page, _ = _page(browser, site, name)
    try:
        skipped = page.evaluate(
            """(name) => {
                const out = [];
                let el = document.querySelector(`[data-widget="${name}"]`);
                for (; el; el = el.parentElement) {
                    const cv = getComputedStyle(el).contentVisibility;
                    if (cv !== "visible") out.push(`${el.tagName}: ${cv}`);
                }
                return out;
            }""",
            name,
        )
        assert skipped == [], f"{name} sits in a block the browser may skip: {skipped}"
    finally:
        context.close()


@pytest.mark.parametrize("name", sorted(PAGES))
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_widget_fits_a_phone_and_reads_in_both_modes(browser, site, name, scheme):
    context, page, errors = _page(browser, site, name, width=375, scheme=scheme)
    try:
        widths = page.evaluate(
            "() => [document.documentElement.scrollWidth, window.innerWidth]"
        )
        assert widths[0] <= widths[1], f"page scrolls sideways: {widths}"
        box = page.locator(f'[data-widget="{name}"]').bounding_box()
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= 375
        contrast = page.evaluate(
            """name => {
                const lum = c => {
                    const [r, g, b] = c.match(/\\d+(\\.\\d+)?/g).slice(0, 3).map(Number)
                        .map(v => v / 255).map(v => v <= 0.03928 ? v / 12.92
                            : Math.pow((v + 0.055) / 1.055, 2.4));
                    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
                };
                const root = document.querySelector(`[data-widget="${name}"]`);
                const fg = lum(getComputedStyle(root.querySelector("p")).color);
                let box = root.querySelector("p");  // the nearest opaque background
                while (box && /rgba\\(.*, 0\\)|transparent/.test(
                        getComputedStyle(box).backgroundColor)) box = box.parentElement;
                const bg = lum(getComputedStyle(box || document.body).backgroundColor);
                // The widget sits on the page itself, not on a box of another
                // colour (the theme boxes HTML outputs in light grey in dark mode).
                let around = root.parentElement;
                while (around && /rgba\\(.*, 0\\)|transparent/.test(
                        getComputedStyle(around).backgroundColor)) {
                    around = around.parentElement;
                }
                return [document.documentElement.dataset.theme,
                        (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05),
                        getComputedStyle(around || document.body).backgroundColor,
                        getComputedStyle(document.body).backgroundColor];
            }""",
            name,
        )
        assert contrast[0] == scheme
        assert contrast[1] >= 4.5, f"text contrast {contrast[1]:.1f} in {scheme} mode"
        assert contrast[2] == contrast[3], (
            f"the widget sits on {contrast[2]}, the page is {contrast[3]} ({scheme})"
        )
        assert not errors, errors
    finally:
        context.close()


class _Output:
    """An output element: its value and its error flag."""

    def __init__(self, locator):
        self.locator = locator

    def input_value(self):
        return self.locator.evaluate("e => e.value")

    def get_attribute(self, name):
        return self.locator.get_attribute(name)


def _out(page, name):
    return _Output(page.locator(f'output[name="{name}"]'))


def test_shape_calculator_by_keyboard(browser, site):
    context, page, errors = _page(browser, site, "shape-calculator")
    try:
        root = page.locator('[data-widget="shape-calculator"]')
        size = root.locator('input[name="size"]')
        size.focus()
        page.keyboard.press("Control+A")
        page.keyboard.type("28")
        page.keyboard.press("Tab")  # to the kernel
        page.keyboard.press("Control+A")
        page.keyboard.type("4")
        page.keyboard.press("Tab")  # to the stride
        page.keyboard.press("Control+A")
        page.keyboard.type("2")
        page.keyboard.press("Tab")  # to the padding rule
        page.keyboard.press("ArrowDown")  # explicit -> PyTorch's same
        assert root.locator('select[name="rule"]').input_value() == "pytorch-same"
        assert _out(page, "size-out").get_attribute("data-error") is not None
        assert _out(page, "size-out").input_value() == ""
        assert "PyTorch refuses" in root.locator('[data-role="formula"]').inner_text()
        page.keyboard.press("ArrowDown")  # TensorFlow's SAME
        before, after = convbook.same_padding(28, 4, stride=2)
        assert _out(page, "padding-out").input_value() == f"{before}, {after}"
        assert _out(page, "size-out").input_value() == str(
            convbook.output_size(28, 4, stride=2, padding=(before, after))
        )
        assert _out(page, "size-out").get_attribute("data-error") is None
        # A kernel longer than the padded input: a message, no size.
        page.keyboard.press("ArrowDown")  # valid
        root.locator('input[name="kernel"]').fill("40")
        assert _out(page, "size-out").get_attribute("data-error") is not None
        assert "No window fits" in root.locator('[data-role="formula"]').inner_text()
        # The second layer and its receptive field.
        root.locator('input[name="kernel"]').fill("3")
        root.locator('input[name="kernel2"]').fill("5")
        root.locator('input[name="dilation2"]').fill("2")
        h1 = convbook.output_size(28, 3, stride=2)
        field = convbook.receptive_field([(3, 2, 0, 1), (5, 1, 1, 2)])
        assert _out(page, "size2-out").input_value() == str(
            convbook.output_size(h1, 5, padding=1, dilation=2)
        )
        assert _out(page, "rf-out").input_value() == str(field.size)
        assert _out(page, "jump-out").input_value() == str(field.stride)
        assert not errors, errors
    finally:
        context.close()


def test_layer2_explorer_every_unit_matches_the_package(browser, site):
    context, page, errors = _page(browser, site, "layer2-explorer")
    try:
        root = page.locator('[data-widget="layer2-explorer"]')
        data = json.loads(root.locator("script.cb-data").text_content())
        (f1, s1, p1, d1), (f2, s2, p2, d2) = (
            [layer[n] for n in ("kernel", "stride", "padding", "dilation")]
            for layer in data["layers"]
        )
        x = np.array(data["x"])
        a1 = convbook.relu(
            convbook.conv2d(
                x,
                np.array(data["w1"]),
                np.array(data["b1"]),
                stride=s1,
                padding=p1,
                dilation=d1,
            )
        )
        o2 = convbook.conv2d(
            a1,
            np.array(data["w2"]),
            np.array(data["b2"]),
            stride=s2,
            padding=p2,
            dilation=d2,
        )
        field = convbook.receptive_field([(f1, s1, p1, d1), (f2, s2, p2, d2)])
        height, width = x.shape[1:]
        units = root.locator("button[data-i]")
        assert units.count() == o2.shape[1] * o2.shape[2]
        # Keyboard: Tab reaches the selected unit, arrows walk every row.
        first = units.first
        first.focus()
        for i in range(o2.shape[1]):
            for j in range(o2.shape[2]):
                focused = page.evaluate(
                    "() => [document.activeElement.dataset.i,"
                    " document.activeElement.dataset.j]"
                )
                assert focused == [str(i), str(j)]
                k = data["channels"].index(int(units.nth(0).get_attribute("data-k")))
                value = float(_out(page, "value-out").input_value())
                assert value == pytest.approx(o2[k, i, j], rel=1e-5, abs=1e-6)
                assert _out(page, "value-out").input_value() == f"{o2[k, i, j]:#.6g}"
                (r0, r1), (c0, c1) = field.region(i), field.region(j)
                rows = f"{max(r0, 0)}-{min(r1, height - 1)}"
                clipped = f"{rows},{max(c0, 0)}-{min(c1, width - 1)}"
                assert _out(page, "field-out").input_value() == clipped
                page.keyboard.press("ArrowRight")
            for _ in range(o2.shape[2]):
                page.keyboard.press("ArrowLeft")
            page.keyboard.press("ArrowDown")
        # Pointing at a unit selects it, and so does a click.
        units.nth(o2.shape[2] + 2).hover()
        rows = f"{max(field.region(1)[0], 0)}-{min(field.region(1)[1], height - 1)}"
        assert _out(page, "field-out").input_value().startswith(rows + ",")
        units.nth(3).click()
        assert page.evaluate("() => document.activeElement.dataset.j") == "3"
        assert _out(page, "value-out").input_value() == f"{o2[k, 0, 3]:#.6g}"
        assert not errors, errors
    finally:
        context.close()


def _position(page):
    return page.locator('[data-role="position"]').inner_text()


@pytest.mark.parametrize("motion", ["reduce", "no-preference"])
def test_sliding_window_steps_plays_and_never_starts_by_itself(browser, site, motion):
    context, page, errors = _page(browser, site, "sliding-window", motion=motion)
    try:
        root = page.locator('[data-widget="sliding-window"]')
        start = _position(page)
        page.wait_for_timeout(2000)
        assert _position(page) == start, "the window moved by itself"
        data = json.loads(root.locator("script.cb-data").text_content())
        x, w = np.array(data["x"]), np.array(data["w"])
        # Keyboard: back to the first position, then step through them all.
        root.locator('button[name="back"]').focus()
        page.keyboard.press("Enter")
        assert _position(page).startswith("Position 1 of")
        root.locator('select[name="padding"]').select_option("1")
        out = convbook.conv2d(x[None], w[None, None], padding=1)[0]
        root.locator('button[name="step"]').focus()
        for n in range(out.size):
            i, j = divmod(n, out.shape[1])
            assert _position(page).startswith(f"Position {n + 1} of {out.size}")
            total = page.locator('[data-role="sum"]').inner_text().split(" = ")[-1]
            assert int(total.replace("\u2212", "-")) == out[i, j]
            if n < out.size - 1:
                page.keyboard.press("Enter")
        # Play moves on its own only after a press, and pause stops it.
        root.locator('select[name="padding"]').select_option("2")  # restarts
        before = _position(page)
        assert before.startswith("Position 1 of")
        root.locator('button[name="play"]').click()
        page.wait_for_timeout(2000 if motion == "no-preference" else 3500)
        root.locator('button[name="pause"]').click()
        stopped = _position(page)
        assert stopped != before, "play did not move the window"
        page.wait_for_timeout(1800)
        assert _position(page) == stopped
        if motion == "reduce":
            duration = page.evaluate(
                "() => getComputedStyle(document.querySelector('.cb-cell'))"
                ".transitionDuration"
            )
            assert duration == "0s"
        assert not errors, errors
    finally:
        context.close()
