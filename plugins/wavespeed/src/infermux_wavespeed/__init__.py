"""WaveSpeedAI provider for infermux: image and video generation as polled jobs.

``POST /api/v3/<model>`` submits a prediction and answers ``{"data": {"id", "status",
"urls": {"get": ...}}}``; the ``get`` URL is polled until ``data.status`` is
``"completed"`` (then ``data.outputs[0]`` is downloaded, without any key) or ``"failed"``
(``data.error`` says why). The core runs the polling; these helpers only describe it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from infermux import Provider, TaskProviderHelper
from infermux.errors import InvalidInputError
from infermux.helpers.base import Call, Payload, Response
from infermux.helpers.jobs import JobStates, follow_job, lookup
from infermux.inputs import BinaryInput
from infermux.media import ImageOutput, MediaOutput, VideoOutput

__all__ = [
    "WaveSpeedImageToImage",
    "WaveSpeedImageToVideo",
    "WaveSpeedTextToImage",
    "WaveSpeedTextToVideo",
    "register_providers",
    "wavespeed",
]

#: A prediction's answers: ``{"data": {"id", "status", "outputs", "error"}}``.
PREDICTION_STATES = JobStates(
    within="data",
    status="status",
    done={"completed"},
    failed={"failed"},
    pending={"created", "processing", "queued", "pending"},
)
_COMMON_PARAMETERS = frozenset({"negative_prompt", "num_inference_steps", "guidance_scale", "seed"})


def _size(width: Any, height: Any) -> str:
    """WaveSpeed's ``size`` is ``"<width>*<height>"``."""
    if width is None or height is None:
        raise InvalidInputError("wavespeed needs width and height together (sent as size=W*H)")
    return f"{width}*{height}"


wavespeed = Provider(
    "wavespeed",
    base_url="https://api.wavespeed.ai",
    key_env="WAVESPEED_API_KEY",
    key_page="https://wavespeed.ai/accesskey",
)


class _WaveSpeedJob(TaskProviderHelper):
    """A WaveSpeed prediction: submitted, polled, its first output downloaded."""

    creates_job = True  # starts a paid job: never resent once it may have arrived
    #: WaveSpeed fetches ``image`` URLs itself; local images go as data URLs.
    accepts_input_urls = True
    output_type: type[MediaOutput] = ImageOutput

    # -- request ---------------------------------------------------------------------

    def prepare_route(self, call: Call) -> str:
        return f"/api/v3/{call.model.provider_model_id}"

    def prepare_payload(self, call: Call) -> Payload:
        parameters = dict(call.parameters)
        payload: dict[str, Any] = {}
        if "width" in parameters or "height" in parameters:
            payload["size"] = _size(parameters.pop("width", None), parameters.pop("height", None))
        target = parameters.pop("target_size", None)
        if isinstance(target, Mapping):
            payload["size"] = _size(target.get("width"), target.get("height"))
        if isinstance(call.inputs, BinaryInput):
            payload["image"] = call.inputs.url_or_data_url()
        else:
            payload["prompt"] = call.inputs
        payload.update(parameters)  # prompt (image tasks), negative_prompt, seed ... as named
        if call.model.adapter == "lora" and call.model.hub_model_id:
            # A LoRA from the Hub runs on the mapped base model, loaded by its repository id.
            payload["loras"] = [{"path": call.model.hub_model_id, "scale": 1}]
        return payload

    # -- response --------------------------------------------------------------------

    def error_message(self, body: Any) -> str | None:
        if isinstance(body, dict):
            for key in ("message", "error"):
                if isinstance(body.get(key), str) and body[key]:
                    return str(body[key])
            data = body.get("data")
            if isinstance(data, dict) and isinstance(data.get("error"), str) and data["error"]:
                return str(data["error"])
        return None

    def _data(self, response: Response) -> dict[str, Any]:
        body = self.json_object(response)
        data = body.get("data")
        if not isinstance(data, dict):
            raise self.unexpected(body, missing="a data object")
        return data

    def parse_response(self, response: Response, call: Call) -> Any:
        data = self._data(response)
        job_id = data.get("id")
        urls = data.get("urls")
        get_url = urls.get("get") if isinstance(urls, dict) else None
        if not isinstance(job_id, str) or not isinstance(get_url, str):
            raise self.unexpected(data, missing="data.id and data.urls.get")
        # Poll on the call's own base (the router or the API root, whichever the submission
        # went to): the router serves WaveSpeed's paths under /wavespeed.
        parts = urlsplit(get_url)
        poll_url = (
            call.base_url.rstrip("/") + parts.path + (f"?{parts.query}" if parts.query else "")
        )
        status = data.get("status")
        return follow_job(
            self,
            PREDICTION_STATES,
            job_id=job_id,
            poll=poll_url,
            result=self._output,
            status=status if isinstance(status, str) else None,
        )

    def _output(self, data: dict[str, Any]) -> Any:
        first = lookup(data, "outputs.0")
        if not isinstance(first, str):
            raise self.unexpected(data, missing="outputs[0] (the job completed)")
        return self.media_output(first)


@wavespeed.task
class WaveSpeedTextToImage(_WaveSpeedJob):
    """Text to image (FLUX, Seedream, HiDream ...); ``width``/``height`` become ``size``."""

    task = "text-to-image"
    supported_parameters = _COMMON_PARAMETERS | {"width", "height"}


@wavespeed.task
class WaveSpeedImageToImage(_WaveSpeedJob):
    """Image editing (FLUX Kontext ...): ``image`` plus an optional ``prompt``."""

    task = "image-to-image"
    supported_parameters = _COMMON_PARAMETERS | {"prompt", "target_size"}


@wavespeed.task
class WaveSpeedTextToVideo(_WaveSpeedJob):
    """Text to video (Wan, Hunyuan ...); returns a :class:`~infermux.VideoOutput`."""

    task = "text-to-video"
    output_type = VideoOutput
    supported_parameters = _COMMON_PARAMETERS


@wavespeed.task
class WaveSpeedImageToVideo(_WaveSpeedJob):
    """Image to video: ``image`` plus an optional ``prompt``."""

    task = "image-to-video"
    output_type = VideoOutput
    supported_parameters = _COMMON_PARAMETERS | {"prompt", "target_size"}


register_providers = wavespeed.hook()
