"""``infermux providers`` and ``infermux plugins``: what is installed, from where."""

from __future__ import annotations

import argparse
from typing import Any

from infermux.cli.output import dumps, format_table

__all__ = ["plugins_command", "providers_command"]

_NONE = "-"


def _registry() -> Any:
    from infermux.registry.loader import get_registry

    return get_registry()


def providers_command(args: argparse.Namespace) -> int:
    """Table of (provider, task) with the plugin, distribution and version serving it."""
    registry = _registry()
    registrations = [
        {
            "provider": reg.helper.provider,
            "task": reg.helper.task,
            "plugin": reg.plugin,
            "distribution": reg.distribution,
            "version": reg.version,
        }
        for reg in registry
    ]
    conflicts = [
        {
            "provider": provider,
            "task": task,
            "distributions": [reg.origin for reg in regs],
        }
        for (provider, task), regs in sorted(registry.conflicts().items())
    ]
    if args.json:
        print(dumps({"registrations": registrations, "conflicts": conflicts}, pretty=True))
        return 0
    if not registrations:
        print(
            "No providers installed. Install a provider plugin, e.g. "
            "pip install infermux-together, or declare one in a config file."
        )
        return 0
    rows = [
        [r["provider"], r["task"], r["plugin"], r["distribution"] or _NONE, r["version"] or _NONE]
        for r in registrations
    ]
    print(format_table(["PROVIDER", "TASK", "PLUGIN", "DISTRIBUTION", "VERSION"], rows))
    if conflicts:
        print("\nConflicts (using one raises an error until you choose with INFERMUX_PREFER):")
        for conflict in conflicts:
            print(
                f"  {conflict['provider']} / {conflict['task']}: "
                f"{', '.join(conflict['distributions'])}"
            )
    return 0


def plugins_command(args: argparse.Namespace) -> int:
    """Plugin distributions, their versions, status, and why a plugin failed."""
    plugins = [
        {
            "name": info.name,
            "distribution": info.distribution,
            "version": info.version,
            "status": info.status,
            "error": info.error,
            "registrations": [
                {"provider": provider, "task": task} for provider, task in info.registrations
            ],
        }
        for info in _registry().plugins
    ]
    if args.json:
        print(dumps(plugins, pretty=True))
        return 0
    if not plugins:
        print("No provider plugins installed (entry point group 'infermux.providers').")
        return 0
    rows = [
        [
            p["name"],
            p["distribution"] or _NONE,
            p["version"] or _NONE,
            p["status"],
            ", ".join(sorted({r["provider"] for r in p["registrations"]})) or _NONE,
            str(len(p["registrations"])),
        ]
        for p in plugins
    ]
    print(format_table(["PLUGIN", "DISTRIBUTION", "VERSION", "STATUS", "PROVIDERS", "TASKS"], rows))
    failed = [p for p in plugins if p["error"]]
    if failed:
        print("\nProblems:")
        for p in failed:
            print(f"  {p['name']}: {p['error']}")
    return 0
