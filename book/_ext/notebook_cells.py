"""Which code cells of a notebook count as executed (the one definition).

Kept apart from ``stable_notebooks`` (which imports it and uses it on every
build) and free of Sphinx and myst-nb, so that ``scripts/check_site.py``, run
after every ``make html``, loads it in milliseconds rather than seconds.
"""

from __future__ import annotations

#: Tag of cells that run only on a reader's machine (reader_notes' install
#: cells: they install the package where it is missing, so never in the
#: build). The one definition: reader_notes imports it.
READER_ONLY_TAG = "convbook-install"


def unexecuted_cells(notebook: dict) -> list[int]:
    """Return the indices of the code cells that carry no execution count."""
    return [
        index
        for index, cell in enumerate(notebook.get("cells", []))
        if cell.get("cell_type") == "code"
        and not cell.get("execution_count")
        and READER_ONLY_TAG not in cell.get("metadata", {}).get("tags", [])
    ]
