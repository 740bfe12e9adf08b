"""Z.ai provider for infermux: GLM chat, CogView images (an async job) and GLM-OCR.

Every route lives under ``/api/paas/v4`` on ``https://api.z.ai``; the Hugging Face router
serves the same paths under ``https://router.huggingface.co/zai-org``, so direct and routed
calls differ only in their base URL.
"""

from __future__ import annotations

from typing import Any

from infermux import Provider, TaskProviderHelper
from infermux.errors import InvalidInputError
from infermux.helpers.base import Call, HTTPRequest, LazyType, Payload, Response
from infermux.helpers.jobs import JobStates, follow_job, lookup
from infermux.helpers.openai import OpenAIChatHelper, openai_error_message
from infermux.inputs import BinaryInput
from infermux.media import ImageOutput

__all__ = ["ZaiChat", "ZaiImageToText", "ZaiTextToImage", "register_providers", "zai"]

_API = "/api/paas/v4"
#: Z.ai answers errors in the caller's language; ask for English ones.
_HEADERS = {"accept-language": "en-US,en"}
#: An image job's answers (the submission's too): ``{"id", "task_status", "image_result"}``;
#: a failed one carries the OpenAI error shape.
IMAGE_JOB_STATES = JobStates(
    status="task_status",
    done={"SUCCESS"},
    failed={"FAIL"},
    pending={"PROCESSING"},
    reason=("error.message", "error", "message"),
)


zai = Provider(
    "zai-org",
    base_url="https://api.z.ai",
    key_env="ZAI_API_KEY",
    key_page="https://z.ai/manage-apikey/apikey-list",
    aliases={
        # Z.ai's own GLM ids (docs.z.ai); glm-4.5 is the id the cassettes use.
        "conversational": {
            "default": "glm-4.5",
            "large": "glm-4.6",
            "small": "glm-4.5-air",
            "agent": "glm-4.6",
        },
    },
)


class _ZaiWire(TaskProviderHelper):
    """What every Z.ai route shares on the wire: English errors, in the OpenAI shape."""

    def prepare_headers(self, call: Call) -> dict[str, str]:
        return dict(_HEADERS)

    def error_message(self, body: Any) -> str | None:
        # {"error": {"code": "1211", "message": "..."}}, the OpenAI shape with a string code.
        return openai_error_message(body)


@zai.task
class ZaiChat(_ZaiWire, OpenAIChatHelper):
    """GLM chat completions, plain and streamed, with tools and ``response_format``.

    Z.ai takes no ``seed``, ``n``, penalties or log-probabilities; they are refused.
    """

    supported_parameters = frozenset(
        {"max_tokens", "response_format", "stop", "temperature", "tool_choice", "tools", "top_p"}
    )

    def prepare_route(self, call: Call) -> str:
        return f"{_API}/chat/completions"


@zai.task
class ZaiTextToImage(_ZaiWire):
    """CogView images as an async job.

    ``POST /async/images/generations`` answers ``{"id", "task_status": "PROCESSING"}``;
    ``GET /async-result/<id>`` is polled until ``task_status`` is ``SUCCESS`` (the image at
    ``image_result[0].url`` is then downloaded without any key) or ``FAIL``.
    """

    task = "text-to-image"
    output_type = ImageOutput
    creates_job = True  # starts a paid job: never resent once it may have arrived
    supported_parameters = frozenset({"width", "height"})

    def prepare_route(self, call: Call) -> str:
        return f"{_API}/async/images/generations"

    def prepare_payload(self, call: Call) -> Payload:
        payload: dict[str, Any] = {"model": call.model.provider_model_id, "prompt": call.inputs}
        width, height = call.parameters.get("width"), call.parameters.get("height")
        if (width is None) != (height is None):
            raise InvalidInputError("zai-org needs width and height together (sent as size=WxH)")
        if width is not None:
            payload["size"] = f"{width}x{height}"
        return payload

    def parse_response(self, response: Response, call: Call) -> Any:
        body = self.json_object(response)
        job_id = body.get("id")
        if not isinstance(job_id, str) or not job_id:
            raise self.unexpected(body, missing="id")
        poll_url = f"{call.base_url.rstrip('/')}{_API}/async-result/{job_id}"
        return follow_job(
            self,
            IMAGE_JOB_STATES,
            job_id=job_id,
            poll=HTTPRequest("GET", poll_url, headers=dict(_HEADERS)),
            result=self._image,
            answer=body,  # the submission already says where the job is
        )

    def _image(self, body: dict[str, Any]) -> Any:
        url = lookup(body, "image_result.0.url")
        if not isinstance(url, str):
            raise self.unexpected(body, missing="image_result[0].url (the job succeeded)")
        return self.media_output(url, ImageOutput)


@zai.task
class ZaiImageToText(_ZaiWire):
    """GLM-OCR through ``POST /layout_parsing``: the recognised text, as Markdown.

    Only OCR models (``glm-ocr``) serve this route; the image goes as a data URL, or as the
    caller's URL, which Z.ai fetches itself.
    """

    task = "image-to-text"
    # Resolved on first use: plugin discovery must not import pydantic.
    output_type = LazyType("ImageToTextOutput")
    accepts_input_urls = True
    supported_parameters = frozenset()

    def prepare_route(self, call: Call) -> str:
        return f"{_API}/layout_parsing"

    def prepare_payload(self, call: Call) -> Payload:
        if not isinstance(call.inputs, BinaryInput):
            raise InvalidInputError("zai-org image-to-text takes one image")
        return {"model": call.model.provider_model_id, "file": call.inputs.url_or_data_url()}

    def parse_response(self, response: Response, call: Call) -> Any:
        from infermux.types import ImageToTextOutput

        body = self.json_object(response)
        text = body.get("md_results")
        if not isinstance(text, str):
            raise self.unexpected(body, missing="md_results")
        return ImageToTextOutput(generated_text=text)


register_providers = zai.hook()
