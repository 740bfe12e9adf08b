"""The client a command talks through, built from the shared provider and key options."""

from __future__ import annotations

import argparse
import logging
from typing import TYPE_CHECKING

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
    return InferenceClient(provider=args.provider, api_key=args.api_key, routing=args.routing)
