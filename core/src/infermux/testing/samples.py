"""Provider-neutral sample inputs and responses per task, for the conformance suite.

Everything here is built fresh on each call (no shared mutable constants), so a helper
that mutates its inputs cannot poison the next check.

- :func:`sample_calls`: representative :class:`~infermux.helpers.base.Call` objects for a
  helper's task, in the shape the core's client passes them (messages for chat, a prompt
  string for generation, a text or a list of texts for embeddings and classification, a
  :class:`~infermux.inputs.BinaryInput` for image, audio and video inputs -- plus a URL
  one for helpers that ``accepts_input_urls`` -- and a dict for multi-part inputs such
  as question answering).
- :func:`representative_responses`: successful bodies in the shapes providers commonly
  answer with (OpenAI chat / embeddings / images, TGI text generation, Hugging Face
  pipeline JSON, raw media bytes).
- :func:`garbage_responses`, :func:`garbage_stream_events`: bodies no helper may turn into
  an output.
- :data:`TASK_OUTPUT_TYPES`: the output types the core's client promises for a task.
"""

from __future__ import annotations

import base64
import json
import struct
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from infermux.auth import DEFAULT_ROUTER_URL
from infermux.helpers.base import Call, ModelMapping, Response, Routing, TaskProviderHelper
from infermux.inputs import BinaryInput, BinaryKind, load_binary
from infermux.media import AudioOutput, DepthMap, ImageOutput, VideoOutput
from infermux.types import (
    AutomaticSpeechRecognitionOutput,
    ChatCompletionOutput,
    ImageToTextOutput,
    SummarizationOutput,
    TableQuestionAnsweringOutputElement,
    TextGenerationOutput,
    TranslationOutput,
)

__all__ = [
    "MODEL_ID",
    "TASK_OUTPUT_TYPES",
    "Sample",
    "binary_response",
    "followup_answers",
    "garbage_responses",
    "garbage_stream_events",
    "jpeg_bytes",
    "json_response",
    "mp4_bytes",
    "png_bytes",
    "representative_responses",
    "representative_stream_events",
    "sample_calls",
    "sample_inputs",
    "wav_bytes",
]

#: The model every sample call names: a Hub-style id, so routes that embed it are exercised.
MODEL_ID = "infermux-test/sample-model"

#: A placeholder URL for sample responses; the suite replaces it with the request's URL.
SAMPLE_URL = "https://provider.invalid/sample"


#: Output types the core's client returns for a task (the outer type of its annotation): a
#: helper's ``output_type`` must be this type or a subclass, so every provider of a task
#: gives users the same type. Tasks absent here only need *some* declared type.
TASK_OUTPUT_TYPES: Mapping[str, type[Any]] = {
    "audio-classification": list,
    "audio-to-audio": list,
    "automatic-speech-recognition": AutomaticSpeechRecognitionOutput,
    "conversational": ChatCompletionOutput,
    "depth-estimation": DepthMap,
    "document-question-answering": list,
    "feature-extraction": list,
    "fill-mask": list,
    "image-classification": list,
    "image-segmentation": list,
    "image-text-to-text": ChatCompletionOutput,
    "image-to-image": ImageOutput,
    "image-to-text": ImageToTextOutput,
    "image-to-video": VideoOutput,
    "object-detection": list,
    "sentence-similarity": list,
    "summarization": SummarizationOutput,
    "table-question-answering": TableQuestionAnsweringOutputElement,
    "tabular-classification": list,
    "tabular-regression": list,
    "text-classification": list,
    "text-generation": TextGenerationOutput,
    "text-to-audio": AudioOutput,
    "text-to-image": ImageOutput,
    "text-to-speech": AudioOutput,
    "text-to-video": VideoOutput,
    "token-classification": list,
    "translation": TranslationOutput,
    "video-classification": list,
    "visual-question-answering": list,
    "zero-shot-classification": list,
    "zero-shot-image-classification": list,
    "zero-shot-object-detection": list,
}


@dataclass(frozen=True, slots=True)
class Sample:
    """A named sample response, e.g. ``Sample("openai_chat", json_response({...}))``."""

    name: str
    response: Response


# -- media bytes ---------------------------------------------------------------------------

_PNG_1X1 = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9"
    "awAAAABJRU5ErkJggg=="
)


def png_bytes() -> bytes:
    """A valid 1x1 PNG."""
    return base64.b64decode(_PNG_1X1)


def jpeg_bytes() -> bytes:
    """The start of a JPEG (SOI + JFIF APP0 header): enough for content sniffing."""
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"


def wav_bytes() -> bytes:
    """A valid 16 kHz mono 16-bit WAV holding 10 ms of silence."""
    frames = b"\x00\x00" * 160
    header = struct.pack(
        "<4sI4s4sIHHIIHH4sI",
        b"RIFF",
        36 + len(frames),
        b"WAVE",
        b"fmt ",
        16,
        1,  # PCM
        1,  # mono
        16000,
        32000,
        2,
        16,
        b"data",
        len(frames),
    )
    return header + frames


def mp4_bytes() -> bytes:
    """An MP4 ``ftyp`` box: enough for content sniffing."""
    return struct.pack(">I4s4sI4s4s", 24, b"ftyp", b"isom", 512, b"isom", b"mp41")


# -- responses -------------------------------------------------------------------------------


def json_response(body: Any, *, status_code: int = 200, url: str = SAMPLE_URL) -> Response:
    """A JSON response (``application/json``) holding ``body``."""
    return Response(
        status_code,
        {"content-type": "application/json"},
        json.dumps(body).encode(),
        url,
    )


def binary_response(
    content: bytes, content_type: str, *, status_code: int = 200, url: str = SAMPLE_URL
) -> Response:
    """A response with raw bytes of the given content type."""
    return Response(status_code, {"content-type": content_type}, content, url)


def _openai_chat() -> dict[str, Any]:
    return {
        "id": "chatcmpl-0",
        "object": "chat.completion",
        "created": 1700000000,
        "model": MODEL_ID,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": "Deep learning is..."},
                "finish_reason": "stop",
                "logprobs": None,
            }
        ],
        "usage": {"prompt_tokens": 9, "completion_tokens": 4, "total_tokens": 13},
    }


def _openai_completion() -> dict[str, Any]:
    return {
        "id": "cmpl-0",
        "object": "text_completion",
        "created": 1700000000,
        "model": MODEL_ID,
        "choices": [{"index": 0, "text": " is a subfield of ML.", "finish_reason": "length"}],
        "usage": {"prompt_tokens": 4, "completion_tokens": 6, "total_tokens": 10},
    }


def _openai_embeddings() -> dict[str, Any]:
    return {
        "object": "list",
        "model": MODEL_ID,
        "data": [
            {"object": "embedding", "index": 0, "embedding": [0.1, -0.2, 0.3]},
            {"object": "embedding", "index": 1, "embedding": [0.0, 0.5, -0.1]},
        ],
        "usage": {"prompt_tokens": 6, "total_tokens": 6},
    }


def _openai_image_b64() -> dict[str, Any]:
    return {"created": 1700000000, "data": [{"b64_json": _PNG_1X1}]}


def _openai_image_url() -> dict[str, Any]:
    return {"created": 1700000000, "data": [{"url": "https://media.provider-cdn.invalid/out.png"}]}


def _labels() -> list[dict[str, Any]]:
    return [{"label": "POSITIVE", "score": 0.98}, {"label": "NEGATIVE", "score": 0.02}]


def _boxes() -> list[dict[str, Any]]:
    return [
        {"label": "cat", "score": 0.97, "box": {"xmin": 1, "ymin": 2, "xmax": 30, "ymax": 40}},
    ]


def _answers() -> list[dict[str, Any]]:
    return [{"answer": "Paris", "score": 0.93, "start": 0, "end": 5}]


def _responses(task: str) -> list[Sample]:
    chat = Sample("openai_chat", json_response(_openai_chat()))
    if task in ("conversational", "image-text-to-text"):
        return [chat]
    if task == "text-generation":
        return [
            Sample(
                "tgi", json_response({"generated_text": "Deep learning is...", "details": None})
            ),
            Sample("hf_pipeline", json_response([{"generated_text": "Deep learning is..."}])),
            Sample("openai_completion", json_response(_openai_completion())),
            # Text generation served over chat completions (OpenAIChatTextGenerationHelper).
            chat,
        ]
    if task == "feature-extraction":
        return [
            Sample("openai_embeddings", json_response(_openai_embeddings())),
            Sample("hf_pipeline", json_response([[0.1, -0.2, 0.3], [0.0, 0.5, -0.1]])),
        ]
    if task in ("text-to-image", "image-to-image"):
        return [
            Sample("openai_image_b64", json_response(_openai_image_b64())),
            Sample("openai_image_url", json_response(_openai_image_url())),
            Sample("png_bytes", binary_response(png_bytes(), "image/png")),
            Sample("jpeg_bytes", binary_response(jpeg_bytes(), "image/jpeg")),
        ]
    if task in ("text-to-speech", "text-to-audio"):
        return [
            Sample("wav_bytes", binary_response(wav_bytes(), "audio/wav")),
            Sample("flac_bytes", binary_response(b"fLaC\x00\x00\x00\x22", "audio/flac")),
        ]
    if task in ("text-to-video", "image-to-video"):
        return [Sample("mp4_bytes", binary_response(mp4_bytes(), "video/mp4"))]
    if task in (
        "text-classification",
        "image-classification",
        "audio-classification",
        "video-classification",
        "zero-shot-image-classification",
        "zero-shot-classification",
    ):
        samples = [
            Sample("hf_pipeline", json_response(_labels())),
            Sample("hf_pipeline_nested", json_response([_labels()])),
        ]
        if task == "zero-shot-classification":
            legacy = {"sequence": "I love it", "labels": ["positive"], "scores": [0.9]}
            samples.append(Sample("hf_pipeline_legacy", json_response(legacy)))
        return samples
    if task in ("object-detection", "zero-shot-object-detection"):
        return [Sample("hf_pipeline", json_response(_boxes()))]
    if task == "depth-estimation":
        depth = {"predicted_depth": [[1.5, 2.0], [2.5, 3.0]], "depth": _PNG_1X1}
        return [
            Sample("hf_pipeline", json_response(depth)),
            Sample("png_bytes", binary_response(png_bytes(), "image/png")),
        ]
    if task == "image-segmentation":
        masks = [{"label": "cat", "score": 0.9, "mask": _PNG_1X1}]
        return [Sample("hf_pipeline", json_response(masks))]
    if task == "token-classification":
        entities = [{"entity_group": "PER", "score": 0.99, "word": "Sarah", "start": 11, "end": 16}]
        return [Sample("hf_pipeline", json_response(entities))]
    if task in ("question-answering", "document-question-answering", "visual-question-answering"):
        return [
            Sample("hf_pipeline", json_response(_answers())),
            Sample("hf_pipeline_single", json_response(_answers()[0])),
        ]
    if task == "table-question-answering":
        answer = {"answer": "AVERAGE > 36", "coordinates": [[0, 1]], "cells": ["36"]}
        return [Sample("hf_pipeline", json_response(answer | {"aggregator": "AVERAGE"}))]
    if task == "fill-mask":
        fills = [{"score": 0.4, "token": 3000, "token_str": "paris", "sequence": "paris is big"}]
        return [Sample("hf_pipeline", json_response(fills))]
    if task == "summarization":
        return [Sample("hf_pipeline", json_response([{"summary_text": "A summary."}]))]
    if task == "translation":
        return [Sample("hf_pipeline", json_response([{"translation_text": "Bonjour."}]))]
    if task == "image-to-text":
        return [Sample("hf_pipeline", json_response([{"generated_text": "a cat on a mat"}]))]
    if task == "automatic-speech-recognition":
        return [Sample("hf_pipeline", json_response({"text": "hello world"}))]
    if task == "sentence-similarity":
        return [Sample("hf_pipeline", json_response([0.9, 0.1]))]
    if task == "audio-to-audio":
        blob = base64.b64encode(wav_bytes()).decode()
        return [
            Sample(
                "hf_pipeline",
                json_response([{"label": "s1", "blob": blob, "content-type": "audio/wav"}]),
            )
        ]
    if task == "tabular-classification":
        return [Sample("hf_pipeline", json_response(["1", "0"]))]
    if task == "tabular-regression":
        return [Sample("hf_pipeline", json_response([3.5, 1.25]))]
    if task == "responses":
        return [Sample("openai_response", json_response(_openai_response()))]
    return []


def _openai_response() -> dict[str, Any]:
    """OpenAI's Responses API response object with one message item."""
    text = {"type": "output_text", "text": "Deep learning is...", "annotations": []}
    return {
        "id": "resp_0",
        "object": "response",
        "created_at": 1700000000,
        "status": "completed",
        "model": MODEL_ID,
        "output": [
            {
                "type": "message",
                "id": "msg_0",
                "status": "completed",
                "role": "assistant",
                "content": [text],
            }
        ],
        "usage": {"input_tokens": 12, "output_tokens": 5, "total_tokens": 17},
    }


def representative_responses(task: str) -> list[Sample]:
    """Successful responses in the provider-neutral shapes common for ``task``."""
    return _responses(task)


def followup_answers(task: str) -> list[Sample]:
    """What a follow-up (a media download, a result fetch) may receive for ``task``."""
    media = {
        "image": Sample("png_bytes", binary_response(png_bytes(), "image/png")),
        "audio": Sample("wav_bytes", binary_response(wav_bytes(), "audio/wav")),
        "video": Sample("mp4_bytes", binary_response(mp4_bytes(), "video/mp4")),
    }
    expected = TASK_OUTPUT_TYPES.get(task)
    kinds = {ImageOutput: "image", AudioOutput: "audio", VideoOutput: "video"}
    if expected in kinds:
        return [media[kinds[expected]], *_responses(task)]
    return _responses(task)


def garbage_responses() -> list[Sample]:
    """2xx bodies that are no task's output: a helper must raise ResponseFormatError."""
    html = b"<!DOCTYPE html><html><body>502 Bad Gateway</body></html>"
    return [
        Sample("not_json", binary_response(html, "text/html; charset=utf-8")),
        Sample("empty_object", binary_response(b"{}", "application/json")),
        Sample("empty_list", binary_response(b"[]", "application/json")),
        Sample("null", binary_response(b"null", "application/json")),
        Sample("empty_body", binary_response(b"", "")),
    ]


def representative_stream_events(task: str) -> list[tuple[str, str]]:
    """``(name, data)`` of typical server-sent events for a streaming ``task``."""
    chat_chunk = {
        "id": "chatcmpl-0",
        "object": "chat.completion.chunk",
        "created": 1700000000,
        "model": MODEL_ID,
        "choices": [
            {"index": 0, "delta": {"role": "assistant", "content": "Deep"}, "finish_reason": None}
        ],
    }
    if task in ("conversational", "image-text-to-text"):
        return [("openai_chat_chunk", json.dumps(chat_chunk))]
    if task == "text-generation":
        tgi = {
            "index": 1,
            "token": {"id": 1, "text": "Deep", "logprob": -0.1, "special": False},
            "generated_text": None,
            "details": None,
        }
        completion = {
            "id": "cmpl-0",
            "object": "text_completion",
            "created": 1700000000,
            "model": MODEL_ID,
            "choices": [{"index": 0, "text": "Deep", "finish_reason": None}],
        }
        # TGI's own stream, OpenAI-style completions, and text generation served over chat
        # completions (OpenAIChatTextGenerationHelper: groq, hyperbolic, scaleway).
        return [
            ("tgi", json.dumps(tgi)),
            ("openai_completion_chunk", json.dumps(completion)),
            ("openai_chat_chunk", json.dumps(chat_chunk)),
        ]
    if task == "responses":
        delta = {
            "type": "response.output_text.delta",
            "sequence_number": 3,
            "item_id": "msg_0",
            "output_index": 0,
            "content_index": 0,
            "delta": "Deep",
        }
        return [("openai_response_text_delta", json.dumps(delta))]
    return []


def garbage_stream_events() -> list[tuple[str, str]]:
    """``(name, data)`` of events no streaming helper may crash on."""
    return [
        ("not_json", "<html>oops</html>"),
        ("empty_object", "{}"),
        ("empty_list", "[]"),
        ("null", "null"),
        ("empty", ""),
        ("truncated", '{"choices": [{"delta": {"content": "Dee'),
    ]


# -- inputs and calls -------------------------------------------------------------------------


#: Input URLs of the URL variants, for helpers that ``accepts_input_urls``.
_INPUT_URLS: dict[BinaryKind, str] = {
    "image": "https://media.example.invalid/cat.png",
    "audio": "https://media.example.invalid/hello.wav",
    "video": "https://media.example.invalid/clip.mp4",
}


def _binary(kind: BinaryKind, url: bool) -> BinaryInput:
    """A binary input as the client passes it: loaded bytes, or a URL left to the provider."""
    if url:
        return load_binary(_INPUT_URLS[kind], kind, kind)
    content = {"image": png_bytes, "audio": wav_bytes, "video": mp4_bytes}[kind]()
    return load_binary(content, kind, kind)


_IMAGE_TASKS = frozenset(
    {
        "depth-estimation",
        "image-classification",
        "image-segmentation",
        "image-to-image",
        "image-to-text",
        "image-to-video",
        "object-detection",
        "zero-shot-image-classification",
        "zero-shot-object-detection",
    }
)
_AUDIO_TASKS = frozenset({"audio-classification", "audio-to-audio", "automatic-speech-recognition"})


def sample_inputs(task: str, *, urls: bool = False) -> list[Any]:
    """Representative ``Call.inputs`` for ``task``, as the client builds them (variants).

    Binary inputs are :class:`~infermux.inputs.BinaryInput` objects holding bytes; with
    ``urls=True`` (helpers that ``accepts_input_urls``) a URL variant is added.
    """
    kind: BinaryKind | None = None
    if task in _IMAGE_TASKS:
        kind = "image"
    elif task in _AUDIO_TASKS:
        kind = "audio"
    elif task == "video-classification":
        kind = "video"
    if kind is not None:
        return [_binary(kind, url=False), *([_binary(kind, url=True)] if urls else [])]
    if task in ("document-question-answering", "visual-question-answering"):
        variants = [False, True] if urls else [False]
        question = "What is written here?"
        return [{"image": _binary("image", url), "question": question} for url in variants]
    if task == "responses":
        return ["What is deep learning?", [{"role": "user", "content": "What is deep learning?"}]]
    if task == "conversational":
        return [
            [
                {"role": "system", "content": "You are a helpful assistant."},
                {"role": "user", "content": "What is deep learning?"},
            ]
        ]
    if task == "image-text-to-text":
        image = "data:image/png;base64," + _PNG_1X1
        parts = [
            {"type": "text", "text": "Describe this image."},
            {"type": "image_url", "image_url": {"url": image}},
        ]
        return [[{"role": "user", "content": parts}]]
    if task in ("feature-extraction", "text-classification"):
        return ["Today is a sunny day.", ["Today is a sunny day.", "It rains."]]
    if task == "fill-mask":
        return ["The capital of France is [MASK]."]
    if task == "question-answering":
        return [{"question": "What is the capital?", "context": "Paris is the capital."}]
    if task == "table-question-answering":
        table = {"Repository": ["transformers", "datasets"], "Stars": ["36542", "4512"]}
        return [{"query": "How many stars?", "table": table}]
    if task == "sentence-similarity":
        return [{"source_sentence": "I like cats.", "sentences": ["I love cats.", "It rains."]}]
    if task in ("tabular-classification", "tabular-regression"):
        return [{"data": {"fixed_acidity": ["7.4", "7.8"], "alcohol": ["9.4", "9.8"]}}]
    if task == "translation":
        return ["My name is Wolfgang and I live in Berlin."]
    if task == "summarization":
        return ["The tower is 324 metres tall, about the same height as an 81-storey building."]
    # text-generation, text-to-image, text-to-video, text-to-speech, text-to-audio,
    # token-classification, zero-shot-classification: a prompt or a text.
    return ["An astronaut riding a horse on the moon."]


#: Parameters set on the second sample call of a task (filtered by supported_parameters).
_PARAMETERS: dict[str, dict[str, Any]] = {
    "conversational": {"max_tokens": 16, "temperature": 0.5, "seed": 0},
    "responses": {"max_output_tokens": 16, "temperature": 0.5},
    "image-text-to-text": {"max_tokens": 16},
    "text-generation": {"max_new_tokens": 16, "temperature": 0.5, "seed": 0},
    "feature-extraction": {"normalize": True},
    "text-classification": {"top_k": 2},
    "text-to-image": {"width": 512, "height": 512, "num_inference_steps": 4, "seed": 0},
    "image-to-image": {"prompt": "Make it blue.", "seed": 0},
    "image-to-video": {"prompt": "The cat walks away.", "seed": 0},
    "text-to-video": {"num_inference_steps": 4, "seed": 0},
    "zero-shot-classification": {"candidate_labels": ["positive", "negative"]},
    "zero-shot-image-classification": {"candidate_labels": ["cat", "dog"]},
    "zero-shot-object-detection": {"candidate_labels": ["cat", "dog"]},
    "translation": {"src_lang": "en", "tgt_lang": "fr"},
}

#: Parameters a task cannot do without (sent even to a helper that lists none).
_REQUIRED_PARAMETERS = {
    "zero-shot-classification",
    "zero-shot-image-classification",
    "zero-shot-object-detection",
}


def _parameters_for(helper: TaskProviderHelper) -> dict[str, Any]:
    wanted = _PARAMETERS.get(helper.task, {})
    supported = helper.supported_parameters
    if supported is None or helper.task in _REQUIRED_PARAMETERS:
        return dict(wanted)
    return {name: value for name, value in wanted.items() if name in supported}


def sample_calls(
    helper: TaskProviderHelper,
    routing: Routing = "direct",
    *,
    stream: bool = False,
    router_url: str = DEFAULT_ROUTER_URL,
) -> list[Call]:
    """Representative calls for ``helper``'s task, routed ``direct`` or through the router.

    Direct calls use the helper's ``base_url``; routed ones
    ``https://router.huggingface.co/<provider>``, as the core builds them.
    """
    if routing == "router":
        base_url = f"{router_url.rstrip('/')}/{helper.provider}"
    else:
        base_url = str(helper.base_url).rstrip("/")
    model = ModelMapping(provider_model_id=MODEL_ID, hub_model_id=MODEL_ID, task=helper.task)
    base = Call(
        task=helper.task,
        inputs=None,
        model=model,
        routing=routing,
        base_url=base_url,
        stream=stream,
    )
    urls = getattr(helper, "accepts_input_urls", False) is True
    variants = sample_inputs(helper.task, urls=urls)
    calls = [replace(base, inputs=inputs) for inputs in variants]
    parameters = _parameters_for(helper)
    if parameters:
        calls.append(replace(base, inputs=variants[0], parameters=parameters))
    return calls
