"""Acme: the helper without I/O, a call replayed from a cassette, and the
conformance suite of infermux.testing on every helper the installed package registers."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import pytest

from infermux import ImageOutput, InferenceClient
from infermux.errors import JobCancelledError, JobError, ResponseFormatError
from infermux.helpers.base import Call, FollowUp, ModelMapping
from infermux.registry.loader import LoaderSettings, build_registry
from infermux.testing import FakeClock, cassette
from infermux.testing.conformance import ProviderConformance
from infermux.testing.samples import Sample, json_response
from infermux.types import ChatCompletionOutput
from infermux_acme import AcmeChat, AcmeTextToImage

CASSETTES = Path(__file__).resolve().parents[1] / "cassettes"
MESSAGES = [{"role": "user", "content": "Hello!"}]


def test_the_entry_point_registers_the_helpers():
    registry = build_registry(LoaderSettings(load_config_files=False))
    registration = registry.get("acme", "conversational")
    assert registration.distribution == "infermux-acme"
    assert isinstance(registration.helper, AcmeChat)


def test_request_is_built_without_io():
    helper = AcmeChat()
    call = Call(
        task="conversational",
        inputs=MESSAGES,
        model=ModelMapping("acme-chat-small"),
        routing="direct",
        base_url=helper.base_url,
        parameters={"max_tokens": 16},
    )
    request = helper.prepare_request(call)
    assert request.url == "https://api.acme.example/v1/chat/completions"
    assert request.payload == {
        "messages": MESSAGES,
        "model": "acme-chat-small",
        "max_tokens": 16,
        "stream": False,
    }
    assert request.headers == {}  # the core adds the key, and only for this host


def test_chat_completion_replays_the_cassette():
    # Clients are closed: one left open while recording fails under filterwarnings = error.
    with (
        InferenceClient(provider="acme", api_key="test-key-not-real") as client,
        cassette(CASSETTES / "acme" / "chat_completion_synthetic.yaml"),
    ):
        out = client.chat_completion(MESSAGES, model="acme-chat-small", max_tokens=16)
    assert isinstance(out, ChatCompletionOutput)
    assert out.choices[0].message.content == "Hello! How can I help?"
    assert out.response_info.provider == "acme"


class TestAcmeConformance(ProviderConformance):
    distribution = "infermux-acme"
    cassette_dir = CASSETTES / "acme"
    # The OpenAI-compatible tasks have built-in samples; Acme's own wire format does not.
    sample_responses: ClassVar[dict[str, list[Sample]]] = {
        "acme/text-to-image": [
            Sample("acme_job_queued", json_response({"id": "img-1", "status": "queued"})),
            Sample(
                "acme_job_done",
                json_response(
                    {"id": "img-1", "status": "done", "image_url": "https://cdn.acme.example/1.png"}
                ),
            ),
        ]
    }


# -- text-to-image: a job declared with JobStates ---------------------------------------------

FOX = "A red fox in the snow"


def _image_call(helper: AcmeTextToImage, **parameters: object) -> Call:
    return Call(
        "text-to-image", FOX, ModelMapping("acme/flux-small"), "direct", helper.base_url, parameters
    )


def test_image_job_request_renames_parameters_without_io():
    helper = AcmeTextToImage()
    request = helper.prepare_request(_image_call(helper, seed=7, num_inference_steps=4))
    assert request.url == "https://api.acme.example/v2/images"
    # parameter_renames: the spec's num_inference_steps is Acme's steps.
    assert request.payload == {"model": "acme/flux-small", "prompt": FOX, "seed": 7, "steps": 4}
    assert request.creates_job  # sent at most once: a second submission would bill twice


def test_image_job_answers_become_polls_a_download_or_errors():
    helper = AcmeTextToImage()
    call = _image_call(helper)
    poll = helper.parse_response(json_response({"id": "img-1", "status": "queued"}), call)
    assert isinstance(poll, FollowUp)
    assert (poll.poll, poll.job_id, poll.status) == (True, "img-1", "queued")
    assert poll.request.url == "https://api.acme.example/v2/images/img-1"
    assert poll.cancel is not None
    assert poll.cancel.method == "DELETE"  # sent by the core if the caller gives up
    done = {"id": "img-1", "status": "done", "image_url": "https://cdn.acme.example/1.png"}
    download = poll.then(json_response(done))
    assert download.request.authenticate is False  # the key never goes to the CDN
    assert download.job_id == "img-1"
    with pytest.raises(JobError, match=r"img-1 failed \(status 'failed'\): safety filter"):
        poll.then(json_response({"id": "img-1", "status": "failed", "error": "safety filter"}))
    with pytest.raises(JobCancelledError):
        poll.then(json_response({"id": "img-1", "status": "cancelled"}))
    with pytest.raises(ResponseFormatError, match="image_url"):
        poll.then(json_response({"id": "img-1", "status": "done"}))
    with pytest.raises(ResponseFormatError, match="without id"):
        helper.parse_response(json_response({"status": "queued"}), call)


def test_text_to_image_job_replays_the_cassette():
    statuses: list[str | None] = []
    with (
        # A fake clock: the polls' waits (poll_interval) pass at once.
        InferenceClient(provider="acme", api_key="test-key-not-real", clock=FakeClock()) as client,
        cassette(CASSETTES / "acme" / "text_to_image_job_synthetic.yaml") as tape,
    ):
        image = client.text_to_image(
            FOX,
            model="acme/flux-small",
            seed=7,
            num_inference_steps=4,
            on_progress=lambda p: statuses.append(p.status),
        )
    assert isinstance(image, ImageOutput)
    assert image.content.startswith(b"\x89PNG")
    assert image.url == "https://cdn.acme.example/img-0001.png"
    assert statuses == ["queued", "running"]
    assert tape.play_count == 4


def test_feature_extraction_replays_the_cassette():
    with (
        InferenceClient(provider="acme", api_key="test-key-not-real") as client,
        cassette(CASSETTES / "acme" / "feature_extraction_synthetic.yaml"),
    ):
        vectors = client.feature_extraction(
            ["Today is a sunny day.", "It rains."], model="acme-embed-small"
        )
    assert vectors == [[0.5, 0.25, -0.125], [0.25, -0.5, 0.125]]  # ordered by index


def test_auto_picks_acme_for_the_model_it_serves(monkeypatch):
    monkeypatch.setenv("ACME_API_KEY", "test-key-not-real")
    # provider="auto": no Hub lookup is recorded, none is made
    with (
        InferenceClient() as client,
        cassette(CASSETTES / "acme" / "chat_completion_auto_synthetic.yaml") as tape,
    ):
        out = client.chat_completion(MESSAGES, model="acme/acme-large")
    assert out.choices[0].message.content == "Hello from Acme Large."
    assert out.response_info.provider == "acme"
    assert tape.play_count == 1
