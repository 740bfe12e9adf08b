"""Responses helpers the core derives: the router's ``/v1/responses`` for every chat provider.

The Hugging Face router serves OpenAI's Responses API for every provider it serves chat
for (``model="org/id:provider"``), translating to the provider's chat completions where the
provider has no Responses API of its own. A provider plugin therefore needs no Responses
helper to be reachable through the router: the core derives one from its chat helper. Only
providers that expose ``/v1/responses`` themselves (OpenAI, Groq, Together) register a
helper that can also go direct.
"""

from __future__ import annotations

from functools import lru_cache

from infermux.auth import DEFAULT_ROUTER_URL
from infermux.errors import ConfigurationError
from infermux.helpers.base import Call, Payload, TaskProviderHelper
from infermux.helpers.openai import ROUTER_RESPONSES_PARAMETERS, OpenAIResponsesHelper

__all__ = ["routed_responses_helper", "router_policy_responses_helper"]


@lru_cache(maxsize=256)
def routed_responses_helper(chat: TaskProviderHelper) -> TaskProviderHelper:
    """A Responses helper for ``chat``'s provider that goes through the router only."""

    class RoutedResponses(OpenAIResponsesHelper):
        provider = chat.provider
        base_url = f"{DEFAULT_ROUTER_URL}/{chat.provider}"
        # No key variable: the provider's own key cannot reach a Responses API it does not
        # have, so routing="auto" takes the Hugging Face token to the router.
        api_key_env = ()
        key_url = chat.key_url
        needs_model_mapping = chat.needs_model_mapping
        supported_parameters = ROUTER_RESPONSES_PARAMETERS

        def prepare_payload(self, call: Call) -> Payload:
            if call.routing != "router":
                raise ConfigurationError(
                    f"{self.provider} has no Responses API of its own: responses.create() "
                    "reaches it through the Hugging Face router only. Pass a Hugging Face "
                    "token (api_key='hf_...' or HF_TOKEN), or call chat_completion() with "
                    f"the {self.provider} key."
                )
            return super().prepare_payload(call)

    RoutedResponses.__name__ = RoutedResponses.__qualname__ = f"RoutedResponses[{chat.provider}]"
    return RoutedResponses()


@lru_cache(maxsize=8)
def router_policy_responses_helper(router_url: str) -> TaskProviderHelper:
    """``model="org/id:fastest"`` (``:cheapest``, ``:preferred``): the router chooses."""
    from infermux.endpoints import ROUTER_PROVIDER

    class RouterResponses(OpenAIResponsesHelper):
        provider = ROUTER_PROVIDER
        base_url = router_url.rstrip("/")
        uses_hf_token = True
        needs_model_mapping = False
        supported_parameters = ROUTER_RESPONSES_PARAMETERS
        route_prefix = "/v1"

        def wire_model(self, call: Call) -> str:
            return call.model.provider_model_id

    return RouterResponses()
