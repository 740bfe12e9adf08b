"""Text in, text or vectors out: chat, TGI generation, summarization, translation,
embeddings and sentence similarity (the core's task API helpers on the model's route)."""

from __future__ import annotations

from typing import Any

from infermux.helpers.base import Call, Payload, Response
from infermux.helpers.hf import (
    HFFeatureExtractionHelper,
    HFSentenceSimilarityHelper,
    HFSummarizationHelper,
    HFTextGenerationHelper,
    HFTranslationHelper,
)
from infermux.helpers.openai import OpenAIChatHelper
from infermux_hf_inference._common import HFInferenceBase, model_path

__all__ = [
    "HFInferenceChat",
    "HFInferenceFeatureExtraction",
    "HFInferenceSentenceSimilarity",
    "HFInferenceSummarization",
    "HFInferenceTextGeneration",
    "HFInferenceTranslation",
]


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


class HFInferenceTextGeneration(HFInferenceBase, HFTextGenerationHelper):
    """TGI's native API on the model's route (one route; ``stream`` in the body says which)."""


class HFInferenceSummarization(HFInferenceBase, HFSummarizationHelper):
    """transformers' summarization pipeline."""


class HFInferenceTranslation(HFInferenceBase, HFTranslationHelper):
    """Multilingual models (mBART, NLLB ...) need ``src_lang`` and ``tgt_lang``."""


class HFInferenceFeatureExtraction(HFInferenceBase, HFFeatureExtractionHelper):
    """Embeddings on the feature-extraction pipeline's route.

    The route pins the task, since one model may serve both feature-extraction and
    sentence-similarity. The options go at the top level of the body (TEI style) next to
    the empty ``parameters`` object the recorded clients send.
    """

    def prepare_route(self, call: Call) -> str:
        return f"/pipeline/feature-extraction/{model_path(call)}"

    def prepare_payload(self, call: Call) -> Payload:
        return {"inputs": call.inputs, "parameters": {}, **call.parameters}


class HFInferenceSentenceSimilarity(HFInferenceBase, HFSentenceSimilarityHelper):
    """One score per sentence, on the sentence-similarity pipeline's route.

    The body puts ``source_sentence`` and ``sentences`` at the top level with ``inputs``
    null, as the recorded Hugging Face client does (and the server answers).
    """

    def prepare_route(self, call: Call) -> str:
        return f"/pipeline/sentence-similarity/{model_path(call)}"

    def prepare_payload(self, call: Call) -> Payload:
        if not isinstance(call.inputs, dict):
            self.fail_input("{'source_sentence': ..., 'sentences': [...]}", call.inputs)
        return {"inputs": None, "parameters": {}, **call.inputs}
