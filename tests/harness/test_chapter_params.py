"""Every chapter's parameters cell is read by papermill the way the chapter declares it.

papermill parses the tagged cell line by line and silently drops a line it cannot parse (an
``=`` inside the comment is enough), and a dropped parameter can no longer be set with
``-p``. This test compares papermill's view with the assignments in the cell."""

import json
import re
import warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_papermill_sees_every_declared_parameter(path):
    import papermill as pm

    nb = json.loads(path.read_text())
    cells = [c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(cells) == 1, "exactly one cell tagged 'parameters'"
    declared = set(re.findall(r"^(\w+) = ", "".join(cells[0]["source"]), re.M))
    assert "profile" in declared
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert set(pm.inspect_notebook(str(path))) == declared


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_cells_have_ids(path):
    nb = json.loads(path.read_text())
    assert all("id" in c for c in nb["cells"]), "nbformat 4.5 cells need an id"
