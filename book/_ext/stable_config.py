"""Keep the configuration the same between two runs of the same build.

Sphinx saves the configuration with its state and, on the next run, compares
it with a fresh reading of ``conf.py``. The theme and several extensions add
to some options (``templates_path``, ``html_static_path``, ``html_context``,
``html_theme_options``, ...) when the builder starts, after that comparison,
so the saved values always held their additions and every incremental build
reported "The configuration has changed (8 options ...)" although nothing had.

This extension saves the configuration as ``conf.py`` and the start-up
handlers gave it, i.e. as the next run will compare it: the values are
snapshotted once configuration is read, put back just while Sphinx saves
its state, and the builder's values restored right after.
"""

from __future__ import annotations

import copy
import pickle

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.environment import BuildEnvironment

_AS_READ: dict[str, object] = {}
_IN_USE: dict[str, object] = {}


def _picklable(value: object) -> bool:
    try:
        pickle.dumps(value)
    except Exception:  # any value pickle refuses is left alone
        return False
    return True


def snapshot(app: Sphinx, config: Config) -> None:
    """Remember every option as read (after the other start-up handlers)."""
    _AS_READ.clear()
    for option in config:
        if _picklable(option.value):
            _AS_READ[option.name] = copy.deepcopy(option.value)


def save_as_read(app: Sphinx, env: BuildEnvironment) -> None:
    """Just before Sphinx pickles its state: the options as read."""
    _IN_USE.clear()
    for name, as_read in _AS_READ.items():
        value = env.config[name]
        if value != as_read:
            _IN_USE[name] = value
            env.config[name] = copy.deepcopy(as_read)


def restore_in_use(app: Sphinx, env: BuildEnvironment) -> None:
    """Right after the state is saved: the values the builder works with."""
    for name, value in _IN_USE.items():
        env.config[name] = value
    _IN_USE.clear()


def setup(app: Sphinx) -> dict[str, object]:
    app.connect("config-inited", snapshot, priority=900)
    # Sphinx saves its state between these two events.
    app.connect("env-updated", save_as_read, priority=900)
    app.connect("env-check-consistency", restore_in_use, priority=100)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
