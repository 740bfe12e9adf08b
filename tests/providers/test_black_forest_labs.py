"""black-forest-labs end to end, sync and async: the real recorded job (router: submit, four
polls of BFL's own polling URL, download) and synthetic direct jobs."""

from __future__ import annotations

from typing import ClassVar

import pytest

from infermux import AsyncInferenceClient, ImageOutput, InferenceClient
from infermux.errors import BadRequestError, InvalidInputError, JobError
from infermux.testing.conformance import ProviderConformance
from infermux.testing.samples import Sample, json_response
from tests.conftest import CASSETTES, FAKE_HF_TOKEN

FLUX_DEV = "black-forest-labs/FLUX.1-dev"
PROMPT = "An astronaut riding a horse on the moon."
BFL_KEY = "fake-bfl-key-0123456789abcdef012"
JOB = "d11b93f5-4d13-42bb-b26b-95fead3634ac"
POLL = f"https://api.us1.bfl.ai/v1/get_result?id={JOB}"
SAMPLE = (
    "https://delivery-us1.bfl.ai/results/e4c7dfda283a4f94834c42554b972dbe/sample.jpeg"
    "?se=2025-02-14T17%3A11%3A09Z&sp=r&sv=2024-11-04&sr=b&rsct=image/jpeg"
    "&sig=wZxHzj92nrzPG4c1ROSy85CipdjSwx640JNDxF3eDO8%3D"
)
DIRECT_POLL = "https://api.us1.bfl.ai/v1/get_result?id=synthetic-bfl-0001"
DIRECT_ARGS = {"model": "flux-pro-1.1", "width": 1024, "height": 768, "seed": 3}


@pytest.fixture(autouse=True)
def _no_bfl_key(monkeypatch):
    monkeypatch.delenv("BFL_API_KEY", raising=False)


def _routed(sent=None, *, asynchronous=False):
    cls = AsyncInferenceClient if asynchronous else InferenceClient
    http = None if sent is None else sent.async_client() if asynchronous else sent.client()
    return cls(
        provider="black-forest-labs", api_key=FAKE_HF_TOKEN, poll_interval=0.001, http_client=http
    )


def _direct(sent=None, *, asynchronous=False):
    cls = AsyncInferenceClient if asynchronous else InferenceClient
    http = None if sent is None else sent.async_client() if asynchronous else sent.client()
    return cls(provider="black-forest-labs", api_key=BFL_KEY, poll_interval=0.001, http_client=http)


def _no_key(request) -> bool:
    return "authorization" not in request.headers and "x-key" not in request.headers


# -- routed: the real recording ------------------------------------------------------------


def test_text_to_image_routed_job(replay, sent):
    with replay("black-forest-labs/text_to_image.yaml") as tape:
        image = _routed(sent).text_to_image(PROMPT, model=FLUX_DEV)
    assert isinstance(image, ImageOutput)
    assert image.content_type == "image/jpeg"
    assert image.url == SAMPLE
    assert image.provider == "black-forest-labs"
    assert image.to_pil().size == (1024, 768)
    assert tape.all_played
    assert sent.urls == [
        f"https://huggingface.co/api/models/{FLUX_DEV}?expand=inferenceProviderMapping",
        "https://router.huggingface.co/black-forest-labs/v1/flux-dev",
        POLL,
        POLL,
        POLL,
        POLL,
        SAMPLE,
    ]
    hub, submit, *polls, download = sent.requests
    assert hub.headers["authorization"] == f"Bearer {FAKE_HF_TOKEN}"
    assert submit.headers["authorization"] == f"Bearer {FAKE_HF_TOKEN}"
    # The router hands back BFL's own polling URL: the HF token never goes there.
    assert all(_no_key(r) for r in [*polls, download])


def test_routed_job_reports_progress(replay):
    seen = []
    with replay("black-forest-labs/text_to_image.yaml"):
        _routed().text_to_image(PROMPT, model=FLUX_DEV, on_progress=seen.append)
    assert [(p.status, p.polls) for p in seen] == [
        (None, 0),
        ("Pending", 1),
        ("Pending", 2),
        ("Pending", 3),
    ]
    assert {(p.provider, p.job_id) for p in seen} == {("black-forest-labs", JOB)}


async def test_async_text_to_image_routed_job(replay, sent):
    seen = []
    async with _routed(sent, asynchronous=True) as client:
        with replay("black-forest-labs/text_to_image.yaml"):
            image = await client.text_to_image(PROMPT, model=FLUX_DEV, on_progress=seen.append)
    assert image.content[:3] == b"\xff\xd8\xff"
    assert len(seen) == 4
    assert sent.urls.count(POLL) == 4
    assert all(_no_key(r) for r in sent.requests[2:])


# -- direct: synthetic jobs ----------------------------------------------------------------


def test_text_to_image_direct_job_sends_x_key_to_bfl_only(replay, sent):
    with replay("black-forest-labs/text_to_image_direct_synthetic.yaml") as tape:
        image = _direct(sent).text_to_image("A lighthouse at dusk", **DIRECT_ARGS)
    assert image.content_type == "image/jpeg"
    assert image.to_pil().size == (8, 8)
    assert tape.all_played
    submit, *polls, download = sent.requests
    assert str(submit.url) == "https://api.us1.bfl.ai/v1/flux-pro-1.1"
    assert [str(r.url) for r in polls] == [DIRECT_POLL, DIRECT_POLL]
    for request in (submit, *polls):
        assert request.headers["x-key"] == BFL_KEY
        assert "authorization" not in request.headers
    assert _no_key(download)


async def test_async_text_to_image_direct_job(replay, sent):
    async with _direct(sent, asynchronous=True) as client:
        with replay("black-forest-labs/text_to_image_direct_synthetic.yaml"):
            image = await client.text_to_image("A lighthouse at dusk", **DIRECT_ARGS)
    assert image.content[:3] == b"\xff\xd8\xff"
    assert sent.requests[0].headers["x-key"] == BFL_KEY
    assert _no_key(sent.requests[-1])


def test_moderated_job_raises_job_error(replay):
    with (
        replay("black-forest-labs/text_to_image_moderated_synthetic.yaml") as tape,
        pytest.raises(JobError, match="Content Moderated") as info,
    ):
        _direct().text_to_image("A lighthouse at dusk", **DIRECT_ARGS)
    assert "Derivative Works Filter" in str(info.value)
    assert info.value.provider == "black-forest-labs"
    assert info.value.job_id == "synthetic-bfl-0001"
    assert tape.all_played


async def test_async_moderated_job_raises_job_error(replay):
    async with _direct(asynchronous=True) as client:
        with (
            replay("black-forest-labs/text_to_image_moderated_synthetic.yaml"),
            pytest.raises(JobError, match="Content Moderated"),
        ):
            await client.text_to_image("A lighthouse at dusk", **DIRECT_ARGS)


def test_validation_error_is_typed(replay):
    with (
        replay("black-forest-labs/text_to_image_validation_error_synthetic.yaml"),
        pytest.raises(BadRequestError) as info,
    ):
        _direct().text_to_image("A lighthouse at dusk", model="flux-pro-1.1", width=4096)
    assert info.value.status_code == 422
    assert info.value.provider == "black-forest-labs"
    assert "less than or equal to 1440" in info.value.provider_message
    assert BFL_KEY not in str(info.value)


def test_unsupported_parameter_is_refused_before_sending(sent):
    with pytest.raises(InvalidInputError, match="negative_prompt"):
        _direct(sent).text_to_image("A lighthouse", model="flux-dev", negative_prompt="fog")
    assert sent.requests == []


class TestBlackForestLabsConformance(ProviderConformance):
    distribution = "infermux-black-forest-labs"
    cassette_dir = CASSETTES / "black-forest-labs"
    sample_responses: ClassVar[dict[str, list[Sample]]] = {
        "black-forest-labs/text-to-image": [
            Sample(
                "bfl_submitted",
                json_response(
                    {"id": "j-1", "polling_url": "https://api.us1.bfl.ai/v1/get_result?id=j-1"}
                ),
            )
        ]
    }
