"""Text in, text or vectors out: chat, TGI text generation, summarization, translation,
embeddings and sentence similarity."""

from __future__ import annotations

import json
from typing import Any

from infermux.helpers.base import Call, LazyType, Payload, Response, SSEEvent
from infermux.helpers.openai import OpenAIChatHelper, raise_stream_error
from infermux_hf_inference._common import HFInferenceBase, Pipeline, model_path

__all__ = [
    "HFInferenceChat",
    "HFInferenceFeatureExtraction",
    "HFInferenceSentenceSimilarity",
    "HFInferenceSummarization",
    "HFInferenceTextGeneration",
    "HFInferenceTranslation",
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


class HFInferenceChat(HFInferenceBase, OpenAIChatHelper):
    """TGI's OpenAI-compatible chat route on the model's path (TGI also takes ``tool_prompt``)."""

    supported_parameters = None
    # Older TGI servers end their chat streams without `data: [DONE]` (recorded in
    # cassettes/hf-inference/legacy/chat_completion_stream.yaml).
    stream_end_marker = None

    def prepare_route(self, call: Call) -> str:
        return f"/models/{model_path(call)}/v1/chat/completions"

    def parse_response(self, response: Response, call: Call) -> Any:
        body = self.json_object(response)
        if not isinstance(body.get("choices"), list):
            raise self.unexpected(response.content, missing="choices")
        return super().parse_response(response, call)


class HFInferenceTextGeneration(Pipeline):
    """TGI's native API on the model's route: ``{"inputs", "parameters", "stream"}``.

    The answer is ``[{"generated_text", "details"?}]`` (or TGI's bare object); a stream is
    SSE events ``data:{"index", "token", "generated_text", "details"}``, the last one
    carrying the full text and the finish reason.
    """

    task = "text-generation"
    supports_streaming = True
    output_type = LazyType("TextGenerationOutput")  # pydantic: on first use
    supported_parameters = TGI_PARAMETERS

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


class HFInferenceSummarization(Pipeline):
    task = "summarization"
    output_type = LazyType("SummarizationOutput")
    supported_parameters = _TEXT2TEXT_PARAMETERS

    def parse_response(self, response: Response, call: Call) -> Any:
        from infermux.types import SummarizationOutput

        return self.one(SummarizationOutput, self.json_first(response), "summary_text")


class HFInferenceTranslation(Pipeline):
    """Multilingual models (mBART, NLLB ...) need ``src_lang`` and ``tgt_lang``."""

    task = "translation"
    output_type = LazyType("TranslationOutput")
    supported_parameters = _TEXT2TEXT_PARAMETERS | {"src_lang", "tgt_lang"}

    def parse_response(self, response: Response, call: Call) -> Any:
        from infermux.types import TranslationOutput

        return self.one(TranslationOutput, self.json_first(response), "translation_text")


class HFInferenceFeatureExtraction(Pipeline):
    """Embeddings; sentence-transformers models return one vector, others one per token.

    The pipeline route pins the task, since one model may serve both feature-extraction and
    sentence-similarity. The spec puts this task's options at the top level of the body
    (TEI style); the empty ``parameters`` object is what the recorded clients send.
    """

    task = "feature-extraction"
    output_type = list
    supported_parameters = frozenset(
        {"normalize", "prompt_name", "truncate", "truncation_direction"}
    )

    def prepare_route(self, call: Call) -> str:
        return f"/pipeline/feature-extraction/{model_path(call)}"

    def prepare_payload(self, call: Call) -> Payload:
        return {"inputs": call.inputs, "parameters": {}, **call.parameters}

    def parse_response(self, response: Response, call: Call) -> Any:
        body = response.json()
        if not isinstance(body, list) or not body:
            self.fail("a non-empty list of vectors", body)
        return body


class HFInferenceSentenceSimilarity(Pipeline):
    """One score per sentence of ``sentences``.

    The body puts ``source_sentence`` and ``sentences`` at the top level with ``inputs``
    null, as the recorded Hugging Face client does (and the server answers).
    """

    task = "sentence-similarity"
    output_type = list
    supported_parameters = frozenset()

    def prepare_route(self, call: Call) -> str:
        return f"/pipeline/sentence-similarity/{model_path(call)}"

    def prepare_payload(self, call: Call) -> Payload:
        if not isinstance(call.inputs, dict):
            self.fail_input("{'source_sentence': ..., 'sentences': [...]}", call.inputs)
        return {"inputs": None, "parameters": {}, **call.inputs}

    def parse_response(self, response: Response, call: Call) -> Any:
        scores = self.json_list(response)
        if not all(isinstance(s, int | float) and not isinstance(s, bool) for s in scores):
            self.fail("a list of scores", scores)
        return [float(s) for s in scores]
