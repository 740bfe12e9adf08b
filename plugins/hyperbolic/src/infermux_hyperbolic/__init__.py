"""Hyperbolic provider for infermux: chat, completions and text-to-image.

Chat is OpenAI-compatible. ``text-generation`` is sent as a one-message chat (the prompt
as the user's message) to ``/v1/chat/completions``, as huggingface.js and huggingface_hub
send it: Hyperbolic serves instruct models, whose raw ``/v1/completions`` answers do not
match what a text-generation caller expects. Images are Hyperbolic's own API: the body
names the model ``model_name`` and needs ``width`` and ``height`` (512 x 512 unless set),
the answer holds base64 images in ``images[].image``. Direct calls use Hyperbolic's
documented ``POST /v1/image/generation``; the Hugging Face router serves the same API at
``/hyperbolic/v1/images/generations``.
"""

from __future__ import annotations

from typing import Any

from infermux import ImageOutput, Provider, TaskProviderHelper
from infermux.helpers.base import Call, Payload, Response
from infermux.helpers.openai import (
    OpenAIChatHelper,
    OpenAIChatTextGenerationHelper,
    openai_error_message,
)

__all__ = [
    "HyperbolicChat",
    "HyperbolicCompletion",
    "HyperbolicTextToImage",
    "hyperbolic",
    "register_providers",
]

#: Hyperbolic requires a size; these are the defaults huggingface_hub sends too.
DEFAULT_SIZE = 512

hyperbolic = Provider(
    "hyperbolic",
    base_url="https://api.hyperbolic.xyz",
    key_env="HYPERBOLIC_API_KEY",
    key_page="https://app.hyperbolic.xyz/settings",
    # Hyperbolic's ids are the Hub repository ids of the models it serves.
    aliases={
        "conversational": {
            "default": "meta-llama/Llama-3.3-70B-Instruct",
            "large": "meta-llama/Meta-Llama-3.1-405B-Instruct",
            "small": "meta-llama/Llama-3.2-3B-Instruct",
            "agent": "deepseek-ai/DeepSeek-V3",
        },
        # text-generation is sent to chat completions (below): the chat models serve it.
        "text-generation": {
            "default": "meta-llama/Llama-3.3-70B-Instruct",
            "large": "meta-llama/Meta-Llama-3.1-405B-Instruct",
            "small": "meta-llama/Llama-3.2-3B-Instruct",
        },
    },
)


@hyperbolic.task
class HyperbolicChat(OpenAIChatHelper):
    """Chat completions, plain and streamed."""


@hyperbolic.task
class HyperbolicCompletion(OpenAIChatTextGenerationHelper):
    """``text-generation`` as a one-message chat: ``POST /v1/chat/completions`` with
    ``messages=[{"role": "user", "content": prompt}]``; the answer's message content is the
    generated text (streamed: each delta is a token)."""


@hyperbolic.task
class HyperbolicTextToImage(TaskProviderHelper):
    """Images from Hyperbolic's image API, returned inline as base64."""

    task = "text-to-image"
    supported_parameters = frozenset(
        {"height", "width", "seed", "negative_prompt", "num_inference_steps", "guidance_scale"}
    )
    parameter_renames = {"num_inference_steps": "steps", "guidance_scale": "cfg_scale"}
    output_type = ImageOutput
    paid_per_call = True  # each call generates (and bills) an image: never resent

    def prepare_route(self, call: Call) -> str:
        return "/v1/images/generations" if call.routing == "router" else "/v1/image/generation"

    def prepare_payload(self, call: Call) -> Payload:
        parameters = self.rename(call.parameters)
        return {
            "prompt": call.inputs,
            "model_name": call.model.provider_model_id,
            "width": DEFAULT_SIZE,
            "height": DEFAULT_SIZE,
            **parameters,
        }

    def parse_response(self, response: Response, call: Call) -> Any:
        body = self.json_object(response)
        try:
            encoded = body["images"][0]["image"]
        except (KeyError, IndexError, TypeError):
            raise self.unexpected(body, missing="base64 images[0].image") from None
        return self.media_from_base64(encoded, ImageOutput)

    def error_message(self, body: Any) -> str | None:
        return openai_error_message(body)


register_providers = hyperbolic.hook()
