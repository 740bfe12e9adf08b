"""What every hf-inference helper shares: routes, the serverless options, error bodies.

hf-inference runs ``transformers`` / ``diffusers`` pipelines behind one route per model,
``POST /models/<model id>``, in the Hugging Face task API's wire format. That format (body
shapes, binary inputs, answer checks) is the core's, :mod:`infermux.helpers.hf`, which also
serves dedicated endpoints without this plugin; this plugin adds what is hf-inference's own.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from infermux.helpers.base import Call
from infermux.helpers.hf import HFBinaryTaskHelper, HFTaskHelper, hf_error_message

__all__ = [
    "BinaryPipeline",
    "HFInferenceBase",
    "Pipeline",
    "model_path",
]


def model_path(call: Call) -> str:
    """The model id as it appears in a route (``/`` kept, anything unsafe escaped)."""
    return quote(call.model.provider_model_id, safe="/")


class HFInferenceBase:
    """The per-model route, the serverless options and the error bodies of every hf-inference
    helper (a mixin, placed before the core's task API helper); the identity (id, URL, key,
    aliases) is the plugin's ``hf_inference`` Provider's."""

    uses_hf_token = True
    #: The client-side budget Hugging Face's own integrations use for serverless inference.
    default_requests_per_minute: float | None = 3000

    def prepare_route(self, call: Call) -> str:
        return f"/models/{model_path(call)}"

    def prepare_headers(self, call: Call) -> dict[str, str]:
        """The serverless API's options: wait for a cold model, and the result cache."""
        headers: dict[str, str] = {}
        if call.options.get("wait_for_model"):
            headers["x-wait-for-model"] = "true"
        if call.options.get("use_cache") is False:
            headers["x-use-cache"] = "false"
        return headers

    def error_message(self, body: Any) -> str | None:
        """``{"error": "..."}``, ``{"error": ["...", ...]}`` or ``{"error": {"message": ...}}``."""
        return hf_error_message(body)


class Pipeline(HFInferenceBase, HFTaskHelper):
    """The classic ``{"inputs": ..., "parameters": {...}}`` pipeline API on the model's route."""


class BinaryPipeline(HFInferenceBase, HFBinaryTaskHelper):
    """A task whose input is an image or an audio clip, on the model's route."""
