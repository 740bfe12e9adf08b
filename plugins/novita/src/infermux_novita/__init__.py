"""Novita AI provider for infermux: chat, completions and text-to-video.

Chat and completions are OpenAI-compatible under ``/v3/openai`` (Novita has no ``/v1``
routes). Videos are Novita's asynchronous task API: ``POST /v3/async/<model>`` answers
``{"task_id": ...}``; ``GET /v3/async/task-result?task_id=...`` is polled (with the key,
on the same host as the submission: Novita's direct or through the router) until
``task.status`` is ``TASK_STATUS_SUCCEED``, then ``videos[0].video_url`` is downloaded
without any key. ``TASK_STATUS_FAILED`` raises :class:`~infermux.errors.JobError` with
Novita's ``task.reason``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from infermux import Provider, TaskProviderHelper, VideoOutput
from infermux.helpers.base import Call, Payload, Response
from infermux.helpers.jobs import JobStates, follow_job, lookup
from infermux.helpers.openai import (
    OpenAIChatHelper,
    OpenAICompletionHelper,
    openai_error_message,
)

__all__ = ["NovitaChat", "NovitaCompletion", "NovitaTextToVideo", "novita", "register_providers"]

SUCCEEDED = "TASK_STATUS_SUCCEED"
FAILED = "TASK_STATUS_FAILED"
#: Novita's task-result answers: ``{"task": {"status", "reason"}, "videos": [...]}``.
TASK_STATES = JobStates(
    status="task.status", done={SUCCEEDED}, failed={FAILED}, reason=("task.reason",)
)


novita = Provider(
    "novita",
    base_url="https://api.novita.ai",
    key_env="NOVITA_API_KEY",
    key_page="https://novita.ai/settings/key-management",
    aliases={
        # Novita's own ids (lowercase); the Llama ones are those of the recorded traffic.
        "conversational": {
            "default": "meta-llama/llama-3.3-70b-instruct",
            "large": "deepseek/deepseek-v3-0324",
            "small": "meta-llama/llama-3.1-8b-instruct",
            "agent": "openai/gpt-oss-120b",
        },
        # Novita's LLM guide (novita.ai/docs/guides/llm-api) offers its models for chat and
        # completions alike: the chat table, less the tool-use one.
        "text-generation": {
            "default": "meta-llama/llama-3.3-70b-instruct",
            "large": "deepseek/deepseek-v3-0324",
            "small": "meta-llama/llama-3.1-8b-instruct",
        },
    },
)


@novita.task
class NovitaChat(OpenAIChatHelper):
    """Chat completions, plain and streamed: ``POST /v3/openai/chat/completions``."""

    route_prefix = "/v3/openai"


@novita.task
class NovitaCompletion(OpenAICompletionHelper):
    """Raw completions for ``text-generation``: ``POST /v3/openai/completions``."""

    route_prefix = "/v3/openai"


def _novita_message(body: Any) -> str | None:
    """Novita's own error shape ``{"code", "reason", "message"}``, or the OpenAI one."""
    if isinstance(body, dict):
        for key in ("message", "reason"):
            value = body.get(key)
            if isinstance(value, str) and value:
                return value
    return openai_error_message(body)


@novita.task
class NovitaTextToVideo(TaskProviderHelper):
    """Videos from Novita's asynchronous task API (e.g. ``wan-t2v``), polled by the core."""

    task = "text-to-video"
    creates_job = True  # starts a paid job: never resent once it may have arrived
    supported_parameters = frozenset(
        {"negative_prompt", "num_inference_steps", "guidance_scale", "seed"}
    )
    parameter_renames = {"num_inference_steps": "steps"}
    output_type = VideoOutput

    def prepare_route(self, call: Call) -> str:
        return f"/v3/async/{call.model.provider_model_id}"

    def prepare_payload(self, call: Call) -> Payload:
        return {"prompt": call.inputs, **self.rename(call.parameters)}

    def parse_response(self, response: Response, call: Call) -> Any:
        body = self.json_object(response)
        task_id = body.get("task_id")
        if not isinstance(task_id, str) or not task_id:
            raise self.unexpected(body, missing="task_id")
        query = urlencode({"task_id": task_id})
        return follow_job(
            self,
            TASK_STATES,
            job_id=task_id,
            poll=f"{call.base_url.rstrip('/')}/v3/async/task-result?{query}",
            result=self._video,
        )

    def error_message(self, body: Any) -> str | None:
        return _novita_message(body)

    def _video(self, body: dict[str, Any]) -> Any:
        url = lookup(body, "videos.0.video_url")
        if not isinstance(url, str) or not url:
            raise self.unexpected(body, missing="videos[0].video_url (the task succeeded)")
        return self.media_output(url, VideoOutput, declared="video/mp4")


register_providers = novita.hook()
