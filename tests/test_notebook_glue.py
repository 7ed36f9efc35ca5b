"""convbook.notebook.glue: myst-nb's glue in the build, a plain display without."""

from __future__ import annotations

import sys

import pytest
from IPython.display import Math

from convbook import notebook


@pytest.fixture
def shown(monkeypatch: pytest.MonkeyPatch) -> list[tuple[dict, dict]]:
    """Run glue as if myst-nb were not installed; collect what it displays."""
    outputs: list[tuple[dict, dict]] = []
    monkeypatch.setitem(sys.modules, "myst_nb", None)
    monkeypatch.setattr(
        "IPython.display.publish_display_data",
        lambda data, metadata: outputs.append((data, metadata)),
    )
    return outputs


def test_without_myst_nb_a_number_is_shown_with_its_name(shown) -> None:
    notebook.glue("layer-2-shape", "32 × 28 × 28", display=False)
    notebook.glue("count", 4608)
    assert shown == [
        (
            {"text/plain": "layer-2-shape = '32 × 28 × 28'"},
            {"convbook_glue": {"name": "layer-2-shape"}},
        ),
        ({"text/plain": "count = 4608"}, {"convbook_glue": {"name": "count"}}),
    ]


def test_without_myst_nb_a_formula_keeps_its_rich_display(shown) -> None:
    notebook.glue("formula", Math(r"O = W \star I"), display=False)
    [(data, metadata)] = shown
    assert data["text/latex"] == r"$\displaystyle O = W \star I$"
    assert metadata == {"convbook_glue": {"name": "formula"}}


def test_with_myst_nb_the_call_goes_to_myst_nb(monkeypatch) -> None:
    import myst_nb

    calls = []
    monkeypatch.setattr(
        myst_nb, "glue", lambda *args, **kwargs: calls.append((args, kwargs))
    )
    notebook.glue("value", 3, display=False)
    assert calls == [(("value", 3), {"display": False})]


def test_a_name_must_be_a_non_empty_string() -> None:
    with pytest.raises(TypeError) as error:
        notebook.glue("", 3)
    assert str(error.value) == "glue: `name` must be a non-empty str, got ''"
