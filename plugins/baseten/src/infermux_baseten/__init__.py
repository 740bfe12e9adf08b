"""Baseten Model APIs provider for infermux: OpenAI-compatible chat."""

from __future__ import annotations

from collections.abc import Callable

from infermux import TaskProviderHelper, hookimpl
from infermux.helpers.openai import OpenAIChatHelper

__all__ = ["BasetenChat", "register_providers"]


class BasetenChat(OpenAIChatHelper):
    """Chat completions on Baseten's shared Model APIs, plain and streamed.

    Dedicated Baseten deployments (``model-<id>.api.baseten.co``) are not covered: they take
    ``Authorization: Api-Key <key>`` and a per-deployment URL.
    """

    provider = "baseten"
    base_url = "https://inference.baseten.co"
    api_key_env = ("BASETEN_API_KEY",)
    key_url = "https://app.baseten.co/settings/api_keys"


@hookimpl
def register_providers(register: Callable[[TaskProviderHelper], None]) -> None:
    register(BasetenChat())
