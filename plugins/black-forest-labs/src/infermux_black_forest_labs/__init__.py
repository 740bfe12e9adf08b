"""Black Forest Labs (FLUX) provider for infermux: text-to-image as a polled job.

``POST /v1/<model>`` (e.g. ``/v1/flux-dev``) answers ``{"id", "polling_url"}``; the core
polls ``polling_url`` until ``status`` is ``Ready``, then downloads ``result.sample``
without any key. ``Error``, ``Content Moderated``, ``Request Moderated`` and ``Task not
found`` raise :class:`~infermux.errors.JobError` with the status and BFL's details.

Keys: direct calls send ``X-Key: <BFL_API_KEY>``. The polling URL is on a BFL host even
for calls routed through Hugging Face (that is what the router hands back), so routed
polls go out without a key: the Hugging Face token is never sent to BFL, and BFL's result
endpoint does not need one. Direct polls send the BFL key when the polling host is one of
BFL's API hosts (``base_url`` or ``key_hosts``).
"""

from __future__ import annotations

from typing import Any

from infermux import ImageOutput, Provider, TaskProviderHelper
from infermux.helpers.base import AuthScheme, Call, HTTPRequest, Payload, Response
from infermux.helpers.jobs import JobStates, follow_job, lookup

__all__ = ["BlackForestLabsTextToImage", "bfl", "register_providers"]

bfl = Provider(
    "black-forest-labs",
    base_url="https://api.us1.bfl.ai",
    auth=AuthScheme("X-Key"),
    key_env="BFL_API_KEY",
    key_page="https://dashboard.bfl.ai/keys",
    # Every regional API host of BFL (api.us1, api.eu ...): polling URLs may name any.
    key_hosts=(".bfl.ai",),
)

READY = "Ready"
#: Final statuses other than Ready (BFL's ``StatusResponse``); anything else is pending.
FAILED = frozenset({"Error", "Content Moderated", "Request Moderated", "Task not found"})
#: A polling answer: ``{"id", "status", "result": {"sample"}, "details"}``.
JOB_STATES = JobStates(status="status", done={READY}, failed=FAILED, reason=("details", "result"))


@bfl.task
class BlackForestLabsTextToImage(TaskProviderHelper):
    """FLUX images: submit, poll ``polling_url``, download ``result.sample``."""

    task = "text-to-image"
    creates_job = True  # starts a paid job: never resent once it may have arrived
    supported_parameters = frozenset(
        {"height", "width", "seed", "num_inference_steps", "guidance_scale"}
    )
    parameter_renames = {"num_inference_steps": "steps", "guidance_scale": "guidance"}
    output_type = ImageOutput

    def prepare_route(self, call: Call) -> str:
        return f"/v1/{call.model.provider_model_id}"

    def prepare_payload(self, call: Call) -> Payload:
        return {"prompt": call.inputs, **self.rename(call.parameters)}

    def parse_response(self, response: Response, call: Call) -> Any:
        body = self.json_object(response)
        job_id, polling_url = body.get("id"), body.get("polling_url")
        if not isinstance(polling_url, str) or not polling_url.startswith("https://"):
            raise self.unexpected(body, missing="an https polling_url")
        return follow_job(
            self,
            JOB_STATES,
            job_id=job_id if isinstance(job_id, str) else None,
            # Routed: the polling URL is BFL's, and the caller's key is a Hugging Face token.
            poll=HTTPRequest("GET", polling_url, authenticate=call.routing == "direct"),
            result=self._image,
        )

    def _image(self, body: dict[str, Any]) -> Any:
        sample = lookup(body, "result.sample")
        if not isinstance(sample, str) or not sample:
            raise self.unexpected(body, missing="result.sample (status Ready)")
        return self.media_output(sample, ImageOutput)


register_providers = bfl.hook()
