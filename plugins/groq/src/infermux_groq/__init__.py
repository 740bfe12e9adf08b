"""Groq provider for infermux: OpenAI-compatible chat at ``https://api.groq.com/openai``.

Groq has no raw completions endpoint, so ``text-generation`` sends the prompt as a single
user message to chat completions and maps the reply back to the text-generation types.
"""

from __future__ import annotations

from typing import Any

from infermux import Provider, TaskProviderHelper
from infermux.helpers.base import Call, Payload
from infermux.helpers.openai import (
    RESPONSES_PARAMETERS,
    OpenAIChatHelper,
    OpenAIChatTextGenerationHelper,
    OpenAIResponsesHelper,
    openai_error_message,
)

__all__ = ["GroqChat", "GroqResponses", "GroqTextGeneration", "groq", "register_providers"]

groq = Provider(
    "groq",
    base_url="https://api.groq.com/openai",
    key_env="GROQ_API_KEY",
    key_page="https://console.groq.com/keys",
    # Groq's own ids (an alias skips the Hub mapping, routed or direct).
    aliases={
        "conversational": {
            "default": "llama-3.3-70b-versatile",
            "large": "openai/gpt-oss-120b",
            "small": "llama-3.1-8b-instant",
            "agent": "openai/gpt-oss-120b",
        },
        # Routed, a Responses call goes to the router's /v1/responses as "<id>:groq", and
        # the router takes Hub ids: the gpt-oss ids are both Groq's and the Hub's, while
        # llama-3.3-70b-versatile is Groq's only. Groq's Responses page calls gpt-oss-20b
        # (console.groq.com/docs/responses-api); gpt-oss-120b is the chat table's choice.
        "responses": {
            "default": "openai/gpt-oss-120b",
            "large": "openai/gpt-oss-120b",
            "small": "openai/gpt-oss-20b",
            "agent": "openai/gpt-oss-120b",
        },
        # text-generation goes to chat completions (below), so the chat models serve it.
        "text-generation": {
            "default": "llama-3.3-70b-versatile",
            "large": "openai/gpt-oss-120b",
            "small": "llama-3.1-8b-instant",
        },
    },
)

# Groq answers 400 to logprobs, logit_bias and top_logprobs
# (https://console.groq.com/docs/openai), so they are refused before sending.
CHAT_PARAMETERS = frozenset(
    {
        "frequency_penalty",
        "max_tokens",
        "n",
        "presence_penalty",
        "response_format",
        "seed",
        "stop",
        "stream_options",
        "temperature",
        "tool_choice",
        "tools",
        "top_p",
        # Documented by Groq's chat completions API (console.groq.com/docs/api-reference).
        "parallel_tool_calls",
        "reasoning_effort",
        "service_tier",
        "user",
    }
)


class _ChatRoute(TaskProviderHelper):
    """Groq's chat completions route, which serves chat and ``text-generation`` alike."""

    # Groq deprecates max_tokens in favour of max_completion_tokens (same meaning).
    parameter_renames = {"max_tokens": "max_completion_tokens"}

    def prepare_route(self, call: Call) -> str:
        # Direct: https://api.groq.com/openai + /v1/...; the router serves Groq's whole
        # host, so routed calls keep the /openai prefix: .../groq/openai/v1/...
        prefix = "/openai" if call.routing == "router" else ""
        return f"{prefix}/v1/chat/completions"

    def error_message(self, body: Any) -> str | None:
        return openai_error_message(body)


@groq.task
class GroqChat(_ChatRoute, OpenAIChatHelper):
    """Chat completions, plain and streamed, with tools and ``response_format``
    (``json_object`` and ``json_schema``, passed through unchanged)."""

    supported_parameters = CHAT_PARAMETERS

    def prepare_payload(self, call: Call) -> Payload:
        payload = super().prepare_payload(call)
        assert isinstance(payload, dict)  # OpenAIChatHelper builds a JSON object
        # Groq rejects tool_calls on a tool message (some frameworks echo them there).
        payload["messages"] = [
            {k: v for k, v in m.items() if k != "tool_calls"}
            if isinstance(m, dict) and m.get("role") == "tool"
            else m
            for m in payload["messages"]
        ]
        return payload


@groq.task
class GroqTextGeneration(_ChatRoute, OpenAIChatTextGenerationHelper):
    """``text-generation`` on chat completions: the prompt is one user message (the core's
    :class:`~infermux.helpers.openai.OpenAIChatTextGenerationHelper`). ``details=True``
    returns the finish reason and token count."""

    supported_parameters = frozenset(
        {
            "details",
            "frequency_penalty",
            "max_new_tokens",
            "seed",
            "stop",
            "temperature",
            "top_p",
        }
    )
    parameter_renames = {"max_new_tokens": "max_completion_tokens"}

    def stream_usage(self, chunk: dict[str, Any]) -> Any:
        # Groq puts the usage of a stream in the last chunk's x_groq.
        extra = chunk.get("x_groq")
        return chunk.get("usage") or (extra.get("usage") if isinstance(extra, dict) else None)


@groq.task
class GroqResponses(OpenAIResponsesHelper):
    """The Responses API (``POST https://api.groq.com/openai/v1/responses``, beta;
    console.groq.com/docs/responses-api). Groq keeps no conversation state:
    ``previous_response_id``, ``store`` and ``background`` are refused; send the whole
    conversation as ``input``. Routed calls go to the router's ``/v1/responses`` as
    ``"<hub id>:groq"``."""

    supported_parameters = RESPONSES_PARAMETERS - {"previous_response_id", "store", "background"}


register_providers = groq.hook()
