"""Video jobs: ``POST /v2/videos``, then ``GET /v2/videos/<id>`` until the job ends.

The core runs the chain: it waits ``poll_interval`` between polls, enforces
``job_timeout``, reports each poll to ``on_progress`` and raises ``JobTimeoutError`` when
the deadline passes. Together documents no cancel route for videos, so a cancelled or
expired job is simply abandoned (it still runs, and is billed, on Together's side).

Job bodies (https://docs.together.ai/reference/get-videos-id)::

    {"id": "...", "status": "queued" | "in_progress" | "completed" | "failed" | "cancelled",
     "outputs": {"video_url": "...", "cost": ...}, "error": {"message": ..., "code": ...}}
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from infermux.helpers.base import Call, Payload, Response
from infermux.helpers.jobs import JobStates, follow_job, lookup
from infermux.media import VideoOutput
from infermux_together._common import TogetherErrors, binary_input, together
from infermux_together.images import target_size

__all__ = ["TogetherImageToVideo", "TogetherTextToVideo"]

_FAILED = frozenset({"failed", "cancelled", "canceled", "error", "expired"})


class _TogetherVideo(TogetherErrors):
    output_type = VideoOutput
    creates_job = True  # starts a paid job: never resent once it may have arrived
    parameter_renames = {"num_inference_steps": "steps"}

    def prepare_route(self, call: Call) -> str:
        return "/v2/videos"

    def parse_response(self, response: Response, call: Call) -> Any:
        job = self.json_object(response)
        job_id = job.get("id")
        if not isinstance(job_id, str) or not job_id:
            raise self.unexpected(job, missing="id")
        return follow_job(
            self,
            VIDEO_JOB_STATES,
            job_id=job_id,
            # Polls go where the job was created: direct, or through the router.
            poll=f"{call.base_url.rstrip('/')}/v2/videos/{quote(job_id, safe='')}",
            result=self._video,
            answer=job,
        )

    def _video(self, job: dict[str, Any]) -> Any:
        url = lookup(job, "outputs.video_url")
        if not isinstance(url, str) or not url:
            raise self.unexpected(job, missing="outputs.video_url (the job completed)")
        # A short link that redirects to signed storage: fetched with no key at all.
        return self.media_output(url, VideoOutput)


def _job_error(job: dict[str, Any]) -> str:
    error = job.get("error")
    if isinstance(error, dict) and isinstance(error.get("message"), str):
        message, code = str(error["message"]), error.get("code")
        return f"{message} ({code})" if isinstance(code, str) and code else message
    if isinstance(error, str) and error:
        return error
    info = job.get("info")  # the older shape: {"info": {"errors": ...}}
    if isinstance(info, dict) and info.get("errors"):
        return str(info["errors"])
    return "Together gave no error message"


#: queued, in_progress, or a status added later: poll again (the deadline bounds it).
VIDEO_JOB_STATES = JobStates(status="status", done={"completed"}, failed=_FAILED, reason=_job_error)


@together.task
class TogetherTextToVideo(_TogetherVideo):
    """Text-to-video as a Together video job; returns a :class:`~infermux.VideoOutput`."""

    task = "text-to-video"
    supported_parameters = frozenset(
        {"negative_prompt", "num_inference_steps", "guidance_scale", "seed"}
    )

    def prepare_payload(self, call: Call) -> Payload:
        parameters = self.rename(call.parameters)
        return {"model": call.model.provider_model_id, "prompt": call.inputs, **parameters}


@together.task
class TogetherImageToVideo(_TogetherVideo):
    """Image-to-video: the image becomes the first keyframe (``media.frame_images``).

    URL inputs are passed on as they are; bytes go as a data URL. Together caps the
    field's length (about 60 KB for some models): host large images and pass the URL.
    """

    task = "image-to-video"
    accepts_input_urls = True
    supported_parameters = frozenset(
        {
            "prompt",
            "negative_prompt",
            "num_inference_steps",
            "guidance_scale",
            "target_size",
            "seed",
        }
    )

    def prepare_payload(self, call: Call) -> Payload:
        parameters = self.rename(call.parameters)
        size = parameters.pop("target_size", None)
        image = binary_input(call.inputs, self.task).url_or_data_url()
        return {
            "model": call.model.provider_model_id,
            **parameters,
            **(target_size(size) if size is not None else {}),
            "media": {"frame_images": [{"input_image": image, "frame": "first"}]},
        }
