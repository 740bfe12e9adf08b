"""``infermux models``: the Hub's view of models and providers, and the router's listing."""

from __future__ import annotations

import argparse
from typing import Any

from infermux.cli.client import make_client
from infermux.cli.errors import CLIError
from infermux.cli.output import dumps
from infermux.cli.tables import print_table

__all__ = ["models_command"]


def _mapping_rows(entries: list[Any]) -> list[list[str]]:
    return [[e.provider, e.provider_model_id, e.task or "-", e.status] for e in entries]


def models_command(args: argparse.Namespace) -> int:
    """Dispatch ``models list|status|mapping|router``."""
    action = args.models_action
    if action in ("status", "mapping") and not args.model:
        raise CLIError(
            f"'infermux models {action}' needs a MODEL, e.g. meta-llama/Llama-3.1-8B-Instruct"
        )
    if action in ("list", "router") and args.model:
        raise CLIError(f"'infermux models {action}' takes no MODEL (got {args.model!r})")
    client = make_client(args)
    if action == "list":
        models = client.list_models(
            provider=args.provider_filter or None,
            task=args.task,
            search=args.search,
            limit=args.limit,
        )
        if args.json:
            print(dumps([m.raw for m in models], pretty=True))
            return 0
        rows = [
            [m.id, m.pipeline_tag or "-", ", ".join(e.provider for e in m.providers) or "-"]
            for m in models
        ]
        print_table(["MODEL", "TASK", "PROVIDERS"], rows)
        return 0
    if action in ("status", "mapping"):
        status = client.model_status(args.model)
        if args.json:
            print(
                dumps(
                    {
                        "model": status.model,
                        "state": status.state,
                        "providers": [
                            {
                                "provider": e.provider,
                                "provider_model_id": e.provider_model_id,
                                "task": e.task,
                                "status": e.status,
                            }
                            for e in status.providers
                        ],
                    },
                    pretty=True,
                )
            )
            return 0
        if action == "status":
            print(f"{status.model}: {status.state or 'unknown'}")
        print_table(
            ["PROVIDER", "PROVIDER MODEL ID", "TASK", "STATUS"], _mapping_rows(status.providers)
        )
        return 0
    router_models = client.list_router_models()
    if args.json:
        print(dumps(router_models, pretty=True))
        return 0
    rows = [
        [
            str(m.get("id")),
            ", ".join(str(p.get("provider")) for p in m.get("providers", []) if isinstance(p, dict))
            or "-",
        ]
        for m in router_models
    ]
    print_table(["MODEL", "PROVIDERS"], rows)
    return 0
