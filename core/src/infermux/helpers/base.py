"""The contract a provider implements: a sans-I/O helper per (provider, task).

A helper never opens a connection, sleeps or reads a key. It turns a :class:`Call` into
the parts of a request (route, headers, payload) and a :class:`Response` into a typed
result, or into a :class:`FollowUp`: the next request the core should make (poll a job,
fetch a result, download media) and what to do with its answer. The core owns the HTTP
client, auth, retries, deadlines and polling, so one helper serves the sync and the async
client alike and is unit-testable with plain objects.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from infermux.errors import ResponseFormatError

__all__ = [
    "DEFAULT_MAX_BATCH_SIZE",
    "AuthScheme",
    "BinaryPayload",
    "Call",
    "FollowUp",
    "HTTPRequest",
    "LazyType",
    "ModelMapping",
    "MultipartPayload",
    "Payload",
    "Response",
    "Routing",
    "SSEEvent",
    "TaskProviderHelper",
]

Routing = Literal["direct", "router"]


@dataclass(frozen=True, slots=True)
class AuthScheme:
    """How a provider's key is sent: ``header: prefix + key``.

    ``AuthScheme.bearer()`` gives ``Authorization: Bearer <key>``, ``AuthScheme("Authorization",
    "Key ")`` fal-ai's ``Authorization: Key <key>``, ``AuthScheme("X-Key")`` a raw named header.
    """

    header: str = "Authorization"
    prefix: str = ""

    @classmethod
    def bearer(cls) -> AuthScheme:
        return cls("Authorization", "Bearer ")

    def headers_for(self, key: str) -> dict[str, str]:
        return {self.header: f"{self.prefix}{key}"}


@dataclass(frozen=True, slots=True)
class ModelMapping:
    """A model resolved for one provider.

    ``provider_model_id`` is what goes on the wire; ``hub_model_id`` the Hugging Face id
    the user named (None for a provider-native id); ``adapter`` and
    ``adapter_weights_path`` describe a LoRA served on top of a base model.
    """

    provider_model_id: str
    hub_model_id: str | None = None
    task: str | None = None
    status: str = "live"
    adapter: str | None = None
    adapter_weights_path: str | None = None


@dataclass(frozen=True, slots=True)
class Call:
    """One validated task invocation, as a helper sees it. It never holds a key.

    ``inputs`` is the task's main input (messages, prompt, text ...); ``parameters`` holds
    the task-specification parameters the user set (unset ones are absent, never None);
    ``extra_body`` is merged into a JSON payload by the core after ``prepare_payload``.
    """

    task: str
    inputs: Any
    model: ModelMapping
    routing: Routing
    base_url: str
    parameters: Mapping[str, Any] = field(default_factory=dict)
    extra_body: Mapping[str, Any] = field(default_factory=dict)
    stream: bool = False
    #: Client-level provider options, e.g. ``wait_for_model`` and ``use_cache`` for
    #: Hugging Face's serverless API.
    options: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class BinaryPayload:
    """A raw request body with its content type (an image, an audio file ...)."""

    content: bytes
    content_type: str


@dataclass(frozen=True, slots=True)
class MultipartPayload:
    """``multipart/form-data`` fields and files (``name -> (filename, bytes, content type)``)."""

    fields: Mapping[str, str] = field(default_factory=dict)
    files: Mapping[str, tuple[str, bytes, str]] = field(default_factory=dict)


#: What ``prepare_payload`` returns: a JSON body, raw bytes, multipart, or no body.
Payload = dict[str, Any] | list[Any] | BinaryPayload | MultipartPayload | None


@dataclass(frozen=True, slots=True)
class HTTPRequest:
    """A request description, free of any HTTP library.

    ``authenticate`` asks the core to attach the caller's key; the core still refuses to
    send it to any host the key does not belong to.

    ``creates_job`` declares a request that starts a paid job (a queue submit, a
    prediction); ``paid_per_call`` one that runs paid work while the caller waits (a
    blocking image, video or speech generation, billed per call rather than per token).
    Once either may have reached the provider the core never sends it again: it resends
    it only when it certainly did not arrive or was refused unprocessed (connection
    refused, 408, 429, a model still loading). With ``idempotency_header`` (a header the
    provider documents as an idempotency key) the core sends one fresh key per call in
    it, and retries the request as any other.
    """

    method: str
    url: str
    headers: Mapping[str, str] = field(default_factory=dict)
    payload: Payload = None
    stream: bool = False
    authenticate: bool = True
    creates_job: bool = False
    idempotency_header: str | None = None
    paid_per_call: bool = False


@dataclass(frozen=True, slots=True)
class Response:
    """A fully read HTTP response, as handed to ``parse_response``."""

    status_code: int
    headers: Mapping[str, str]
    content: bytes
    url: str

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";", 1)[0].strip().lower()

    def json(self) -> Any:
        """Decode the body as JSON, or raise :class:`ResponseFormatError` saying what came."""
        try:
            return json.loads(self.content)
        except ValueError:
            from infermux.helpers.problems import safe_excerpt

            raise ResponseFormatError(
                f"Expected a JSON body from {self.url} but got "
                f"{self.content_type or 'no content type'}"
                f": {safe_excerpt(self.content)}"
            ) from None


@dataclass(frozen=True, slots=True)
class SSEEvent:
    """One server-sent event."""

    data: str
    event: str = "message"
    id: str | None = None
    retry: int | None = None


@dataclass(frozen=True, slots=True)
class FollowUp:
    """The next request of a multi-step call, and how to continue with its answer.

    ``then(response)`` returns the final output or another ``FollowUp``. ``poll=True``
    marks a status poll: the core waits the poll interval before sending it, enforces the
    job deadline, reports progress with ``status`` and sends ``cancel`` (if any) when the
    caller cancels. Media downloads set ``authenticate=False``.
    """

    request: HTTPRequest
    then: Callable[[Response], Any]
    poll: bool = False
    job_id: str | None = None
    status: str | None = None
    cancel: HTTPRequest | None = None


class LazyType:
    """A class attribute naming a model of :mod:`infermux.types`, imported on first access.

    ``output_type = LazyType("ChatCompletionOutput")`` keeps plugin discovery free of
    pydantic: the model is built only when something reads the attribute.
    """

    __slots__ = ("module", "name")

    def __init__(self, name: str, module: str = "infermux.types") -> None:
        self.name = name
        self.module = module

    def __get__(self, instance: object, owner: type | None = None) -> type[Any]:
        from importlib import import_module

        value: type[Any] = getattr(import_module(self.module), self.name)
        return value


#: Inputs per request when a helper declares no ``max_batch_size`` (TEI's default client
#: batch limit, and well under every hosted embeddings API's).
DEFAULT_MAX_BATCH_SIZE = 32


def _check_json_object(value: Any, what: str, provider: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ResponseFormatError(
            f"Expected a JSON object for {what}, got {type(value).__name__}", provider=provider
        )
    return value


class TaskProviderHelper:
    """Translate one task for one provider. Subclass it and override what differs.

    Identity: ``provider`` (the id users pass, e.g. ``"together"``), ``task`` (a Hugging
    Face pipeline tag; chat is ``"conversational"``) and ``base_url`` (the provider's
    direct API root). Auth: ``auth`` (header and prefix) and ``api_key_env`` (environment
    variables holding the provider's own key, in order).

    Example, a provider with a custom JSON API::

        class AcmeSummarization(TaskProviderHelper):
            provider = "acme"
            task = "summarization"
            base_url = "https://api.acme.example"
            api_key_env = ("ACME_API_KEY",)

            def prepare_route(self, call):
                return "/v1/summarize"

            def prepare_payload(self, call):
                return {"text": call.inputs, "model": call.model.provider_model_id}

            def parse_response(self, response, call):
                return SummarizationOutput(summary_text=response.json()["summary"])
    """

    provider: str = ""
    task: str = ""
    base_url: str = ""
    auth: AuthScheme = AuthScheme.bearer()
    api_key_env: tuple[str, ...] = ()
    #: Hosts besides ``base_url``'s that may receive the provider's key (e.g. a job queue);
    #: an entry starting with ``.`` covers every host under that domain (``.bfl.ai``).
    key_hosts: tuple[str, ...] = ()
    #: False for providers the Hugging Face router does not serve (direct only).
    routable: bool = True
    #: True where a Hugging Face token is the provider's own key (hf-inference).
    uses_hf_token: bool = False
    #: True where the provider fetches input URLs itself; otherwise the core downloads them.
    accepts_input_urls: bool = False
    #: True for endpoints that scale to zero and answer 503 while they wake (dedicated
    #: Inference Endpoints): the core waits for them within the model-loading budget.
    scales_to_zero: bool = False
    #: False for endpoints that work without a key (a local server).
    requires_key: bool = True
    #: True where the Hub must map a Hub model id to the provider's id before a call.
    needs_model_mapping: bool = True
    #: Whether ``parse_stream_event`` is implemented.
    supports_streaming: bool = False
    #: The data of the event that always ends this provider's streams (``"[DONE]"`` for
    #: OpenAI-style APIs), or None. A stream that ends without it is reported as truncated
    #: (:class:`~infermux.errors.StreamTruncatedError`) once its chunks are delivered.
    stream_end_marker: str | None = None
    #: The type ``parse_response`` returns (checked by the conformance suite).
    output_type: type[Any] | None = None
    #: Task parameters the provider honours; None accepts all. The core refuses the others
    #: before sending, so nothing a user sets is silently dropped.
    supported_parameters: frozenset[str] | None = None
    #: Task-spec parameter name -> the provider's name for it on the wire
    #: (``{"num_inference_steps": "steps"}``); :meth:`rename` applies it. Declared, not
    #: hand-coded, so the conformance suite can check every entry names a parameter the
    #: helper accepts.
    parameter_renames: Mapping[str, str] = {}
    #: Model aliases for this task: ``{"default": ..., "small": ..., "large": ..., "agent": ...}``.
    model_aliases: dict[str, str] = {}
    #: Model ids this helper serves as they are (in-house models the Hub does not know):
    #: ``provider="auto"`` picks a helper declaring the model before asking the Hub.
    served_models: frozenset[str] = frozenset()
    #: The most inputs (texts) one request may carry: ``embed_chunks`` batches by it, and a
    #: longer list is refused before sending, naming the limit. None: no limit known (the
    #: core batches by :data:`DEFAULT_MAX_BATCH_SIZE`).
    max_batch_size: int | None = None
    #: Client-side request budget applied when the user sets none (requests per minute).
    default_requests_per_minute: float | None = None
    #: Where users get a key; shown in errors and docs.
    key_url: str | None = None
    #: True where the first request starts a paid job (queue submit, prediction, async
    #: task): the core never resends it once it may have arrived (see HTTPRequest).
    creates_job: bool = False
    #: True where every request runs paid work the caller waits for, billed per call
    #: rather than per token (a blocking ``fal.run`` image, a synchronous text-to-image or
    #: text-to-speech endpoint): like a job, it is never resent once it may have arrived,
    #: as a resend would run and bill a second generation. Chat, embeddings and
    #: classification leave it False and are retried on a 5xx, as OpenAI's SDK does.
    paid_per_call: bool = False
    #: The header the provider documents as an idempotency key for that request, if any.
    idempotency_header: str | None = None
    #: Where a user sees the jobs the provider ran, named when one may exist unseen.
    jobs_url: str | None = None

    def __repr__(self) -> str:
        return f"<{type(self).__name__} provider={self.provider!r} task={self.task!r}>"

    # -- request ---------------------------------------------------------------------

    def prepare_route(self, call: Call) -> str:
        """Return the path appended to the base URL (direct or routed)."""
        raise NotImplementedError(f"{type(self).__name__} must implement prepare_route")

    def prepare_headers(self, call: Call) -> dict[str, str]:
        """Return provider-specific headers; auth is added by the core."""
        return {}

    def prepare_payload(self, call: Call) -> Payload:
        """Return the body: a JSON object, :class:`BinaryPayload` or :class:`MultipartPayload`."""
        raise NotImplementedError(f"{type(self).__name__} must implement prepare_payload")

    def prepare_url(self, call: Call) -> str:
        """Return the full URL: the call's base URL (direct or router) plus the route."""
        return call.base_url.rstrip("/") + self.prepare_route(call)

    def prepare_request(self, call: Call) -> HTTPRequest:
        """Assemble the first request. Override only for unusual methods."""
        return HTTPRequest(
            method="POST",
            url=self.prepare_url(call),
            headers=self.prepare_headers(call),
            payload=self.prepare_payload(call),
            stream=call.stream,
            creates_job=self.creates_job,
            idempotency_header=self.idempotency_header,
            paid_per_call=self.paid_per_call,
        )

    # -- response --------------------------------------------------------------------

    def parse_response(self, response: Response, call: Call) -> Any:
        """Return the typed output, or a :class:`FollowUp` for the next request."""
        raise NotImplementedError(f"{type(self).__name__} must implement parse_response")

    def parse_stream_event(self, event: SSEEvent, call: Call) -> Any | None:
        """Return a typed chunk for one server-sent event, or None to skip it.

        ``data: [DONE]`` is handled by the core. Raise :class:`~infermux.errors.StreamError`
        for an error sent inside the stream.
        """
        raise NotImplementedError(f"{type(self).__name__} does not stream")

    def merge_extra_body(
        self, payload: dict[str, Any], extra_body: Mapping[str, Any]
    ) -> dict[str, Any]:
        """Merge the caller's ``extra_body`` into the JSON payload (top level by default;
        override where provider options live deeper, e.g. Replicate's ``input``)."""
        return {**payload, **extra_body}

    def error_message(self, body: Any) -> str | None:
        """Extract the provider's own message from an error body, if it has a known shape."""
        return None

    def rename(self, parameters: Mapping[str, Any], *, drop: Iterable[str] = ()) -> dict[str, Any]:
        """``parameters`` under the provider's names (:attr:`parameter_renames`), without
        the names in ``drop`` (spec parameters the helper handles itself)::

            payload = {"prompt": call.inputs, **self.rename(call.parameters)}
        """
        renames, dropped = self.parameter_renames, frozenset(drop)
        return {
            renames.get(name, name): value
            for name, value in parameters.items()
            if name not in dropped
        }

    # -- helpers for subclasses --------------------------------------------------------

    def json_object(self, response: Response) -> dict[str, Any]:
        """Decode a response that must be a JSON object."""
        return _check_json_object(response.json(), f"{self.provider} {self.task}", self.provider)

    def unexpected(
        self,
        body: Any = None,
        *,
        missing: str | None = None,
        problem: str | None = None,
        show_body: bool = True,
    ) -> ResponseFormatError:
        """The error for a 2xx answer of the wrong shape, naming this provider and task,
        what is ``missing`` (or the ``problem``) and the body's start, with credentials
        redacted: ``raise self.unexpected(body, missing="choices[0].text")``.

        See :func:`infermux.helpers.problems.unexpected_answer`.
        """
        from infermux.helpers.problems import unexpected_answer

        return unexpected_answer(
            self.provider, self.task, body, missing=missing, problem=problem, show_body=show_body
        )

    def media_output(
        self,
        url: str,
        output: type[Any] | None = None,
        *,
        declared: str | None = None,
        convert: Callable[[Any], Any] | None = None,
    ) -> Any:
        """Generated media at ``url`` as ``output`` (default: ``output_type``): a ``data:``
        URL decoded now, an ``http(s)`` URL as a :class:`FollowUp` that downloads it without
        any key. See :func:`infermux.helpers.media_outputs.media_output`."""
        from infermux.helpers.media_outputs import media_output

        return media_output(
            url,
            output or self._media_type(),
            provider=self.provider,
            task=self.task,
            declared=declared,
            convert=convert,
        )

    def media_from_base64(
        self,
        data: str,
        output: type[Any] | None = None,
        *,
        declared: str | None = None,
        strict: bool = False,
    ) -> Any:
        """Inline base64 media as ``output`` (default: ``output_type``). See
        :func:`infermux.helpers.media_outputs.media_from_base64`."""
        from infermux.helpers.media_outputs import media_from_base64

        return media_from_base64(
            data,
            output or self._media_type(),
            provider=self.provider,
            task=self.task,
            declared=declared,
            strict=strict,
        )

    def _media_type(self) -> type[Any]:
        from infermux.media import MediaOutput

        output = self.output_type
        if isinstance(output, type) and issubclass(output, MediaOutput):
            return output
        raise TypeError(
            f"{type(self).__name__}.output_type is {output!r}, not a MediaOutput class: "
            "pass the output class (ImageOutput, AudioOutput, VideoOutput)"
        )
