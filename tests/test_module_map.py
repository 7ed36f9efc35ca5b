"""The package docstring and CONTRIBUTING.md name every module, once each."""

from __future__ import annotations

import re
from pathlib import Path

import convbook

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "convbook"


def public_modules() -> set[str]:
    names = {p.stem for p in PACKAGE.glob("*.py") if not p.stem.startswith("_")}
    return names | {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}


def test_the_package_docstring_gives_each_module_one_line():
    listed = re.findall(r"^- :mod:`~convbook\.(\w+)`: \S", convbook.__doc__, re.M)
    assert sorted(listed) == sorted(public_modules())


def test_contributing_lists_the_same_modules():
    text = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    section = text.split("## The package", 1)[1].split("\n- One home", 1)[0]
    named = set(re.findall(r"^  - `(\w+)`", section, re.M))
    named |= set(re.findall(r"; `(\w+)`:", section))
    assert named - {"_checks"} == public_modules()
