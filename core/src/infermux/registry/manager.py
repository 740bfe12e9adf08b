"""The one typed facade over pluggy: nothing else touches ``pm.hook``."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

import pluggy

from infermux import hookspecs
from infermux.helpers.base import TaskProviderHelper

__all__ = ["PluginManager"]


class PluginManager:
    """Registers plugin objects and calls their hooks one plugin at a time.

    Calling hooks per plugin (not all at once) lets the core know which plugin registered
    which helper, so provenance and duplicate errors can name distributions.
    """

    def __init__(self) -> None:
        self._pm = pluggy.PluginManager("infermux")
        self._pm.add_hookspecs(hookspecs)

    def register(self, plugin: ModuleType | object, name: str) -> None:
        """Register a plugin object; pluggy validates its hook implementations, and a hook
        implementation matching no spec (a misspelled hook) is refused, not ignored."""
        self._pm.register(plugin, name=name)
        try:
            self._pm.check_pending()
        except pluggy.PluginValidationError:
            self._pm.unregister(name=name)
            raise

    def unregister(self, name: str) -> None:
        self._pm.unregister(name=name)

    def is_registered(self, name: str) -> bool:
        return self._pm.get_plugin(name) is not None

    def call_register_providers(
        self, name: str, register: Callable[[TaskProviderHelper], None]
    ) -> None:
        """Run the ``register_providers`` hook of the plugin registered as ``name``."""
        plugin: Any = self._pm.get_plugin(name)
        for impl in self._pm.hook.register_providers.get_hookimpls():
            if impl.plugin is plugin:
                impl.function(register=register)
