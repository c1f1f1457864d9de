"""House rules for lib/: small modules, one mechanism each, docstrings and __all__."""

import ast
from pathlib import Path

import pytest

LIB = Path(__file__).resolve().parents[2] / "lib" / "replib"
MODULES = sorted(p for p in LIB.rglob("*.py") if p.name != "__init__.py")


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(LIB)))
def test_module_is_small_documented_and_declares_all(path):
    src = path.read_text()
    assert len(src.splitlines()) <= 400, "house limit is 400 lines: split by mechanism"
    tree = ast.parse(src)
    assert ast.get_docstring(tree), "module docstring naming the paper/equation it implements"
    names = {t.id for n in tree.body if isinstance(n, ast.Assign) for t in n.targets
             if isinstance(t, ast.Name)}
    assert "__all__" in names


def test_median_module_size():
    sizes = sorted(len(p.read_text().splitlines()) for p in MODULES)
    assert sizes[len(sizes) // 2] <= 200
