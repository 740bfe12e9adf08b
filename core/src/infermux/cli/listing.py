"""``infermux providers`` and ``infermux plugins``: what is installed, from where."""

from __future__ import annotations

import argparse
from typing import Any

from infermux.cli.output import dumps
from infermux.cli.tables import print_table

__all__ = ["plugins_command", "providers_command"]

_NONE = "-"


def _registry() -> Any:
    from infermux.registry.loader import get_registry

    return get_registry()


def providers_command(args: argparse.Namespace) -> int:
    """One row per provider: its tasks, where its key comes from, the distribution serving it."""
    from infermux.cli.keys import key_source

    registry = _registry()
    task_filter: str | None = getattr(args, "task", None)
    if task_filter is not None:
        _check_task(task_filter)
    registrations = [
        {
            "provider": reg.helper.provider,
            "task": reg.helper.task,
            "plugin": reg.plugin,
            "distribution": reg.distribution,
            "version": reg.version,
        }
        for reg in registry
        if task_filter is None or reg.helper.task == task_filter
    ]
    conflicts = [
        {
            "provider": provider,
            "task": task,
            "distributions": [reg.origin for reg in regs],
        }
        for (provider, task), regs in sorted(registry.conflicts().items())
    ]
    providers: dict[str, dict[str, Any]] = {}
    for reg in registry:
        if not any(r["provider"] == reg.helper.provider for r in registrations):
            continue
        entry = providers.setdefault(
            reg.helper.provider,
            {
                "provider": reg.helper.provider,
                "tasks": [],
                "distribution": reg.distribution,
                "version": reg.version,
                "key": key_source(reg.helper)["source"],
            },
        )
        entry["tasks"].append(reg.helper.task)
    if args.json:
        print(
            dumps(
                {
                    "providers": list(providers.values()),
                    "registrations": registrations,
                    "conflicts": conflicts,
                },
                pretty=True,
            )
        )
        return 0
    if not registrations:
        if task_filter is not None:
            print(f"No installed provider serves {task_filter!r}.")
        else:
            print(
                "No providers installed. Install a provider plugin (from a clone: "
                "pip install ./plugins/together), or declare one in a config file."
            )
        return 0
    rows = [
        [
            name,
            info["key"] if info["key"] != "none" else _NONE,
            f"{info['distribution'] or _NONE} {info['version'] or ''}".strip(),
            ", ".join(sorted(info["tasks"])),
        ]
        for name, info in sorted(providers.items())
    ]
    print_table(["PROVIDER", "KEY FROM", "DISTRIBUTION", "TASKS"], rows)
    if conflicts:
        print("\nConflicts (using one raises an error until you choose with INFERMUX_PREFER):")
        for conflict in conflicts:
            print(
                f"  {conflict['provider']} / {conflict['task']}: "
                f"{', '.join(conflict['distributions'])}"
            )
    return 0


def _check_task(task: str) -> None:
    """An unknown task name is an error with the closest known ones."""
    import difflib

    from infermux.cli.errors import CLIError
    from infermux.tasks import KNOWN_TASKS

    if task not in KNOWN_TASKS:
        close = difflib.get_close_matches(task, sorted(KNOWN_TASKS), n=3)
        hint = f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
        raise CLIError(f"unknown task {task!r} for --task.{hint}")


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
    print_table(["PLUGIN", "DISTRIBUTION", "VERSION", "STATUS", "PROVIDERS", "TASKS"], rows)
    failed = [p for p in plugins if p["error"]]
    if failed:
        print("\nProblems:")
        for p in failed:
            print(f"  {p['name']}: {p['error']}")
    return 0
