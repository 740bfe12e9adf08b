"""docs/architecture.md matches the code: its module table lists every module of
core/src/infermux and no other, every file it names exists, and every function of the path
of a call is defined in the file named beside it."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from tests.conftest import ROOT

DOC = ROOT / "docs" / "architecture.md"
PACKAGE = ROOT / "core" / "src" / "infermux"
#: Folders of generated code, listed by folder rather than module by module.
GENERATED = ("types/_generated/",)


def _section(title: str) -> str:
    text = DOC.read_text(encoding="utf-8")
    start = text.index(f"## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else None]


def _table_rows(section: str) -> list[list[str]]:
    rows = []
    for line in section.splitlines():
        if line.startswith("| `"):
            rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
    return rows


def _modules() -> set[str]:
    found = set()
    for path in PACKAGE.rglob("*.py"):
        relative = path.relative_to(PACKAGE).as_posix()
        if not relative.startswith(GENERATED):
            found.add(relative)
    return found


def test_the_module_table_lists_every_module_and_no_other():
    named = [row[0].strip("`") for row in _table_rows(_section("Module table"))]
    assert len(named) == len(set(named)), "a module is listed twice"
    listed = {name for name in named if not name.endswith("/")}
    folders = {name for name in named if name.endswith("/")}
    missing = sorted(_modules() - listed)
    unknown = sorted(listed - _modules())
    assert not missing, f"modules missing from docs/architecture.md's module table: {missing}"
    assert not unknown, f"the module table names modules that do not exist: {unknown}"
    assert folders == set(GENERATED)
    for folder in folders:
        assert any((PACKAGE / folder).glob("*.py")), f"{folder} holds no module"


def test_every_python_file_the_page_names_exists():
    text = DOC.read_text(encoding="utf-8")
    for name in set(re.findall(r"`([\w/.-]+\.py)`", text)):
        candidates = [PACKAGE / name, ROOT / name, ROOT / "core" / name]
        assert any(path.exists() for path in candidates), f"docs/architecture.md names {name}"


def _defines(path: Path, dotted: str) -> bool:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    parts = dotted.split(".")
    scope: list[ast.stmt] = tree.body
    for part in parts:
        node = next(
            (
                n
                for n in scope
                if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
                and n.name == part
            ),
            None,
        )
        if node is None:
            return False
        scope = node.body
    return True


def _inherited(dotted: str, path: Path) -> bool:
    """``Class.method`` where ``method`` is defined on a base class in the same package."""
    cls, _, method = dotted.rpartition(".")
    if not cls:
        return False
    tree = ast.parse(path.read_text(encoding="utf-8"))
    node = next((n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == cls), None)
    if node is None:
        return False
    for base in node.bases:
        name = getattr(base, "id", None)
        for module in PACKAGE.rglob("*.py"):
            if name and _defines(module, f"{name}.{method}"):
                return True
    return False


def test_every_function_of_the_call_path_is_in_its_file():
    steps = [
        row for row in _section("The path of a call").splitlines() if re.match(r"\| \d+ \|", row)
    ]
    assert len(steps) >= 10
    for step in steps:
        cells = [cell.strip() for cell in step.strip().strip("|").split("|")]
        function, file = cells[1].strip("`"), cells[2].strip("`")
        path = PACKAGE / file
        assert path.exists(), f"step {cells[0]}: {file} does not exist"
        assert _defines(path, function) or _inherited(function, path), (
            f"step {cells[0]}: {function} is not defined in {file}"
        )
