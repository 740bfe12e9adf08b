"""Text in, text or vectors out: TGI text generation, summarization, translation,
embeddings (TEI) and sentence similarity."""

from __future__ import annotations

import json
from typing import Any

from infermux.helpers.base import Call, LazyType, Payload, Response, SSEEvent
from infermux.helpers.hf.common import HFTaskHelper
from infermux.helpers.openai import raise_stream_error

__all__ = [
    "TGI_PARAMETERS",
    "HFFeatureExtractionHelper",
    "HFSentenceSimilarityHelper",
    "HFSummarizationHelper",
    "HFTextGenerationHelper",
    "HFTranslationHelper",
]

#: Everything TGI's ``/generate`` takes in ``parameters`` (the task spec's names, unrenamed).
TGI_PARAMETERS = frozenset(
    {
        "best_of",
        "decoder_input_details",
        "details",
        "do_sample",
        "frequency_penalty",
        "grammar",
        "max_new_tokens",
        "repetition_penalty",
        "return_full_text",
        "seed",
        "stop",
        "temperature",
        "top_k",
        "top_n_tokens",
        "top_p",
        "truncate",
        "typical_p",
        "watermark",
    }
)

#: transformers' text2text pipelines (summarization, translation).
_TEXT2TEXT_PARAMETERS = frozenset(
    {"clean_up_tokenization_spaces", "generate_parameters", "truncation"}
)


class HFTextGenerationHelper(HFTaskHelper):
    """TGI's native API: ``{"inputs", "parameters", "stream"}`` to ``/generate`` (or
    ``/generate_stream`` when streaming).

    The answer is ``[{"generated_text", "details"?}]`` (or TGI's bare object); a stream is
    SSE events ``data:{"index", "token", "generated_text", "details"}``, the last one
    carrying the full text and the finish reason.
    """

    task = "text-generation"
    supports_streaming = True
    output_type = LazyType("TextGenerationOutput")  # pydantic: on first use
    supported_parameters = TGI_PARAMETERS

    def prepare_route(self, call: Call) -> str:
        return "/generate_stream" if call.stream else "/generate"

    def prepare_payload(self, call: Call) -> Payload:
        parameters = dict(call.parameters)
        if isinstance(parameters.get("stop"), str):
            parameters["stop"] = [parameters["stop"]]  # TGI takes a list only
        return {"inputs": call.inputs, "parameters": parameters, "stream": call.stream}

    def parse_response(self, response: Response, call: Call) -> Any:
        from infermux.types import TextGenerationOutput

        return self.one(TextGenerationOutput, self.json_first(response), "generated_text")

    def parse_stream_event(self, event: SSEEvent, call: Call) -> Any | None:
        raise_stream_error(event, self.provider)  # TGI: data:{"error": ..., "error_type": ...}
        try:
            body = json.loads(event.data)
        except ValueError:
            self.fail("a JSON stream event", event.data)
        from infermux.types import TextGenerationStreamOutput

        return self.one(TextGenerationStreamOutput, body, "token")


class HFSummarizationHelper(HFTaskHelper):
    task = "summarization"
    output_type = LazyType("SummarizationOutput")
    supported_parameters = _TEXT2TEXT_PARAMETERS

    def parse_response(self, response: Response, call: Call) -> Any:
        from infermux.types import SummarizationOutput

        return self.one(SummarizationOutput, self.json_first(response), "summary_text")


class HFTranslationHelper(HFTaskHelper):
    """Multilingual models (mBART, NLLB ...) need ``src_lang`` and ``tgt_lang``."""

    task = "translation"
    output_type = LazyType("TranslationOutput")
    supported_parameters = _TEXT2TEXT_PARAMETERS | {"src_lang", "tgt_lang"}

    def parse_response(self, response: Response, call: Call) -> Any:
        from infermux.types import TranslationOutput

        return self.one(TranslationOutput, self.json_first(response), "translation_text")


class HFFeatureExtractionHelper(HFTaskHelper):
    """Embeddings: ``{"inputs", "normalize", "truncate", ...}``, the options at the top
    level as the task spec and TEI's ``/embed`` take them (TEI's root route is ``/embed``
    for an embedding model). Sentence-transformers models return one vector per input,
    others one per token."""

    task = "feature-extraction"
    output_type = list
    supported_parameters = frozenset(
        {"normalize", "prompt_name", "truncate", "truncation_direction"}
    )

    def prepare_payload(self, call: Call) -> Payload:
        return {"inputs": call.inputs, **call.parameters}

    def parse_response(self, response: Response, call: Call) -> Any:
        body = response.json()
        if not isinstance(body, list) or not body:
            self.fail("a non-empty list of vectors", body)
        return body


class HFSentenceSimilarityHelper(HFTaskHelper):
    """One score per sentence of ``sentences``: ``{"inputs": {"source_sentence",
    "sentences"}}``, as the task spec, TEI's ``/similarity`` and an Inference Endpoint take it."""

    task = "sentence-similarity"
    output_type = list
    supported_parameters = frozenset()

    def prepare_payload(self, call: Call) -> Payload:
        if not isinstance(call.inputs, dict):
            self.fail_input("{'source_sentence': ..., 'sentences': [...]}", call.inputs)
        return {"inputs": dict(call.inputs)}

    def parse_response(self, response: Response, call: Call) -> Any:
        scores = self.json_list(response)
        if not all(isinstance(s, int | float) and not isinstance(s, bool) for s in scores):
            self.fail("a list of scores", scores)
        return [float(s) for s in scores]
