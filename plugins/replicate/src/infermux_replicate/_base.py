"""What every Replicate helper shares: creating a prediction, waiting on it, reading its output.

A call creates a prediction with ``Prefer: wait``: Replicate holds the request up to 60 s and
usually answers with the output. Otherwise (HTTP 202, status ``starting``/``processing`` and
no output) the prediction is polled at ``urls.get`` until it succeeds, fails or is
cancelled. Through the Hugging Face router, ``urls.get`` and ``urls.cancel`` (on
api.replicate.com) are rewritten onto the router so the Hugging Face token only goes there.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlsplit

from infermux import Provider
from infermux.helpers.base import Call, FollowUp, HTTPRequest, Payload, Response, TaskProviderHelper
from infermux.helpers.jobs import JobStates, follow_job
from infermux.inputs import input_url as core_input_url
from infermux.media import MediaOutput

__all__ = ["REPLICATE_URL", "ReplicateHelper", "input_url", "replicate"]

REPLICATE_URL = "https://api.replicate.com"

replicate = Provider(
    "replicate",
    base_url=REPLICATE_URL,
    key_env=("REPLICATE_API_TOKEN", "REPLICATE_API_KEY"),
    key_page="https://replicate.com/account/api-tokens",
)


def _has_output(prediction: dict[str, Any]) -> bool:
    # Output present means done, whatever the status says: the router has answered
    # "processing" with the final image already in `output`.
    return prediction.get("output") not in (None, [], "", {})


#: A prediction's answers: ``{"id", "status", "output", "error", "urls": {"get", "cancel"}}``.
PREDICTION_STATES = JobStates(
    status="status",
    done={"succeeded"},
    failed={"failed"},
    cancelled={"canceled", "cancelled"},
    pending={"starting", "processing"},
    reason=("error", "detail"),
    finished=_has_output,
)


#: Top-level fields of Replicate's create-prediction body besides ``input``: ``extra_body``
#: keys of these names stay top level, every other key is a model input.
PREDICTION_FIELDS = frozenset({"version", "webhook", "webhook_events_filter", "stream"})


def replicate_error_message(body: Any) -> str | None:
    """Replicate's problem+json (``detail`` or ``invalid_fields``), or a prediction's ``error``."""
    if not isinstance(body, dict):
        return None
    detail = body.get("detail")
    if isinstance(detail, str) and detail.strip():
        return detail.strip()  # already lists the invalid fields
    fields = body.get("invalid_fields")
    if isinstance(fields, list) and fields:
        return "; ".join(
            f"{f.get('field')}: {f.get('description')}" if isinstance(f, dict) else str(f)
            for f in fields
        )
    error = body.get("error")
    return error.strip() if isinstance(error, str) and error.strip() else None


def input_url(value: Any, name: str, default_type: str) -> str:
    """An input as replicate takes it: the caller's URL, or the bytes as a data URL."""
    return core_input_url(value, name, default_type, "replicate")


class ReplicateHelper(TaskProviderHelper):
    """Base of the Replicate helpers: subclasses set the input and read the output (and
    ``@replicate.task`` gives each the provider's identity)."""

    # Every call creates a prediction (a paid job): never resent once it may have arrived.
    creates_job = True
    jobs_url = "https://replicate.com/predictions"
    # Replicate fetches http(s) URLs given as inputs itself.
    accepts_input_urls = True
    #: The model input that receives ``call.inputs``.
    input_name = "prompt"

    # -- request -------------------------------------------------------------------------

    def prepare_route(self, call: Call) -> str:
        model = call.model.provider_model_id
        if ":" in model:  # owner/name:version, a community model pinned to a version
            return "/v1/predictions"
        return f"/v1/models/{quote(model, safe='/')}/predictions"

    def prepare_headers(self, call: Call) -> dict[str, str]:
        return {"Prefer": "wait"}

    def prepare_input(self, call: Call) -> dict[str, Any]:
        """The model's ``input`` object; the spec parameters go in under their own names."""
        return {self.input_name: call.inputs, **call.parameters}

    def prepare_payload(self, call: Call) -> Payload:
        payload: dict[str, Any] = {"input": self.prepare_input(call)}
        model = call.model.provider_model_id
        if ":" in model:
            payload["version"] = model.split(":", 1)[1]
        return payload

    def merge_extra_body(
        self, payload: dict[str, Any], extra_body: Mapping[str, Any]
    ) -> dict[str, Any]:
        """Model options live in ``input``, for every task alike: ``extra_body={"voice":
        "af_bella"}`` and ``extra_body={"input": {"voice": "af_bella"}}`` both add to the
        input the client built (Replicate ignores unknown top-level keys, and huggingface_hub
        merges extra_body into ``input`` too). Only the prediction's own fields
        (:data:`PREDICTION_FIELDS`: ``webhook``, ``webhook_events_filter`` ...) go top level."""
        extra = dict(extra_body)
        extra_input = extra.pop("input", None)
        top = {k: v for k, v in extra.items() if k in PREDICTION_FIELDS}
        model_options = {k: v for k, v in extra.items() if k not in PREDICTION_FIELDS}
        merged = {**payload, **top}
        if extra_input is not None and not isinstance(extra_input, Mapping):
            merged["input"] = extra_input  # the caller replaces the input wholesale
            return merged
        merged["input"] = {**payload.get("input", {}), **model_options, **(extra_input or {})}
        return merged

    def error_message(self, body: Any) -> str | None:
        return replicate_error_message(body)

    # -- response ------------------------------------------------------------------------

    def parse_response(self, response: Response, call: Call) -> Any:
        body = self.json_object(response)  # with Prefer: wait, often already finished
        prediction_id = body.get("id") if isinstance(body.get("id"), str) else None
        urls = body.get("urls")
        if not isinstance(urls, dict):
            urls = {}
        path = f"/v1/predictions/{prediction_id}"
        step = follow_job(
            self,
            PREDICTION_STATES,
            job_id=prediction_id,
            poll=self._job_url(urls.get("get"), path, call),
            cancel=HTTPRequest("POST", self._job_url(urls.get("cancel"), f"{path}/cancel", call)),
            result=lambda prediction: self._output(prediction, call),
            answer=body,
        )
        if isinstance(step, FollowUp) and step.poll and prediction_id is None:
            raise self.unexpected(body, missing="id (a running prediction)")
        return step

    def parse_output(self, output: Any, call: Call) -> Any:
        """Turn a finished prediction's ``output`` into the task output."""
        raise NotImplementedError(f"{type(self).__name__} must implement parse_output")

    def _output(self, prediction: dict[str, Any], call: Call) -> Any:
        output = prediction.get("output")
        if output is None:  # "succeeded" with nothing to show
            raise self.unexpected(prediction, missing="output")
        return self.parse_output(output, call)

    def _job_url(self, url: Any, fallback_path: str, call: Call) -> str:
        base = call.base_url.rstrip("/")
        if not isinstance(url, str) or not url.startswith(("https://", "http://")):
            return base + fallback_path
        if call.routing == "router":
            # The router forwards <router>/replicate/<path> to api.replicate.com/<path>.
            parts = urlsplit(url)
            return base + parts.path + (f"?{parts.query}" if parts.query else "")
        return url

    # -- helpers for subclasses ------------------------------------------------------------

    def output_url(self, output: Any) -> str:
        """The file URL of an output: a string, the first of a list, or the first URL value."""
        if isinstance(output, list) and output:
            output = output[0]
        if isinstance(output, dict):
            output = next((v for v in output.values() if _is_url(v)), None)
        if not isinstance(output, str) or not _is_url(output):
            raise self.unexpected(output, problem="output that is not a file URL")
        return output

    def media(self, url: str, output: type[MediaOutput]) -> Any:
        """The output at ``url``: decoded from a data URL, else downloaded without any key
        (the core's :meth:`~infermux.helpers.base.TaskProviderHelper.media_output`)."""
        return self.media_output(url, output)


def _is_url(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(("https://", "http://", "data:"))
