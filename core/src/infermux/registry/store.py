"""The provider registry: (provider, task) -> helper, with provenance and conflicts."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from infermux.errors import (
    DuplicateProviderError,
    PluginError,
    UnknownProviderError,
    UnsupportedTaskError,
)
from infermux.helpers.base import TaskProviderHelper
from infermux.tasks import check_task_name

__all__ = ["PluginInfo", "ProviderRegistry", "Registration", "normalize_name", "validate_helper"]

_PROVIDER_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")

#: Provenance of helpers registered in code at run time.
RUNTIME = "runtime"


@dataclass(frozen=True, slots=True)
class Registration:
    """A helper and where it came from."""

    helper: TaskProviderHelper
    plugin: str
    distribution: str | None = None
    version: str | None = None

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
    status: str  # "loaded", "failed", "empty" (registered nothing), "blocked", "not allowed"
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
        self._prefer = dict(prefer or {})
        self._lock = threading.Lock()
        self.plugins: list[PluginInfo] = []

    def add(self, registration: Registration, *, replace: bool = False) -> None:
        """Register a helper; see the class docstring for duplicates."""
        problem = validate_helper(registration.helper)
        if problem:
            raise PluginError(f"{registration.origin}: cannot register helper: {problem}")
        helper = registration.helper
        key = (helper.provider, helper.task)
        with self._lock:
            current = self._entries.get(key)
            if current is None or replace or current.origin == registration.origin:
                self._entries[key] = registration
                self._conflicts.pop(key, None)
                return
            self._conflicts.setdefault(key, [current]).append(registration)

    def get(self, provider: str, task: str) -> Registration:
        """Return the registration for the pair, or raise a precise configuration error."""
        key = (provider, task)
        entry = self._entries.get(key)
        if entry is None:
            if provider not in self.providers():
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

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def __iter__(self) -> Iterator[Registration]:
        return iter(
            sorted(self._entries.values(), key=lambda r: (r.helper.provider, r.helper.task))
        )

    def providers(self) -> list[str]:
        return sorted({provider for provider, _ in self._entries})

    def tasks_for(self, provider: str) -> list[str]:
        return sorted(task for p, task in self._entries if p == provider)

    def providers_for(self, task: str) -> list[str]:
        return sorted(p for p, t in self._entries if t == task)

    def conflicts(self) -> dict[tuple[str, str], list[Registration]]:
        return {key: list(regs) for key, regs in self._conflicts.items()}
