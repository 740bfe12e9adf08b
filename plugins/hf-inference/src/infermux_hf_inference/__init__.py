"""hf-inference: Hugging Face's serverless inference, reached through the router host."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from infermux import ImageOutput, TaskProviderHelper, hookimpl
from infermux.errors import ResponseFormatError
from infermux.helpers.base import Call, Payload, Response
from infermux.helpers.openai import OpenAIChatHelper
from infermux.helpers.parsing import validate_list
from infermux.media import sniff_content_type
from infermux.types import TextClassificationOutputElement

__all__ = [
    "HFInferenceChat",
    "HFInferenceFeatureExtraction",
    "HFInferenceTextClassification",
    "HFInferenceTextToImage",
    "register_providers",
]


def _model_path(call: Call) -> str:
    return quote(call.model.provider_model_id, safe="/")


class _HFInference:
    provider = "hf-inference"
    base_url = "https://router.huggingface.co/hf-inference"
    uses_hf_token = True
    needs_model_mapping = False  # Hub ids are served as they are
    api_key_env = ("HF_TOKEN",)
    key_url = "https://huggingface.co/settings/tokens"

    def error_message(self, body: Any) -> str | None:
        if isinstance(body, dict):
            error = body.get("error")
            if isinstance(error, str):
                return error
            if isinstance(error, list):
                return "; ".join(map(str, error))
            if isinstance(error, dict) and isinstance(error.get("message"), str):
                return str(error["message"])
        return None


class _Pipeline(_HFInference, TaskProviderHelper):
    """The classic ``{"inputs": ..., "parameters": {...}}`` pipeline API."""

    def prepare_route(self, call: Call) -> str:
        return f"/models/{_model_path(call)}"

    def prepare_payload(self, call: Call) -> Payload:
        return {"inputs": call.inputs, "parameters": dict(call.parameters)}


class HFInferenceChat(_HFInference, OpenAIChatHelper):
    """TGI's OpenAI-compatible chat route on the model's path (TGI also takes ``tool_prompt``)."""

    supported_parameters = None

    def prepare_route(self, call: Call) -> str:
        return f"/models/{_model_path(call)}/v1/chat/completions"


class HFInferenceFeatureExtraction(_Pipeline):
    """Embeddings; sentence-transformers models return one vector, others one per token."""

    task = "feature-extraction"
    output_type = list

    def prepare_route(self, call: Call) -> str:
        return f"/pipeline/feature-extraction/{_model_path(call)}"

    def parse_response(self, response: Response, call: Call) -> Any:
        body = response.json()
        if not isinstance(body, list):
            raise ResponseFormatError(
                f"hf-inference feature-extraction expected a list, got {type(body).__name__}",
                provider=self.provider,
                task=self.task,
            )
        return body


class HFInferenceTextToImage(_Pipeline):
    task = "text-to-image"
    output_type = ImageOutput

    def parse_response(self, response: Response, call: Call) -> Any:
        if response.content_type.startswith("application/json") or not response.content:
            raise ResponseFormatError(
                f"hf-inference text-to-image returned {response.content_type or 'no content'} "
                f"instead of an image: {response.text[:200]!r}",
                provider=self.provider,
                task=self.task,
            )
        content_type = sniff_content_type(response.content, response.content_type)
        return ImageOutput(response.content, content_type, provider=self.provider)


class HFInferenceTextClassification(_Pipeline):
    task = "text-classification"
    output_type = list
    supported_parameters = frozenset({"function_to_apply", "top_k"})

    def parse_response(self, response: Response, call: Call) -> Any:
        body = response.json()
        # The pipeline answers [[...]] for one input: unwrap to its list of labels.
        if isinstance(body, list) and len(body) == 1 and isinstance(body[0], list):
            body = body[0]
        return validate_list(TextClassificationOutputElement, body, self.provider, self.task)


@hookimpl
def register_providers(register: Callable[[TaskProviderHelper], None]) -> None:
    for helper in (
        HFInferenceChat,
        HFInferenceFeatureExtraction,
        HFInferenceTextClassification,
        HFInferenceTextToImage,
    ):
        register(helper())
