"""The conformance suite: checks every provider package runs against its own helpers.

Subclass :class:`ProviderConformance` in a test module of your package and pytest runs
every check below once per helper, each with its own test id (``check[provider/task]``)::

    from infermux.testing.conformance import ProviderConformance

    class TestAcmeConformance(ProviderConformance):
        distribution = "infermux-acme"     # every helper this installed distribution registers
        cassette_dir = "cassettes/acme"    # optional: scanned for secrets

or ``helpers = [AcmeChat(), AcmeEmbeddings()]`` for helpers that are not (yet) installed
behind an entry point (both may be set). A relative ``cassette_dir`` is looked up next to
the test module first, then in pytest's root directory.

Nothing here performs I/O: every helper call runs in a sandbox where opening a socket,
resolving a host name or sleeping raises and fails the check, and where the helper's
key variables (``api_key_env``, ``HF_TOKEN``) hold a sentinel value that must not appear
in any request (a helper never reads a key: the core adds auth).

The checks
----------

``test_identity[p/t]``
    :func:`~infermux.registry.store.validate_helper` accepts the helper (provider id
    pattern, known task, http(s) ``base_url``); ``auth`` is an ``AuthScheme`` with a valid
    header name; ``api_key_env`` is a tuple of variable names; ``supported_parameters`` is
    None or a set of names; ``parameter_renames`` maps names to names and renames only
    parameters ``supported_parameters`` accepts; the flags are bools; ``key_url`` is None or a URL;
    ``model_aliases`` maps names to model ids; ``default_requests_per_minute`` is None or
    positive; a helper with ``supports_streaming`` overrides ``parse_stream_event``;
    ``creates_job`` and ``paid_per_call`` are bools.
``test_key_hosts_are_hostnames[p/t]``
    ``key_hosts`` is a tuple of host names (optionally ``:port``) or ``.domain`` entries
    (every host under a domain of the provider's), not URLs; none covers a Hugging Face
    host unless the helper ``uses_hf_token`` (a provider key never goes to Hugging Face).
``test_declares_output_type[p/t]``
    ``output_type`` is a class and, for tasks whose output type the client fixes
    (:data:`~infermux.testing.samples.TASK_OUTPUT_TYPES`), that class or a subclass.
``test_builds_request[p/t-direct]``, ``test_builds_request[p/t-router]``
    ``prepare_request`` works for representative calls of the task
    (:func:`~infermux.testing.samples.sample_calls`; a helper may refuse some variants
    with ``InvalidInputError``, not all), routed direct (the helper's ``base_url``) and,
    for routable helpers, through ``https://router.huggingface.co/<provider>``. The
    result is an ``HTTPRequest`` with an upper-case method; its URL starts with the call's
    base URL (direct calls to the helper's own ``base_url`` may also go to an https host
    listed in ``key_hosts``, such as a job queue); its payload is JSON-serialisable, a
    ``BinaryPayload``, a ``MultipartPayload`` or None; its headers map str to str, hold
    no auth header (``authorization``, ``x-key``, ``api-key``, ``cookie``... nor the
    helper's own ``auth.header``) and no key-looking value; the call's inputs are not
    mutated.
``test_stream_flag[p/t]``
    A call with ``stream=False`` gives ``request.stream == False``; for helpers with
    ``supports_streaming``, ``stream=True`` gives ``request.stream == True``.
``test_paid_requests_are_sent_once[p/t]``
    A helper declaring ``creates_job`` or ``paid_per_call`` builds a first request that
    carries the flag (the core then never resends it once it may have arrived). A helper
    for a task that generates media per call (:data:`GENERATION_TASKS`: text-to-image,
    text-to-video, text-to-speech ...) declares ``paid_per_call = True``, ``creates_job``
    or an ``idempotency_header``, or sets ``paid_per_call = False`` explicitly where a
    resend costs nothing (a server billed by the hour).
``test_error_message_never_crashes[p/t]``
    ``error_message`` returns a str or None for error bodies of any shape (None, text,
    lists, ``{}``, ``{"error": None}``, ``{"error": {"message": 42}}``, validation
    lists...): the core calls it while reporting a failed request.
``test_parses_representative_response[p/t]``
    ``parse_response`` on each representative successful response of the task (OpenAI
    chat / embeddings / image JSON, TGI and pipeline JSON, raw media bytes...; see
    :func:`~infermux.testing.samples.representative_responses`, plus the class's
    ``sample_responses``) returns an instance of ``output_type``, returns a ``FollowUp``,
    or raises ``ResponseFormatError`` (a shape the helper does not speak) -- never
    another exception -- and accepts at least one of them. Every ``FollowUp`` is
    checked too: a request to a host other than the call's, the helper's or a
    ``key_hosts`` one has ``authenticate=False`` (a media download never gets the key),
    and its ``then`` turns a plausible answer into ``output_type``, another
    ``FollowUp``, ``ResponseFormatError`` or ``JobError``. A first answer that is a job
    to poll requires ``creates_job = True`` (the paid request is then never resent).
``test_rejects_garbage[p/t-<sample>]``
    ``parse_response`` on a 2xx HTML page, ``{}``, ``[]``, ``null`` and an empty body
    raises ``ResponseFormatError`` (or returns a checked ``FollowUp``); only ``[]`` may
    also give an empty list when ``output_type`` is a list. Any other exception
    (``KeyError``, ``TypeError``, ``IndexError``...) or output fails.
``test_parses_stream_event[p/t]`` (streaming helpers)
    ``parse_stream_event`` turns at least one representative event of the task into a
    chunk, and raises nothing but ``ResponseFormatError`` / ``StreamError`` on the others.
``test_stream_event_garbage[p/t-<sample>]`` (streaming helpers)
    ``parse_stream_event`` on malformed events raises only ``ResponseFormatError`` or
    ``StreamError`` (returning None to skip an event is fine).
``test_cassette_has_no_secrets[<file>]`` (when ``cassette_dir`` is set)
    No cassette YAML holds a credential-looking string (``hf_...``, ``sk-...``,
    ``r8_...``, ``gsk_...``, ``Bearer <long>``, ``Key <long>``), also in comments, nor an
    ``authorization`` / ``proxy-authorization`` / ``x-key`` / ``api-key`` /
    ``x-api-key`` / ``cookie`` / ``set-cookie`` header, in requests or responses.
``test_core_dependency_is_bounded`` (when ``distribution`` is set)
    The distribution requires ``infermux`` with a lower and an upper bound
    (``infermux>=0.X,<0.Y``).
``test_known_failures_are_current``
    Every key of ``known_failures`` names a test this class generates.

Tuning a subclass
-----------------

- ``sample_responses = {"acme/summarization": [Sample("acme", json_response({...}))]}``
  (keys: ``"provider/task"`` or a task) adds responses in your provider's own shape.
- ``sample_stream_events = {"conversational": [("acme_chunk", '{"text": "Hi"}')]}``
  does the same for stream events.
- ``known_failures = {"test_rejects_garbage[acme/conversational-empty_object]": "#12"}``
  marks tests as strict expected failures: they fail the run once fixed, so the entry
  gets removed.
- Any other test method of the subclass that takes a ``helper`` argument runs once per
  helper too.

Without pytest's collection, :func:`check_helper` runs every per-helper check and returns
the problems found (an empty list for a conformant helper)::

    from infermux.testing.conformance import check_helper

    assert check_helper(AcmeChat()) == []

The sandbox patches process-wide functions: do not run checks from several threads.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import json
import os
import re
import socket
import sysconfig
import time
import traceback
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, ClassVar

import pytest

from infermux.auth import DEFAULT_HUB_URL, DEFAULT_ROUTER_URL, host_of
from infermux.errors import InvalidInputError, JobError, ResponseFormatError, StreamError
from infermux.helpers.base import (
    AuthScheme,
    BinaryPayload,
    Call,
    FollowUp,
    HTTPRequest,
    MultipartPayload,
    Response,
    Routing,
    SSEEvent,
    TaskProviderHelper,
)
from infermux.registry.store import validate_helper
from infermux.secret_patterns import SECRET_PATTERNS  # re-exported: part of the kit's API
from infermux.testing.samples import (
    TASK_OUTPUT_TYPES,
    Sample,
    followup_answers,
    garbage_responses,
    garbage_stream_events,
    representative_responses,
    representative_stream_events,
    sample_calls,
)
from infermux.testing.vcr import SECRET_HEADERS

__all__ = [
    "GENERATION_TASKS",
    "SECRET_PATTERNS",
    "SENTINEL_KEY",
    "IOAttemptError",
    "IOAttempts",
    "ProviderConformance",
    "cassette_problems",
    "check_helper",
    "core_dependency_problems",
    "distribution_helpers",
    "error_message_problems",
    "garbage_problems",
    "identity_problems",
    "key_host_problems",
    "output_type_problems",
    "paid_request_problems",
    "request_problems",
    "response_problems",
    "sandbox",
    "stream_event_garbage_problems",
    "stream_event_problems",
    "stream_flag_problems",
]

#: What the sandbox puts in the helper's key variables; it must never reach a request.
SENTINEL_KEY = "infermux-conformance-sentinel-key-7f3a9c"

_HTTP_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"})
_HEADER_NAME = re.compile(r"^[A-Za-z0-9!#$%&'*+.^_`|~-]+$")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_HOSTNAME = re.compile(rf"^(?=.{{1,253}}(?::|$)){_LABEL}(?:\.{_LABEL})*(?::\d{{1,5}})?$")
_HF_HOSTS = frozenset({host_of(DEFAULT_ROUTER_URL), host_of(DEFAULT_HUB_URL)})
_MAX_FOLLOW_UPS = 4
#: Tasks whose every call generates new media, billed per call (per image, per second of
#: video, per character of speech, or the compute it took): a helper for one of them must
#: say whether a resend would bill again (``paid_per_call``), see paid_request_problems.
GENERATION_TASKS = frozenset(
    {
        "image-to-image",
        "image-to-video",
        "text-to-audio",
        "text-to-image",
        "text-to-speech",
        "text-to-video",
    }
)


# -- the sandbox -------------------------------------------------------------------------------


class IOAttemptError(RuntimeError):
    """Raised inside the sandbox when a helper tries to open a connection or sleep."""


@dataclass
class IOAttempts:
    """What a helper tried inside the :func:`sandbox` (``io``: the blocked calls)."""

    io: list[str] = field(default_factory=list)

    def problems(self, where: str) -> list[str]:
        return [f"{where}: attempted I/O ({what}); a helper never does I/O" for what in self.io]


@contextmanager
def sandbox(helper: TaskProviderHelper | None = None) -> Iterator[IOAttempts]:
    """Block sockets, DNS and sleeping; put a sentinel in the helper's key variables.

    Yields a record of the attempts (each attempt also raises :class:`IOAttemptError`
    where it happens, so the helper cannot proceed as if it had succeeded).
    """
    attempts = IOAttempts()

    def refuse(what: str) -> Callable[..., Any]:
        def blocked(*args: Any, **kwargs: Any) -> Any:
            attempts.io.append(what)
            raise IOAttemptError(f"the conformance suite blocks {what}: helpers do no I/O")

        return blocked

    patches: list[tuple[Any, str, Any]] = [
        (socket.socket, "connect", refuse("socket.connect")),
        (socket.socket, "connect_ex", refuse("socket.connect_ex")),
        (socket, "create_connection", refuse("socket.create_connection")),
        (socket, "getaddrinfo", refuse("socket.getaddrinfo")),
        (time, "sleep", refuse("time.sleep")),
    ]
    originals = [(target, name, getattr(target, name)) for target, name, _ in patches]
    variables = {"HF_TOKEN", "HUGGING_FACE_HUB_TOKEN"}
    if helper is not None and isinstance(helper.api_key_env, tuple | list):
        variables |= {name for name in helper.api_key_env if isinstance(name, str) and name}
    saved_env = {name: os.environ.get(name) for name in variables}
    try:
        for target, name, replacement in patches:
            setattr(target, name, replacement)
        for name in variables:
            os.environ[name] = SENTINEL_KEY
        yield attempts
    finally:
        for target, name, original in originals:
            setattr(target, name, original)
        for name, value in saved_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


_STDLIB = Path(sysconfig.get_paths()["stdlib"]).resolve()


def _raised(where: str, exc: BaseException) -> str:
    """Describe an exception, with the innermost frame outside the standard library."""
    frames = [
        frame
        for frame in traceback.extract_tb(exc.__traceback__)
        if not Path(frame.filename).resolve().is_relative_to(_STDLIB)
    ]
    at = f" (at {Path(frames[-1].filename).name}:{frames[-1].lineno})" if frames else ""
    return f"{where} raised {type(exc).__name__}: {str(exc)[:300]}{at}"


def _label(helper: TaskProviderHelper) -> str:
    return f"{getattr(helper, 'provider', '?')}/{getattr(helper, 'task', '?')}"


def _short(value: Any, limit: int = 120) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _describe(call: Call) -> str:
    inputs = call.inputs
    if isinstance(inputs, list | tuple):
        shape = f"a list of {len(inputs)}"
    else:
        shape = type(inputs).__name__
    parameters = f", parameters {sorted(call.parameters)}" if call.parameters else ""
    stream = ", stream" if call.stream else ""
    return f"{call.routing} call with {shape} inputs{parameters}{stream}"


# -- identity ---------------------------------------------------------------------------------


def identity_problems(helper: TaskProviderHelper) -> list[str]:
    """Problems with the helper's identity and declared attributes."""
    problem = validate_helper(helper)
    if problem:
        return [problem]
    problems = []
    declared: Any = helper  # plugin code: trust no annotation
    auth = declared.auth
    if not isinstance(auth, AuthScheme):
        problems.append(f"auth must be an AuthScheme, got {type(auth).__name__}")
    else:
        header: Any = auth.header
        prefix: Any = auth.prefix
        if not isinstance(header, str) or not _HEADER_NAME.match(header):
            problems.append(f"auth.header {header!r} is not a valid header name")
        if not isinstance(prefix, str):
            problems.append(f"auth.prefix must be a string, got {type(prefix).__name__}")
    env = declared.api_key_env
    if not isinstance(env, tuple) or not all(
        isinstance(n, str) and _ENV_NAME.match(n) for n in env
    ):
        problems.append(f"api_key_env must be a tuple of variable names, got {env!r}")
    supported = declared.supported_parameters
    if supported is not None and (
        not isinstance(supported, frozenset | set) or not all(isinstance(n, str) for n in supported)
    ):
        problems.append(
            f"supported_parameters must be None or a frozenset of names, got {_short(supported)}"
        )
    served = declared.served_models
    if not isinstance(served, frozenset | set) or not all(
        isinstance(m, str) and m.strip() for m in served
    ):
        problems.append(
            f"served_models must be a frozenset of non-empty model ids, got {_short(served)}"
        )
    for flag in (
        "routable",
        "uses_hf_token",
        "requires_key",
        "needs_model_mapping",
        "creates_job",
        "paid_per_call",
    ):
        if not isinstance(getattr(helper, flag), bool):
            problems.append(f"{flag} must be a bool, got {getattr(helper, flag)!r}")
    if not isinstance(declared.supports_streaming, bool):
        problems.append(f"supports_streaming must be a bool, got {declared.supports_streaming!r}")
    elif declared.supports_streaming and (
        type(helper).parse_stream_event is TaskProviderHelper.parse_stream_event
    ):
        problems.append("supports_streaming is True but parse_stream_event is not implemented")
    key_url = declared.key_url
    if key_url is not None and (
        not isinstance(key_url, str) or not key_url.startswith(("https://", "http://"))
    ):
        problems.append(f"key_url must be None or an http(s) URL, got {key_url!r}")
    if not isinstance(getattr(declared, "accepts_input_urls", False), bool):
        problems.append(f"accepts_input_urls must be a bool, got {declared.accepts_input_urls!r}")
    aliases = getattr(declared, "model_aliases", {})
    if not isinstance(aliases, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) and v for k, v in aliases.items()
    ):
        problems.append(f"model_aliases must map names to model ids, got {_short(aliases)}")
    problems.extend(_rename_problems(declared))
    budget = getattr(declared, "default_requests_per_minute", None)
    if budget is not None and (
        isinstance(budget, bool) or not isinstance(budget, int | float) or budget <= 0
    ):
        problems.append(f"default_requests_per_minute must be None or > 0, got {budget!r}")
    return problems


def _rename_problems(declared: Any) -> list[str]:
    """``parameter_renames`` maps spec names to wire names, and renames only parameters the
    helper accepts (an entry for a refused parameter is dead, usually a typo)."""
    renames = getattr(declared, "parameter_renames", {})
    if not isinstance(renames, Mapping) or not all(
        isinstance(k, str) and k and isinstance(v, str) and v for k, v in renames.items()
    ):
        return [f"parameter_renames must map parameter names to names, got {_short(renames)}"]
    supported = declared.supported_parameters
    if not isinstance(supported, frozenset | set):
        return []
    dead = sorted(set(renames) - set(supported))
    if dead:
        return [
            f"parameter_renames renames {', '.join(map(repr, dead))}, which "
            "supported_parameters does not accept (a typo, or a parameter to add there)"
        ]
    return []


def _may_get_key(helper: TaskProviderHelper, call: Call, url: str) -> bool:
    """Whether the core would attach the provider's key to ``url``: the call's or the
    helper's base URL host, a ``key_hosts`` host, or a host under a ``.domain`` entry."""
    host = host_of(url)
    if host in {host_of(call.base_url), host_of(helper.base_url)}:
        return True
    entries = [h.lower() for h in helper.key_hosts if isinstance(h, str)]
    return any(host == e or (e.startswith(".") and host.endswith(e)) for e in entries)


def key_host_problems(helper: TaskProviderHelper) -> list[str]:
    """``key_hosts`` must be a tuple of host names, and never a Hugging Face host."""
    hosts: Any = helper.key_hosts
    if not isinstance(hosts, tuple | list | frozenset | set):
        return [f"key_hosts must be a tuple of host names, got {type(hosts).__name__}"]
    problems = []
    for host in hosts:
        # A leading "." names a whole domain of the provider's own (".acme.com"), which
        # must be a registrable name, not a bare suffix such as ".com".
        is_domain = isinstance(host, str) and host.startswith(".")
        name = host[1:] if is_domain else host
        if (
            not isinstance(name, str)
            or not _HOSTNAME.match(name)
            or (is_domain and "." not in name)
        ):
            problems.append(
                f"key_hosts entry {host!r} is not a host name (write 'queue.acme.com', or "
                "'.acme.com' for every host of the domain; no scheme, no path)"
            )
            continue
        covers_hf = name.lower() in _HF_HOSTS or (
            is_domain and any(h.endswith("." + name.lower()) for h in _HF_HOSTS)
        )
        if covers_hf and not helper.uses_hf_token:
            problems.append(
                f"key_hosts lists {host!r}: a provider key must never be sent to Hugging Face"
            )
    return problems


def output_type_problems(helper: TaskProviderHelper) -> list[str]:
    """``output_type`` is declared, a class, and the task's type where the client fixes one."""
    output_type: Any = helper.output_type
    if output_type is None:
        return ["output_type is not declared: set it to the class parse_response returns"]
    if not isinstance(output_type, type):
        return [f"output_type must be a class, got {_short(output_type)}"]
    expected = TASK_OUTPUT_TYPES.get(helper.task)
    if expected is not None and not issubclass(output_type, expected):
        return [
            f"output_type is {output_type.__name__}, but the client returns "
            f"{expected.__name__} for {helper.task!r}: return that type (or a subclass)"
        ]
    return []


# -- requests ---------------------------------------------------------------------------------


def _forbidden_headers(helper: TaskProviderHelper) -> frozenset[str]:
    own = helper.auth.header.lower() if isinstance(helper.auth, AuthScheme) else "authorization"
    return SECRET_HEADERS | {own}


def _secret_hits(text: str) -> list[str]:
    return [label for label, pattern in SECRET_PATTERNS.items() if pattern.search(text)]


def _header_problems(helper: TaskProviderHelper, headers: Any, where: str) -> list[str]:
    if not isinstance(headers, Mapping):
        return [f"{where}: headers must be a mapping, got {type(headers).__name__}"]
    problems = []
    forbidden = _forbidden_headers(helper)
    for name, value in headers.items():
        if not isinstance(name, str) or not isinstance(value, str):
            problems.append(f"{where}: header {name!r}: {value!r} is not str -> str")
            continue
        if name.lower() in forbidden:
            problems.append(
                f"{where}: sets the auth header {name!r} itself; the core adds auth from the "
                "helper's `auth` scheme, and only for hosts the key belongs to"
            )
        for label in _secret_hits(value):
            problems.append(f"{where}: header {name!r} holds what looks like a {label}")
    return problems


def _payload_problems(payload: Any, where: str) -> list[str]:
    if payload is None:
        return []
    if isinstance(payload, BinaryPayload):
        content: Any = payload.content
        content_type: Any = payload.content_type
        if not isinstance(content, bytes) or not isinstance(content_type, str):
            return [f"{where}: BinaryPayload needs bytes content and a str content_type"]
        if not content_type:
            return [f"{where}: BinaryPayload without a content_type"]
        return []
    if isinstance(payload, MultipartPayload):
        problems = []
        fields: Mapping[Any, Any] = payload.fields
        for name, value in fields.items():
            if not isinstance(name, str) or not isinstance(value, str):
                problems.append(f"{where}: multipart field {name!r} is not str -> str")
        for name, file in payload.files.items():
            ok = (
                isinstance(file, tuple)
                and len(file) == 3
                and isinstance(file[0], str)
                and isinstance(file[1], bytes)
                and isinstance(file[2], str)
            )
            if not ok:
                problems.append(
                    f"{where}: multipart file {name!r} must be (filename, bytes, content type)"
                )
        return problems
    if not isinstance(payload, dict | list):
        return [
            f"{where}: payload is a {type(payload).__name__}; return a dict or list (JSON), "
            "a BinaryPayload, a MultipartPayload or None"
        ]
    try:
        json.dumps(payload, allow_nan=False)
    except (TypeError, ValueError) as exc:
        return [f"{where}: payload is not JSON-serialisable: {exc}"]
    return []


def _url_problems(helper: TaskProviderHelper, url: Any, call: Call, where: str) -> list[str]:
    if not isinstance(url, str):
        return [f"{where}: url must be a string, got {type(url).__name__}"]
    base = call.base_url.rstrip("/")
    under_base = url == base or url.startswith((base + "/", base + "?"))
    # Direct to the default base URL, a helper may pick another host of its own, if the
    # key may go there (fal's queue host); a custom base URL or the router must be kept.
    own_host = (
        call.routing == "direct"
        and base == str(helper.base_url).rstrip("/")
        and url.startswith("https://")
        and _may_get_key(helper, call, url)
    )
    # The Responses API is served at the router's root (/v1/responses, "model":
    # "<id>:<provider>"), not under the per-provider prefix of the other tasks.
    router_root = (
        call.routing == "router"
        and helper.task == "responses"
        and base.endswith("/" + helper.provider)
        and url.startswith(base[: -len(helper.provider)])
    )
    if not (under_base or own_host or router_root):
        return [f"{where}: url {url!r} does not start with the call's base_url {base!r}"]
    return [f"{where}: url holds what looks like a {label}" for label in _secret_hits(url)]


def _check_request(
    helper: TaskProviderHelper, request: Any, call: Call | None, where: str
) -> list[str]:
    """Checks shared by first requests and follow-up requests."""
    if not isinstance(request, HTTPRequest):
        return [f"{where}: returned {type(request).__name__}, not an HTTPRequest"]
    problems = []
    if request.method not in _HTTP_METHODS:
        problems.append(f"{where}: method {request.method!r} is not an upper-case HTTP method")
    if call is not None:
        problems += _url_problems(helper, request.url, call, where)
    elif not isinstance(request.url, str) or not request.url.startswith(("https://", "http://")):
        problems.append(f"{where}: url {request.url!r} is not an http(s) URL")
    problems += _header_problems(helper, request.headers, where)
    problems += _payload_problems(request.payload, where)
    if SENTINEL_KEY in repr(request):
        problems.append(
            f"{where}: the request holds the value of a key variable: a helper never reads "
            "keys (the core adds auth)"
        )
    return problems


def _prepare(
    helper: TaskProviderHelper, call: Call, where: str
) -> tuple[HTTPRequest | None, list[str], bool]:
    """Run prepare_request in the sandbox: (request, problems, refused with InvalidInputError)."""
    before = copy.deepcopy(call.inputs)
    with sandbox(helper) as attempts:
        try:
            request = helper.prepare_request(call)
        except InvalidInputError:
            return None, attempts.problems(where), True
        except Exception as exc:
            return None, [*attempts.problems(where), _raised(where, exc)], False
    problems = attempts.problems(where) + _check_request(helper, request, call, where)
    if call.inputs != before:
        problems.append(f"{where}: mutated the call's inputs; copy them instead")
    return (request if isinstance(request, HTTPRequest) else None), problems, False


def request_problems(
    helper: TaskProviderHelper,
    routing: Routing = "direct",
    *,
    calls: Sequence[Call] | None = None,
    router_url: str = DEFAULT_ROUTER_URL,
) -> list[str]:
    """Problems building the first request of representative calls."""
    calls = (
        list(calls) if calls is not None else sample_calls(helper, routing, router_url=router_url)
    )
    problems: list[str] = []
    seen: set[str] = set()
    refused = 0
    for call in calls:
        _, found, was_refused = _prepare(helper, call, f"prepare_request({_describe(call)})")
        refused += was_refused
        for problem in found:  # the same fault in every call variant is reported once
            what = problem.split("): ", 1)[-1]
            if what not in seen:
                seen.add(what)
                problems.append(problem)
    if calls and refused == len(calls):
        problems.append(
            f"prepare_request refused every representative {helper.task!r} call with "
            "InvalidInputError"
        )
    return problems


def _declares(helper: TaskProviderHelper, name: str) -> bool:
    """Whether the helper (or a base class other than TaskProviderHelper) sets ``name``."""
    if name in vars(helper):
        return True
    return any(name in vars(cls) for cls in type(helper).__mro__ if cls is not TaskProviderHelper)


def paid_request_problems(helper: TaskProviderHelper) -> list[str]:
    """A paid request is sent at most once: the flags reach the request, and a generation
    helper says whether its calls are paid per call.

    A helper declaring ``creates_job`` or ``paid_per_call`` must build a first request
    carrying them (an overridden ``prepare_request`` that drops them would let the core
    resend a paid request after a 5xx). A helper for a task of :data:`GENERATION_TASKS`
    must declare ``creates_job``, ``paid_per_call = True``, an ``idempotency_header``, or
    ``paid_per_call = False`` explicitly (a server billed by the hour, a local one).
    """
    declared: Any = helper
    paid = declared.creates_job is True or declared.paid_per_call is True
    problems = []
    if (
        helper.task in GENERATION_TASKS
        and not paid
        and not declared.idempotency_header
        and not _declares(helper, "paid_per_call")
    ):
        problems.append(
            f"{helper.task} generates new media per call, but the helper declares neither "
            "paid_per_call nor creates_job: the core would resend the request after a 5xx or "
            "a timeout, running and billing a second generation. Set paid_per_call = True "
            "(or False explicitly where a resend costs nothing, e.g. a server billed by the "
            "hour)"
        )
    if not paid:
        return problems
    # The first call the helper builds without fault (test_builds_request reports faults).
    built = (_prepare(helper, call, "prepare_request") for call in sample_calls(helper, "direct"))
    request = next((req for req, found, _ in built if req is not None and not found), None)
    if request is None:
        return problems
    for flag in ("creates_job", "paid_per_call"):
        if getattr(declared, flag) is True and getattr(request, flag) is not True:
            problems.append(
                f"the helper declares {flag} = True but its first request does not carry "
                f"it (HTTPRequest({flag}=False)): pass {flag}=self.{flag} when building it "
                "in prepare_request, or the core may send it twice"
            )
    return problems


def stream_flag_problems(helper: TaskProviderHelper) -> list[str]:
    """``request.stream`` follows ``call.stream`` (True only for streaming helpers)."""
    problems = []
    modes = (False, True) if helper.supports_streaming is True else (False,)
    for stream in modes:
        for call in sample_calls(helper, "direct", stream=stream)[:1]:
            where = f"prepare_request({_describe(call)})"
            request, found, _ = _prepare(helper, call, where)
            if request is None:
                problems += found
            elif request.stream is not stream:
                problems.append(
                    f"{where}: request.stream is {request.stream!r} for call.stream={stream}"
                )
    return problems


# -- responses --------------------------------------------------------------------------------


def _first_call(helper: TaskProviderHelper) -> tuple[Call, str]:
    """A representative direct call and the URL its request goes to."""
    call = sample_calls(helper, "direct")[0]
    url = call.base_url
    # A failure here is reported by test_builds_request; the base URL stands in.
    with sandbox(helper), contextlib.suppress(Exception):
        request = helper.prepare_request(call)
        if isinstance(request, HTTPRequest) and isinstance(request.url, str):
            url = request.url
    return call, url


def _is_output(helper: TaskProviderHelper, value: Any) -> bool:
    output_type = helper.output_type
    return isinstance(output_type, type) and isinstance(value, output_type)


def _followup_problems(
    helper: TaskProviderHelper, call: Call, follow: FollowUp, where: str, depth: int = 0
) -> list[str]:
    """A follow-up's requests and what its ``then`` makes of plausible answers."""
    first: Any = follow.request
    if not isinstance(first, HTTPRequest):
        return [f"{where}: FollowUp.request is {type(first).__name__}, not HTTPRequest"]
    problems = []
    steps: list[tuple[str, Any]] = [("request", first), ("cancel", follow.cancel)]
    for kind, request in steps:
        if request is None:
            continue
        label = f"{where} -> FollowUp.{kind} {request.method} {request.url}"
        problems += _check_request(helper, request, None, label)
        if not isinstance(request, HTTPRequest) or not isinstance(request.url, str):
            continue
        if request.authenticate and not _may_get_key(helper, call, request.url):
            problems.append(
                f"{label}: authenticate=True for host {host_of(request.url)!r}, which is neither "
                "the base URL's host nor in key_hosts: set authenticate=False (media "
                "downloads never carry the key) or list the host in key_hosts"
            )
    then: Any = follow.then
    if not callable(then):
        return [*problems, f"{where}: FollowUp.then is not callable"]
    if depth >= _MAX_FOLLOW_UPS:
        return problems
    for answer in followup_answers(helper.task):
        step = f"{where} -> then({answer.name})"
        response = replace(answer.response, url=follow.request.url)
        with sandbox(helper) as attempts:
            try:
                result = follow.then(response)
            except (ResponseFormatError, JobError):
                result = None
            except Exception as exc:
                problems += [*attempts.problems(step), _raised(step, exc)]
                continue
        problems += attempts.problems(step)
        if isinstance(result, FollowUp):
            problems += _followup_problems(helper, call, result, step, depth + 1)
        elif result is not None and not _is_output(helper, result):
            problems.append(f"{step}: returned {type(result).__name__}, not {_type_name(helper)}")
    return problems


def _type_name(helper: TaskProviderHelper) -> str:
    output_type = helper.output_type
    return output_type.__name__ if isinstance(output_type, type) else repr(output_type)


def _parse(
    helper: TaskProviderHelper, call: Call, response: Response, where: str
) -> tuple[Any, BaseException | None, list[str]]:
    """parse_response in the sandbox: (result, ResponseFormatError or None, problems)."""
    with sandbox(helper) as attempts:
        try:
            result = helper.parse_response(response, call)
        except ResponseFormatError as exc:
            return None, exc, attempts.problems(where)
        except Exception as exc:
            return None, None, [*attempts.problems(where), _raised(where, exc)]
    problems = attempts.problems(where)
    if isinstance(result, FollowUp):
        problems += _followup_problems(helper, call, result, where)
    return result, None, problems


def response_problems(
    helper: TaskProviderHelper, samples: Sequence[Sample] | None = None
) -> list[str]:
    """Problems parsing representative successful responses (see the module docstring)."""
    samples = list(samples) if samples is not None else representative_responses(helper.task)
    if not samples:
        return []
    call, url = _first_call(helper)
    problems: list[str] = []
    accepted: list[str] = []
    rejected: list[str] = []
    for sample in samples:
        where = f"parse_response({sample.name})"
        result, rejection, found = _parse(helper, call, replace(sample.response, url=url), where)
        problems += found
        if isinstance(result, FollowUp) and result.poll and not helper.creates_job:
            problems.append(
                f"{where}: the first answer is a job to poll, but the helper does not declare "
                "creates_job = True: the core would resend the paid request after a timeout "
                "or a 5xx (set it; set idempotency_header too if the provider documents one)"
            )
        if rejection is not None:
            rejected.append(f"{sample.name}: {str(rejection)[:160]}")
        elif isinstance(result, FollowUp) or _is_output(helper, result):
            accepted.append(sample.name)
        elif not found:
            problems.append(
                f"{where}: returned {type(result).__name__}, not {_type_name(helper)} (output_type)"
            )
    if not accepted and not problems:
        problems.append(
            f"parse_response accepted none of the representative {helper.task!r} responses "
            f"({'; '.join(rejected)}). If the provider answers in another shape, add it to "
            "the class's sample_responses."
        )
    return problems


def garbage_problems(helper: TaskProviderHelper, sample: Sample) -> list[str]:
    """parse_response must reject a garbage body with ResponseFormatError."""
    call, url = _first_call(helper)
    where = f"parse_response({sample.name}: {sample.response.content[:40]!r})"
    result, rejection, problems = _parse(helper, call, replace(sample.response, url=url), where)
    if rejection is not None or problems or isinstance(result, FollowUp):
        return problems
    output_type = helper.output_type
    empty_list_ok = (
        sample.name == "empty_list"
        and isinstance(output_type, type)
        and issubclass(output_type, list)
        and result == []
    )
    if empty_list_ok:
        return []
    return [
        f"{where}: returned {_short(result)} for a body that is no {helper.task!r} output; "
        "raise infermux.errors.ResponseFormatError"
    ]


def stream_event_problems(
    helper: TaskProviderHelper, events: Sequence[tuple[str, str]] | None = None
) -> list[str]:
    """A streaming helper parses at least one representative event into a chunk."""
    events = list(events) if events is not None else representative_stream_events(helper.task)
    if not events:
        return []
    call = sample_calls(helper, "direct", stream=True)[0]
    problems: list[str] = []
    chunks = 0
    for name, data in events:
        where = f"parse_stream_event({name})"
        with sandbox(helper) as attempts:
            try:
                chunk = helper.parse_stream_event(SSEEvent(data), call)
            except (ResponseFormatError, StreamError):
                chunk = None
            except Exception as exc:
                problems += [*attempts.problems(where), _raised(where, exc)]
                continue
        problems += attempts.problems(where)
        chunks += chunk is not None
    if not chunks and not problems:
        problems.append(
            f"parse_stream_event turned none of the representative {helper.task!r} events "
            "into a chunk; add your provider's own to the class's sample_stream_events"
        )
    return problems


#: Decoded error bodies of every shape ``error_message`` may be handed.
_ERROR_BODIES: tuple[Any, ...] = (
    None,
    "",
    "Internal Server Error",
    [],
    ["first problem", "second problem"],
    {},
    {"error": None},
    {"error": {"message": 42}},
    {"error": ["a", {"msg": "b"}]},
    {"detail": [{"loc": ["body", "prompt"], "msg": "field required"}]},
    {"message": {"text": "nested"}},
)


def error_message_problems(helper: TaskProviderHelper) -> list[str]:
    """``error_message`` returns a str or None for any decoded error body, never raises.

    The core calls it while building the error of a failed request; a crash there would
    hide the provider's status and message behind a ``KeyError``.
    """
    problems = []
    for body in _ERROR_BODIES:
        where = f"error_message({body!r})"
        with sandbox(helper) as attempts:
            try:
                message: Any = helper.error_message(body)
            except Exception as exc:
                problems += [*attempts.problems(where), _raised(where, exc)]
                continue
        problems += attempts.problems(where)
        if message is not None and not isinstance(message, str):
            problems.append(f"{where}: returned {type(message).__name__}, not str or None")
    return problems


def stream_event_garbage_problems(helper: TaskProviderHelper, name: str, data: str) -> list[str]:
    """parse_stream_event on a malformed event raises only ResponseFormatError/StreamError."""
    call = sample_calls(helper, "direct", stream=True)[0]
    where = f"parse_stream_event({name}: {data[:40]!r})"
    with sandbox(helper) as attempts:
        try:
            helper.parse_stream_event(SSEEvent(data), call)
        except (ResponseFormatError, StreamError):
            pass
        except Exception as exc:
            return [*attempts.problems(where), _raised(where, exc)]
    return attempts.problems(where)


# -- cassettes and packaging ------------------------------------------------------------------


def _strings(obj: Any) -> Iterator[str]:
    if isinstance(obj, dict):
        for key, value in obj.items():
            yield from _strings(key)
            yield from _strings(value)
    elif isinstance(obj, list):
        for item in obj:
            yield from _strings(item)
    elif isinstance(obj, bytes):
        yield obj.decode("latin-1")
    elif isinstance(obj, str):
        yield obj


def cassette_problems(path: str | os.PathLike[str]) -> list[str]:
    """Secret headers and credential-looking strings in one cassette YAML file."""
    import yaml  # the testing extra

    text = Path(path).read_text(encoding="utf-8")
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        data = yaml.load(text, Loader=loader)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        return [f"not valid YAML: {exc}"]
    problems = []
    interactions = data.get("interactions") if isinstance(data, dict) else None
    for n, interaction in enumerate(interactions if isinstance(interactions, list) else []):
        if not isinstance(interaction, dict):
            continue
        for side in ("request", "response"):
            part = interaction.get(side)
            headers = part.get("headers") if isinstance(part, dict) else None
            for header in headers if isinstance(headers, dict) else {}:
                if str(header).lower() in SECRET_HEADERS:
                    problems.append(f"interaction {n}: {side} header {header!r}")
    comments = [line for line in text.splitlines() if line.lstrip().startswith("#")]
    for string in [*_strings(data), *comments]:
        for label, pattern in SECRET_PATTERNS.items():
            problems += [f"{label}: {m.group(0)[:6]}..." for m in pattern.finditer(string)]
    return problems


def core_dependency_problems(
    distribution: str, requirements: Sequence[str] | None = None
) -> list[str]:
    """The distribution requires ``infermux`` with both a lower and an upper bound.

    ``requirements`` (``Requires-Dist`` lines) defaults to the installed distribution's.
    """
    from importlib.metadata import PackageNotFoundError, requires

    from packaging.requirements import InvalidRequirement, Requirement

    if requirements is None:
        try:
            requirements = requires(distribution) or []
        except PackageNotFoundError:
            return [f"distribution {distribution!r} is not installed"]
    core = []
    for line in requirements:
        try:
            requirement = Requirement(line)
        except InvalidRequirement:
            continue
        if requirement.name.lower() == "infermux" and requirement.marker is None:
            core.append(requirement)
    if not core:
        return [f"{distribution} does not require infermux; add 'infermux>=0.X,<0.Y'"]
    operators = {spec.operator for req in core for spec in req.specifier}
    problems = []
    if not operators & {">=", ">", "~=", "=="}:
        problems.append(f"{distribution} requires infermux without a lower bound")
    if not operators & {"<", "<=", "~=", "=="}:
        problems.append(
            f"{distribution} requires infermux without an upper bound ({core[0]}); the hook "
            "API may change between minor versions: pin 'infermux>=0.X,<0.Y'"
        )
    return problems


@functools.cache
def distribution_helpers(distribution: str) -> tuple[TaskProviderHelper, ...]:
    """Every helper the installed ``distribution`` registers through its entry points.

    Loads only that distribution's plugins, strictly: a plugin that fails raises.
    """
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import distribution as find_distribution

    from infermux.registry.loader import LoaderSettings, build_registry

    try:
        name = find_distribution(distribution).metadata["Name"]
    except PackageNotFoundError:
        raise LookupError(f"distribution {distribution!r} is not installed") from None
    settings = LoaderSettings(allow=frozenset({name}), strict=True, load_config_files=False)
    registry = build_registry(settings)
    helpers = tuple(r.helper for r in registry if r.distribution == name)
    if not helpers:
        raise LookupError(
            f"distribution {name!r} registers no helper: does it declare an entry point in "
            '[project.entry-points."infermux.providers"] whose module has '
            "@hookimpl def register_providers(register)?"
        )
    return helpers


def check_helper(
    helper: TaskProviderHelper,
    *,
    responses: Sequence[Sample] = (),
    stream_events: Sequence[tuple[str, str]] = (),
) -> list[str]:
    """Run every per-helper check; return the problems, each prefixed by its check name.

    ``responses`` and ``stream_events`` add provider-specific samples to the neutral ones.
    """
    found: list[tuple[str, list[str]]] = [("test_identity", identity_problems(helper))]
    if found[0][1]:
        return [f"test_identity: {p}" for p in found[0][1]]
    found += [
        ("test_key_hosts_are_hostnames", key_host_problems(helper)),
        ("test_declares_output_type", output_type_problems(helper)),
        ("test_builds_request[direct]", request_problems(helper, "direct")),
    ]
    if helper.routable:
        found.append(("test_builds_request[router]", request_problems(helper, "router")))
    found.append(("test_stream_flag", stream_flag_problems(helper)))
    found.append(("test_paid_requests_are_sent_once", paid_request_problems(helper)))
    found.append(("test_error_message_never_crashes", error_message_problems(helper)))
    samples = [*representative_responses(helper.task), *responses]
    found.append(("test_parses_representative_response", response_problems(helper, samples)))
    for sample in garbage_responses():
        found.append((f"test_rejects_garbage[{sample.name}]", garbage_problems(helper, sample)))
    if helper.supports_streaming:
        events = [*representative_stream_events(helper.task), *stream_events]
        found.append(("test_parses_stream_event", stream_event_problems(helper, events)))
        for name, data in garbage_stream_events():
            problems = stream_event_garbage_problems(helper, name, data)
            found.append((f"test_stream_event_garbage[{name}]", problems))
    return [f"{check}: {problem}" for check, problems in found for problem in problems]


# -- the pytest class -------------------------------------------------------------------------


def _report(problems: Sequence[str]) -> None:
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


@dataclass(frozen=True)
class _Param:
    id: str
    values: tuple[Any, ...]
    skip: str | None = None


class ProviderConformance:
    """Base class of a provider package's conformance tests; see the module docstring."""

    #: An installed distribution whose registered helpers are all checked.
    distribution: ClassVar[str | None] = None
    #: Helper instances to check (besides the distribution's).
    helpers: ClassVar[Sequence[TaskProviderHelper]] = ()
    #: A folder of cassette YAML files to scan for secrets (recursively).
    cassette_dir: ClassVar[str | os.PathLike[str] | None] = None
    #: Extra representative responses, keyed ``"provider/task"`` or by task.
    sample_responses: ClassVar[Mapping[str, Sequence[Sample]]] = {}
    #: Extra representative stream events ``(name, data)``, keyed the same way.
    sample_stream_events: ClassVar[Mapping[str, Sequence[tuple[str, str]]]] = {}
    #: ``"test_name[id]" -> reason``: strict expected failures.
    known_failures: ClassVar[Mapping[str, str]] = {}
    #: The router base used for ``routing="router"`` calls.
    router_url: ClassVar[str] = DEFAULT_ROUTER_URL

    # -- what is checked ---------------------------------------------------------------

    def conformance_helpers(self) -> list[TaskProviderHelper]:
        """The helpers under test: the distribution's, then ``helpers``."""
        found: list[TaskProviderHelper] = []
        if self.distribution:
            found += distribution_helpers(self.distribution)
        found += list(self.helpers)
        return found

    def responses_for(self, helper: TaskProviderHelper) -> list[Sample]:
        """Representative responses for ``helper``: the neutral ones plus the class's own."""
        extra = [
            *self.sample_responses.get(helper.task, ()),
            *self.sample_responses.get(_label(helper), ()),
        ]
        return [*representative_responses(helper.task), *extra]

    def stream_events_for(self, helper: TaskProviderHelper) -> list[tuple[str, str]]:
        """Representative stream events for ``helper``, neutral plus the class's own."""
        extra = [
            *self.sample_stream_events.get(helper.task, ()),
            *self.sample_stream_events.get(_label(helper), ()),
        ]
        return [*representative_stream_events(helper.task), *extra]

    # -- parametrization ---------------------------------------------------------------

    def _helper_params(self, helpers: Sequence[TaskProviderHelper]) -> list[_Param]:
        return [_Param(_label(h), (h,)) for h in helpers]

    def _cassette_params(self, module_dir: Path | None, rootdir: Path | None) -> list[_Param]:
        if self.cassette_dir is None:
            return [_Param("no-cassette-dir", (None,), skip="cassette_dir is not set")]
        configured = Path(self.cassette_dir)
        candidates = [configured]
        if not configured.is_absolute():
            candidates = [base / configured for base in (module_dir, rootdir) if base is not None]
        folder = next((c for c in candidates if c.is_dir()), None)
        if folder is None:
            return [_Param("missing-cassette-dir", (candidates[0] if candidates else configured,))]
        files = sorted(
            p for p in folder.rglob("*") if p.suffix in {".yaml", ".yml"} and p.is_file()
        )
        if not files:
            return [_Param("no-cassettes", (folder,))]
        return [_Param(p.relative_to(folder).as_posix(), (p,)) for p in files]

    def _params(
        self, name: str, module_dir: Path | None = None, rootdir: Path | None = None
    ) -> tuple[tuple[str, ...], list[_Param]] | None:
        """Argument names and parameter sets of check ``name`` (None: not a check)."""
        if name == "test_cassette_has_no_secrets":
            return ("cassette_path",), self._cassette_params(module_dir, rootdir)
        if name == "test_core_dependency_is_bounded":
            if not self.distribution:
                return ("distribution_name",), [
                    _Param("no-distribution", (None,), skip="distribution is not set")
                ]
            return ("distribution_name",), [_Param(self.distribution, (self.distribution,))]
        if name == "test_known_failures_are_current":
            return None
        helpers = self.conformance_helpers()
        if name == "test_builds_request":
            params = [
                _Param(f"{_label(h)}-{routing}", (h, routing))
                for h in helpers
                for routing in (("direct", "router") if h.routable else ("direct",))
            ]
            return ("helper", "routing"), params
        if name == "test_rejects_garbage":
            params = [
                _Param(f"{_label(h)}-{sample.name}", (h, sample))
                for h in helpers
                for sample in garbage_responses()
            ]
            return ("helper", "garbage"), params
        streaming = [h for h in helpers if h.supports_streaming is True]
        if name == "test_parses_stream_event":
            params = self._helper_params(streaming)
            return ("helper",), params or [_Param("none", (None,), skip="no helper streams")]
        if name == "test_stream_event_garbage":
            params = [
                _Param(f"{_label(h)}-{event[0]}", (h, event))
                for h in streaming
                for event in garbage_stream_events()
            ]
            skip = _Param("none", (None, None), skip="no helper streams")
            return ("helper", "event"), params or [skip]
        return ("helper",), self._helper_params(helpers)

    def _all_test_ids(self, module_dir: Path | None, rootdir: Path | None) -> set[str]:
        ids = set()
        for name in dir(self):
            if not name.startswith("test_"):
                continue
            found = self._params(name, module_dir, rootdir)
            if found is None:
                ids.add(name)
            else:
                ids |= {f"{name}[{param.id}]" for param in found[1]}
        return ids

    def pytest_generate_tests(self, metafunc: pytest.Metafunc) -> None:
        """Parametrize each check over the helpers (pytest calls this per test method)."""
        name = metafunc.function.__name__
        if name not in _CHECKS and "helper" not in metafunc.fixturenames:
            return
        module_file = getattr(metafunc.module, "__file__", None)
        module_dir = Path(module_file).parent if module_file else None
        try:
            found = self._params(name, module_dir, metafunc.config.rootpath)
        except Exception as exc:
            pytest.fail(
                f"{type(self).__name__}: cannot collect the helpers to check: "
                f"{type(exc).__name__}: {exc}",
                pytrace=False,
            )
        if found is None:
            return
        argnames, params = found
        if not params:
            params = [_Param("none", (None,) * len(argnames), skip="no helper to check")]
        param_sets = []
        for param in params:
            marks: list[pytest.MarkDecorator] = []
            if param.skip:
                # Not a skip: nothing to check. The pytest plugin deselects these, so a run
                # reports them as deselected rather than as skipped tests.
                marks.append(pytest.mark.infermux_not_applicable(reason=param.skip))
            reason = self.known_failures.get(f"{name}[{param.id}]")
            if reason is not None:
                marks.append(pytest.mark.xfail(strict=True, reason=reason))
            values = param.values if len(argnames) > 1 else param.values[:1]
            param_sets.append(pytest.param(*values, id=param.id, marks=marks))
        metafunc.parametrize(argnames if len(argnames) > 1 else argnames[0], param_sets)

    # -- the checks --------------------------------------------------------------------

    def test_identity(self, helper: TaskProviderHelper) -> None:
        _report(identity_problems(helper))

    def test_key_hosts_are_hostnames(self, helper: TaskProviderHelper) -> None:
        _report(key_host_problems(helper))

    def test_declares_output_type(self, helper: TaskProviderHelper) -> None:
        _report(output_type_problems(helper))

    def test_builds_request(self, helper: TaskProviderHelper, routing: Routing) -> None:
        _report(request_problems(helper, routing, router_url=self.router_url))

    def test_stream_flag(self, helper: TaskProviderHelper) -> None:
        _report(stream_flag_problems(helper))

    def test_paid_requests_are_sent_once(self, helper: TaskProviderHelper) -> None:
        _report(paid_request_problems(helper))

    def test_error_message_never_crashes(self, helper: TaskProviderHelper) -> None:
        _report(error_message_problems(helper))

    def test_parses_representative_response(self, helper: TaskProviderHelper) -> None:
        samples = self.responses_for(helper)
        if not samples:
            pytest.fail(
                f"no representative response for {helper.task!r}: add one to sample_responses",
                pytrace=False,
            )
        _report(response_problems(helper, samples))

    def test_rejects_garbage(self, helper: TaskProviderHelper, garbage: Sample) -> None:
        _report(garbage_problems(helper, garbage))

    def test_parses_stream_event(self, helper: TaskProviderHelper) -> None:
        events = self.stream_events_for(helper)
        if not events:
            pytest.fail(
                f"no representative stream event for {helper.task!r}: add one to "
                "sample_stream_events",
                pytrace=False,
            )
        _report(stream_event_problems(helper, events))

    def test_stream_event_garbage(self, helper: TaskProviderHelper, event: tuple[str, str]) -> None:
        _report(stream_event_garbage_problems(helper, *event))

    def test_cassette_has_no_secrets(self, cassette_path: Path) -> None:
        if not cassette_path.exists():
            pytest.fail(f"cassette_dir {cassette_path} does not exist", pytrace=False)
        if cassette_path.is_dir():
            pytest.fail(f"cassette_dir {cassette_path} holds no *.yaml cassette", pytrace=False)
        _report(cassette_problems(cassette_path))

    def test_core_dependency_is_bounded(self, distribution_name: str) -> None:
        _report(core_dependency_problems(distribution_name))

    def test_known_failures_are_current(self, request: pytest.FixtureRequest) -> None:
        ids = self._all_test_ids(request.path.parent, request.config.rootpath)
        unknown = sorted(set(self.known_failures) - ids)
        _report([f"known_failures names no generated test: {key!r}" for key in unknown])


_CHECKS = frozenset(name for name in vars(ProviderConformance) if name.startswith("test_"))
