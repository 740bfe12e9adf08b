"""NVIDIA API catalog (build.nvidia.com) provider for infermux: chat, direct only."""

from __future__ import annotations

from infermux import Provider
from infermux.helpers.openai import OpenAIChatHelper

__all__ = ["NvidiaChat", "nvidia", "register_providers"]

nvidia = Provider(
    "nvidia",
    base_url="https://integrate.api.nvidia.com",
    key_env="NVIDIA_API_KEY",
    key_page="https://build.nvidia.com/settings/api-keys",
    # Direct only: the Hugging Face router does not serve NVIDIA's catalog.
    routable=False,
    # Model ids are NVIDIA's own (meta/llama-3.1-8b-instruct): no Hub lookup.
    needs_model_mapping=False,
    aliases={
        # NVIDIA's catalog ids (build.nvidia.com); agent is its tool-calling Nemotron.
        "conversational": {
            "default": "meta/llama-3.3-70b-instruct",
            "large": "meta/llama-3.1-405b-instruct",
            "small": "meta/llama-3.1-8b-instruct",
            "agent": "nvidia/llama-3.3-nemotron-super-49b-v1.5",
        },
    },
)


@nvidia.task
class NvidiaChat(OpenAIChatHelper):
    """Chat completions on ``integrate.api.nvidia.com``, plain and streamed.

    Direct only: a Hugging Face token is never accepted for it. Model ids are NVIDIA's own
    (``meta/llama-3.1-8b-instruct``), used as given: no Hub lookup, since a Hub repository
    of the same name would not be mapped to this provider.
    """


register_providers = nvidia.hook()
