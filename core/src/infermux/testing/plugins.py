"""Temporary plugins for tests: register an object with ``@hookimpl`` methods, then forget it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from infermux.registry.loader import LoaderSettings, build_registry
from infermux.registry.store import ProviderRegistry

__all__ = ["temporary_plugin"]


@contextmanager
def temporary_plugin(
    plugin: object, name: str = "test-plugin", *, include_installed: bool = True
) -> Iterator[ProviderRegistry]:
    """A fresh registry with ``plugin`` loaded under ``name`` (plus the installed plugins).

    Pass it to a client: ``InferenceClient(provider=..., registry=registry)``. Nothing
    global changes, so there is nothing to undo.
    """
    settings = LoaderSettings.from_env()
    if not include_installed:
        settings = LoaderSettings(allow=frozenset({name}), load_config_files=False)
    yield build_registry(settings, extra_plugins={name: plugin})
