"""Bad input to every task method fails with InvalidInputError before any request is sent.

The methods are found by inspection: every public method of ``InferenceClient`` (and its
async twin) is a task method unless listed in ``NOT_TASKS``, so a new task method that
forgets to validate its inputs fails here. Each required input is fed a value of the
wrong type, None, and empty values; binary inputs are also fed unreadable files. A 50 MB
image is read once (never copied pointlessly), and a 10 MB prompt goes through.

``tests/core/test_client_errors.py`` covers parameters, messages and tools in detail.
"""

from __future__ import annotations

import inspect
import io
import tracemalloc
from pathlib import Path
from typing import Any

import httpx2
import pytest

from infermux import AsyncInferenceClient, InferenceClient
from infermux.errors import (
    ConfigurationError,
    InvalidInputError,
    JobMayExistError,
    ServerError,
)
from infermux.testing.samples import mp4_bytes, png_bytes, wav_bytes
from tests.conftest import FAKE_HF_TOKEN
from tests.core.both_clients import invoke
from tests.core.test_client_errors import NothingSent

#: Public methods that are not tasks (their inputs are checked in test_client_errors.py,
#: and batch rows in tests/batch/).
NOT_TASKS = frozenset(
    {
        "batch",
        "close",
        "list_models",
        "list_router_models",
        "model_status",
        "provider_mapping",
        "request",
        "stream_request",
    }
)

#: A valid value for every required parameter of a task method, by name.
VALID: dict[str, Any] = {
    "audio": wav_bytes(),
    "candidate_labels": ["positive", "negative"],
    "context": "Paris is the capital of France.",
    "image": png_bytes(),
    "messages": [{"role": "user", "content": "Hello"}],
    "other_sentences": ["I love cats.", "It rains."],
    "prompt": "An astronaut riding a horse",
    "query": "How many stars?",
    "question": "What is the capital?",
    "sentence": "I like cats.",
    "table": {"Repository": ["transformers"], "Stars": ["36542"]},
    "text": "Today is a sunny day.",
    "video": mp4_bytes(),
}
BINARY = frozenset({"audio", "image", "video"})


def task_methods() -> list[str]:
    names = [
        name
        for name, _ in inspect.getmembers(InferenceClient, inspect.isfunction)
        if not name.startswith("_") and name not in NOT_TASKS
    ]
    assert set(dir(InferenceClient)) >= NOT_TASKS, "NOT_TASKS names a method that is gone"
    return names


def required(method: str) -> list[str]:
    signature = inspect.signature(getattr(InferenceClient, method))
    return [
        p.name
        for p in signature.parameters.values()
        if p.name != "self"
        and p.default is inspect.Parameter.empty
        and p.kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.POSITIONAL_ONLY)
    ]


METHODS = task_methods()
CASES = [(method, name) for method in METHODS for name in required(method)]


def test_every_task_method_is_covered():
    assert len(METHODS) >= 30
    for method in METHODS:
        params = required(method)
        assert params, f"{method} takes no input"
        missing = [p for p in params if p not in VALID]
        assert not missing, f"add a valid value for {method}({', '.join(missing)}) to VALID"
    # The async client has the same task methods.
    assert set(METHODS) <= {n for n, _ in inspect.getmembers(AsyncInferenceClient)}


@pytest.fixture
def client(kind: str, nothing_sent: NothingSent) -> Any:
    """Everything in place (provider, key, model) but the input under test."""
    cls = InferenceClient if kind == "sync" else AsyncInferenceClient
    return cls(
        provider="hf-inference",
        api_key=FAKE_HF_TOKEN,
        model="org/model",
        max_retries=0,
        hub_lookup=False,
        http_client=nothing_sent.client(kind),
    )


@pytest.fixture
def nothing_sent() -> Any:
    guard = NothingSent()
    yield guard
    assert guard.requests == [], [str(r.url) for r in guard.requests]


async def call_with(client: Any, method: str, name: str, value: Any) -> Any:
    arguments = {p: VALID[p] for p in required(method)}
    arguments[name] = value
    return await invoke(client, method, **arguments)


class Opaque:
    """An object no task takes."""


WRONG = {"an object": Opaque(), "None": None, "an int": 12345}
EMPTY = {
    "empty str": "",
    "blank str": "  \n",
    "empty bytes": b"",
    "empty list": [],
    "empty dict": {},
}


@pytest.mark.parametrize(("method", "name"), CASES, ids=[f"{m}-{n}" for m, n in CASES])
@pytest.mark.parametrize("bad", [*WRONG, *EMPTY])
async def test_wrong_and_empty_inputs_fail_before_any_request(client, method, name, bad):
    value = {**WRONG, **EMPTY}[bad]
    with pytest.raises(InvalidInputError) as raised:
        await call_with(client, method, name, value)
    assert name in str(raised.value) or "messages" in str(raised.value), str(raised.value)


@pytest.mark.parametrize(("method", "name"), CASES, ids=[f"{m}-{n}" for m, n in CASES])
async def test_valid_inputs_pass_validation(client, nothing_sent, method, name):
    """The control: with every input valid, the call gets past validation (to the
    recording transport, or to the provider's missing helper for the task)."""
    try:
        await call_with(client, method, name, VALID[name])
    except ServerError:
        assert len(nothing_sent.requests) >= 1  # it was sent: the recording transport's 599
        nothing_sent.requests.clear()
    except JobMayExistError:
        # A generation paid per call: the 599 came after it was sent, so it was sent once
        # (the error's cause, a ServerError, is checked in tests/reliability/test_paid_calls).
        assert len(nothing_sent.requests) == 1
        nothing_sent.requests.clear()
    except ConfigurationError:
        pass  # hf-inference serves no helper for this task; the inputs were fine


BINARY_CASES = [(m, n) for m, n in CASES if n in BINARY]


class ClosedFile(io.BytesIO):
    def read(self, *args: Any) -> bytes:
        raise ValueError("I/O operation on closed file.")


def unreadable(kind: str, tmp_path: Path) -> Any:
    if kind == "missing file":
        return tmp_path / "no-such-file.png"
    if kind == "missing file (str)":
        return str(tmp_path / "no-such-file.png")
    if kind == "directory":
        return tmp_path
    if kind == "I/O error":
        return Path("/proc/self/mem")  # exists, and reading it fails
    if kind == "text-mode file":
        return io.StringIO("not bytes")
    if kind == "closed file":
        handle = io.BytesIO(png_bytes())
        handle.close()
        return handle
    if kind == "failing read":
        return ClosedFile()
    if kind == "not an image":
        return b"plain text, no image at all"
    raise AssertionError(kind)


UNREADABLE = [
    "missing file",
    "missing file (str)",
    "directory",
    "I/O error",
    "text-mode file",
    "closed file",
    "failing read",
]


@pytest.mark.parametrize(
    ("method", "name"), BINARY_CASES, ids=[f"{m}-{n}" for m, n in BINARY_CASES]
)
@pytest.mark.parametrize("kind_of_file", UNREADABLE)
async def test_unreadable_files_fail_before_any_request(
    client, tmp_path, method, name, kind_of_file
):
    with pytest.raises(InvalidInputError) as raised:
        await call_with(client, method, name, unreadable(kind_of_file, tmp_path))
    assert name in str(raised.value)


@pytest.mark.parametrize(
    "method",
    [
        "image_classification",
        "object_detection",
        "image_to_text",
        "zero_shot_object_detection",
        "depth_estimation",
    ],
)
async def test_bytes_that_are_not_an_image_fail_before_any_request(client, method):
    with pytest.raises(InvalidInputError, match="not a supported image"):
        await call_with(client, method, "image", b"plain text, no image at all")


# -- huge inputs -------------------------------------------------------------------------------

HUGE = 50 * 1024 * 1024


class Recorder:
    """A transport that keeps only the size of each body it is sent."""

    def __init__(self) -> None:
        self.sizes: list[int] = []

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        self.sizes.append(len(request.content))
        return httpx2.Response(500, json={"error": "stop here"})


def huge_client(recorder: Recorder) -> InferenceClient:
    return InferenceClient(
        provider="hf-inference",
        api_key=FAKE_HF_TOKEN,
        model="org/model",
        max_retries=0,
        hub_lookup=False,
        http_client=httpx2.Client(transport=httpx2.MockTransport(recorder)),
    )


def peak_during(function: Any) -> int:
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        before, _ = tracemalloc.get_traced_memory()
        function()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak - before


def test_a_50_mb_image_is_read_once_and_never_copied(tmp_path):
    image = png_bytes() + bytes(HUGE - len(png_bytes()))
    path = tmp_path / "huge.png"
    path.write_bytes(image)
    recorder = Recorder()

    def classify(value: Any) -> None:
        with huge_client(recorder) as client, pytest.raises(ServerError):
            client.image_classification(value)

    # Bytes go out as they are: no copy of the 50 MB at all.
    from_bytes = peak_during(lambda: classify(image))
    # A path is read once into memory, then sent as it is.
    from_path = peak_during(lambda: classify(path))
    assert recorder.sizes == [HUGE, HUGE]
    assert from_bytes < 0.1 * HUGE, from_bytes
    assert from_path < 1.2 * HUGE, from_path


def test_a_10_mb_prompt_goes_through():
    prompt = "All work and no play makes Jack a dull boy. " * (10 * 1024 * 1024 // 44 + 1)
    recorder = Recorder()
    with huge_client(recorder) as client, pytest.raises(ServerError, match="stop here"):
        client.text_generation(prompt)
    assert recorder.sizes
    assert recorder.sizes[0] >= len(prompt)
