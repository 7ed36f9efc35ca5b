"""Read the Docs entry point: the real configuration is ../conf.py.

Read the Docs runs Sphinx with the configuration file's folder as the source
folder, so this file sits next to the chapters and executes the root
``conf.py`` in its own namespace (its paths are absolute, so nothing moves).
"""

from pathlib import Path

_ROOT_CONF = Path(__file__).resolve().parent.parent / "conf.py"
globals()["__file__"] = str(_ROOT_CONF)
exec(compile(_ROOT_CONF.read_text(encoding="utf-8"), str(_ROOT_CONF), "exec"))
