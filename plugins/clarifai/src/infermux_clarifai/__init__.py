"""Clarifai provider for infermux: chat through Clarifai's OpenAI-compatible API."""

from __future__ import annotations

from infermux import Provider
from infermux.helpers.openai import OpenAIChatHelper

__all__ = ["ClarifaiChat", "clarifai", "register_providers"]

_MODELS = "https://clarifai.com"

clarifai = Provider(
    "clarifai",
    base_url="https://api.clarifai.com/v2/ext/openai",
    # A Personal Access Token, sent as Bearer.
    key_env="CLARIFAI_PAT",
    key_page="https://clarifai.com/settings/security",
    # Clarifai's own ids are model URLs; these are ones its OpenAI-compatible API serves.
    aliases={
        "conversational": {
            "default": f"{_MODELS}/openai/chat-completion/models/gpt-oss-120b",
            "large": f"{_MODELS}/openai/chat-completion/models/gpt-oss-120b",
            "small": f"{_MODELS}/deepseek-ai/deepseek-chat/models/DeepSeek-R1-0528-Qwen3-8B",
            "agent": f"{_MODELS}/openai/chat-completion/models/gpt-oss-120b",
        }
    },
)


@clarifai.task
class ClarifaiChat(OpenAIChatHelper):
    """Chat completions, plain and streamed.

    The OpenAI-compatible root is ``https://api.clarifai.com/v2/ext/openai/v1``: the base URL
    stops before ``/v1`` so that the routed call (``router.huggingface.co/clarifai/v1/...``)
    and the direct call share one route. Clarifai model ids are model URLs such as
    ``https://clarifai.com/openai/chat-completion/models/gpt-oss-120b``; the Hub mapping
    supplies them for Hub model ids.
    """


register_providers = clarifai.hook()
