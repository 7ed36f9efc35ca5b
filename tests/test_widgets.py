"""The widgets' markup: stable hooks, starting state from the package, data.

What the widgets compute in the browser is swept against the package in
``tests/browser/test_widgets.py``; these tests check what the package writes
into the page, and the size of the script the site serves.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

import convbook
from convbook.widgets import layer2_explorer, shape_calculator, sliding_window

STATIC = Path(__file__).resolve().parents[1] / "book" / "_static"


class _Elements(HTMLParser):
    """Every element's tag and attributes, and the text of each output."""

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict]] = []
        self.outputs: dict[str, str] = {}
        self.scripts: list[str] = []
        self._open: str | None = None

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))
        self._open = dict(attrs).get("name") if tag == "output" else tag

    def handle_data(self, data):
        if self._open == "script":
            self.scripts.append(data)
        elif self._open and self._open not in ("p", "option", "label"):
            self.outputs[self._open] = self.outputs.get(self._open, "") + data

    def handle_endtag(self, tag):
        self._open = None


def _parse(widget) -> _Elements:
    parser = _Elements()
    parser.feed(widget.html)
    return parser


def _named(parser, tag):
    return {a["name"]: a for t, a in parser.elements if t == tag and "name" in a}


def test_the_script_stays_under_30_kb():
    # The one script behind all three widgets.
    assert (STATIC / "convbook-widgets.js").stat().st_size < 30 * 1024


def test_shape_calculator_hooks_and_starting_state():
    parser = _parse(shape_calculator(224, 7, stride=2, padding="same-tf"))
    roots = [a for _, a in parser.elements if "data-widget" in a]
    assert [a["data-widget"] for a in roots] == ["shape-calculator"]
    inputs = _named(parser, "input")
    assert {"size", "kernel", "stride", "padding", "dilation"} <= set(inputs)
    assert inputs["size"]["value"] == "224"
    rule = [a for t, a in parser.elements if t == "select" and a["name"] == "rule"]
    assert len(rule) == 1
    options = [
        (a["value"], "selected" in a)
        for t, a in parser.elements[parser.elements.index(("select", rule[0])) :]
        if t == "option"
    ][:4]
    assert options == [
        ("explicit", False),
        ("pytorch-same", False),
        ("tensorflow-same", True),
        ("valid", False),
    ]
    axis = convbook.resolve_axis(224, 7, stride=2, padding="same-tf")
    before, after, size = axis.before, axis.after, axis.output_size
    assert parser.outputs["size-out"] == str(size)
    assert parser.outputs["padding-out"] == f"{before}, {after}"
    h2 = convbook.output_size(size, 3, padding=1)
    field = convbook.receptive_field([(7, 2, before, 1), (3, 1, 1, 1)])
    assert parser.outputs["size2-out"] == str(h2)
    assert parser.outputs["rf-out"] == str(field.size)
    assert parser.outputs["jump-out"] == str(field.stride)


def test_shape_calculator_shows_the_floor_and_the_unread_rows():
    widget = shape_calculator(28, 3, stride=2)
    assert (
        "o = \u230a(28 + 0 + 0 \u2212 3) / 2\u230b + 1 = \u230a12.5\u230b + 1 = 13"
        in (widget.html)
    )
    assert "Input rows that no window reads: 27." in widget.html
    thirds = shape_calculator(10, 3, stride=3)
    assert "\u230a\u22482.333\u230b" in thirds.html  # 7 / 3, rounded, marked


@pytest.mark.parametrize(
    ("size", "kernel", "settings"),
    [
        (28, 3, {"stride": 2, "padding": "same"}),  # PyTorch's rule: stride 1
        (28, 3, {"padding": "full"}),
        (2, 5, {}),  # no window fits
    ],
)
def test_shape_calculator_refuses_what_the_package_refuses(size, kernel, settings):
    try:
        convbook.resolve_axis(size, kernel, **settings)
    except ValueError as error:
        message = str(error)
    else:
        pytest.fail(f"the package accepts {settings}")
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        shape_calculator(size, kernel, **settings)


def _network(seed=0):
    rng = np.random.default_rng(seed)
    return (
        rng.standard_normal((3, 6, 6)),
        rng.standard_normal((4, 3, 3, 3)),
        rng.standard_normal(4),
        rng.standard_normal((5, 4, 3, 3)),
        rng.standard_normal(5),
    )


def test_layer2_explorer_carries_the_arrays_exactly():
    x, w1, b1, w2, b2 = _network()
    layers = ((3, 1, 1, 1), (3, 1, 1, 1))
    widget = layer2_explorer(
        x, w1, b1, w2, b2, layers=layers, unit=(2, 5, 1), channels=(0, 2)
    )
    assert (
        widget.html
        == layer2_explorer(
            x, w1, b1, w2, b2, layers=layers, unit=(2, 5, 1), channels=(0, 2)
        ).html
    )
    parser = _parse(widget)
    data = json.loads(parser.scripts[0])
    for name, array in [("x", x), ("w1", w1), ("b1", b1)]:
        assert np.array_equal(np.array(data[name]), array)
    assert np.array_equal(np.array(data["w2"]), w2[[0, 2]])
    assert data["unit"] == [2, 5, 1]
    o2 = convbook.conv2d(
        convbook.relu(convbook.conv2d(x, w1, b1, padding=1)), w2, b2, padding=1
    )
    assert parser.outputs["value-out"] == f"{o2[2, 5, 1]:#.6g}"
    # Unit row 5 of a 6-row map: the field, rows 3 to 7, is clipped to 3-5.
    assert parser.outputs["field-out"] == "3-5,0-3"


def test_sliding_window_starts_at_the_given_position():
    x = np.arange(1, 10).reshape(3, 3)
    w = np.array([[1, 0], [0, -1]])
    widget = sliding_window(x, w, position=(1, 0))
    parser = _parse(widget)
    assert {"play", "pause", "step", "back"} <= set(_named(parser, "button"))
    assert re.search(r"Position 3 of 4: output row 1, column 0\.", widget.html)
    assert (
        repr(widget)
        == "O[1, 0] = 4\u00b71 + 5\u00b70 + 7\u00b70 + 8\u00b7(\u22121) = \u22124"
    )
    assert json.loads(parser.scripts[0]) == {
        "x": x.tolist(),
        "w": w.tolist(),
        "step": 2,
    }


def test_sliding_window_needs_integers():
    with pytest.raises(
        TypeError,
        match=r"^`x` and `w` must hold integers \(the "
        r"window shows exact sums\), got float64 and int64$",
    ):
        sliding_window(np.ones((3, 3)), np.ones((2, 2), dtype=np.int64))
