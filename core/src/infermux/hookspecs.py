"""The hooks a provider plugin implements. Plugin authors import only ``infermux.hookimpl``.

The hook API is versioned with ``HOOK_API_VERSION``; see docs/plugin-authors.md for the
stability promise.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from infermux.helpers.base import TaskProviderHelper
    from infermux.provider import Provider

__all__ = ["HOOK_API_VERSION", "hookimpl", "hookspec"]

#: Bumped on any incompatible change to the hooks or the helper contract.
HOOK_API_VERSION = 1

hookspec = pluggy.HookspecMarker("infermux")
hookimpl = pluggy.HookimplMarker("infermux")


@hookspec
def register_providers(register: Callable[[TaskProviderHelper | Provider], None]) -> None:
    """Call ``register(helper)`` once per (provider, task) pair the plugin serves, or
    ``register(provider)`` once for a :class:`~infermux.Provider` (what ``provider.hook()``
    does: the core keeps the provider with its helpers)."""
