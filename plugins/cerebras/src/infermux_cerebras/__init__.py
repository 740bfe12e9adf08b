"""Cerebras provider for infermux: OpenAI-compatible chat completions.

Cerebras rejects ``frequency_penalty``, ``presence_penalty`` and ``logit_bias`` with a 400,
so they are refused before sending. Its streams end without a ``data: [DONE]`` line: the
last chunk carries ``finish_reason`` and ``usage`` and the connection closes, which the
core's stream reader treats as the end of the stream.
"""

from __future__ import annotations

from infermux import Provider
from infermux.helpers.openai import CHAT_PARAMETERS, OpenAIChatHelper

__all__ = ["CerebrasChat", "cerebras", "register_providers"]

cerebras = Provider(
    "cerebras",
    base_url="https://api.cerebras.ai",
    key_env="CEREBRAS_API_KEY",
    key_page="https://cloud.cerebras.ai",
    aliases={
        # Cerebras's own model ids (inference-docs.cerebras.ai/models).
        "conversational": {
            "default": "llama-3.3-70b",
            "large": "gpt-oss-120b",
            "small": "llama3.1-8b",
            "agent": "gpt-oss-120b",
        },
    },
)


@cerebras.task
class CerebrasChat(OpenAIChatHelper):
    """Chat completions, plain and streamed: ``POST https://api.cerebras.ai/v1/chat/completions``."""

    supported_parameters = CHAT_PARAMETERS - {"frequency_penalty", "presence_penalty", "logit_bias"}
    # Cerebras closes its streams after the last chunk, with no `data: [DONE]` (recorded in
    # cassettes/cerebras/chat_completion_stream.yaml): the end of the connection ends it.
    stream_end_marker = None


register_providers = cerebras.hook()
