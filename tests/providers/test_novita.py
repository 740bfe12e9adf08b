"""novita end to end, sync and async: real recorded traffic (router) for chat, synthetic
cassettes for completions and the text-to-video job (success, progress, failure)."""

from __future__ import annotations

import json
from typing import ClassVar

import pytest

from infermux import AsyncInferenceClient, InferenceClient, VideoOutput
from infermux.errors import InvalidInputError, JobError
from infermux.helpers.base import Call, FollowUp, ModelMapping, Response
from infermux.testing.conformance import ProviderConformance
from infermux.testing.samples import Sample, json_response
from infermux.types import ChatCompletionOutput, ChatCompletionStreamOutput, TextGenerationOutput
from infermux_novita import NovitaTextToVideo
from tests.conftest import CASSETTES, FAKE_HF_TOKEN

MESSAGES = [
    {"role": "system", "content": "You are a helpful assistant."},
    {"role": "user", "content": "What is deep learning?"},
]
LLAMA = "meta-llama/Llama-3.1-8B-Instruct"
NOVITA_KEY = "fake-novita-key-0123456789abcdef"
ROUTER = "https://router.huggingface.co/novita"
HUB_LOOKUP = f"https://huggingface.co/api/models/{LLAMA}?expand=inferenceProviderMapping"
VIDEO_PROMPT = "A red fox running through snow"
VIDEO_ARGS = {
    "model": "wan-t2v",
    "negative_prompt": "blurry",
    "num_inference_steps": 30,
    "seed": 42,
}
POLL = "https://api.novita.ai/v3/async/task-result?task_id=synthetic-task-0001"
VIDEO_URL = (
    "https://faas-output-video.s3.ap-southeast-1.amazonaws.com/synthetic/output.mp4"
    "?X-Amz-Expires=3600"
)


@pytest.fixture(autouse=True)
def _no_novita_key(monkeypatch):
    monkeypatch.delenv("NOVITA_API_KEY", raising=False)


def _text(chunks):
    return "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)


def _job_client(sent=None, *, asynchronous=False):
    cls = AsyncInferenceClient if asynchronous else InferenceClient
    http = None if sent is None else sent.async_client() if asynchronous else sent.client()
    return cls(provider="novita", api_key=NOVITA_KEY, poll_interval=0.001, http_client=http)


# -- chat -----------------------------------------------------------------------------


def test_chat_completion_routed(replay, sent):
    client = InferenceClient(provider="novita", api_key=FAKE_HF_TOKEN, http_client=sent.client())
    with replay("novita/chat_completion.yaml"):
        out = client.chat_completion(MESSAGES, model=LLAMA)
    assert isinstance(out, ChatCompletionOutput)
    assert out.choices[0].message.content.startswith(
        "Deep learning is a subset of machine learning that involves the use of artificial"
    )
    assert out.model == "meta-llama/llama-3.1-8b-instruct"
    assert out.usage.total_tokens == 630
    assert sent.urls == [HUB_LOOKUP, f"{ROUTER}/v3/openai/chat/completions"]
    assert all(r.headers["authorization"] == f"Bearer {FAKE_HF_TOKEN}" for r in sent.requests)


def test_chat_completion_stream_routed(replay):
    client = InferenceClient(provider="novita", api_key=FAKE_HF_TOKEN)
    with replay("novita/chat_completion_stream.yaml"):
        chunks = list(client.chat_completion(MESSAGES, model=LLAMA, max_tokens=20, stream=True))
    assert all(isinstance(c, ChatCompletionStreamOutput) for c in chunks)
    assert _text(chunks) == (
        "Deep learning is a subfield of machine learning that focuses on the development of "
        "artificial neural networks with multiple"
    )
    assert chunks[-1].usage.total_tokens == 66


async def test_async_chat_completion_routed(replay):
    async with AsyncInferenceClient(provider="novita", api_key=FAKE_HF_TOKEN) as client:
        with replay("novita/chat_completion.yaml"):
            out = await client.chat_completion(MESSAGES, model=LLAMA)
    assert out.usage.total_tokens == 630


async def test_async_chat_completion_stream_routed(replay):
    async with AsyncInferenceClient(provider="novita", api_key=FAKE_HF_TOKEN) as client:
        with replay("novita/chat_completion_stream.yaml"):
            stream = await client.chat_completion(MESSAGES, model=LLAMA, max_tokens=20, stream=True)
            chunks = [chunk async for chunk in stream]
    assert _text(chunks).endswith("with multiple")


# -- text-generation (completions) ------------------------------------------------------


def test_text_generation_routed(replay, sent):
    client = InferenceClient(provider="novita", api_key=FAKE_HF_TOKEN, http_client=sent.client())
    with replay("novita/text_generation_synthetic.yaml"):
        out = client.text_generation("The capital of France is", model=LLAMA, max_new_tokens=8)
    assert isinstance(out, TextGenerationOutput)
    assert out.generated_text == " Paris. It is"
    assert sent.urls == [HUB_LOOKUP, f"{ROUTER}/v3/openai/completions"]


async def test_async_text_generation_routed(replay):
    async with AsyncInferenceClient(provider="novita", api_key=FAKE_HF_TOKEN) as client:
        with replay("novita/text_generation_synthetic.yaml"):
            out = await client.text_generation(
                "The capital of France is", model=LLAMA, max_new_tokens=8
            )
    assert out.generated_text == " Paris. It is"


# -- text-to-video (asynchronous job) --------------------------------------------------------


def test_text_to_video_job_direct(replay, sent):
    client = _job_client(sent)
    with replay("novita/text_to_video_synthetic.yaml") as tape:
        video = client.text_to_video(VIDEO_PROMPT, **VIDEO_ARGS)
    assert isinstance(video, VideoOutput)
    assert video.content_type == "video/mp4"
    assert video.url == VIDEO_URL
    assert video.provider == "novita"
    assert tape.all_played
    assert sent.urls == [
        "https://api.novita.ai/v3/async/wan-t2v",
        POLL,
        POLL,
        POLL,
        VIDEO_URL,
    ]
    assert json.loads(sent.requests[0].content) == {
        "prompt": VIDEO_PROMPT,
        "negative_prompt": "blurry",
        "steps": 30,
        "seed": 42,
    }
    # The key goes to Novita's host (submission and polls), never to the video download.
    for request in sent.requests[:4]:
        assert request.headers["authorization"] == f"Bearer {NOVITA_KEY}"
    assert "authorization" not in sent.requests[4].headers


def test_text_to_video_reports_progress(replay):
    seen = []
    client = _job_client()
    with replay("novita/text_to_video_synthetic.yaml"):
        client.text_to_video(VIDEO_PROMPT, on_progress=seen.append, **VIDEO_ARGS)
    assert [(p.status, p.polls) for p in seen] == [
        (None, 0),
        ("TASK_STATUS_QUEUED", 1),
        ("TASK_STATUS_PROCESSING", 2),
    ]
    assert {p.job_id for p in seen} == {"synthetic-task-0001"}
    assert {p.provider for p in seen} == {"novita"}


def test_failed_text_to_video_job_raises_job_error(replay):
    client = _job_client()
    with (
        replay("novita/text_to_video_failed_synthetic.yaml") as tape,
        pytest.raises(JobError, match="content safety checker") as info,
    ):
        client.text_to_video(VIDEO_PROMPT, **VIDEO_ARGS)
    assert info.value.provider == "novita"
    assert info.value.job_id == "synthetic-task-0001"
    assert tape.all_played


async def test_async_text_to_video_job_direct(replay, sent):
    seen = []
    async with _job_client(sent, asynchronous=True) as client:
        with replay("novita/text_to_video_synthetic.yaml"):
            video = await client.text_to_video(VIDEO_PROMPT, on_progress=seen.append, **VIDEO_ARGS)
    assert video.content[4:8] == b"ftyp"
    assert len(seen) == 3
    assert sent.urls[-1] == VIDEO_URL
    assert "authorization" not in sent.requests[-1].headers


async def test_async_failed_text_to_video_job(replay):
    async with _job_client(asynchronous=True) as client:
        with (
            replay("novita/text_to_video_failed_synthetic.yaml"),
            pytest.raises(JobError, match="content safety"),
        ):
            await client.text_to_video(VIDEO_PROMPT, **VIDEO_ARGS)


def test_text_to_video_routed_polls_through_the_router():
    call = Call(
        task="text-to-video",
        inputs=VIDEO_PROMPT,
        model=ModelMapping("wan-t2v", "Wan-AI/Wan2.1-T2V-14B"),
        routing="router",
        base_url=ROUTER,
    )
    helper = NovitaTextToVideo()
    assert helper.prepare_request(call).url == f"{ROUTER}/v3/async/wan-t2v"
    created = Response(200, {"content-type": "application/json"}, b'{"task_id": "t-1"}', "")
    step = helper.parse_response(created, call)
    assert isinstance(step, FollowUp)
    assert step.poll
    assert step.request.url == f"{ROUTER}/v3/async/task-result?task_id=t-1"
    assert step.request.authenticate  # the HF token, to the router only


def test_text_to_video_unsupported_parameter_is_refused_before_sending(sent):
    client = _job_client(sent)
    with pytest.raises(InvalidInputError, match="num_frames"):
        client.text_to_video(VIDEO_PROMPT, model="wan-t2v", num_frames=81)
    assert sent.requests == []


class TestNovitaConformance(ProviderConformance):
    distribution = "infermux-novita"
    cassette_dir = CASSETTES / "novita"
    sample_responses: ClassVar[dict[str, list[Sample]]] = {
        "novita/text-to-video": [Sample("novita_task", json_response({"task_id": "t-1"}))]
    }
