"""OpenAI provider for infermux: chat completions and the Responses API, direct only."""

from __future__ import annotations

from collections.abc import Callable

from infermux import TaskProviderHelper, hookimpl
from infermux.helpers.openai import (
    CHAT_PARAMETERS,
    OPENAI_CHAT_EXTRAS,
    OpenAIChatHelper,
    OpenAIResponsesHelper,
)

__all__ = ["OpenAIChat", "OpenAIResponses", "register_providers"]


class OpenAIChat(OpenAIChatHelper):
    """Chat completions on ``api.openai.com``, plain and streamed.

    The Hugging Face router does not serve OpenAI: a call needs an OpenAI key
    (``OPENAI_API_KEY`` or ``api_key="sk-..."``), and a Hugging Face token is never sent to
    OpenAI. Model ids are OpenAI's own (``gpt-4o-mini``), used as given with no Hub lookup.
    """

    provider = "openai"
    base_url = "https://api.openai.com"
    api_key_env = ("OPENAI_API_KEY",)
    key_url = "https://platform.openai.com/api-keys"
    routable = False
    needs_model_mapping = False
    # Every parameter of OpenAI's own chat completions API.
    supported_parameters = CHAT_PARAMETERS | OPENAI_CHAT_EXTRAS


class OpenAIResponses(OpenAIResponsesHelper):
    """The Responses API (``POST /v1/responses``), every documented parameter; direct only."""

    provider = "openai"
    base_url = "https://api.openai.com"
    api_key_env = ("OPENAI_API_KEY",)
    key_url = "https://platform.openai.com/api-keys"
    routable = False
    needs_model_mapping = False


@hookimpl
def register_providers(register: Callable[[TaskProviderHelper], None]) -> None:
    register(OpenAIChat())
    register(OpenAIResponses())
