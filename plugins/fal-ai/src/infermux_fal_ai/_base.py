"""What every fal-ai helper shares: routes, auth, error bodies, the queue API, media outputs.

fal serves each model two ways: ``POST https://fal.run/<model id>`` answers when the work is
done, and ``POST https://queue.fal.run/<model id>`` enqueues it and answers with the URLs to
poll (``status_url``), fetch (``response_url``) and cancel (``cancel_url``) the request. A
helper with ``queue = True`` uses the queue, declared in :data:`FAL_QUEUE`; the core runs
the polling it describes.

Through the Hugging Face router the queue is reached with ``?_subdomain=queue`` on the router
URL, and the URLs fal answers with (on ``queue.fal.run``) are rewritten onto the router, so
the Hugging Face token is only ever sent to the router.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote, urlsplit

from infermux.errors import JobError
from infermux.helpers.base import (
    Call,
    FollowUp,
    HTTPRequest,
    Response,
    TaskProviderHelper,
)
from infermux.helpers.jobs import JobStates, follow_job
from infermux.inputs import input_url as core_input_url
from infermux.media import MediaOutput

__all__ = ["FAL_QUEUE", "FAL_QUEUE_URL", "FAL_RUN_URL", "FalAIHelper"]

FAL_RUN_URL = "https://fal.run"
FAL_QUEUE_URL = "https://queue.fal.run"
HUB_URL = "https://huggingface.co"


def _message(value: Any) -> str | None:
    """fal's own words from ``detail`` / ``error``: a string, a validation list or an object."""
    if isinstance(value, str) and value.strip():
        return value.strip()
    if isinstance(value, list) and value:
        parts = []
        for item in value:
            if isinstance(item, dict):
                where = ".".join(str(p) for p in item.get("loc", ()) if p != "body")
                text = str(item.get("msg", item))
                parts.append(f"{where}: {text}" if where else text)
            else:
                parts.append(str(item))
        return "; ".join(parts)
    if isinstance(value, dict):
        return _message(value.get("message")) or _message(value.get("detail")) or str(value)
    return None


def fal_error_message(body: Any) -> str | None:
    """The message of a fal error body: ``{"detail": ...}`` or ``{"error": ...}``."""
    if isinstance(body, dict):
        return _message(body.get("detail")) or _message(body.get("error"))
    return None


def _queue_progress(job: dict[str, Any]) -> str | None:
    """A queued job's place in the line: ``"IN_QUEUE (position 3)"``."""
    status = job.get("status")
    position = job.get("queue_position")
    if status == "IN_QUEUE" and isinstance(position, int):
        return f"IN_QUEUE (position {position})"
    return status if isinstance(status, str) and status else None


#: fal's queue: ``IN_QUEUE`` and ``IN_PROGRESS`` (or a new state: wait on) until
#: ``COMPLETED``. A status answer with an ``error`` is a failed job whatever its status
#: says: fal reports a model that raised as ``COMPLETED`` with the error beside it.
FAL_QUEUE = JobStates(
    status="status",
    done={"COMPLETED"},
    failed={"ERROR", "FAILED"},
    cancelled={"CANCELLED", "CANCELED"},
    failed_when=lambda job: _message(job.get("error")) is not None,
    reason=lambda job: _message(job.get("error")),
    progress=_queue_progress,
)


class FalAIHelper(TaskProviderHelper):
    """Base of the fal-ai helpers: subclasses write ``prepare_payload`` and ``parse_result``.

    The provider's identity (id, URL, key) is on the plugin's ``fal`` :class:`Provider`.
    """

    # fal fetches http(s) URLs given as image_url / audio_url itself.
    accepts_input_urls = True
    # Every fal call runs (and bills) the model, a blocking fal.run call as much as a queue
    # submit: neither is sent twice once it may have arrived. fal retries queued requests
    # itself but "the synchronous API does not retry"
    # (https://fal.ai/docs/api-reference/inference-api); fal documents no idempotency key.
    paid_per_call = True
    #: Submit to fal's queue and poll it, instead of one blocking request.
    queue: bool = False

    # -- request -------------------------------------------------------------------------

    def prepare_route(self, call: Call) -> str:
        route = "/" + quote(call.model.provider_model_id, safe="/")
        if self.queue and call.routing == "router":
            route += "?_subdomain=queue"
        return route

    def prepare_url(self, call: Call) -> str:
        base = call.base_url.rstrip("/")
        if self.queue and call.routing == "direct" and base == FAL_RUN_URL:
            base = FAL_QUEUE_URL  # a custom base_url (a proxy) is kept as it is
        return base + self.prepare_route(call)

    def error_message(self, body: Any) -> str | None:
        return fal_error_message(body)

    # -- response ------------------------------------------------------------------------

    def parse_response(self, response: Response, call: Call) -> Any:
        body = self.json_object(response)
        if self.queue:
            return self._submitted(body, call)
        return self._result(body, call, None)

    def parse_result(self, body: dict[str, Any], call: Call) -> Any:
        """Turn the model's output JSON into the task output (or a media download)."""
        raise NotImplementedError(f"{type(self).__name__} must implement parse_result")

    # -- the queue -----------------------------------------------------------------------

    def _queue_url(self, url: Any, call: Call, what: str) -> str:
        if not isinstance(url, str) or not url.startswith(("https://", "http://")):
            raise self.unexpected(url, problem=f"queue answer without a valid {what}")
        if call.routing != "router":
            return url
        # The router forwards <router>/fal-ai/<path>?_subdomain=queue to queue.fal.run/<path>.
        parts = urlsplit(url)
        query = "&".join(q for q in (parts.query, "_subdomain=queue") if q)
        return f"{call.base_url.rstrip('/')}{parts.path}?{query}"

    def _submitted(self, body: dict[str, Any], call: Call) -> Any:
        request_id = body.get("request_id")
        if not isinstance(request_id, str) or not request_id:
            raise self.unexpected(body, missing="request_id")
        status_url = self._queue_url(body.get("status_url"), call, "status_url")
        response_url = self._queue_url(body.get("response_url"), call, "response_url")
        cancel_url = body.get("cancel_url")
        cancel = (
            HTTPRequest("PUT", self._queue_url(cancel_url, call, "cancel_url"))
            if cancel_url
            else None
        )

        def fetch_result(job: dict[str, Any]) -> FollowUp:
            # A completed job's output is at response_url (the core fills in the job id).
            return FollowUp(
                HTTPRequest("GET", response_url),
                then=lambda result: self._result(self.json_object(result), call, request_id),
            )

        return follow_job(
            self,
            FAL_QUEUE,
            job_id=request_id,
            poll=status_url,
            result=fetch_result,
            cancel=cancel,
            status=_queue_progress(body),
        )

    def _result(self, body: dict[str, Any], call: Call, job_id: str | None) -> Any:
        # A finished job whose result is an error body (the model raised) is a failed job.
        failure = fal_error_message(body)
        if job_id is not None and failure:
            raise JobError(
                f"fal-ai job {job_id} failed: {failure}",
                provider=self.provider,
                job_id=job_id,
            )
        return self.parse_result(body, call)

    # -- helpers for subclasses ------------------------------------------------------------

    def nested_url(self, body: dict[str, Any], *path: str | int) -> str:
        """``body[path...]`` as a URL string, or a ResponseFormatError naming the path."""
        value: Any = body
        for key in path:
            try:
                value = value[key]
            except (KeyError, IndexError, TypeError):
                value = None
                break
        if not isinstance(value, str) or not value:
            where = "".join(f"[{k!r}]" if isinstance(k, str) else f"[{k}]" for k in path)
            raise self.unexpected(body, missing=f"a URL at {where}")
        return value

    def media(
        self,
        url: str,
        output: type[MediaOutput],
        declared: Any = None,
        convert: Callable[[MediaOutput], Any] | None = None,
    ) -> Any:
        """The output at ``url``: decoded from a data URL, else downloaded without any key
        (the core's :meth:`~infermux.helpers.base.TaskProviderHelper.media_output`).

        The type comes from the bytes: fal's JSON may call a PNG ``image/jpeg``.
        """
        hint = declared if isinstance(declared, str) else None
        return self.media_output(url, output, declared=hint, convert=convert)


def input_url(value: Any, name: str, default_type: str) -> str:
    """An input as fal-ai takes it: the caller's URL, or the bytes as a data URL."""
    return core_input_url(value, name, default_type, "fal-ai")


def lora_weights(call: Call) -> list[dict[str, Any]] | None:
    """``loras`` for a LoRA the Hub maps to fal: the adapter file's URL on the Hub."""
    model = call.model
    if model.adapter != "lora" or not model.adapter_weights_path or not model.hub_model_id:
        return None
    path = f"{HUB_URL}/{model.hub_model_id}/resolve/main/{model.adapter_weights_path}"
    return [{"path": path, "scale": 1}]
