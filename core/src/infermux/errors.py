"""Every exception infermux raises.

One root, so ``except InfermuxError`` catches everything the client itself raises::

    InfermuxError
    ├── ConfigurationError            set-up is wrong; nothing was sent
    │   ├── UnknownProviderError      no installed plugin serves that provider id
    │   ├── UnsupportedTaskError      the provider has no helper for that task
    │   ├── MissingAPIKeyError        no key for the provider and routing chosen
    │   ├── ConfigFileError           a config file is malformed (names file, line, key)
    │   └── PluginError               a plugin could not be loaded or registered
    │       ├── PluginLoadError       import failed (raised in strict mode only)
    │       └── DuplicateProviderError two distributions claim one (provider, task)
    ├── InvalidInputError             bad input, raised before any request (also a ValueError)
    ├── ModelMappingError             the model cannot be resolved for the provider
    ├── TransportError                the request never got an HTTP answer
    │   └── RequestTimeoutError       a connect, read or write timeout, or a time bound
    │       └── DeadlineExceededError the call's total_timeout ran out
    ├── ProviderHTTPError             the provider answered with an error status
    │   ├── BadRequestError           400, 413, 422
    │   ├── AuthenticationError       401, 403
    │   ├── NotFoundError             404
    │   ├── RateLimitError            429
    │   ├── RedirectNotFollowedError  3xx on a keyed request (a key never follows a redirect)
    │   └── ServerError               5xx
    │       └── ModelLoadingError     503 while the model loads
    ├── ResponseFormatError           a 2xx body of an unexpected shape
    ├── ResponseTooLargeError         a body or event over the client's size cap (not retried)
    ├── StreamError                   an error event inside a stream
    │   └── StreamTruncatedError      the stream ended without the provider's end marker
    ├── HelperError                   a provider helper's own code crashed (a plugin bug)
    └── JobError                      an asynchronous job failed, expired or was cancelled
        ├── JobTimeoutError           the job outlived its deadline
        ├── JobCancelledError         the caller cancelled the job
        └── JobMayExistError          a paid request (a job, or a generation paid per
                                      call) failed after it may have arrived: not
                                      resent, the job may exist (and bill)

Errors carry context (provider, status, request id, the provider's own message) as
attributes; their messages never include a key.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

__all__ = [
    "AuthenticationError",
    "BadRequestError",
    "ConfigFileError",
    "ConfigurationError",
    "DeadlineExceededError",
    "DuplicateProviderError",
    "HelperError",
    "InfermuxError",
    "InvalidInputError",
    "JobCancelledError",
    "JobError",
    "JobMayExistError",
    "JobTimeoutError",
    "MissingAPIKeyError",
    "ModelLoadingError",
    "ModelMappingError",
    "NotFoundError",
    "PluginError",
    "PluginLoadError",
    "ProviderHTTPError",
    "RateLimitError",
    "RedirectNotFollowedError",
    "RequestTimeoutError",
    "ResponseFormatError",
    "ResponseTooLargeError",
    "ServerError",
    "StreamError",
    "StreamTruncatedError",
    "StructuredOutputError",
    "TransportError",
    "UnknownProviderError",
    "UnsupportedTaskError",
]


class InfermuxError(Exception):
    """Root of every exception raised by infermux."""


class ConfigurationError(InfermuxError):
    """The client, a plugin or a config file is set up wrongly; no request was sent."""


def _choices(values: Iterable[str]) -> str:
    listed = sorted(values)
    return ", ".join(listed) if listed else "(none installed)"


class UnknownProviderError(ConfigurationError):
    """No installed plugin or in-house registration serves this provider id."""

    def __init__(self, provider: str, installed: Iterable[str]) -> None:
        self.provider = provider
        self.installed = sorted(installed)
        super().__init__(
            f"Unknown provider {provider!r}.{_did_you_mean(provider, self.installed)} "
            f"Installed providers: {_choices(self.installed)}. "
            f"{_install_hint(provider)}register an in-house provider (see "
            "docs/guide/in-house-providers.md)."
        )


def _first_party_providers() -> set[str]:
    """Provider ids of the first-party plugins (the core's ``all`` extra), for install hints."""
    from importlib.metadata import PackageNotFoundError, requires

    from packaging.requirements import Requirement

    try:
        lines = requires("infermux") or []
    except PackageNotFoundError:
        return set()
    names = set()
    for line in lines:
        requirement = Requirement(line)
        if requirement.name.startswith("infermux-") and requirement.marker is not None:
            names.add(requirement.name.removeprefix("infermux-"))
    return names


def _did_you_mean(provider: str, installed: list[str]) -> str:
    import difflib

    close = difflib.get_close_matches(provider, [*installed, *_first_party_providers()], n=1)
    return f" Did you mean {close[0]!r}?" if close else ""


def _install_hint(provider: str) -> str:
    # Only a distribution that exists: never 'pip install infermux-<typo>'.
    if provider in _first_party_providers():
        return (
            f"Install its plugin, the infermux-{provider} distribution (from a clone of the "
            f"infermux repository: pip install ./plugins/{provider}), or "
        )
    return "Install a provider plugin, or "


class UnsupportedTaskError(ConfigurationError):
    """The provider is installed but has no helper for the requested task."""

    def __init__(
        self, provider: str, task: str, supported: Iterable[str], *, others: Iterable[str] = ()
    ) -> None:
        self.provider = provider
        self.task = task
        self.supported = sorted(supported)
        others = sorted(others)
        hint = f" Providers installed for {task!r}: {', '.join(others)}." if others else ""
        super().__init__(
            f"Provider {provider!r} does not serve task {task!r}. "
            f"Tasks it serves: {_choices(self.supported)}.{hint}"
        )


class MissingAPIKeyError(ConfigurationError):
    """No usable key was found for the provider and routing mode."""

    def __init__(self, provider: str, message: str) -> None:
        self.provider = provider
        super().__init__(message)


class ConfigFileError(ConfigurationError):
    """A config file is malformed; the message names the file, line and key."""

    def __init__(
        self, path: str, message: str, *, line: int | None = None, key: str | None = None
    ) -> None:
        self.path = path
        self.line = line
        self.key = key
        where = path if line is None else f"{path}:{line}"
        what = f" [{key}]" if key else ""
        super().__init__(f"{where}{what}: {message}")


class PluginError(ConfigurationError):
    """A plugin could not be loaded or registered something invalid."""


class PluginLoadError(PluginError):
    """A plugin failed to import (raised instead of a warning in strict mode)."""


class DuplicateProviderError(PluginError):
    """Two distributions register the same (provider, task) pair."""

    def __init__(self, provider: str, task: str, first: str, second: str) -> None:
        self.provider = provider
        self.task = task
        self.distributions = (first, second)
        super().__init__(
            f"Both {first!r} and {second!r} register provider {provider!r} for task "
            f"{task!r}. Choose one with INFERMUX_PREFER='{provider}={first}' (or "
            f"'{provider}={second}'), block the other with INFERMUX_BLOCK_PLUGINS, or "
            "register at run time with replace=True."
        )


class InvalidInputError(InfermuxError, ValueError):
    """An argument is invalid; raised before any request is sent."""


class ModelMappingError(InfermuxError):
    """The model cannot be resolved to an id the provider knows."""


class TransportError(InfermuxError):
    """The request got no HTTP answer (connection refused, reset, DNS ...).

    ``request_sent`` is False only when the request certainly never reached the server
    (no connection was made, nothing was written): only then may a request that creates a
    job be sent again.
    """

    def __init__(
        self,
        message: str,
        *,
        provider: str | None = None,
        url: str | None = None,
        request_sent: bool = True,
    ):
        self.provider = provider
        self.url = url
        self.request_sent = request_sent
        super().__init__(message)


class RequestTimeoutError(TransportError):
    """A connect, read or write timeout was exceeded, or an attempt outlived ``timeout``
    in total (jobs: see JobTimeoutError)."""


class DeadlineExceededError(RequestTimeoutError):
    """The call's ``total_timeout`` ran out (retries, polls and streams included). Never
    retried, and no failover follows it."""


class ProviderHTTPError(InfermuxError):
    """The provider answered with an error status.

    Attributes: ``provider``, ``status_code``, ``request_id`` (the provider's own id for
    the request, when it sent one), ``provider_message`` (the provider's error text) and
    ``body`` (the raw decoded body, for anything else).
    """

    def __init__(
        self,
        *,
        provider: str,
        status_code: int,
        provider_message: str,
        request_id: str | None = None,
        body: Any = None,
        url: str | None = None,
    ) -> None:
        self.provider = provider
        self.status_code = status_code
        self.provider_message = provider_message
        self.request_id = request_id
        self.body = body
        self.url = url
        suffix = f" (request id {request_id})" if request_id else ""
        super().__init__(f"{provider} returned HTTP {status_code}: {provider_message}{suffix}")


class BadRequestError(ProviderHTTPError):
    """The provider rejected the request as invalid (400, 413, 422)."""


class AuthenticationError(ProviderHTTPError):
    """The key was missing, wrong or lacks permission (401, 403)."""


class NotFoundError(ProviderHTTPError):
    """The route or model does not exist at the provider (404)."""


class RateLimitError(ProviderHTTPError):
    """Too many requests (429), after the configured retries."""


class RedirectNotFollowedError(ProviderHTTPError):
    """The provider answered with a redirect (3xx) that was not followed.

    A request carrying a key never follows a redirect (the key would go wherever the
    ``Location`` points); ``location`` is where the provider pointed.
    """

    def __init__(self, *, location: str | None, keyed: bool, **kwargs: Any) -> None:
        self.location = location
        target = f"to {location}" if location else "with no Location"
        why = (
            "because the request carries a key, which is never sent on to another URL; "
            "point base_url at the final URL"
            if keyed
            else "because it could not be followed"
        )
        super().__init__(provider_message=f"redirect {target} not followed, {why}", **kwargs)


class ServerError(ProviderHTTPError):
    """The provider failed (5xx), after the configured retries."""


class ModelLoadingError(ServerError):
    """The model was still loading (503) when the wait allowed for it ran out."""


class ResponseFormatError(InfermuxError):
    """A successful response whose body is not what the task expects.

    ``field`` names the first offending field when the body failed validation against the
    task specification (``"choices"``, ``"0.label"`` ...).
    """

    def __init__(
        self,
        message: str,
        *,
        provider: str | None = None,
        task: str | None = None,
        field: str | None = None,
    ):
        self.provider = provider
        self.task = task
        self.field = field
        super().__init__(message)


class ResponseTooLargeError(InfermuxError):
    """A response body, a decompressed body or one stream event exceeded the client's size
    cap (``max_response_bytes``, ``max_media_bytes``, ``max_event_bytes``). Reading stopped
    at the cap; the request is not retried. ``excerpt`` holds the first bytes only."""

    def __init__(
        self,
        message: str,
        *,
        limit: int,
        what: str,
        url: str | None = None,
        provider: str | None = None,
        excerpt: bytes = b"",
    ) -> None:
        self.limit = limit
        self.what = what
        self.url = url
        self.provider = provider
        self.excerpt = excerpt
        super().__init__(message)


class StructuredOutputError(ResponseFormatError):
    """The model's answer does not validate against the ``response_format``/``text_format``
    pydantic model asked for. ``errors`` lists ``(field path, problem)`` pairs; ``text``
    holds the model's raw answer."""

    def __init__(
        self,
        message: str,
        *,
        errors: list[tuple[str, str]],
        text: str,
        provider: str | None = None,
        task: str | None = None,
    ):
        self.errors = errors
        self.text = text
        super().__init__(message, provider=provider, task=task)


class StreamError(InfermuxError):
    """The provider sent an error event inside a stream."""

    def __init__(self, message: str, *, provider: str | None = None, event: Any = None):
        self.provider = provider
        self.event = event
        self.provider_message = message
        #: Set by ``collect()``: the chunks received before the error, and what they
        #: assemble to (None if nothing came or they do not assemble).
        self.chunks: list[Any] = []
        self.partial: Any = None
        super().__init__(f"{provider or 'provider'} stream error: {message}")


class StreamTruncatedError(StreamError):
    """The stream ended without the end marker its provider always sends (``[DONE]``): the
    connection was cut, so the answer may be incomplete. The chunks that came were delivered.
    """


class HelperError(InfermuxError):
    """A provider helper raised an unexpected exception: a bug in the plugin, not in the
    caller's input nor (as far as the helper said) in the provider's answer.

    Attributes: ``provider``, ``helper`` (the helper class's ``module.QualName``, naming
    the plugin at fault), ``stage`` (``prepare_request``, ``parse_response``,
    ``parse_stream_event`` or ``FollowUp.then``) and ``origin`` (the distribution that
    registered it, when known). The original exception is the ``__cause__``.
    """

    def __init__(
        self,
        message: str,
        *,
        provider: str,
        helper: str,
        stage: str,
        origin: str | None = None,
    ) -> None:
        self.provider = provider
        self.helper = helper
        self.stage = stage
        self.origin = origin
        super().__init__(message)


class JobError(InfermuxError):
    """An asynchronous job failed, expired or was cancelled."""

    def __init__(
        self, message: str, *, provider: str | None = None, job_id: str | None = None
    ) -> None:
        self.provider = provider
        self.job_id = job_id
        super().__init__(message)


class JobTimeoutError(JobError):
    """The job did not finish before its deadline."""


class JobCancelledError(JobError):
    """The caller cancelled the job."""


class JobMayExistError(JobError):
    """A request that creates a paid job, or runs a generation paid per call (a blocking
    ``fal.run`` image), failed after it may have reached the provider (a read timeout, a
    reset, a 5xx). It was not sent again, so that at most one job exists; that one may be
    running (or have run) and be billed. ``how_to_find`` says where to look for it; the
    original failure is the ``__cause__``. ``request_id`` is the provider's id for the
    request when its answer carried one."""

    def __init__(
        self,
        message: str,
        *,
        provider: str | None = None,
        job_id: str | None = None,
        url: str | None = None,
        how_to_find: str = "",
        request_id: str | None = None,
    ) -> None:
        self.url = url
        self.how_to_find = how_to_find
        self.request_id = request_id
        super().__init__(message, provider=provider, job_id=job_id)


_STATUS_CLASSES: dict[int, type[ProviderHTTPError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: AuthenticationError,
    404: NotFoundError,
    413: BadRequestError,
    422: BadRequestError,
    429: RateLimitError,
}


def error_class_for_status(status_code: int, *, loading: bool = False) -> type[ProviderHTTPError]:
    """Map an HTTP status to the most specific ``ProviderHTTPError`` subclass."""
    if status_code >= 500:
        return ModelLoadingError if (status_code == 503 and loading) else ServerError
    return _STATUS_CLASSES.get(status_code, ProviderHTTPError)
