"""The chapter template's house rules, checked on every committed chapter."""

import json

import pytest
import yaml
from conftest import ROOT

CHAPTERS = sorted(p for p in (ROOT / "chapters").glob("*.ipynb") if not p.stem.startswith("_"))
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())


def _nb(path):
    return json.loads(path.read_text())


def test_every_chapter_is_in_the_toc_and_every_toc_chapter_exists():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = {c["file"] for part in toc["parts"] for c in part["chapters"]}
    listed = {f.split("/", 1)[1] for f in files if f.startswith("chapters/")}
    assert listed == {p.stem for p in CHAPTERS}


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_follows_the_template(path):
    nb = _nb(path)
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert all(not c.get("outputs") and not c.get("execution_count") for c in code), \
        "notebooks are committed without outputs"
    tags = [c.get("metadata", {}).get("tags", []) for c in code]
    assert "parameters" in tags[0], "the first code cell is the papermill parameters cell"
    src0 = "".join(code[0]["source"])
    assert src0.lstrip().startswith('profile = "ci"')
    assert "remove-cell" in tags[1], "the second code cell is the hidden Colab-aware setup"
    assert CONFIG["repository"]["url"] in "".join(code[1]["source"]), \
        "the Colab install URL must match _config.yml's repository"
    source = "\n".join("".join(c["source"]) for c in code)
    assert not any(line.lstrip().startswith("class ") for line in source.splitlines()), \
        "chapters define no classes: models and helpers belong in lib/"
    for needed in ("setup(", "check_claims(", "stamp("):
        assert needed in source, f"chapter must call {needed}"
    md = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    assert "{cite" in md, "the chapter cites its paper (references.bib)"
    assert "Substitutions and limits" in md


def test_chapter_slugs_have_cards():
    cards = ROOT.parent / "shared" / "cards"
    if not cards.exists():
        pytest.skip("../shared is not beside this checkout")
    missing = [p.stem for p in CHAPTERS if not (cards / f"{p.stem}.md").exists()]
    assert not missing


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_papermill_sees_every_parameter(path):
    """papermill parses the parameters cell with a regex that trips on '=' or ':' inside a
    trailing comment; a parameter it misses cannot be overridden with -p."""
    import ast

    import papermill as pm

    code = [c for c in _nb(path)["cells"] if c["cell_type"] == "code"]
    assigned = {t.id for node in ast.parse("".join(code[0]["source"])).body
                if isinstance(node, ast.Assign) for t in node.targets if isinstance(t, ast.Name)}
    assert set(pm.inspect_notebook(str(path))) == assigned
