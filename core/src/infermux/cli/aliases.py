"""``infermux aliases``: the model aliases (default, large, small, agent) per provider."""

from __future__ import annotations

import argparse

from infermux.cli.output import dumps
from infermux.cli.tables import print_table

__all__ = ["aliases_command"]


def aliases_command(args: argparse.Namespace) -> int:
    """Table of provider, task, alias and model id, with config-file overrides applied."""
    from infermux.aliases import ALIAS_NAMES, alias_table
    from infermux.config import load_config
    from infermux.registry.loader import get_registry

    overrides = load_config().aliases
    rows = []
    for registration in get_registry():
        helper = registration.helper
        if args.provider and helper.provider != args.provider:
            continue
        table = alias_table(helper, overrides)
        for name in ALIAS_NAMES:
            if name in table:
                rows.append([helper.provider, helper.task, name, table[name]])
    if args.json:
        print(
            dumps(
                [dict(zip(("provider", "task", "alias", "model"), r, strict=True)) for r in rows],
                pretty=True,
            )
        )
        return 0
    if not rows:
        print("No aliases declared. Plugins declare them; add your own in the config file.")
        return 0
    print_table(["PROVIDER", "TASK", "ALIAS", "MODEL"], rows)
    return 0
