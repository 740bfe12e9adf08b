"""DeepInfra provider for infermux: direct with a DeepInfra key, or through the Hugging Face
router with a Hugging Face token (``router.huggingface.co/deepinfra/...``), as huggingface_hub
routes it.

Chat, completions and embeddings use DeepInfra's OpenAI-compatible API under
``/v1/openai``; speech recognition and text-to-speech use its native inference API,
``POST /v1/inference/<model>``. Model ids are DeepInfra's, which are mostly the Hugging
Face repository ids (``meta-llama/Meta-Llama-3.1-8B-Instruct``), used as given.
"""

from __future__ import annotations

import mimetypes
from typing import Any
from urllib.parse import quote

from infermux import AudioOutput, Provider, TaskProviderHelper
from infermux.errors import InvalidInputError
from infermux.helpers.base import (
    Call,
    LazyType,
    MultipartPayload,
    Payload,
    Response,
)
from infermux.helpers.openai import (
    OpenAIChatHelper,
    OpenAICompletionHelper,
    OpenAIEmbeddingsHelper,
)
from infermux.inputs import BinaryInput

__all__ = [
    "DeepInfraChat",
    "DeepInfraCompletion",
    "DeepInfraEmbeddings",
    "DeepInfraSpeechRecognition",
    "DeepInfraTextToSpeech",
    "deepinfra",
    "register_providers",
]

deepinfra = Provider(
    "deepinfra",
    # One root for every task, so a base_url override (a proxy) moves them all.
    base_url="https://api.deepinfra.com",
    key_env=("DEEPINFRA_API_KEY", "DEEPINFRA_TOKEN"),
    key_page="https://deepinfra.com/dash/api_keys",
    # The Hugging Face router serves DeepInfra (huggingface_hub routes it there with an HF
    # token); the router's /deepinfra prefix takes the same routes as api.deepinfra.com.
    routable=True,
    # DeepInfra's ids are used as given (they are the Hub repository ids for nearly every
    # model), routed or direct: a Hub lookup would refuse a DeepInfra id that the Hub maps
    # to other providers only. ``model_mappings`` overrides an id where they differ.
    needs_model_mapping=False,
    # Hub ids, as DeepInfra serves them.
    aliases={
        "conversational": {
            "default": "meta-llama/Llama-3.3-70B-Instruct",
            "large": "deepseek-ai/DeepSeek-V3",
            "small": "meta-llama/Meta-Llama-3.1-8B-Instruct",
            "agent": "Qwen/Qwen2.5-72B-Instruct",
        },
        # DeepInfra's OpenAI API (completions included) serves all its recent LLMs
        # (deepinfra.com/docs/advanced/openai_api): the chat table, less the tool-use one.
        "text-generation": {
            "default": "meta-llama/Llama-3.3-70B-Instruct",
            "large": "deepseek-ai/DeepSeek-V3",
            "small": "meta-llama/Meta-Llama-3.1-8B-Instruct",
        },
        "feature-extraction": {
            "default": "BAAI/bge-base-en-v1.5",
            "large": "BAAI/bge-large-en-v1.5",
            "small": "sentence-transformers/all-MiniLM-L6-v2",
        },
    },
)


#: File extensions for the audio types inputs arrive as (``mimetypes`` lacks some of them).
_AUDIO_EXTENSIONS = {
    "audio/wav": ".wav",
    "audio/mpeg": ".mp3",
    "audio/flac": ".flac",
    "audio/ogg": ".ogg",
    "audio/mp4": ".m4a",
    "audio/webm": ".webm",
    "video/webm": ".webm",
    "video/mp4": ".mp4",
}


class _Errors(TaskProviderHelper):
    """DeepInfra's error bodies, on its OpenAI-compatible and native routes alike."""

    def error_message(self, body: Any) -> str | None:
        # OpenAI routes: {"error": {"message"}}; native routes: {"detail": {"error"}} or
        # {"detail": "..."}.
        if not isinstance(body, dict):
            return None
        error = body.get("error")
        if isinstance(error, dict) and isinstance(error.get("message"), str):
            return str(error["message"])
        detail = body.get("detail")
        if isinstance(detail, dict) and isinstance(detail.get("error"), str):
            return str(detail["error"])
        if isinstance(detail, str):
            return detail
        return error if isinstance(error, str) else None


@deepinfra.task
class DeepInfraChat(_Errors, OpenAIChatHelper):
    """Chat completions, plain and streamed (``/v1/openai/chat/completions``)."""

    route_prefix = "/v1/openai"


@deepinfra.task
class DeepInfraCompletion(_Errors, OpenAICompletionHelper):
    """Raw completions for ``text-generation`` (``/v1/openai/completions``)."""

    route_prefix = "/v1/openai"


@deepinfra.task
class DeepInfraEmbeddings(_Errors, OpenAIEmbeddingsHelper):
    """Embeddings for ``feature-extraction`` (``/v1/openai/embeddings``)."""

    route_prefix = "/v1/openai"


class _Native(_Errors):
    """The native inference API: ``POST /v1/inference/<model>``."""

    def prepare_route(self, call: Call) -> str:
        return f"/v1/inference/{quote(call.model.provider_model_id, safe='/')}"


@deepinfra.task
class DeepInfraSpeechRecognition(_Native):
    """Whisper and other ASR models: the audio file as the multipart field ``audio``.

    With ``return_timestamps=True`` the segments DeepInfra always returns become ``chunks``.
    """

    task = "automatic-speech-recognition"
    # Resolved on first use: plugin discovery must not import pydantic.
    output_type = LazyType("AutomaticSpeechRecognitionOutput")
    supported_parameters = frozenset({"return_timestamps"})

    def prepare_payload(self, call: Call) -> Payload:
        audio = call.inputs
        if not isinstance(audio, BinaryInput):
            raise InvalidInputError("deepinfra speech recognition takes one audio input")
        # Whisper servers pick the decoder by the file name: give one with the right extension.
        extension = _AUDIO_EXTENSIONS.get(audio.content_type) or (
            mimetypes.guess_extension(audio.content_type) or ".bin"
        )
        filename = audio.filename or f"audio{extension}"
        return MultipartPayload(
            files={"audio": (filename, audio.require_content(), audio.content_type)}
        )

    def parse_response(self, response: Response, call: Call) -> Any:
        from infermux.types import AutomaticSpeechRecognitionOutput

        body = self.json_object(response)
        text = body.get("text")
        if not isinstance(text, str):
            raise self.unexpected(body, missing="text")
        chunks = None
        segments = body.get("segments")
        if call.parameters.get("return_timestamps") and isinstance(segments, list):
            chunks = [
                {"text": seg.get("text"), "timestamp": [seg.get("start"), seg.get("end")]}
                for seg in segments
                if isinstance(seg, dict)
            ]
        return AutomaticSpeechRecognitionOutput.model_validate({"text": text, "chunks": chunks})


@deepinfra.task
class DeepInfraTextToSpeech(_Native):
    """TTS models (Kokoro ...): ``{"text"}`` in, ``{"audio": "data:audio/...;base64,..."}`` out."""

    task = "text-to-speech"
    output_type = AudioOutput
    supported_parameters = frozenset()
    paid_per_call = True  # each call generates (and bills) a clip: never resent

    def prepare_payload(self, call: Call) -> Payload:
        return {"text": call.inputs}

    def parse_response(self, response: Response, call: Call) -> Any:
        body = self.json_object(response)
        audio = body.get("audio")
        if isinstance(audio, str) and audio.startswith(("data:", "https://", "http://")):
            return self.media_output(audio, AudioOutput)
        raise self.unexpected(body, missing="audio (a data URL or an http(s) URL)")


register_providers = deepinfra.hook()
