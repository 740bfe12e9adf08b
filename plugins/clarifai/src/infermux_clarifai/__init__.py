"""Clarifai provider for infermux: chat through Clarifai's OpenAI-compatible API."""

from __future__ import annotations

from collections.abc import Callable

from infermux import TaskProviderHelper, hookimpl
from infermux.helpers.openai import OpenAIChatHelper

__all__ = ["ClarifaiChat", "register_providers"]


class ClarifaiChat(OpenAIChatHelper):
    """Chat completions, plain and streamed.

    The OpenAI-compatible root is ``https://api.clarifai.com/v2/ext/openai/v1``: the base URL
    stops before ``/v1`` so that the routed call (``router.huggingface.co/clarifai/v1/...``)
    and the direct call share one route. Clarifai model ids are model URLs such as
    ``https://clarifai.com/openai/chat-completion/models/gpt-oss-120b``; the Hub mapping
    supplies them for Hub model ids. The key is a Personal Access Token, sent as Bearer.
    """

    provider = "clarifai"
    base_url = "https://api.clarifai.com/v2/ext/openai"
    api_key_env = ("CLARIFAI_PAT",)
    key_url = "https://clarifai.com/settings/security"


@hookimpl
def register_providers(register: Callable[[TaskProviderHelper], None]) -> None:
    register(ClarifaiChat())
