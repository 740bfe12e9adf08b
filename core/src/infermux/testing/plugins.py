"""Temporary plugins for tests: register an object with ``@hookimpl`` methods, then forget it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from types import SimpleNamespace

from infermux.provider import Provider
from infermux.registry.loader import LoaderSettings, build_registry
from infermux.registry.store import ProviderRegistry

__all__ = ["temporary_plugin"]


@contextmanager
def temporary_plugin(
    plugin: object, name: str | None = None, *, include_installed: bool = True
) -> Iterator[ProviderRegistry]:
    """A fresh registry with ``plugin`` loaded under ``name`` (plus the installed plugins).

    ``plugin`` is an object with ``@hookimpl`` methods, a module, or a :class:`Provider`
    (named after its id by default). Pass the registry to a client:
    ``InferenceClient(provider=..., registry=registry)``. Nothing global changes, so there
    is nothing to undo.
    """
    if isinstance(plugin, Provider):
        name = name or plugin.id
        plugin = SimpleNamespace(register_providers=plugin.hook())
    name = name or "test-plugin"
    settings = LoaderSettings.from_env()
    if not include_installed:
        settings = LoaderSettings(allow=frozenset({name}), load_config_files=False)
    yield build_registry(settings, extra_plugins={name: plugin})
