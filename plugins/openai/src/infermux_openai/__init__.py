"""OpenAI provider for infermux, direct only: chat completions, the Responses API,
embeddings, images, speech and transcription on ``api.openai.com``."""

from __future__ import annotations

from typing import Any

from infermux import Provider, TaskProviderHelper
from infermux.errors import InvalidInputError
from infermux.helpers.base import Call, Payload, Response
from infermux.helpers.openai import (
    CHAT_PARAMETERS,
    OPENAI_CHAT_EXTRAS,
    OpenAIChatHelper,
    OpenAIEmbeddingsHelper,
    OpenAIImageHelper,
    OpenAIResponsesHelper,
    OpenAITranscriptionHelper,
    openai_error_message,
)
from infermux.media import AudioOutput, sniff_content_type

__all__ = [
    "OpenAIChat",
    "OpenAIEmbeddings",
    "OpenAIImages",
    "OpenAIResponses",
    "OpenAISpeech",
    "OpenAITranscription",
    "openai",
    "register_providers",
]

openai = Provider(
    "openai",
    base_url="https://api.openai.com",
    key_env="OPENAI_API_KEY",
    key_page="https://platform.openai.com/api-keys",
    # The Hugging Face router does not serve OpenAI: a call needs an OpenAI key
    # (OPENAI_API_KEY or api_key="sk-..."), and a Hugging Face token is never sent to OpenAI.
    routable=False,
    # Model ids are OpenAI's own (gpt-4o-mini), used as given with no Hub lookup.
    needs_model_mapping=False,
    aliases={
        "conversational": {
            "default": "gpt-4o-mini",
            "large": "gpt-4o",
            "small": "gpt-4o-mini",
            "agent": "gpt-4o",
        },
        # OpenAI's Responses API serves its chat models: the same table.
        "responses": {
            "default": "gpt-4o-mini",
            "large": "gpt-4o",
            "small": "gpt-4o-mini",
            "agent": "gpt-4o",
        },
        "feature-extraction": {
            "default": "text-embedding-3-small",
            "large": "text-embedding-3-large",
            "small": "text-embedding-3-small",
        },
    },
    # OpenAI's documented limit of inputs per embeddings request.
    max_batch_size={"feature-extraction": 2048},
)


@openai.task
class OpenAIChat(OpenAIChatHelper):
    """Chat completions on ``api.openai.com``, plain and streamed."""

    # Every parameter of OpenAI's own chat completions API. max_tokens goes as
    # max_completion_tokens, its replacement, which reasoning models require.
    supported_parameters = CHAT_PARAMETERS | OPENAI_CHAT_EXTRAS
    parameter_renames = {"max_tokens": "max_completion_tokens"}


@openai.task
class OpenAIResponses(OpenAIResponsesHelper):
    """The Responses API (``POST /v1/responses``), every documented parameter."""


@openai.task
class OpenAIEmbeddings(OpenAIEmbeddingsHelper):
    """``POST /v1/embeddings``: one vector per input, ``dimensions`` for text-embedding-3."""


@openai.task
class OpenAIImages(OpenAIImageHelper):
    """``POST /v1/images/generations``: ``width``/``height`` become ``size="WxH"``. DALL·E
    models are asked for ``b64_json``; gpt-image models always answer in base64 and refuse
    the ``response_format`` field, so it is not sent to them."""

    supported_parameters = frozenset({"height", "width"})

    def prepare_payload(self, call: Call) -> Payload:
        parameters = dict(call.parameters)
        width, height = parameters.pop("width", None), parameters.pop("height", None)
        if (width is None) != (height is None):
            raise InvalidInputError("openai text-to-image needs width and height together")
        payload: dict[str, Any] = {"prompt": call.inputs, "model": call.model.provider_model_id}
        if width is not None:
            payload["size"] = f"{width}x{height}"
        if call.model.provider_model_id.startswith("dall-e"):
            payload["response_format"] = "b64_json"
        return payload


@openai.task
class OpenAISpeech(TaskProviderHelper):
    """``POST /v1/audio/speech``: MP3 by default; ``voice`` defaults to ``alloy`` (OpenAI
    requires one); ``extra_body`` sets ``voice``, ``response_format``, ``instructions``."""

    task = "text-to-speech"
    output_type = AudioOutput
    supported_parameters: frozenset[str] | None = frozenset()
    paid_per_call = True  # each call generates (and bills) a clip: never resent

    def prepare_route(self, call: Call) -> str:
        return "/v1/audio/speech"

    def prepare_payload(self, call: Call) -> Payload:
        return {"model": call.model.provider_model_id, "input": call.inputs, "voice": "alloy"}

    def parse_response(self, response: Response, call: Call) -> Any:
        content = response.content
        if not content or response.content_type.startswith(("application/json", "text/")):
            raise self.unexpected(
                response.content,
                problem=f"{response.content_type or 'no content'} instead of audio",
            )
        content_type = sniff_content_type(content, response.content_type)
        return AudioOutput(content, content_type, provider=self.provider)

    def error_message(self, body: Any) -> str | None:
        return openai_error_message(body)


@openai.task
class OpenAITranscription(OpenAITranscriptionHelper):
    """``POST /v1/audio/transcriptions`` (multipart, Whisper and gpt-4o-transcribe)."""


register_providers = openai.hook()
