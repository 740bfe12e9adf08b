"""NVIDIA API catalog (build.nvidia.com) provider for infermux: chat, direct only."""

from __future__ import annotations

from collections.abc import Callable

from infermux import TaskProviderHelper, hookimpl
from infermux.helpers.openai import OpenAIChatHelper

__all__ = ["NvidiaChat", "register_providers"]


class NvidiaChat(OpenAIChatHelper):
    """Chat completions on ``integrate.api.nvidia.com``, plain and streamed.

    Direct only: a Hugging Face token is never accepted for it. Model ids are NVIDIA's own
    (``meta/llama-3.1-8b-instruct``), used as given: no Hub lookup, since a Hub repository
    of the same name would not be mapped to this provider.
    """

    provider = "nvidia"
    base_url = "https://integrate.api.nvidia.com"
    api_key_env = ("NVIDIA_API_KEY",)
    key_url = "https://build.nvidia.com/settings/api-keys"
    routable = False
    needs_model_mapping = False


@hookimpl
def register_providers(register: Callable[[TaskProviderHelper], None]) -> None:
    register(NvidiaChat())
