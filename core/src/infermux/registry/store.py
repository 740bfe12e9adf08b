"""The provider registry: (provider, task) -> helper, with provenance and conflicts.

Plugins are imported lazily. The loader tells the registry, for each installed plugin, the
provider id its entry point is named after and how to load it (:meth:`ProviderRegistry.defer`);
the plugin is imported the first time that provider is looked up. Every plugin declaring that
name is loaded together, so two distributions claiming one provider are still caught before
either is used. A provider id no entry point is named after (a plugin registering several
providers under one entry point) loads every plugin before the lookup is refused, and so do
the listings (iteration, :meth:`~ProviderRegistry.providers`, :attr:`~ProviderRegistry.plugins`).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from infermux.errors import (
    DuplicateProviderError,
    PluginError,
    UnknownProviderError,
    UnsupportedTaskError,
)
from infermux.helpers.base import TaskProviderHelper
from infermux.tasks import PROVIDER_ID, check_task_name

if TYPE_CHECKING:
    from infermux.provider import Provider

__all__ = ["PluginInfo", "ProviderRegistry", "Registration", "normalize_name", "validate_helper"]

_PROVIDER_ID = PROVIDER_ID  # (the name other modules imported it by)

#: Provenance of helpers registered in code at run time.
RUNTIME = "runtime"


@dataclass(frozen=True, slots=True)
class Registration:
    """A helper and where it came from."""

    helper: TaskProviderHelper
    plugin: str
    distribution: str | None = None
    version: str | None = None
    #: The :class:`~infermux.provider.Provider` that owns the helper; None for a plugin
    #: written against the helper-and-hook contract (it registers bare helpers).
    provider: Provider | None = None

    @property
    def origin(self) -> str:
        """The distribution name, or how the helper was registered."""
        return self.distribution or self.plugin


@dataclass(slots=True)
class PluginInfo:
    """One plugin as the loader saw it (for ``infermux plugins``)."""

    name: str
    distribution: str | None
    version: str | None
    status: str  # "pending" (not imported yet), "loaded", "failed", "empty" (registered
    # nothing), "blocked", "not allowed"
    error: str | None = None
    registrations: list[tuple[str, str]] = field(default_factory=list)


def normalize_name(name: str) -> str:
    """A distribution name as pip compares them (PEP 503): case and ``-_.`` runs folded."""
    return re.sub(r"[-_.]+", "-", name).lower()


def validate_helper(helper: object) -> str | None:
    """Return why ``helper`` cannot be registered, or None if it is sound."""
    if not isinstance(helper, TaskProviderHelper):
        return f"expected a TaskProviderHelper instance, got {type(helper).__name__}"
    if not isinstance(helper.provider, str) or not _PROVIDER_ID.match(helper.provider):
        return (
            f"invalid provider id {helper.provider!r}: use lowercase letters, digits and '-'"
            " (e.g. 'my-gateway')"
        )
    problem = check_task_name(helper.task)
    if problem:
        return problem
    if not isinstance(helper.base_url, str) or not helper.base_url.startswith(
        ("https://", "http://")
    ):
        return f"base_url must be an http(s) URL, got {helper.base_url!r}"
    return None


class ProviderRegistry:
    """Maps (provider, task) to a :class:`Registration`.

    A second registration of the same pair from another origin is kept aside as a
    conflict: using that pair raises :class:`DuplicateProviderError` naming both, unless
    ``prefer`` names the origin to use or the second registration passed ``replace=True``.
    """

    def __init__(self, *, prefer: Mapping[str, str] | None = None) -> None:
        self._entries: dict[tuple[str, str], Registration] = {}
        self._conflicts: dict[tuple[str, str], list[Registration]] = {}
        # Pairs a run-time registration replaced: a plugin imported later does not undo it.
        self._pinned: set[tuple[str, str]] = set()
        self._prefer = dict(prefer or {})
        self._lock = threading.Lock()
        # Plugins not imported yet, by the provider id their entry point is named after.
        self._pending: dict[str, list[Callable[[], None]]] = {}
        self._loading = threading.RLock()
        self._active: set[str] = set()
        self._plugins: list[PluginInfo] = []

    # -- lazy plugins ----------------------------------------------------------------------

    def defer(self, provider: str, load: Callable[[], None]) -> None:
        """Run ``load`` (which imports a plugin and adds its helpers) when ``provider`` is
        first looked up, or when everything is listed."""
        with self._loading:
            self._pending.setdefault(provider, []).append(load)

    def pending(self) -> list[str]:
        """Provider ids whose plugins are not imported yet (from entry-point names)."""
        with self._loading:
            return sorted(self._pending)

    def _load(self, provider: str) -> None:
        if provider not in self._pending:  # the common case, without the lock
            return
        with self._loading:
            loads = self._pending.get(provider)
            if loads is None or provider in self._active:
                return  # done by another thread meanwhile, or a plugin's hook asking
            self._active.add(provider)
            try:
                for load in loads:
                    load()
            finally:
                # Only now: another thread looking the provider up waits on the lock
                # instead of finding it neither pending nor registered.
                self._active.discard(provider)
                self._pending.pop(provider, None)

    def load_all(self) -> None:
        """Import every plugin not imported yet (listings need them all)."""
        if not self._pending:
            return
        with self._loading:
            for provider in list(self._pending):
                self._load(provider)

    def _ensure(self, provider: str) -> None:
        """Load the plugins named ``provider``; if none of those (nor anything registered
        so far) serves it, load every plugin: one may register it under another name."""
        if not self._pending:
            return
        self._load(provider)
        if self._pending and not any(p == provider for p, _ in self._entries):
            self.load_all()

    def has_provider(self, provider: str) -> bool:
        """Whether any helper serves ``provider`` (importing only what that takes)."""
        self._ensure(provider)
        return any(p == provider for p, _ in self._entries)

    @property
    def plugins(self) -> list[PluginInfo]:
        """Every plugin the loader saw, in discovery order; imports those not imported yet."""
        self.load_all()
        return self._plugins

    def note_plugin(self, info: PluginInfo) -> None:
        """Record a plugin the loader saw (for ``infermux plugins``)."""
        self._plugins.append(info)

    # -- registrations ---------------------------------------------------------------------

    def add(self, registration: Registration, *, replace: bool = False) -> None:
        """Register a helper; see the class docstring for duplicates."""
        problem = validate_helper(registration.helper)
        if problem:
            raise PluginError(f"{registration.origin}: cannot register helper: {problem}")
        helper = registration.helper
        key = (helper.provider, helper.task)
        with self._lock:
            if replace:
                self._pinned.add(key)
            elif key in self._pinned:
                return  # replaced at run time; a plugin imported later does not undo it
            current = self._entries.get(key)
            if current is None or replace or current.origin == registration.origin:
                self._entries[key] = registration
                self._conflicts.pop(key, None)
                return
            self._conflicts.setdefault(key, [current]).append(registration)

    def get(self, provider: str, task: str) -> Registration:
        """Return the registration for the pair, or raise a precise configuration error."""
        key = (provider, task)
        if self._pending:
            self._ensure(provider)
        entry = self._entries.get(key)
        if entry is None:
            if not self.has_provider(provider):
                raise UnknownProviderError(provider, self.providers())
            raise UnsupportedTaskError(
                provider, task, self.tasks_for(provider), others=self.providers_for(task)
            )
        conflict = self._conflicts.get(key)
        if conflict:
            preferred = self._prefer.get(provider)
            if preferred is not None:
                for candidate in conflict:
                    origins = {candidate.plugin, candidate.distribution or candidate.plugin}
                    if normalize_name(preferred) in {normalize_name(o) for o in origins}:
                        return candidate
            raise DuplicateProviderError(provider, task, conflict[0].origin, conflict[1].origin)
        return entry

    def loaded(self, provider: str, task: str) -> Registration | None:
        """The registration of the pair among plugins already imported (no import, no
        conflict check): for questions about a helper already in use."""
        return self._entries.get((provider, task))

    def __contains__(self, key: object) -> bool:
        if isinstance(key, tuple) and len(key) == 2 and isinstance(key[0], str):
            self._ensure(key[0])
        return key in self._entries

    def __iter__(self) -> Iterator[Registration]:
        self.load_all()
        return iter(
            sorted(self._entries.values(), key=lambda r: (r.helper.provider, r.helper.task))
        )

    def providers(self) -> list[str]:
        """Every provider id served (imports every plugin: use :meth:`has_provider` to ask
        about one)."""
        self.load_all()
        return sorted({provider for provider, _ in self._entries})

    def tasks_for(self, provider: str) -> list[str]:
        self._ensure(provider)
        return sorted(task for p, task in self._entries if p == provider)

    def providers_for(self, task: str) -> list[str]:
        self.load_all()
        return sorted(p for p, t in self._entries if t == task)

    def conflicts(self) -> dict[tuple[str, str], list[Registration]]:
        self.load_all()
        return {key: list(regs) for key, regs in self._conflicts.items()}
