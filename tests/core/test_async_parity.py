"""The async client is the sync client's twin: same methods, same parameters, awaited.

``async_client.py`` is generated from ``sync_client.py``; these tests hold the generated
file to that promise and catch a hand edit or a stale regeneration.
"""

from __future__ import annotations

import inspect
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from infermux import AsyncInferenceClient, AsyncStream, InferenceClient, Stream
from infermux.client._chat_alias import AsyncChat, Chat
from infermux.tasks import KNOWN_TASKS

ROOT = Path(__file__).resolve().parents[2]

#: Sync name -> async name, where the async spelling differs (httpx's convention).
RENAMED = {"close": "aclose", "__enter__": "__aenter__", "__exit__": "__aexit__"}
#: How annotations legitimately differ between the twins.
ANNOTATION_SWAPS = [
    (r"\bAsyncStream\b", "Stream"),
    (r"\bhttpx2\.AsyncClient\b", "httpx2.Client"),
    (r"\bAsyncInferenceClient\b", "InferenceClient"),
    (r"\bAsyncIterator\b", "Iterator"),
    (r"\bAsyncParsedChatStream\b", "ParsedChatStream"),
    (r"\bAsyncParsedResponseStream\b", "ParsedResponseStream"),
    (r"\bAsyncBatchResults\b", "BatchResults"),
]


def public_names(cls: type) -> set[str]:
    return {name for name in dir(cls) if not name.startswith("_")}


def sync_methods() -> list[str]:
    return sorted(
        name
        for name in public_names(InferenceClient)
        if inspect.isfunction(getattr(InferenceClient, name))
    )


def normalise(annotation: Any) -> Any:
    if not isinstance(annotation, str):
        return annotation
    for pattern, replacement in ANNOTATION_SWAPS:
        annotation = re.sub(pattern, replacement, annotation)
    return annotation


def shape(function: Any) -> list[tuple[str, Any, Any, Any]]:
    return [
        (p.name, p.kind, p.default, normalise(p.annotation))
        for p in inspect.signature(function).parameters.values()
    ]


def test_same_public_names():
    sync = {RENAMED.get(name, name) for name in public_names(InferenceClient)}
    assert sync == public_names(AsyncInferenceClient)


def test_the_client_has_methods_named_after_tasks():
    methods = set(sync_methods())
    for task in ("chat_completion", "text_generation", "feature_extraction", "text_to_image"):
        assert task in methods
    # Every method named after a known task (hyphens to underscores) exists in both.
    task_methods = {t.replace("-", "_") for t in KNOWN_TASKS} & methods
    assert len(task_methods) >= 20


@pytest.mark.parametrize("name", sync_methods())
def test_same_parameters(name):
    twin = RENAMED.get(name, name)
    assert shape(getattr(InferenceClient, name)) == shape(getattr(AsyncInferenceClient, twin))


@pytest.mark.parametrize("name", sync_methods())
def test_same_return_annotation_modulo_async_types(name):
    twin = RENAMED.get(name, name)
    sync_return = inspect.signature(getattr(InferenceClient, name)).return_annotation
    async_return = inspect.signature(getattr(AsyncInferenceClient, twin)).return_annotation
    assert normalise(sync_return) == normalise(async_return)


@pytest.mark.parametrize("name", sync_methods())
def test_async_twin_is_a_coroutine_function(name):
    sync = getattr(InferenceClient, name)
    twin = getattr(AsyncInferenceClient, RENAMED.get(name, name))
    assert not inspect.iscoroutinefunction(sync)
    assert inspect.iscoroutinefunction(twin), f"AsyncInferenceClient.{name} must be async def"


@pytest.mark.parametrize("name", sync_methods())
def test_every_public_method_is_documented_in_both(name):
    assert inspect.getdoc(getattr(InferenceClient, name))
    assert inspect.getdoc(getattr(AsyncInferenceClient, RENAMED.get(name, name)))


def test_constructors_match():
    assert shape(InferenceClient.__init__) == shape(AsyncInferenceClient.__init__)


def test_context_managers():
    assert hasattr(InferenceClient, "__enter__")
    assert hasattr(InferenceClient, "__exit__")
    assert inspect.iscoroutinefunction(AsyncInferenceClient.__aenter__)
    assert inspect.iscoroutinefunction(AsyncInferenceClient.__aexit__)
    assert not hasattr(AsyncInferenceClient, "__enter__")


def test_properties_match():
    for name in public_names(InferenceClient):
        if isinstance(getattr(InferenceClient, name), property):
            assert isinstance(getattr(AsyncInferenceClient, name), property), name


def test_openai_style_alias():
    sync_completions = type(Chat(object()).completions)
    async_completions = type(AsyncChat(object()).completions)
    assert shape(sync_completions.create) == shape(async_completions.create)
    assert not inspect.iscoroutinefunction(sync_completions.create)
    assert inspect.iscoroutinefunction(async_completions.create)


def test_streams_are_twins():
    sync = {RENAMED.get(n, n) for n in public_names(Stream)}
    assert sync == public_names(AsyncStream)
    for name in public_names(Stream):
        twin = RENAMED.get(name, name)
        assert shape(getattr(Stream, name)) == shape(getattr(AsyncStream, twin))
        assert inspect.iscoroutinefunction(getattr(AsyncStream, twin)), name
    assert hasattr(Stream, "__iter__")
    assert hasattr(AsyncStream, "__aiter__")
    assert inspect.iscoroutinefunction(AsyncStream.__anext__)
    assert inspect.iscoroutinefunction(AsyncStream.__aenter__)


def test_generated_async_client_is_up_to_date():
    result = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, str(ROOT / "scripts" / "generate_async_client.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
