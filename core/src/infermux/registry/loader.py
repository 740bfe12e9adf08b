"""Discover provider plugins through ``importlib.metadata`` entry points, lazily.

Nothing here runs at ``import infermux``: the default registry is built on first use.
A plugin that fails to import (even by raising ``SystemExit`` or ``KeyboardInterrupt``),
registers nonsense or registers nothing is reported (a warning naming it, a log record when
warnings are errors) and skipped; the others keep working. ``INFERMUX_STRICT_PLUGINS=1``
turns that into an error. Environment variables:

- ``INFERMUX_PLUGINS``: allow-list, comma-separated entry-point or distribution names;
  when set, only those load.
- ``INFERMUX_BLOCK_PLUGINS``: block-list, same syntax.
- ``INFERMUX_PREFER``: ``provider=distribution`` pairs choosing between two plugins
  that claim the same provider.
- ``INFERMUX_STRICT_PLUGINS``: ``1`` raises on any plugin failure.

A plugin distribution whose ``Requires-Dist`` bounds ``infermux`` to versions that exclude
the running core is refused before it is imported, with a message naming the versions
that fit (a plugin built for another hook API would otherwise fail in confusing ways).
"""

from __future__ import annotations

import logging
import os
import re
import threading
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from importlib.metadata import EntryPoint, entry_points
from typing import TYPE_CHECKING

from infermux.errors import PluginError, PluginLoadError
from infermux.helpers.base import TaskProviderHelper
from infermux.provider import Provider
from infermux.registry.manager import PluginManager
from infermux.registry.store import (
    PluginInfo,
    ProviderRegistry,
    Registration,
    normalize_name,
    validate_helper,
)

if TYPE_CHECKING:
    from infermux.config import EndpointConfig

__all__ = [
    "ENTRY_POINT_GROUP",
    "LoaderSettings",
    "PluginWarning",
    "build_registry",
    "core_incompatibility",
    "get_registry",
    "reset_registry",
]

ENTRY_POINT_GROUP = "infermux.providers"

logger = logging.getLogger("infermux")


class PluginWarning(UserWarning):
    """A plugin failed to load or registered something invalid; it was skipped."""


def _names(value: str | None) -> frozenset[str]:
    """Comma-separated names, normalised as pip compares distribution names."""
    return frozenset(
        normalize_name(part.strip()) for part in (value or "").split(",") if part.strip()
    )


def _pairs(value: str | None) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for item in _names(value):
        provider, sep, origin = item.partition("=")
        if sep:
            pairs[provider.strip()] = origin.strip()
    return pairs


@dataclass(frozen=True, slots=True)
class LoaderSettings:
    """How plugins are discovered; :meth:`from_env` reads the environment variables."""

    allow: frozenset[str] | None = None
    block: frozenset[str] = frozenset()
    prefer: Mapping[str, str] = field(default_factory=dict)
    strict: bool = False
    load_config_files: bool = True

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> LoaderSettings:
        env = os.environ if environ is None else environ
        allow = _names(env.get("INFERMUX_PLUGINS"))
        return cls(
            allow=allow or None,
            block=_names(env.get("INFERMUX_BLOCK_PLUGINS")),
            prefer=_pairs(env.get("INFERMUX_PREFER")),
            strict=env.get("INFERMUX_STRICT_PLUGINS", "").lower() in {"1", "true", "yes"},
        )


#: What a plugin's own code may raise that must not end the process or the loading of the
#: other plugins: any exception, and also SystemExit (a plugin calling ``sys.exit()`` at
#: import) and KeyboardInterrupt raised from its code. A plugin is reported and skipped.
_PLUGIN_FAILURES = (Exception, SystemExit, KeyboardInterrupt)


def _refuse(
    settings: LoaderSettings, info: PluginInfo, message: str, *, status: str = "failed"
) -> None:
    info.status = status
    info.error = message
    if settings.strict:
        raise PluginLoadError(message)
    try:
        warnings.warn(message, PluginWarning, stacklevel=4)
    except Warning:
        # ``-W error`` (or a filter) turned the warning into an exception. It would escape
        # from plugin discovery and take every client down for one broken plugin: the
        # failure is recorded (``infermux plugins``) and logged instead.
        logger.warning("%s", message)


def core_incompatibility(
    distribution: str, version: str | None, requirements: list[str] | None, core_version: str
) -> str | None:
    """Why a plugin requiring ``requirements`` cannot run on infermux ``core_version``, or None.

    Reads the ``infermux`` requirement among the distribution's ``Requires-Dist`` lines
    (those of an extra are ignored) and checks the core's version against its specifiers.
    """
    if _plainly_compatible(requirements, core_version):
        return None
    from packaging.requirements import InvalidRequirement, Requirement
    from packaging.version import InvalidVersion, Version

    try:
        core = Version(core_version)
    except InvalidVersion:
        return None
    for line in requirements or ():
        try:
            requirement = Requirement(line)
        except InvalidRequirement:
            continue
        if normalize_name(requirement.name) != "infermux":
            continue
        if requirement.marker is not None and not requirement.marker.evaluate({"extra": ""}):
            continue
        if not requirement.specifier.contains(core, prereleases=True):
            # Lower bounds first, as people write them: infermux>=0.3,<0.4.
            specs = sorted(requirement.specifier, key=lambda s: (s.operator[0] != ">", str(s)))
            fits = "infermux" + ",".join(str(spec) for spec in specs)
            plugin = f"{distribution} {version}" if version else distribution
            return (
                f"{plugin} requires {fits}; this is infermux {core_version}. Install a "
                f"release of {distribution} made for infermux {core.major}.{core.minor}, or "
                f"install {fits}."
            )
    return None


# What nearly every plugin declares, ``infermux>=0.1,<0.2`` (or ``infermux (>=0.1)``), is
# checked without ``packaging``: importing it is a dozen modules, more than half the cost of
# discovering every plugin. Anything else (markers, pre-releases, ~=, wildcards) and every
# refusal (for its message) goes through packaging as before.
_REQUIREMENT_NAME = re.compile(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
_PLAIN_SPECIFIERS = re.compile(r"\s*\(?((?:\s*(?:[<>]=?|[=!]=)\s*\d+(?:\.\d+)*\s*,?)+)\)?\s*")
_PLAIN_SPECIFIER = re.compile(r"([<>]=?|[=!]=)\s*(\d+(?:\.\d+)*)")
_PLAIN_VERSION = re.compile(r"\d+(?:\.\d+)*")
_COMPARE: dict[str, Callable[[tuple[int, ...], tuple[int, ...]], bool]] = {
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
}


def _release(version: str, width: int) -> tuple[int, ...]:
    parts = tuple(int(part) for part in version.split("."))
    return parts + (0,) * (width - len(parts))  # 0.1 == 0.1.0, as packaging compares them


def _plainly_compatible(requirements: list[str] | None, core_version: str) -> bool:
    """True when every ``infermux`` requirement is plain specifiers the core satisfies.

    False means "ask packaging" (not necessarily incompatible)."""
    if not _PLAIN_VERSION.fullmatch(core_version):
        return False
    for line in requirements or ():
        named = _REQUIREMENT_NAME.match(line)
        if named is None:
            return False
        if normalize_name(named.group(1)) != "infermux":
            continue
        specifiers = _PLAIN_SPECIFIERS.fullmatch(line, named.end())
        if specifiers is None:
            return False
        for operator, version in _PLAIN_SPECIFIER.findall(specifiers.group(1)):
            width = max(version.count("."), core_version.count(".")) + 1
            if not _COMPARE[operator](_release(core_version, width), _release(version, width)):
                return False
    return True


def _screen(
    name: str, distribution: str | None, registry: ProviderRegistry, settings: LoaderSettings
) -> PluginInfo:
    """Record the plugin, "pending" if the allow/block lists let it load."""
    info = PluginInfo(name=name, distribution=distribution, version=None, status="pending")
    registry.note_plugin(info)
    names = {normalize_name(name), normalize_name(distribution or name)}
    if names & settings.block:
        info.status = "blocked"
    elif settings.allow is not None and not names & settings.allow:
        info.status = "not allowed"
    return info


def _load_plugin(
    info: PluginInfo,
    load: Callable[[], object],
    registry: ProviderRegistry,
    manager: PluginManager,
    settings: LoaderSettings,
    incompatible: str | None = None,
) -> None:
    """Import one plugin, call its hook, and add what it registered (or nothing)."""
    name, distribution, version = info.name, info.distribution, info.version
    info.status = "loaded"
    label = f"plugin {name!r} (distribution {distribution or 'unknown'})"
    key = f"{distribution}:{name}" if distribution else name
    if incompatible is not None:  # refused before its module is imported
        _refuse(settings, info, f"{label} refused: {incompatible}")
        return
    try:
        # Registered under distribution and entry point: two distributions may well use the
        # same entry-point name (the provider id) and must not collide inside pluggy.
        manager.register(load(), name=key)
    except _PLUGIN_FAILURES as exc:
        _refuse(settings, info, f"{label} failed to load: {type(exc).__name__}: {exc}")
        return

    # Each helper with the Provider that owns it (None: a bare helper, the older contract).
    collected: list[tuple[TaskProviderHelper, Provider | None]] = []

    def register(helper: TaskProviderHelper | Provider) -> None:
        if isinstance(helper, Provider):  # register(acme): every helper it owns
            owner = helper
            owner.register_with(lambda owned: add(owned, owner))
            return
        add(helper, None)

    def add(helper: TaskProviderHelper, owner: Provider | None) -> None:
        problem = validate_helper(helper)
        if problem:
            raise PluginError(problem)
        collected.append((helper, owner))

    try:
        manager.call_register_providers(key, register)
        # Add only once the whole hook succeeded, so a failing plugin leaves nothing behind.
        for helper, owner in collected:
            registry.add(Registration(helper, name, distribution, version, owner))
            info.registrations.append((helper.provider, helper.task))
    except _PLUGIN_FAILURES as exc:
        _refuse(
            settings, info, f"{label} failed to register providers: {type(exc).__name__}: {exc}"
        )
        return
    if not collected:
        _refuse(
            settings,
            info,
            f"{label} registered no provider: it has no register_providers hook, or the hook "
            "never called register(helper). It serves nothing.",
            status="empty",
        )


def _dist_name(ep: EntryPoint) -> str | None:
    """The distribution's name without parsing its METADATA when the path tells it."""
    dist = ep.dist
    if dist is None:
        return None
    # PathDistribution knows the (normalised) name from its *.dist-info directory.
    normalized = getattr(dist, "_normalized_name", None)
    return normalized if isinstance(normalized, str) else dist.metadata["Name"]


def _defer_entry_point(
    ep: EntryPoint, registry: ProviderRegistry, manager: PluginManager, settings: LoaderSettings
) -> None:
    """Note the plugin behind ``ep`` now; import it when its provider is first used."""
    info = _screen(ep.name, _dist_name(ep), registry, settings)
    if info.status != "pending":
        if ep.dist is not None:  # listed as blocked: with the name as the package spells it
            info.distribution, info.version = ep.dist.metadata["Name"], ep.dist.version
        return

    def load() -> None:
        dist = ep.dist
        if dist is None:
            _load_plugin(info, ep.load, registry, manager, settings)
            return
        # Distribution.name, .version and .requires each parse the METADATA file again: once.
        metadata = dist.metadata
        info.distribution, info.version = metadata["Name"], metadata["Version"]
        requires = metadata.get_all("Requires-Dist") or dist.requires
        _load_plugin(
            info,
            ep.load,
            registry,
            manager,
            settings,
            _dist_incompatibility(info.distribution, info.version, requires),
        )

    # The entry point's name is the provider id (the convention every plugin follows); the
    # registry imports the plugin when that provider is first looked up.
    registry.defer(ep.name, load)


def _dist_incompatibility(name: str, version: str, requires: list[str] | None) -> str | None:
    from infermux import __version__

    return core_incompatibility(name, version, requires, __version__)


def _load_config_endpoints(
    registry: ProviderRegistry, manager: PluginManager, settings: LoaderSettings
) -> None:
    """Config-file endpoints, through the built-in plugin :class:`~infermux.endpoints.
    ConfigEndpoints`: one per file, named ``config:<path>`` (their provenance). The allow-
    and block-lists are for installed plugins: a config file is the user's own choice."""
    from infermux.config import load_config

    by_source: dict[str, list[EndpointConfig]] = {}
    for endpoint in load_config().endpoints:
        by_source.setdefault(endpoint.source, []).append(endpoint)
    if not by_source:
        return
    from infermux.endpoints import ConfigEndpoints

    for source, endpoints in by_source.items():
        info = PluginInfo(name=f"config:{source}", distribution=None, version=None, status="")
        registry.note_plugin(info)
        plugin = ConfigEndpoints(endpoints)
        _load_plugin(info, partial(_identity, plugin), registry, manager, settings)


def _identity(plugin: object) -> object:
    return plugin


def build_registry(
    settings: LoaderSettings | None = None, *, extra_plugins: Mapping[str, object] | None = None
) -> ProviderRegistry:
    """Discover every installed plugin and config-file provider into a new registry.

    Installed plugins are discovered from their entry points' names and imported when their
    provider is first used (see :mod:`infermux.registry.store`). ``extra_plugins``
    (name -> plugin object, already imported) register at once, the same way.
    """
    settings = settings or LoaderSettings.from_env()
    registry = ProviderRegistry(prefer=settings.prefer)
    manager = PluginManager()
    for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
        _defer_entry_point(ep, registry, manager, settings)
    for name, plugin in (extra_plugins or {}).items():
        info = _screen(name, None, registry, settings)
        if info.status == "pending":
            _load_plugin(info, partial(_identity, plugin), registry, manager, settings)
    if settings.strict:
        registry.load_all()  # strict mode checks every plugin now, not when first used
    if settings.load_config_files:
        _load_config_endpoints(registry, manager, settings)
    return registry


_default: ProviderRegistry | None = None
_default_lock = threading.Lock()


def get_registry() -> ProviderRegistry:
    """Return the process-wide registry, discovering plugins on first use."""
    global _default
    if _default is None:
        with _default_lock:
            if _default is None:
                _default = build_registry()
    return _default


def reset_registry() -> None:
    """Forget the process-wide registry; the next use discovers plugins again."""
    global _default
    with _default_lock:
        _default = None
