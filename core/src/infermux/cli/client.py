"""The client a command talks through, built from the shared provider and key options."""

from __future__ import annotations

import argparse
import logging
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from infermux.client.sync_client import InferenceClient

__all__ = ["make_client"]

logger = logging.getLogger("infermux.cli")


def make_client(args: argparse.Namespace) -> InferenceClient:
    """An :class:`~infermux.InferenceClient` for ``--provider``, ``--api-key``, ``--routing``."""
    from infermux.client.sync_client import InferenceClient

    logger.info(
        "provider %s, routing %s, key %s",
        args.provider or "auto",
        args.routing,
        "from --api-key" if args.api_key else "from the environment (if any)",
    )
    options: dict[str, Any] = {}
    poll_interval = getattr(args, "poll_interval", None)  # only ``run`` has --poll-interval
    if poll_interval is not None:
        options["poll_interval"] = poll_interval
    if getattr(args, "hub_lookup", True) is False:  # run --no-hub-lookup
        options["hub_lookup"] = False
    for name in ("base_url", "router_url", "hub_url"):  # the endpoint options
        value = getattr(args, name, None)
        if value is not None:
            options[name] = value
    return InferenceClient(
        provider=args.provider, api_key=args.api_key, routing=args.routing, **options
    )
