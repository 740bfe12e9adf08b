"""Reusable helpers for OpenAI-compatible APIs: chat, completions, embeddings, images.

Most providers are a few lines on top of these::

    class TogetherChat(OpenAIChatHelper):
        provider = "together"
        base_url = "https://api.together.xyz"
        api_key_env = ("TOGETHER_API_KEY",)

Routes default to ``/v1/...``; providers whose root already ends in ``/v1`` set
``route_prefix = ""``. Parameter names follow the Hugging Face task specs; each helper
renames them (``parameter_renames``) and refuses the ones the API cannot honour
(``supported_parameters``) before any request is sent.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from typing import Any

from infermux.errors import InvalidInputError, ResponseFormatError, StreamError
from infermux.helpers.base import (
    Call,
    FollowUp,
    LazyType,
    MultipartPayload,
    Payload,
    Response,
    SSEEvent,
    TaskProviderHelper,
)
from infermux.helpers.parsing import validate_object, validate_output
from infermux.inputs import BinaryInput
from infermux.media import ImageOutput, sniff_content_type

__all__ = [
    "CHAT_PARAMETERS",
    "OPENAI_CHAT_EXTRAS",
    "OPENAI_HELPERS",
    "RESPONSES_PARAMETERS",
    "ROUTER_RESPONSES_PARAMETERS",
    "OpenAIChatHelper",
    "OpenAIChatTextGenerationHelper",
    "OpenAICompletionHelper",
    "OpenAIEmbeddingsHelper",
    "OpenAIImageHelper",
    "OpenAIResponsesHelper",
    "OpenAITranscriptionHelper",
    "download_image",
    "json_schema_as_json_object",
    "openai_error_message",
    "raise_stream_error",
    "router_root",
]

CHAT_PARAMETERS = frozenset(
    {
        "frequency_penalty",
        "logit_bias",
        "logprobs",
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
        "top_logprobs",
        "top_p",
    }
)


#: Parameters of OpenAI's chat completions beyond the task spec's (``chat.completions.create``
#: takes them; a helper accepts those its API documents).
OPENAI_CHAT_EXTRAS = frozenset(
    {
        "audio",
        "metadata",
        "modalities",
        "parallel_tool_calls",
        "prediction",
        "prompt_cache_key",
        "reasoning_effort",
        "safety_identifier",
        "service_tier",
        "store",
        "user",
        "verbosity",
        "web_search_options",
    }
)

#: Parameters of OpenAI's ``POST /v1/responses`` besides ``model``, ``input`` and ``stream``.
RESPONSES_PARAMETERS = frozenset(
    {
        "background",
        "include",
        "instructions",
        "max_output_tokens",
        "max_tool_calls",
        "metadata",
        "parallel_tool_calls",
        "previous_response_id",
        "prompt_cache_key",
        "reasoning",
        "safety_identifier",
        "service_tier",
        "store",
        "temperature",
        "text",
        "tool_choice",
        "tools",
        "top_logprobs",
        "top_p",
        "truncation",
        "user",
    }
)

#: What the Hugging Face router's Responses server (huggingface/responses.js) reads. It
#: drops other keys silently, so routed calls refuse them before sending instead.
ROUTER_RESPONSES_PARAMETERS = frozenset(
    {
        "instructions",
        "max_output_tokens",
        "metadata",
        "reasoning",
        "temperature",
        "text",
        "tool_choice",
        "tools",
        "top_p",
    }
)


def json_schema_as_json_object(response_format: Any) -> Any:
    """``{"type": "json_schema", "json_schema": {"schema": S}}`` -> ``{"type": "json_object",
    "schema": S}``, the structured-output dialect of Cohere and Fireworks; any other
    response format is returned unchanged."""
    if isinstance(response_format, Mapping) and response_format.get("type") == "json_schema":
        details = response_format.get("json_schema")
        if isinstance(details, Mapping) and "schema" in details:
            return {"type": "json_object", "schema": details["schema"]}
    return response_format


def openai_error_message(body: Any) -> str | None:
    """``{"error": {"message": ...}}`` or ``{"error": "..."}``, the OpenAI error shapes."""
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict) and isinstance(error.get("message"), str):
            return str(error["message"])
        if isinstance(error, str):
            return error
    return None


@cache
def _task_type(name: str) -> Any:
    """A model of :mod:`infermux.types`, imported on first use, then a dict lookup (an
    import statement inside a method costs more, and stream parsing runs once per event)."""
    from infermux import types

    return getattr(types, name)


def raise_stream_error(event: SSEEvent, provider: str) -> None:
    """Raise StreamError if a stream event carries an ``error`` object."""
    if event.event == "error" or '"error"' in event.data:
        try:
            body = json.loads(event.data)
        except ValueError:
            body = event.data
        if event.event == "error" or (isinstance(body, dict) and body.get("error") is not None):
            message = openai_error_message(body) or str(body)
            raise StreamError(message, provider=provider, event=body)


class _OpenAIBase(TaskProviderHelper):
    route_prefix: str = "/v1"
    route: str = ""

    def prepare_route(self, call: Call) -> str:
        return f"{self.route_prefix}{self.route}"

    def error_message(self, body: Any) -> str | None:
        return openai_error_message(body)


class OpenAIChatHelper(_OpenAIBase):
    """``POST /v1/chat/completions``, plain and streamed."""

    task = "conversational"
    route = "/chat/completions"
    supports_streaming = True
    stream_end_marker: str | None = "[DONE]"
    supported_parameters: frozenset[str] | None = CHAT_PARAMETERS

    output_type = LazyType("ChatCompletionOutput")

    def prepare_payload(self, call: Call) -> Payload:
        payload: dict[str, Any] = {"messages": call.inputs, **self.rename(call.parameters)}
        payload["model"] = call.model.provider_model_id
        payload["stream"] = call.stream
        return payload

    def parse_response(self, response: Response, call: Call) -> Any:
        output = validate_output(
            _task_type("ChatCompletionOutput"), response.content, self.provider, self.task
        )
        if not output.choices:  # required, but may come as an empty list
            raise self.unexpected(response.content, missing="choices")
        return output

    def parse_stream_event(self, event: SSEEvent, call: Call) -> Any | None:
        raise_stream_error(event, self.provider)
        return validate_output(
            _task_type("ChatCompletionStreamOutput"), event.data, self.provider, self.task
        )


class OpenAICompletionHelper(_OpenAIBase):
    """``POST /v1/completions`` serving the ``text-generation`` task."""

    task = "text-generation"
    route = "/completions"
    supports_streaming = True
    stream_end_marker: str | None = "[DONE]"
    supported_parameters = frozenset(
        {
            "frequency_penalty",
            "max_new_tokens",
            "seed",
            "stop",
            "temperature",
            "top_p",
            "top_k",
            "repetition_penalty",
        }
    )
    parameter_renames = {"max_new_tokens": "max_tokens"}

    output_type = LazyType("TextGenerationOutput")

    def prepare_payload(self, call: Call) -> Payload:
        payload: dict[str, Any] = {"prompt": call.inputs, **self.rename(call.parameters)}
        payload["model"] = call.model.provider_model_id
        payload["stream"] = call.stream
        return payload

    def parse_response(self, response: Response, call: Call) -> Any:
        from infermux.types import TextGenerationOutput

        body = self.json_object(response)
        try:
            text = body["choices"][0]["text"]
        except (KeyError, IndexError, TypeError):
            raise self.unexpected(body, missing="choices[0].text") from None
        # Validated, not constructed: a provider's odd field (text: [], details: 5) or a
        # top-level "generated_text" of its own is a ResponseFormatError, not a crash.
        rest = {k: v for k, v in body.items() if k != "choices"}
        return validate_object(
            TextGenerationOutput, {**rest, "generated_text": text}, self.provider, self.task
        )

    def parse_stream_event(self, event: SSEEvent, call: Call) -> Any | None:
        from infermux.types import TextGenerationStreamOutput

        raise_stream_error(event, self.provider)
        try:
            body = json.loads(event.data)
            choice = body["choices"][0]
        except (ValueError, KeyError, IndexError, TypeError):
            raise self.unexpected(event.data, problem="stream chunk without choices[0]") from None
        if not isinstance(choice, dict):
            raise self.unexpected(
                event.data, problem="stream chunk whose choices[0] is not an object"
            )
        finished = choice.get("finish_reason") is not None
        return validate_object(
            TextGenerationStreamOutput,
            {
                "index": choice.get("index", 0),
                "token": {
                    "id": 0,
                    "text": choice.get("text") or "",
                    "logprob": 0.0,
                    "special": False,
                },
                "generated_text": None,
                "details": {"finish_reason": choice["finish_reason"], "generated_tokens": 0}
                if finished
                else None,
            },
            self.provider,
            self.task,
        )


class OpenAIChatTextGenerationHelper(OpenAICompletionHelper):
    """``text-generation`` on ``POST /v1/chat/completions``, for servers without a raw
    completions endpoint (groq, hyperbolic, scaleway): the prompt is one user message.

    The model's chat template therefore wraps the prompt: this is instruction following,
    not raw continuation. The answer's message content is the generated text (streamed:
    each delta is a token); ``details=True`` adds the finish reason and the number of
    generated tokens (from ``usage``, or from :meth:`stream_usage` in a stream).
    """

    route = "/chat/completions"
    supported_parameters = OpenAICompletionHelper.supported_parameters | {"details"}

    def prepare_payload(self, call: Call) -> Payload:
        return {
            "model": call.model.provider_model_id,
            "messages": [{"role": "user", "content": call.inputs}],
            **self.rename(call.parameters, drop={"details"}),
            "stream": call.stream,
        }

    def parse_response(self, response: Response, call: Call) -> Any:
        from infermux.types import TextGenerationOutput

        body = self.json_object(response)
        try:
            choice = body["choices"][0]
            text = choice["message"]["content"]
        except (KeyError, IndexError, TypeError):
            raise self.unexpected(body, missing="choices[0].message.content") from None
        if not isinstance(text, str):
            raise self.unexpected(choice, problem="choice without text content (a tool call?)")
        details = None
        if call.parameters.get("details"):
            details = {
                "finish_reason": choice.get("finish_reason"),
                "generated_tokens": _completion_tokens(body.get("usage")),
            }
        return validate_object(
            TextGenerationOutput,
            {"generated_text": text, "details": details},
            self.provider,
            self.task,
        )

    def stream_usage(self, chunk: dict[str, Any]) -> Any:
        """Where a stream's last chunk carries the usage (groq: ``x_groq.usage``)."""
        return chunk.get("usage")

    def parse_stream_event(self, event: SSEEvent, call: Call) -> Any | None:
        from infermux.types import TextGenerationStreamOutput

        raise_stream_error(event, self.provider)
        try:
            chunk = json.loads(event.data)
        except ValueError:
            chunk = None
        if not isinstance(chunk, dict):
            raise self.unexpected(event.data, problem="stream chunk that is not a JSON object")
        choices = chunk.get("choices")
        if not choices:
            return None  # e.g. a usage-only chunk
        choice = choices[0] if isinstance(choices, list) else None
        delta = choice.get("delta") if isinstance(choice, dict) else None
        if not isinstance(choice, dict) or not isinstance(delta, dict):
            raise self.unexpected(event.data, problem="stream chunk without choices[0].delta")
        text = delta.get("content") or ""
        if not isinstance(text, str):
            raise self.unexpected(
                event.data, problem="stream chunk whose delta.content is not text"
            )
        finish_reason = choice.get("finish_reason")
        details = None
        if finish_reason is not None:
            details = {
                "finish_reason": finish_reason,
                "generated_tokens": _completion_tokens(self.stream_usage(chunk)),
            }
        return validate_object(
            TextGenerationStreamOutput,
            {
                "index": choice.get("index", 0),
                "token": {"id": 0, "text": text, "logprob": 0.0, "special": False},
                "generated_text": None,
                "details": details,
            },
            self.provider,
            self.task,
        )


def _completion_tokens(usage: Any) -> int:
    """``usage.completion_tokens``, or 0 where the server does not say."""
    tokens = usage.get("completion_tokens") if isinstance(usage, dict) else None
    return tokens if isinstance(tokens, int) and not isinstance(tokens, bool) else 0


class OpenAIEmbeddingsHelper(_OpenAIBase):
    """``POST /v1/embeddings`` serving ``feature-extraction``: one vector per input."""

    task = "feature-extraction"
    route = "/embeddings"
    supported_parameters = frozenset({"dimensions"})
    #: A conservative batch for OpenAI-compatible servers (OpenAI itself takes 2,048).
    max_batch_size: int | None = 128
    output_type = list

    def prepare_payload(self, call: Call) -> Payload:
        return {
            "input": call.inputs,
            "model": call.model.provider_model_id,
            "encoding_format": "float",
            **self.rename(call.parameters),
        }

    def parse_response(self, response: Response, call: Call) -> Any:
        body = self.json_object(response)
        data = body.get("data")
        if not isinstance(data, list) or not all(
            isinstance(item, dict) and isinstance(item.get("embedding"), list) for item in data
        ):
            raise self.unexpected(body, missing="data[].embedding")

        # Ordered by "index" where it is an int (a garbage index must not crash the sort).
        def position(pair: tuple[int, dict[str, Any]]) -> int:
            index = pair[1].get("index")
            return index if type(index) is int else pair[0]

        return [item["embedding"] for _, item in sorted(enumerate(data), key=position)]


class OpenAIImageHelper(_OpenAIBase):
    """``POST /v1/images/generations`` serving ``text-to-image``; base64 or URL outputs."""

    task = "text-to-image"
    route = "/images/generations"
    supported_parameters = frozenset(
        {"height", "width", "seed", "negative_prompt", "num_inference_steps", "guidance_scale"}
    )
    #: The value asking for inline base64 output (OpenAI: "b64_json"; some: "base64").
    base64_format: str | None = "b64_json"
    output_type = ImageOutput
    # Each call generates (and bills) its images: never resent once it may have arrived.
    # A server billed by the hour rather than per image may set it back to False.
    paid_per_call = True

    def prepare_payload(self, call: Call) -> Payload:
        payload: dict[str, Any] = {"prompt": call.inputs, **self.rename(call.parameters)}
        if self.base64_format:
            payload["response_format"] = self.base64_format
        payload["model"] = call.model.provider_model_id
        return payload

    def parse_response(self, response: Response, call: Call) -> Any:
        body = self.json_object(response)
        try:
            first = body["data"][0]
        except (KeyError, IndexError, TypeError):
            raise self.unexpected(body, missing="data[0]") from None
        if not isinstance(first, dict):
            raise self.unexpected(body, problem="answer whose data[0] is not an object")
        if isinstance(first.get("b64_json"), str):
            return self.media_from_base64(first["b64_json"], ImageOutput)
        if isinstance(first.get("url"), str):
            return self.media_output(first["url"], ImageOutput)
        raise self.unexpected(first, problem="image with neither b64_json nor url")


def download_image(url: str, provider: str) -> FollowUp:
    """A follow-up that fetches a generated image without any key (kept for plugins written
    before :func:`infermux.helpers.media_outputs.media_output`, which also decodes data URLs)."""
    from infermux.helpers.media_outputs import media_output

    follow_up: FollowUp = media_output(url, ImageOutput, provider=provider)
    return follow_up


_AUDIO_EXTENSIONS = {
    "audio/wav": "wav",
    "audio/x-wav": "wav",
    "audio/wave": "wav",
    "audio/mpeg": "mp3",
    "audio/mp4": "m4a",
    "audio/x-m4a": "m4a",
    "audio/flac": "flac",
    "audio/x-flac": "flac",
    "audio/ogg": "ogg",
    "audio/webm": "webm",
    "video/webm": "webm",
    "video/mp4": "mp4",
}


class OpenAITranscriptionHelper(TaskProviderHelper):
    """``POST /v1/audio/transcriptions`` (multipart) serving automatic-speech-recognition.

    The wire format of OpenAI's Whisper API, which vLLM, LocalAI, speaches and most
    gateways copy: a ``file`` part and a ``model`` field in, ``{"text": ...}`` out (with
    ``segments`` for ``response_format=verbose_json``, asked for by ``return_timestamps``).
    """

    task = "automatic-speech-recognition"
    #: The form field asking for segment timestamps (OpenAI: ``timestamp_granularities[]``).
    timestamp_field = "timestamp_granularities[]"
    route_prefix: str = "/v1"
    route: str = "/audio/transcriptions"
    output_type = LazyType("AutomaticSpeechRecognitionOutput")
    supported_parameters: frozenset[str] | None = frozenset(
        {"return_timestamps", "generation_parameters"}
    )

    def prepare_route(self, call: Call) -> str:
        return f"{self.route_prefix}{self.route}"

    def prepare_payload(self, call: Call) -> Payload:
        audio = call.inputs
        if isinstance(audio, bytes | bytearray) and audio:
            audio = BinaryInput(bytes(audio), sniff_content_type(bytes(audio)))
        if not isinstance(audio, BinaryInput):
            raise InvalidInputError(
                f"{self.provider} automatic-speech-recognition takes audio (bytes, a path, a "
                f"URL or a file), got {type(call.inputs).__name__}"
            )
        fields = {"model": call.model.provider_model_id}
        if call.parameters.get("return_timestamps"):
            fields["response_format"] = "verbose_json"
            fields[self.timestamp_field] = "segment"
        generation = dict(call.parameters.get("generation_parameters") or {})
        temperature = generation.pop("temperature", None)
        if generation:
            raise InvalidInputError(
                f"{self.provider} automatic-speech-recognition honours only 'temperature' in "
                f"generation_parameters, not {', '.join(map(repr, sorted(generation)))}"
            )
        if temperature is not None:
            fields["temperature"] = str(temperature)
        extension = _AUDIO_EXTENSIONS.get(audio.content_type, "wav")
        filename = audio.filename or f"audio.{extension}"
        return MultipartPayload(
            fields=fields, files={"file": (filename, audio.require_content(), audio.content_type)}
        )

    def parse_response(self, response: Response, call: Call) -> Any:
        from infermux.types import AutomaticSpeechRecognitionOutput  # pydantic: on first use

        body = self.json_object(response)
        text, segments = body.get("text"), body.get("segments")
        if not isinstance(text, str):
            raise self.unexpected(body, missing="text")
        chunks = None
        if isinstance(segments, list):
            try:
                chunks = [
                    {"text": s["text"], "timestamp": [float(s["start"]), float(s["end"])]}
                    for s in segments
                ]
            except (KeyError, TypeError, ValueError):
                raise self.unexpected(
                    segments, problem="segments without text, start and end"
                ) from None
        return AutomaticSpeechRecognitionOutput.model_validate({"text": text, "chunks": chunks})

    def error_message(self, body: Any) -> str | None:
        return openai_error_message(body)


class OpenAIResponsesHelper(_OpenAIBase):
    """``POST /v1/responses`` (OpenAI's Responses API), plain and streamed as semantic
    events (``response.created``, ``response.output_text.delta``, ``response.completed``...).

    Routed calls go to the Hugging Face router's own ``/v1/responses`` with the model named
    ``"<hub id>:<provider>"`` (the router's documented spelling), not under the
    per-provider prefix the other tasks use.
    """

    task = "responses"
    route = "/responses"
    supports_streaming = True
    supported_parameters: frozenset[str] | None = RESPONSES_PARAMETERS
    output_type = LazyType("Response", "infermux.responses.types")

    def prepare_url(self, call: Call) -> str:
        if call.routing == "router":
            return router_root(call.base_url, self.provider) + "/v1/responses"
        return super().prepare_url(call)

    def wire_model(self, call: Call) -> str:
        """The model id sent: the provider's own id direct, ``hub_id:provider`` routed."""
        if call.routing == "router":
            return f"{call.model.hub_model_id or call.model.provider_model_id}:{self.provider}"
        return call.model.provider_model_id

    def prepare_payload(self, call: Call) -> Payload:
        dropped = sorted(set(call.parameters) - ROUTER_RESPONSES_PARAMETERS)
        if call.routing == "router" and dropped:
            raise InvalidInputError(
                f"The Hugging Face router's Responses API ignores "
                f"{', '.join(map(repr, dropped))} (for {self.provider}); it honours "
                f"{', '.join(sorted(ROUTER_RESPONSES_PARAMETERS))}. Call {self.provider} "
                "direct with its own key, or leave them out."
            )
        payload: dict[str, Any] = {"model": self.wire_model(call), "input": call.inputs}
        payload.update(self.rename(call.parameters))
        if call.stream:
            payload["stream"] = True
        return payload

    def parse_response(self, response: Response, call: Call) -> Any:
        from infermux.responses.types import Response as ResponsesResult

        output = validate_output(ResponsesResult, response.content, self.provider, self.task)
        if output.output is None and output.status != "failed":
            raise self.unexpected(response.content, missing="output")
        if output.status == "failed":
            message = (output.error.message if output.error else None) or "response failed"
            raise ResponseFormatError(
                f"{self.provider} response failed: {message}",
                provider=self.provider,
                task=self.task,
            )
        return output

    def parse_stream_event(self, event: SSEEvent, call: Call) -> Any | None:
        from infermux.responses.types import EVENT_TYPES, ResponseStreamEvent

        try:
            body = json.loads(event.data)
        except ValueError:
            raise self.unexpected(event.data, problem="stream event that is not JSON") from None
        if not isinstance(body, dict):
            raise self.unexpected(event.data, problem="stream event that is not an object")
        kind = body.get("type") or (event.event if event.event != "message" else None)
        if not isinstance(kind, str | None):
            raise self.unexpected(event.data, problem="stream event whose type is not a string")
        if kind == "error" or event.event == "error":
            raise StreamError(
                openai_error_message(body) or str(body.get("message") or body),
                provider=self.provider,
                event=body,
            )
        if kind == "response.failed":
            response = body.get("response")
            error = response.get("error") if isinstance(response, dict) else None
            message = error.get("message") if isinstance(error, dict) else None
            raise StreamError(
                f"response failed: {message or 'no reason given'}",
                provider=self.provider,
                event=body,
            )
        if kind and "type" not in body:
            body["type"] = kind
        model = EVENT_TYPES.get(kind or "", ResponseStreamEvent)
        return validate_object(model, body, self.provider, self.task)


def router_root(base_url: str, provider: str) -> str:
    """The router's root from a routed call's base URL (``<router>/<provider>``)."""
    base = base_url.rstrip("/")
    suffix = "/" + provider
    return base[: -len(suffix)] if base.endswith(suffix) else base


#: The OpenAI-compatible helper for each task such an API serves (what
#: ``Provider.openai_compatible`` and in-house endpoints build on).
OPENAI_HELPERS: dict[str, type[TaskProviderHelper]] = {
    "conversational": OpenAIChatHelper,
    "text-generation": OpenAICompletionHelper,
    "feature-extraction": OpenAIEmbeddingsHelper,
    "text-to-image": OpenAIImageHelper,
    "automatic-speech-recognition": OpenAITranscriptionHelper,
    "responses": OpenAIResponsesHelper,
}
