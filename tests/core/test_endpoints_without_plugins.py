"""Dedicated endpoints with only ``infermux`` installed: the Hugging Face task API's wire
format is the core's (``infermux.helpers.hf``), so an endpoint URL serves every task with no
plugin registered and ``infermux_hf_inference`` impossible to import. Sync and async
clients against a scripted server on 127.0.0.1."""

from __future__ import annotations

import base64
import json
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from infermux.endpoints import endpoint_helper
from infermux.errors import ResponseFormatError
from infermux.helpers.hf import HF_HELPERS
from infermux.media import AudioOutput, DepthMap
from infermux.registry.loader import LoaderSettings, build_registry
from infermux.registry.store import ProviderRegistry
from infermux.testing.conformance import check_helper
from infermux.testing.samples import mp4_bytes, png_bytes, wav_bytes
from infermux.types import (
    AutomaticSpeechRecognitionOutput,
    TextClassificationOutputElement,
    TextGenerationOutput,
    TextGenerationStreamOutput,
    TokenClassificationOutputElement,
    VideoClassificationOutputElement,
    ZeroShotObjectDetectionBoundingBox,
    ZeroShotObjectDetectionOutputElement,
)
from tests.core.both_clients import collect, invoke, open_client
from tests.core.localserver import LocalServer, Reply, Seen

pytestmark = pytest.mark.block_network(allowed_hosts=[r"127\.0\.0\.1$"])

ENDPOINT_KEY = "endpoint-key-8d1e5b2c7a9f4e60"


@pytest.fixture
def bare_registry(monkeypatch: pytest.MonkeyPatch) -> Iterator[ProviderRegistry]:
    """No plugin at all (an empty allow-list, no config files), and the hf-inference
    plugin's package made unimportable: what a user with only ``infermux`` has."""
    monkeypatch.setitem(sys.modules, "infermux_hf_inference", None)  # import -> ImportError
    registry = build_registry(LoaderSettings(allow=frozenset(), load_config_files=False))
    assert registry.providers() == []
    yield registry
    assert not any(info.status == "loaded" for info in registry.plugins)


def tgi_event(index: int, text: str, final: str | None = None) -> bytes:
    body = {
        "index": index,
        "token": {"id": index, "text": text, "logprob": -0.1, "special": False},
        "generated_text": final,
        "details": {"finish_reason": "length", "generated_tokens": index} if final else None,
    }
    return f"data:{json.dumps(body)}\n\n".encode()


def task_api_server(seen: Seen) -> Reply:
    """An Inference Endpoint / TGI / TEI: answers by route and body, as those servers do."""
    if seen.path.endswith("/generate_stream"):
        return Reply(chunks=[tgi_event(1, "Deep"), tgi_event(2, " learning", "Deep learning")])
    if seen.path.endswith("/generate"):
        return Reply(json={"generated_text": "Deep learning is"})
    if seen.headers.get("content-type", "").startswith("audio/"):
        return Reply(json={"text": "hello world"})
    body = seen.json()
    if seen.path.endswith("/embed") or isinstance(body.get("inputs"), list):
        return Reply(json=[[0.1, 0.2], [0.3, 0.4]])
    if body.get("parameters", {}).get("aggregation_strategy"):
        entity = {"entity_group": "PER", "score": 0.99, "word": "Ada", "start": 0, "end": 3}
        return Reply(json=[entity])
    return Reply(json=[[{"label": "POSITIVE", "score": 0.99}]])


@pytest.fixture
def server(local_server: LocalServer) -> LocalServer:
    local_server.responder = task_api_server
    return local_server


async def test_text_classification_on_a_base_url(kind, server, bare_registry):
    async with open_client(
        kind, base_url=server.url, api_key=ENDPOINT_KEY, registry=bare_registry
    ) as client:
        labels = await invoke(client, "text_classification", "I love this", top_k=1)
    assert labels == [TextClassificationOutputElement(label="POSITIVE", score=0.99)]
    assert labels.response_info.provider == "endpoint"
    (request,) = server.requests
    assert request.path == "/"
    assert request.json() == {"inputs": "I love this", "parameters": {"top_k": 1}}
    assert request.headers["authorization"] == f"Bearer {ENDPOINT_KEY}"


async def test_token_classification_with_model_url(kind, server, bare_registry):
    async with open_client(kind, registry=bare_registry) as client:
        entities = await invoke(
            client,
            "token_classification",
            "Ada wrote it",
            model=f"{server.url}/ner",
            aggregation_strategy="simple",
        )
    assert entities == [
        TokenClassificationOutputElement(entity_group="PER", score=0.99, word="Ada", start=0, end=3)
    ]
    (request,) = server.requests
    assert request.path == "/ner"
    assert "authorization" not in request.headers  # no key given: none sent to this host


@pytest.mark.parametrize("route", ["", "/embed"], ids=["root", "embed"])
async def test_feature_extraction_on_tei(kind, server, bare_registry, route):
    async with open_client(kind, base_url=server.url + route, registry=bare_registry) as client:
        vectors = await invoke(client, "feature_extraction", ["a", "b"], normalize=True)
    assert vectors == [[0.1, 0.2], [0.3, 0.4]]
    (request,) = server.requests
    assert request.path == (route or "/")  # TEI's root route is /embed for an embedder
    assert request.json() == {"inputs": ["a", "b"], "normalize": True}


async def test_text_generation_uses_tgis_generate(kind, server, bare_registry):
    async with open_client(kind, base_url=server.url, registry=bare_registry) as client:
        out = await invoke(client, "text_generation", "Deep", max_new_tokens=5, stop="\n")
    assert out == TextGenerationOutput(generated_text="Deep learning is")
    (request,) = server.requests
    assert request.path == "/generate"
    body = request.json()
    assert body == {
        "inputs": "Deep",
        "parameters": {"max_new_tokens": 5, "stop": ["\n"]},  # TGI takes a list only
        "stream": False,
    }


@pytest.mark.parametrize("suffix", ["", "/generate"], ids=["root", "generate-url"])
async def test_text_generation_streams_from_generate_stream(kind, server, bare_registry, suffix):
    async with open_client(kind, base_url=server.url + suffix, registry=bare_registry) as client:
        stream = await invoke(client, "text_generation", "Deep", max_new_tokens=2, stream=True)
        chunks = await collect(stream)
    assert all(isinstance(chunk, TextGenerationStreamOutput) for chunk in chunks)
    assert [chunk.token.text for chunk in chunks] == ["Deep", " learning"]
    assert chunks[-1].generated_text == "Deep learning"
    (request,) = server.requests
    assert request.path == "/generate_stream"  # a URL ending in /generate is not doubled
    assert request.json()["stream"] is True


async def test_speech_recognition_posts_the_raw_audio(kind, server, bare_registry):
    audio = wav_bytes()
    async with open_client(kind, base_url=server.url, registry=bare_registry) as client:
        out = await invoke(client, "automatic_speech_recognition", audio)
    assert out == AutomaticSpeechRecognitionOutput(text="hello world")
    (request,) = server.requests
    assert request.path == "/"
    assert request.headers["content-type"] == "audio/wav"
    assert request.body == audio


async def test_depth_video_detection_and_audio_generation(kind, local_server, bare_registry):
    """Raw image or clip without parameters, base64 JSON with the labels, the prompt as
    ``inputs``; typed outputs back, and an answer without the depth image is refused."""
    png, clip = png_bytes(), mp4_bytes()
    box = {"xmin": 0, "ymin": 0, "xmax": 1, "ymax": 1}
    local_server.queue(
        Reply(json={"predicted_depth": [[0.5]], "depth": base64.b64encode(png).decode()}),
        Reply(json=[{"label": "juggling", "score": 0.9}]),
        Reply(json=[{"label": "cat", "score": 0.8, "box": box}]),
        Reply(body=wav_bytes(), headers={"content-type": "audio/wav"}),
        Reply(json={"predicted_depth": [[0.5]]}),
    )
    async with open_client(kind, base_url=local_server.url, registry=bare_registry) as client:
        depth = await invoke(client, "depth_estimation", png)
        labels = await invoke(client, "video_classification", clip)
        boxes = await invoke(client, "zero_shot_object_detection", png, ["cat"])
        audio = await invoke(client, "text_to_audio", "rain on a tin roof")
        with pytest.raises(ResponseFormatError, match="without 'depth'"):
            await invoke(client, "depth_estimation", png)
    assert isinstance(depth, DepthMap)
    assert (depth.content, depth.predicted_depth, depth.provider) == (png, [[0.5]], "endpoint")
    assert labels == [VideoClassificationOutputElement(label="juggling", score=0.9)]
    assert boxes == [
        ZeroShotObjectDetectionOutputElement(
            label="cat", score=0.8, box=ZeroShotObjectDetectionBoundingBox(**box)
        )
    ]
    assert isinstance(audio, AudioOutput)
    assert audio.content == wav_bytes()
    first, video, detection, generation, _ = local_server.requests
    assert {r.path for r in local_server.requests} == {"/"}
    assert (first.headers["content-type"], first.body) == ("image/png", png)
    assert (video.headers["content-type"], video.body) == ("video/mp4", clip)
    assert detection.json() == {
        "inputs": base64.b64encode(png).decode(),
        "parameters": {"candidate_labels": ["cat"]},
    }
    assert generation.json() == {"inputs": "rain on a tin roof", "parameters": {}}


def test_every_task_api_helper_passes_the_conformance_kit(monkeypatch):
    """Each task's endpoint helper, built with the plugin unimportable, is a full helper."""
    monkeypatch.setitem(sys.modules, "infermux_hf_inference", None)
    problems: dict[str, list[str]] = {}
    for task in sorted(HF_HELPERS):
        helper = endpoint_helper(task, "https://abc.endpoints.huggingface.cloud")
        bases = type(helper).__mro__[1:-1]  # the endpoint class itself and object aside
        assert all(cls.__module__.startswith("infermux.") for cls in bases), bases
        if found := check_helper(helper):
            problems[task] = found
    assert problems == {}


def test_a_task_with_no_task_api_format_is_refused_by_name():
    from infermux.errors import ConfigurationError

    with pytest.raises(ConfigurationError, match="cannot serve 'image-text-to-text'"):
        endpoint_helper("image-text-to-text", "http://127.0.0.1:9")


def test_hf_inference_reuses_the_core_helpers():
    """One copy of the wire format: the plugin's helpers are the core's, on its routes."""
    from infermux_hf_inference import HELPERS

    by_task: dict[str, Any] = {helper.task: helper for helper in HELPERS}
    for task, core in HF_HELPERS.items():
        if task in by_task:
            assert issubclass(by_task[task], core), task
