"""The public API of ``import infermux``: ``__all__`` is derived from the export table, and the
table, the TYPE_CHECKING imports (what type checkers see) and the lazy lookups agree."""

from __future__ import annotations

import ast
import importlib
import inspect

import pytest

import infermux


def _type_checking_imports() -> dict[str, str]:
    """name -> module, from the ``if TYPE_CHECKING:`` block of infermux/__init__.py."""
    tree = ast.parse(inspect.getsource(infermux))
    found: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            for statement in node.body:
                assert isinstance(statement, ast.ImportFrom)
                for alias in statement.names:
                    found[alias.asname or alias.name] = str(statement.module)
    return found


def test_all_is_the_export_table_plus_the_version():
    assert infermux.__all__ == sorted([*infermux._EXPORTS, "__version__"])


def test_the_type_checking_imports_match_the_export_table():
    assert _type_checking_imports() == infermux._EXPORTS


def test_every_export_resolves_to_the_object_its_module_defines():
    for name, module in infermux._EXPORTS.items():
        assert getattr(infermux, name) is getattr(importlib.import_module(module), name), name


def test_an_unknown_name_is_an_attribute_error_naming_it():
    with pytest.raises(AttributeError, match="NoSuchThing"):
        infermux.NoSuchThing  # noqa: B018


def test_dir_lists_the_exports():
    assert set(infermux.__all__) <= set(dir(infermux))


@pytest.mark.parametrize(
    "package", ["infermux", "infermux.helpers", "infermux.responses", "infermux.structured"]
)
def test_every_lazy_package_uses_the_one_idiom(package):
    module = importlib.import_module(package)
    assert module.__getattr__.__qualname__ == "_lazy_exports.<locals>.__getattr__"
    assert sorted(module._EXPORTS) == sorted(
        name for name in module.__all__ if name != "__version__"
    )
    for name, source in module._EXPORTS.items():
        assert getattr(module, name) is getattr(importlib.import_module(source), name), name
    with pytest.raises(AttributeError, match=f"module {package!r} has no attribute 'Nope'"):
        module.Nope  # noqa: B018
