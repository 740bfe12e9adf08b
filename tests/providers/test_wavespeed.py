"""wavespeed end to end, sync and async: image and video generation as polled jobs.

No recording exists: the cassettes are synthetic, written from WaveSpeed's documented
prediction API (see cassettes/wavespeed/PROVENANCE.md).
"""

from __future__ import annotations

import base64
from typing import ClassVar

import pytest

from infermux import AsyncInferenceClient, ImageOutput, InferenceClient, JobProgress, VideoOutput
from infermux.errors import BadRequestError, InvalidInputError, JobError, JobTimeoutError
from infermux.testing.conformance import ProviderConformance
from infermux.testing.samples import Sample, json_response
from tests.conftest import CASSETTES, FAKE_HF_TOKEN

KEY = "fake-wavespeed-key-0123"
ROUTED = "https://router.huggingface.co/wavespeed"
DIRECT = "https://api.wavespeed.ai"
CDN = "https://d1q70pf5vjeyhc.cloudfront.net/predictions"
FLUX = "black-forest-labs/FLUX.1-dev"
KONTEXT = "black-forest-labs/FLUX.1-Kontext-dev"
PROMPT = "A lighthouse at dawn"
#: The 8x8 PNG the image tasks send (the cassettes hold it as a data URL).
INPUT_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAgAAAAICAIAAABLbSncAAAAFElEQVR4nGM8ISfHgA0wYRUdtBIA0MoBFD5jqJkAAAAASUVORK5CYII="
)


@pytest.fixture(autouse=True)
def _no_provider_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WAVESPEED_API_KEY", raising=False)


def routed(sent=None, **kwargs):
    http = {"http_client": sent.client()} if sent is not None else {}
    return InferenceClient(
        provider="wavespeed", api_key=FAKE_HF_TOKEN, poll_interval=0.001, **http, **kwargs
    )


def hub(model: str) -> str:
    return f"https://huggingface.co/api/models/{model}?expand=inferenceProviderMapping"


# --- text-to-image ------------------------------------------------------------------------------


def test_text_to_image_routed(replay, sent):
    progress: list[JobProgress] = []
    client = routed(sent)
    with replay("wavespeed/text_to_image_synthetic.yaml") as tape:
        image = client.text_to_image(
            PROMPT, model=FLUX, width=1024, height=768, seed=42, on_progress=progress.append
        )
    assert isinstance(image, ImageOutput)
    assert image.content_type == "image/png"
    assert image.content[:8] == b"\x89PNG\r\n\x1a\n"
    assert image.to_pil().size == (8, 8)
    assert image.url == f"{CDN}/pred-t2i-0001/1.png"
    assert tape.all_played
    poll = f"{ROUTED}/api/v3/predictions/pred-t2i-0001/result"
    assert sent.urls == [
        hub(FLUX),
        f"{ROUTED}/api/v3/wavespeed-ai/flux-dev",  # width/height were sent as size=1024*768
        poll,  # the router path of data.urls.get
        poll,
        f"{CDN}/pred-t2i-0001/1.png",
    ]
    *to_hf, download = sent.requests
    assert all(r.headers["authorization"] == f"Bearer {FAKE_HF_TOKEN}" for r in to_hf)
    assert "authorization" not in download.headers
    # One progress report per poll, with the status the previous answer gave.
    assert [(p.job_id, p.status, p.polls) for p in progress] == [
        ("pred-t2i-0001", "created", 0),
        ("pred-t2i-0001", "processing", 1),
    ]
    assert all(p.provider == "wavespeed" for p in progress)


def test_text_to_image_direct_sends_the_key_to_wavespeed_only(replay, sent):
    client = InferenceClient(
        provider="wavespeed", api_key=KEY, poll_interval=0.001, http_client=sent.client()
    )
    with replay("wavespeed/text_to_image_direct_synthetic.yaml"):
        image = client.text_to_image(PROMPT, model=FLUX)
    assert image.content[:4] == b"\x89PNG"
    assert sent.urls == [
        hub(FLUX),
        f"{DIRECT}/api/v3/wavespeed-ai/flux-dev",
        f"{DIRECT}/api/v3/predictions/pred-t2i-0002/result",
        f"{CDN}/pred-t2i-0002/1.png",
    ]
    lookup, submit, poll, download = sent.requests
    assert submit.headers["authorization"] == f"Bearer {KEY}"
    assert poll.headers["authorization"] == f"Bearer {KEY}"
    assert "authorization" not in lookup.headers
    assert "authorization" not in download.headers


async def test_async_text_to_image(replay):
    progress: list[JobProgress] = []
    async with AsyncInferenceClient(
        provider="wavespeed", api_key=FAKE_HF_TOKEN, poll_interval=0.001
    ) as client:
        with replay("wavespeed/text_to_image_synthetic.yaml"):
            image = await client.text_to_image(
                PROMPT, model=FLUX, width=1024, height=768, seed=42, on_progress=progress.append
            )
    assert image.content_type == "image/png"
    assert [p.status for p in progress] == ["created", "processing"]


def test_failed_job_raises_job_error_with_the_provider_message(replay):
    with replay("wavespeed/text_to_image_failed_synthetic.yaml"), pytest.raises(JobError) as info:
        routed().text_to_image(PROMPT, model=FLUX)
    assert "prompt flagged by the content safety checker" in str(info.value)
    assert info.value.job_id == "pred-t2i-0003"
    assert info.value.provider == "wavespeed"


async def test_async_failed_job(replay):
    async with AsyncInferenceClient(
        provider="wavespeed", api_key=FAKE_HF_TOKEN, poll_interval=0.001
    ) as client:
        with (
            replay("wavespeed/text_to_image_failed_synthetic.yaml"),
            pytest.raises(JobError, match="content safety checker"),
        ):
            await client.text_to_image(PROMPT, model=FLUX)


def test_never_finishing_job_times_out(replay):
    client = routed(job_timeout=1e-6)
    with (
        replay("wavespeed/text_to_image_timeout_synthetic.yaml"),
        pytest.raises(JobTimeoutError) as info,
    ):
        client.text_to_image(PROMPT, model=FLUX)
    assert info.value.job_id == "pred-t2i-0004"


async def test_async_never_finishing_job_times_out(replay):
    async with AsyncInferenceClient(
        provider="wavespeed", api_key=FAKE_HF_TOKEN, poll_interval=0.001, job_timeout=1e-6
    ) as client:
        with (
            replay("wavespeed/text_to_image_timeout_synthetic.yaml"),
            pytest.raises(JobTimeoutError),
        ):
            await client.text_to_image(PROMPT, model=FLUX)


def test_rejected_submission_is_a_bad_request_error(replay):
    with (
        replay("wavespeed/text_to_image_bad_request_synthetic.yaml"),
        pytest.raises(BadRequestError) as info,
    ):
        routed().text_to_image(PROMPT, model=FLUX, width=64, height=64)
    assert info.value.status_code == 400
    assert info.value.provider_message == "size must be between 512*512 and 1536*1536"


def test_bad_input_is_refused_before_sending(sent):
    # A mapping given in code: no Hub lookup, so nothing at all may be sent.
    client = routed(sent, model_mappings={"wavespeed": {FLUX: "wavespeed-ai/flux-dev"}})
    with pytest.raises(InvalidInputError, match="width and height together"):
        client.text_to_image(PROMPT, model=FLUX, width=512)
    with pytest.raises(InvalidInputError, match="scheduler"):
        client.text_to_image(PROMPT, model=FLUX, scheduler="euler")
    with pytest.raises(InvalidInputError, match="num_frames"):
        client.text_to_video("A cat", model="Wan-AI/Wan2.1-T2V-14B", num_frames=16)
    with pytest.raises(InvalidInputError, match="image"):
        client.image_to_image(b"not an image at all", model=KONTEXT)
    assert sent.requests == []


# --- image-to-image -----------------------------------------------------------------------------


def test_image_to_image(replay, sent):
    with replay("wavespeed/image_to_image_synthetic.yaml"):
        image = routed(sent).image_to_image(
            INPUT_PNG, "Make it blue", model=KONTEXT, guidance_scale=2.5
        )
    assert isinstance(image, ImageOutput)
    assert image.content_type == "image/jpeg"
    assert sent.urls[1] == f"{ROUTED}/api/v3/wavespeed-ai/flux-kontext-dev"
    assert "authorization" not in sent.requests[-1].headers


def test_image_to_image_passes_an_input_url_through(replay, sent):
    # WaveSpeed fetches input URLs itself: the client must not download it first.
    with replay("wavespeed/image_to_image_url_synthetic.yaml"):
        image = routed(sent).image_to_image(
            "https://example.com/images/cat.png", "Make it blue", model=KONTEXT
        )
    assert image.content_type == "image/jpeg"
    assert "https://example.com/images/cat.png" not in sent.urls


async def test_async_image_to_image(replay):
    async with AsyncInferenceClient(
        provider="wavespeed", api_key=FAKE_HF_TOKEN, poll_interval=0.001
    ) as client:
        with replay("wavespeed/image_to_image_synthetic.yaml"):
            image = await client.image_to_image(
                INPUT_PNG, "Make it blue", model=KONTEXT, guidance_scale=2.5
            )
    assert image.content[:3] == b"\xff\xd8\xff"


# --- text-to-video and image-to-video -----------------------------------------------------------


def test_text_to_video(replay, sent):
    progress: list[JobProgress] = []
    with replay("wavespeed/text_to_video_synthetic.yaml"):
        video = routed(sent).text_to_video(
            "A cat surfing a wave",
            model="Wan-AI/Wan2.1-T2V-14B",
            seed=7,
            on_progress=progress.append,
        )
    assert isinstance(video, VideoOutput)
    assert video.content_type == "video/mp4"
    assert video.url == f"{CDN}/pred-t2v-0001/video.mp4"
    assert sent.urls[1] == f"{ROUTED}/api/v3/wavespeed-ai/wan-2.1/t2v-480p"
    assert [p.status for p in progress] == ["created", "processing"]


async def test_async_text_to_video(replay):
    async with AsyncInferenceClient(
        provider="wavespeed", api_key=FAKE_HF_TOKEN, poll_interval=0.001
    ) as client:
        with replay("wavespeed/text_to_video_synthetic.yaml"):
            video = await client.text_to_video(
                "A cat surfing a wave", model="Wan-AI/Wan2.1-T2V-14B", seed=7
            )
    assert video.content[4:8] == b"ftyp"


def test_image_to_video(replay, sent):
    with replay("wavespeed/image_to_video_synthetic.yaml"):
        video = routed(sent).image_to_video(
            INPUT_PNG, "The cat starts dancing", model="Wan-AI/Wan2.1-I2V-14B-480P"
        )
    assert isinstance(video, VideoOutput)
    assert video.content_type == "video/mp4"
    assert sent.urls[1] == f"{ROUTED}/api/v3/wavespeed-ai/wan-2.1/i2v-480p"


async def test_async_image_to_video(replay):
    async with AsyncInferenceClient(
        provider="wavespeed", api_key=FAKE_HF_TOKEN, poll_interval=0.001
    ) as client:
        with replay("wavespeed/image_to_video_synthetic.yaml"):
            video = await client.image_to_video(
                INPUT_PNG, "The cat starts dancing", model="Wan-AI/Wan2.1-I2V-14B-480P"
            )
    assert video.content_type == "video/mp4"


# --- the helper alone ---------------------------------------------------------------------------


def test_lora_adapter_is_sent_as_loras():
    from infermux.helpers.base import Call, ModelMapping
    from infermux_wavespeed import WaveSpeedTextToImage

    mapping = ModelMapping(
        provider_model_id="wavespeed-ai/flux-dev-lora",
        hub_model_id="acme/flux-watercolor-lora",
        adapter="lora",
        adapter_weights_path="watercolor.safetensors",
    )
    call = Call("text-to-image", PROMPT, mapping, "direct", DIRECT)
    helper = WaveSpeedTextToImage()
    assert helper.prepare_url(call) == f"{DIRECT}/api/v3/wavespeed-ai/flux-dev-lora"
    assert helper.prepare_payload(call) == {
        "prompt": PROMPT,
        "loras": [{"path": "acme/flux-watercolor-lora", "scale": 1}],
    }


_SUBMITTED = Sample(
    "wavespeed_submitted",
    json_response(
        {
            "code": 200,
            "message": "success",
            "data": {
                "id": "p1",
                "status": "created",
                "outputs": [],
                "urls": {"get": "https://api.wavespeed.ai/api/v3/predictions/p1/result"},
            },
        }
    ),
)


class TestWaveSpeedConformance(ProviderConformance):
    distribution = "infermux-wavespeed"
    cassette_dir = CASSETTES / "wavespeed"
    sample_responses: ClassVar[dict[str, list[Sample]]] = {
        f"wavespeed/{task}": [_SUBMITTED]
        for task in ("text-to-image", "image-to-image", "text-to-video", "image-to-video")
    }
