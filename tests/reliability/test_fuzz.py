"""Hostile input to the parsers, fuzzed with hypothesis (deterministic: see ``conftest.py``).

- The SSE decoder, fed arbitrary bytes (and SSE-shaped bytes) cut at every split point or
  into arbitrary chunks, never raises and yields the same events however it is cut.
- Every registered helper's ``parse_response``, fed arbitrary JSON, mutations of the
  task's representative bodies and arbitrary bytes, returns its declared output type or a
  ``FollowUp`` (whose ``then`` is fuzzed the same way, a few steps deep), or raises an
  infermux error saying what was wrong: never a bare ``KeyError``, ``TypeError`` ...
- Every streaming helper's ``parse_stream_event``, fed arbitrary event data, returns a
  chunk or None, or raises an infermux error.
- A follow-up URL no HTTP client can use (``"not a url"``, ``ftp://``, a bad port) is a
  ``ResponseFormatError`` naming the provider, never sent; one httpx2 cannot even parse is
  a ``TransportError``, not a bare httpx2 exception.

JSON keys and values are drawn from a vocabulary harvested from each helper's own module
(its string literals: ``"choices"``, ``"IN_QUEUE"``, ``"b64_json"`` ...), so the fuzzer
reaches past the first ``isinstance`` check into the provider-specific branches.
"""

from __future__ import annotations

import ast
import base64
import inspect
import json
import re
from collections.abc import Callable
from functools import cache
from typing import Any

import httpx2
import pytest
import yaml
from hypothesis import event, given
from hypothesis import strategies as st

from infermux import InferenceClient
from infermux.engine import Send
from infermux.errors import (
    JobError,
    ProviderHTTPError,
    ResponseFormatError,
    StreamError,
    TransportError,
)
from infermux.helpers.base import Call, FollowUp, HTTPRequest, Response, SSEEvent
from infermux.helpers.base import TaskProviderHelper as Helper
from infermux.registry.loader import LoaderSettings, build_registry
from infermux.registry.store import ProviderRegistry, Registration
from infermux.testing.samples import (
    png_bytes,
    representative_responses,
    representative_stream_events,
    sample_calls,
    wav_bytes,
)
from infermux.transport.http import SyncHTTP
from infermux.transport.sse import SSEDecoder
from tests.conftest import CASSETTES

pytestmark = pytest.mark.fuzz

#: What a parser may raise on a body it cannot use.
ALLOWED = (ResponseFormatError, JobError, StreamError, ProviderHTTPError)

#: Follow-up steps fuzzed after the first parse (a job: submit -> poll -> result -> media).
FOLLOW_UP_DEPTH = 3


def _installed_helpers() -> list[Helper]:
    # Installed plugins only: no config file of the machine's, whatever the environment.
    registry = build_registry(LoaderSettings(load_config_files=False))
    return [registration.helper for registration in registry]


HELPERS = _installed_helpers()
STREAMING = [helper for helper in HELPERS if helper.supports_streaming]


def helper_id(helper: Helper) -> str:
    return f"{helper.provider}/{helper.task}"


# -- the SSE decoder --------------------------------------------------------------------------


def decode(chunks: list[bytes]) -> list[SSEEvent]:
    decoder = SSEDecoder()
    events: list[SSEEvent] = []
    for chunk in chunks:
        events.extend(decoder.feed(chunk))
    events.extend(decoder.finish())
    return events


_FIELD = st.sampled_from(["data", "event", "id", "retry", "", "dat", "data ", "DATA"])
_VALUE = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12
) | st.sampled_from(["[DONE]", "{}", '{"choices": []}', "0", "15", "\x00", " x"])
_EOL = st.sampled_from([b"\n", b"\r\n", b"\r", b"\n\n", b"\r\n\r\n", b"\r\r", b""])


@st.composite
def sse_bytes(draw: st.DrawFn) -> bytes:
    """Bytes shaped like an event stream: fields, comments, every line ending, a BOM."""
    parts = [draw(st.sampled_from([b"", b"\xef\xbb\xbf", b"\xef\xbb"]))]
    for _ in range(draw(st.integers(0, 8))):
        kind = draw(st.integers(0, 9))
        if kind == 0:
            parts.append(b":" + draw(_VALUE).encode())  # a comment
        elif kind == 1:
            parts.append(draw(st.binary(max_size=6)))  # noise, invalid UTF-8 included
        else:
            colon = draw(st.sampled_from([": ", ":", ":  ", ""]))
            parts.append(f"{draw(_FIELD)}{colon}{draw(_VALUE)}".encode())
        parts.append(draw(_EOL))
    return b"".join(parts)


STREAM_BYTES = sse_bytes() | st.binary(max_size=48)


@given(STREAM_BYTES)
def test_sse_decoder_never_raises_and_is_split_invariant_at_every_point(data: bytes) -> None:
    whole = decode([data])
    for cut in range(1, len(data)):
        assert decode([data[:cut], data[cut:]]) == whole, cut


@given(STREAM_BYTES, st.lists(st.integers(0, 200), max_size=8))
def test_sse_decoder_any_chunking(data: bytes, cuts: list[int]) -> None:
    points = sorted({min(c, len(data)) for c in cuts})
    chunks = [data[a:b] for a, b in zip([0, *points], [*points, len(data)], strict=True)]
    assert decode(chunks) == decode([data])


@given(STREAM_BYTES)
def test_sse_decoder_byte_by_byte(data: bytes) -> None:
    events = decode([data[i : i + 1] for i in range(len(data))])
    assert events == decode([data])
    for decoded in events:
        assert isinstance(decoded.data, str)
        assert isinstance(decoded.event, str)
        assert decoded.event
        assert "\r" not in decoded.data
        assert "\n" not in decoded.event


def test_sse_decoder_is_linear_in_a_long_event():
    """A 32 MB event (a base64 image, or a hostile server's endless line) arriving in
    16 KiB chunks: the decoder used to copy and rescan the partial line on every chunk
    (quadratic: about 30 s); set aside, the chunks are joined once."""
    chunk = b"A" * 16384
    decoder = SSEDecoder()
    assert list(decoder.feed(b"data: ")) == []
    for _ in range(32 * 1024 * 1024 // len(chunk)):
        assert list(decoder.feed(chunk)) == []
        # Nothing is copied onto the partial line while no line ends: the work per chunk
        # does not grow with what came before (checked on state, not on a stopwatch).
        assert len(decoder._buffer) <= len(b"data: ")
    (event,) = decoder.feed(b"\n\n")
    assert len(event.data) == 32 * 1024 * 1024


# -- JSON strategies -----------------------------------------------------------------------------

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]{0,40}$")
_URLS = [
    "https://media.example.invalid/out.png",
    "https://queue.example.invalid/requests/abc/status",
    "http://plain.example.invalid/x",
    "data:image/png;base64," + base64.b64encode(png_bytes()).decode(),
    "not a url",
    "",
]
_BASE64 = [
    base64.b64encode(png_bytes()).decode(),
    base64.b64encode(wav_bytes()).decode(),
    "!!not base64!!",
    "AAAA",
]


@cache
def vocabulary(helper_class: type) -> tuple[str, ...]:
    """String literals of the modules defining the helper class and its bases."""
    words: set[str] = {
        "choices",
        "data",
        "output",
        "status",
        "error",
        "id",
        "url",
        "message",
        "content",
        "text",
        "images",
        "result",
    }
    for cls in inspect.getmro(helper_class):
        module = inspect.getmodule(cls)
        if module is None or module.__name__ in {"builtins", "object"}:
            continue
        try:
            tree = ast.parse(inspect.getsource(module))
        except (OSError, TypeError):
            continue
        for node in ast.walk(tree):
            is_string = isinstance(node, ast.Constant) and isinstance(node.value, str)
            if is_string and _IDENT.match(node.value):
                words.add(node.value)
    return tuple(sorted(words))


# Parsed now, at collection: hypothesis raises the recursion limit while a test runs, and
# ast.parse under a changed limit can trip a CPython 3.11 bug ("SystemError: AST
# constructor recursion depth mismatch") that then breaks pytest's assertion rewriting.
for _helper in HELPERS:
    vocabulary(type(_helper))


@cache
def json_values(words: tuple[str, ...]) -> st.SearchStrategy[Any]:
    scalars = (
        st.none()
        | st.booleans()
        | st.integers(-(2**40), 2**40)
        | st.floats(allow_nan=False, allow_infinity=False)
        | st.text(max_size=8)
        | st.sampled_from(words)
        | st.sampled_from(_URLS)
        | st.sampled_from(_BASE64)
    )
    keys = st.sampled_from(words) | st.text(max_size=6)

    def containers(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        return st.lists(children, max_size=4) | st.dictionaries(keys, children, max_size=5)

    return st.recursive(scalars, containers, max_leaves=12)


_ACTION = st.integers(0, 9)


def _mutate(draw: st.DrawFn, value: Any, words: tuple[str, ...], depth: int) -> Any:
    action = draw(_ACTION)
    if action == 0 or depth > 6:
        return draw(json_values(words))  # replaced by arbitrary JSON
    if isinstance(value, dict):
        # Each key kept (mutated in turn) or, one time in ten, dropped.
        return {
            key: _mutate(draw, item, words, depth + 1)
            for key, item in value.items()
            if draw(_ACTION) != 0
        }
    if isinstance(value, list):
        items = [_mutate(draw, item, words, depth + 1) for item in value]
        return items[: draw(st.integers(0, len(items)))] if action == 1 else items
    return value


@st.composite
def mutated(draw: st.DrawFn, bodies: tuple[Any, ...], words: tuple[str, ...]) -> Any:
    """One of ``bodies`` with parts kept, dropped, or replaced by arbitrary JSON."""
    return _mutate(draw, draw(st.sampled_from(bodies)), words, 0)


def representative_json(task: str) -> list[Any]:
    bodies = []
    for sample in representative_responses(task):
        try:
            bodies.append(json.loads(sample.response.content))
        except ValueError:
            continue
    return bodies


@cache
def recorded_json(provider: str) -> tuple[Any, ...]:
    """The JSON bodies of the provider's recorded 2xx answers (cassettes/<provider>/):
    real job submissions, status polls and results, to mutate."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    bodies = []
    for path in sorted((CASSETTES / provider).glob("*.yaml")):
        recorded = yaml.load(path.read_bytes(), Loader=loader)  # noqa: S506 - a safe loader
        for interaction in recorded.get("interactions") or ():
            response = interaction.get("response") or {}
            text = (response.get("body") or {}).get("string")
            if not 200 <= (response.get("status") or {}).get("code", 0) < 300:
                continue
            if isinstance(text, str | bytes) and len(text) < 20_000:
                try:
                    bodies.append(json.loads(text))
                except ValueError:
                    continue
    return tuple(bodies)


@cache
def bodies_for(helper: Helper) -> st.SearchStrategy[Response]:
    """2xx responses: arbitrary or mutated JSON, or arbitrary bytes of any content type."""
    words = vocabulary(type(helper))
    seeds = (*representative_json(helper.task), *recorded_json(helper.provider))
    json_body = json_values(words)
    if seeds:
        json_body = json_body | mutated(seeds, words) | mutated(seeds, words)
    as_json = st.builds(
        lambda body, status: Response(
            status, {"content-type": "application/json"}, json.dumps(body).encode(), ""
        ),
        json_body,
        st.sampled_from([200, 200, 201, 202]),
    )
    as_bytes = st.builds(
        lambda content, content_type: Response(200, {"content-type": content_type}, content, ""),
        st.binary(max_size=64) | st.sampled_from([png_bytes(), wav_bytes(), b"", b"null"]),
        st.sampled_from(
            ["application/json", "image/png", "audio/wav", "video/mp4", "text/html", ""]
        ),
    )
    return as_json | as_json | as_bytes


# -- parse_response ----------------------------------------------------------------------------


def is_output(helper: Helper, value: Any) -> bool:
    output_type = helper.output_type
    return isinstance(output_type, type) and isinstance(value, output_type)


def check_parsed(
    helper: Helper, result: Any, draw: Callable[[st.SearchStrategy[Any]], Any], depth: int
) -> None:
    """``result`` is an output, or a FollowUp whose ``then`` survives fuzzed answers too."""
    event(f"depth {depth}: {type(result).__name__}")
    if not isinstance(result, FollowUp):
        assert is_output(helper, result), (
            f"{helper_id(helper)} returned {type(result).__name__}, not {helper.output_type}"
        )
        return
    assert isinstance(result.request, HTTPRequest)
    assert callable(result.then)
    if depth >= FOLLOW_UP_DEPTH:
        return
    response = draw(bodies_for(helper))
    response = Response(response.status_code, response.headers, response.content, "")
    try:
        following = result.then(response)
    except ALLOWED as exc:
        event(f"depth {depth + 1}: {type(exc).__name__}")
        return
    check_parsed(helper, following, draw, depth + 1)


@pytest.mark.parametrize("helper", HELPERS, ids=helper_id)
@given(data=st.data())
def test_parse_response_takes_any_body(helper: Helper, data: st.DataObject) -> None:
    call: Call = data.draw(st.sampled_from(sample_calls(helper, "direct")), label="call")
    response = data.draw(bodies_for(helper), label="response")
    response = Response(
        response.status_code, response.headers, response.content, f"{call.base_url}/x"
    )
    try:
        result = helper.parse_response(response, call)
    except ALLOWED as exc:
        event(f"depth 0: {type(exc).__name__}")
        return
    check_parsed(helper, result, data.draw, 0)


# -- parse_stream_event --------------------------------------------------------------------------


@cache
def events_for(helper: Helper) -> st.SearchStrategy[SSEEvent]:
    words = vocabulary(type(helper))
    seeds = tuple(json.loads(data) for _, data in representative_stream_events(helper.task))
    as_json = json_values(words)
    if seeds:
        as_json = as_json | mutated(seeds, words) | mutated(seeds, words)
    data = as_json.map(json.dumps) | st.text(max_size=40)
    names = st.sampled_from(["message", "message", "error", "completion", "done", ""])
    return st.builds(lambda d, e: SSEEvent(d, event=e or "message"), data, names)


@pytest.mark.parametrize("helper", STREAMING, ids=helper_id)
@given(data=st.data())
def test_parse_stream_event_takes_any_event(helper: Helper, data: st.DataObject) -> None:
    call = data.draw(st.sampled_from(sample_calls(helper, "direct", stream=True)), label="call")
    sse = data.draw(events_for(helper), label="event")
    try:
        chunk = helper.parse_stream_event(sse, call)
    except ALLOWED as exc:
        event(type(exc).__name__)
        return
    event(type(chunk).__name__)
    assert not isinstance(chunk, FollowUp)


def test_every_installed_helper_is_fuzzed():
    assert len(HELPERS) >= 50  # the first-party plugins are installed in the workspace
    assert STREAMING


# -- malformed URLs in a provider's answer ----------------------------------------------------

BAD_URLS = [
    "not a url",
    "",
    "ftp://files.example/out.png",
    "http://",
    "http://[::1",
    "http://host:port/x",
    "//cdn.example/out.png",
    "data:image/png;base64,AAAA",
]


class _Pointing(Helper):
    """Its answer sends the core to whatever URL it is given."""

    provider = "pointing"
    task = "text-to-image"
    base_url = "https://pointing.example"
    requires_key = False
    routable = False
    needs_model_mapping = False

    def __init__(self, url: str) -> None:
        self.url = url

    def prepare_route(self, call: Call) -> str:
        return "/generate"

    def prepare_payload(self, call: Call) -> Any:
        return {"prompt": call.inputs}

    def parse_response(self, response: Response, call: Call) -> Any:
        return FollowUp(HTTPRequest("GET", self.url, authenticate=False), lambda r: r)


@pytest.mark.parametrize("url", BAD_URLS)
def test_a_malformed_follow_up_url_is_a_response_format_error(url: str) -> None:
    sent: list[str] = []

    def provider(request: httpx2.Request) -> httpx2.Response:
        sent.append(str(request.url))
        return httpx2.Response(200, json={})

    registry = ProviderRegistry()
    registry.add(Registration(_Pointing(url), "test"))
    http = httpx2.Client(transport=httpx2.MockTransport(provider))
    client = InferenceClient(provider="pointing", model="m", registry=registry, http_client=http)
    with client, pytest.raises(ResponseFormatError, match="pointing answered with a follow-up URL"):
        client.text_to_image("a lighthouse")
    assert sent == ["https://pointing.example/generate"]  # the bad URL was never sent


def test_a_url_httpx2_cannot_parse_is_a_transport_error() -> None:
    http = SyncHTTP()
    try:
        with pytest.raises(TransportError, match="InvalidURL"):
            http.send(Send(HTTPRequest("GET", "http://[::1/x"), {}, 1.0, False))
    finally:
        http.close()
