"""fal-ai end to end, sync and async: real recordings (routed) and synthetic cassettes.

Recorded (huggingface_hub's test suite, through the router): text_to_image.yaml and
automatic_speech_recognition.yaml. Everything else is synthetic (see PROVENANCE.md): the
queue API direct and routed, a failed job, a cancelled job, and a direct call with fal's
``Authorization: Key`` scheme.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any, ClassVar

import pytest
import yaml

from infermux import (
    AsyncInferenceClient,
    AudioOutput,
    CancelToken,
    ImageOutput,
    InferenceClient,
    VideoOutput,
)
from infermux.errors import (
    BadRequestError,
    InvalidInputError,
    JobCancelledError,
    JobError,
    ResponseFormatError,
)
from infermux.helpers.base import Call, FollowUp, ModelMapping, Response
from infermux.inputs import BinaryInput
from infermux.testing.conformance import ProviderConformance
from infermux.testing.samples import Sample, json_response, png_bytes, wav_bytes
from infermux.types import AutomaticSpeechRecognitionOutput, ImageSegmentationOutputElement
from tests.conftest import CASSETTES, FAKE_HF_TOKEN

FAKE_FAL_KEY = "fal-fake-key-id:fake-secret-0123456789"
PROMPT = "An astronaut riding a horse on the moon."
VIDEO_PROMPT = "A young man walking on the street"
MODES = pytest.mark.parametrize("mode", ["sync", "async"])


@pytest.fixture(autouse=True)
def _no_fal_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FAL_KEY", raising=False)


async def run(mode: str, sent: Any, method: str, *args: Any, client: dict[str, Any], **kwargs: Any):
    """Call ``method`` on a sync or an async client built with ``client`` options."""
    if mode == "sync":
        with InferenceClient(provider="fal-ai", http_client=sent.client(), **client) as sync:
            return getattr(sync, method)(*args, **kwargs)
    async with AsyncInferenceClient(
        provider="fal-ai", http_client=sent.async_client(), **client
    ) as async_client:
        return await getattr(async_client, method)(*args, **kwargs)


ROUTED = {"api_key": FAKE_HF_TOKEN}
# Direct calls name fal's own model ids, which the Hub does not know: no lookup.
DIRECT = {"api_key": FAKE_FAL_KEY, "poll_interval": 0.001, "hub_lookup": False}


def auth_of(sent: Any) -> list[str | None]:
    return [r.headers.get("authorization") for r in sent.requests]


def recorded_audio() -> bytes:
    """The FLAC clip the recording sent (labelled audio/mpeg by huggingface_hub)."""
    data = yaml.safe_load((CASSETTES / "fal-ai/automatic_speech_recognition.yaml").read_text())
    body = json.loads(data["interactions"][1]["request"]["body"])
    return base64.b64decode(body["audio_url"].split(",", 1)[1])


# -- text-to-image -------------------------------------------------------------------------


@MODES
async def test_text_to_image_routed_recording(mode, replay, sent, tmp_path: Path):
    with replay("fal-ai/text_to_image.yaml") as tape:
        image = await run(
            mode, sent, "text_to_image", PROMPT, model="black-forest-labs/FLUX.1-dev", client=ROUTED
        )
    assert isinstance(image, ImageOutput)
    # fal's JSON says image/jpeg; the bytes are a PNG, and the bytes win.
    assert image.content_type == "image/png"
    assert image.content.startswith(b"\x89PNG")
    assert image.url == "https://v3.fal.media/files/koala/7EQDw9PT6pMiX2fm7bYOC.png"
    assert image.provider == "fal-ai"
    assert image.to_pil().size == (1024, 768)
    assert tape.play_count == 3
    assert sent.urls == [
        "https://huggingface.co/api/models/black-forest-labs/FLUX.1-dev?expand=inferenceProviderMapping",
        "https://router.huggingface.co/fal-ai/fal-ai/flux/dev",
        "https://v3.fal.media/files/koala/7EQDw9PT6pMiX2fm7bYOC.png",
    ]
    bearer = f"Bearer {FAKE_HF_TOKEN}"
    assert auth_of(sent) == [bearer, bearer, None]  # never a key to the media host


@MODES
async def test_text_to_image_direct_uses_key_scheme(mode, replay, sent):
    with replay("fal-ai/text_to_image_direct_synthetic.yaml"):
        image = await run(
            mode,
            sent,
            "text_to_image",
            PROMPT,
            model="fal-ai/flux/dev",
            width=512,
            height=512,
            num_inference_steps=4,
            seed=42,
            client=DIRECT,
        )
    assert isinstance(image, ImageOutput)
    assert image.content_type == "image/png"
    assert sent.urls == [
        "https://fal.run/fal-ai/flux/dev",
        "https://v3.fal.media/files/synthetic/astronaut.png",
    ]
    assert auth_of(sent) == [f"Key {FAKE_FAL_KEY}", None]


async def test_text_to_image_lora_sends_adapter_weights(replay, sent):
    with replay("fal-ai/text_to_image_lora_synthetic.yaml"):
        image = await run(
            "sync",
            sent,
            "text_to_image",
            PROMPT,
            model="openfree/flux-chatgpt-ghibli-lora",
            client=ROUTED,
        )
    assert image.content_type == "image/png"
    body = json.loads(sent.requests[1].content)
    assert body["loras"] == [
        {
            "path": "https://huggingface.co/openfree/flux-chatgpt-ghibli-lora/resolve/main/"
            "flux-chatgpt-ghibli-lora.safetensors",
            "scale": 1,
        }
    ]
    assert sent.urls[1] == "https://router.huggingface.co/fal-ai/fal-ai/flux-lora"


def test_bad_input_is_refused_before_sending(sent):
    client = InferenceClient(provider="fal-ai", http_client=sent.client(), **DIRECT)
    with pytest.raises(InvalidInputError, match="scheduler"):
        client.text_to_image(PROMPT, model="fal-ai/flux/dev", scheduler="DDIM")
    with pytest.raises(InvalidInputError, match="both width and height"):
        client.text_to_image(PROMPT, model="fal-ai/flux/dev", width=512)
    with pytest.raises(InvalidInputError, match="not a supported image"):
        client.image_to_image(b"definitely not an image", model="fal-ai/flux/dev/image-to-image")
    assert sent.requests == []


# -- the queue: image-to-image, text-to-video, image-to-video, segmentation -----------------


@MODES
async def test_image_to_image_queue_direct(mode, replay, sent):
    with replay("fal-ai/image_to_image_synthetic.yaml"):
        image = await run(
            mode,
            sent,
            "image_to_image",
            png_bytes(),
            "Turn the cat into a tiger.",
            model="fal-ai/flux/dev/image-to-image",
            seed=7,
            client=DIRECT,
        )
    assert isinstance(image, ImageOutput)
    assert image.content == png_bytes()
    request_id = "0f6c3f2a-1111-4000-8000-000000000002"
    # Status and result URLs come from fal's answer: the app without the /dev sub-path.
    assert sent.urls == [
        "https://queue.fal.run/fal-ai/flux/dev/image-to-image",
        f"https://queue.fal.run/fal-ai/flux/requests/{request_id}/status",
        f"https://queue.fal.run/fal-ai/flux/requests/{request_id}",
        "https://v3.fal.media/files/synthetic/tiger.png",
    ]
    key = f"Key {FAKE_FAL_KEY}"
    assert auth_of(sent) == [key, key, key, None]  # the key reaches the queue host too


@MODES
async def test_text_to_video_polls_until_completed(mode, replay, sent):
    statuses: list[str | None] = []
    with replay("fal-ai/text_to_video_synthetic.yaml") as tape:
        video = await run(
            mode,
            sent,
            "text_to_video",
            VIDEO_PROMPT,
            model="fal-ai/kling-video/v1/standard/text-to-video",
            seed=1,
            on_progress=lambda p: statuses.append(p.status),
            client=DIRECT,
        )
    assert isinstance(video, VideoOutput)
    assert video.content_type == "video/mp4"
    assert video.url == "https://v3.fal.media/files/synthetic/output.mp4"
    assert tape.play_count == 6
    assert statuses == ["IN_QUEUE (position 2)", "IN_QUEUE (position 0)", "IN_PROGRESS"]
    status_url = (
        "https://queue.fal.run/fal-ai/kling-video/requests/7d2e9c1b-2222-4000-8000-000000000003"
    )
    assert sent.urls[1:4] == [f"{status_url}/status"] * 3


@MODES
async def test_text_to_video_routed_rewrites_queue_urls(mode, replay, sent):
    with replay("fal-ai/text_to_video_routed_synthetic.yaml"):
        video = await run(
            mode,
            sent,
            "text_to_video",
            VIDEO_PROMPT,
            model="Lightricks/LTX-Video",
            client={**ROUTED, "poll_interval": 0.001},
        )
    assert video.content_type == "video/mp4"
    job = "https://router.huggingface.co/fal-ai/fal-ai/ltx-video/requests/3a8b4c5d-3333-4000-8000-000000000004"
    assert sent.urls == [
        "https://huggingface.co/api/models/Lightricks/LTX-Video?expand=inferenceProviderMapping",
        "https://router.huggingface.co/fal-ai/fal-ai/ltx-video?_subdomain=queue",
        f"{job}/status?_subdomain=queue",
        f"{job}/status?_subdomain=queue",
        f"{job}?_subdomain=queue",
        "https://v3.fal.media/files/synthetic/output.mp4",
    ]
    # The HF token only ever goes to Hugging Face hosts; queue.fal.run is never contacted.
    bearer = f"Bearer {FAKE_HF_TOKEN}"
    assert auth_of(sent) == [bearer] * 5 + [None]


@MODES
async def test_failed_job_raises_job_error(mode, replay, sent):
    with replay("fal-ai/text_to_video_failed_synthetic.yaml"), pytest.raises(JobError) as info:
        await run(
            mode, sent, "text_to_video", VIDEO_PROMPT, model="fal-ai/ltx-video", client=DIRECT
        )
    assert "Runner disconnected while processing the request" in str(info.value)
    assert info.value.job_id == "9e1d2c3b-4444-4000-8000-000000000005"
    assert info.value.provider == "fal-ai"


async def test_result_error_body_fails_the_job_with_the_http_error_attached(replay, sent):
    with (
        replay("fal-ai/text_to_video_result_error_synthetic.yaml"),
        pytest.raises(JobError, match="fetching its result failed") as info,
    ):
        await run(
            "sync",
            sent,
            "text_to_video",
            VIDEO_PROMPT,
            model="fal-ai/ltx-video",
            num_frames=1000,
            client=DIRECT,
        )
    cause = info.value.__cause__
    assert isinstance(cause, BadRequestError)
    assert cause.status_code == 422
    assert cause.provider_message == "num_frames: Input should be less than or equal to 257"
    assert "num_frames: Input should be less than or equal to 257" in str(info.value)


@MODES
async def test_cancel_from_progress_callback(mode, replay, sent):
    token = CancelToken()
    seen: list[str | None] = []

    def on_progress(progress: Any) -> None:
        seen.append(progress.status)
        token.cancel()

    with (
        replay("fal-ai/text_to_video_cancel_synthetic.yaml") as tape,
        pytest.raises(JobCancelledError),
    ):
        await run(
            mode,
            sent,
            "text_to_video",
            VIDEO_PROMPT,
            model="fal-ai/ltx-video",
            on_progress=on_progress,
            cancel=token,
            client=DIRECT,
        )
    assert seen == ["IN_QUEUE (position 5)"]
    assert tape.play_count == 2
    cancel = sent.requests[-1]
    assert cancel.method == "PUT"
    assert str(cancel.url).endswith("/requests/a1b2c3d4-6666-4000-8000-000000000007/cancel")
    assert cancel.headers["authorization"] == f"Key {FAKE_FAL_KEY}"


@MODES
async def test_image_to_video(mode, replay, sent):
    with replay("fal-ai/image_to_video_synthetic.yaml"):
        video = await run(
            mode,
            sent,
            "image_to_video",
            png_bytes(),
            "The cat starts to dance",
            model="fal-ai/wan-i2v",
            client=DIRECT,
        )
    assert isinstance(video, VideoOutput)
    assert video.content[4:8] == b"ftyp"
    assert sent.urls[0] == "https://queue.fal.run/fal-ai/wan-i2v"


@MODES
async def test_image_segmentation_inline_mask(mode, replay, sent):
    with replay("fal-ai/image_segmentation_synthetic.yaml") as tape:
        segments = await run(
            mode, sent, "image_segmentation", png_bytes(), model="fal-ai/birefnet/v2", client=DIRECT
        )
    assert all(isinstance(s, ImageSegmentationOutputElement) for s in segments)
    assert [(s.label, s.score) for s in segments] == [("mask", 1.0)]
    assert base64.b64decode(segments[0].mask) == png_bytes()
    assert tape.play_count == 3  # sync_mode: no mask download


# -- speech --------------------------------------------------------------------------------


@MODES
async def test_automatic_speech_recognition_routed_recording(mode, replay, sent):
    # Reproduce the recorded body exactly: huggingface_hub labelled the FLAC clip audio/mpeg.
    audio = BinaryInput(recorded_audio(), "audio/mpeg")
    with replay("fal-ai/automatic_speech_recognition.yaml"):
        out = await run(
            mode,
            sent,
            "automatic_speech_recognition",
            audio,
            model="openai/whisper-large-v3",
            client=ROUTED,
        )
    assert isinstance(out, AutomaticSpeechRecognitionOutput)
    assert out.text == " A man said to the universe, Sir, I exist."
    assert out.chunks is not None
    assert out.chunks[0].timestamp == [0.0, 4.08]
    assert sent.urls[1] == "https://router.huggingface.co/fal-ai/fal-ai/whisper"


@MODES
async def test_automatic_speech_recognition_direct(mode, replay, sent):
    with replay("fal-ai/automatic_speech_recognition_direct_synthetic.yaml"):
        out = await run(
            mode,
            sent,
            "automatic_speech_recognition",
            wav_bytes(),
            model="fal-ai/whisper",
            client=DIRECT,
        )
    assert out.text == " Hello world."
    body = json.loads(sent.requests[0].content)
    assert body["audio_url"].startswith("data:audio/wav;base64,")  # the type is sniffed
    assert auth_of(sent) == [f"Key {FAKE_FAL_KEY}"]


@MODES
async def test_text_to_speech(mode, replay, sent):
    with replay("fal-ai/text_to_speech_synthetic.yaml"):
        audio = await run(
            mode,
            sent,
            "text_to_speech",
            "Hello world",
            model="fal-ai/kokoro/american-english",
            client=DIRECT,
        )
    assert isinstance(audio, AudioOutput)
    assert audio.content_type == "audio/wav"
    assert audio.content == wav_bytes()
    assert auth_of(sent) == [f"Key {FAKE_FAL_KEY}", None]


# -- the helpers alone ---------------------------------------------------------------------


def _call(task: str, routing: str = "direct", inputs: Any = PROMPT) -> Call:
    base = "https://fal.run" if routing == "direct" else "https://router.huggingface.co/fal-ai"
    return Call(task, inputs, ModelMapping("fal-ai/ltx-video"), routing, base)  # type: ignore[arg-type]


def _helper(task: str) -> Any:
    from infermux.registry.loader import get_registry

    return get_registry().get("fal-ai", task).helper


@pytest.mark.parametrize(
    "body",
    [b"{}", b"[]", b"null", b'{"request_id": "x"}', b'{"images": []}', b"<html></html>"],
)
def test_bad_bodies_are_response_format_errors(body: bytes):
    response = Response(200, {"content-type": "application/json"}, body, "https://fal.run/x")
    for task in ("text-to-image", "text-to-video", "text-to-speech"):
        with pytest.raises(ResponseFormatError):
            _helper(task).parse_response(response, _call(task))


def test_key_hosts_cover_the_queue_only():
    helper = _helper("text-to-video")
    assert helper.key_hosts == ("queue.fal.run",)
    assert helper.auth.headers_for("k") == {"Authorization": "Key k"}


def test_status_poll_reports_progress_and_cancel():
    helper = _helper("text-to-video")
    submitted = {
        "request_id": "r1",
        "status": "IN_QUEUE",
        "queue_position": 3,
        "status_url": "https://queue.fal.run/fal-ai/ltx-video/requests/r1/status",
        "response_url": "https://queue.fal.run/fal-ai/ltx-video/requests/r1",
        "cancel_url": "https://queue.fal.run/fal-ai/ltx-video/requests/r1/cancel",
    }
    response = Response(200, {}, json.dumps(submitted).encode(), "https://router.huggingface.co")
    step = helper.parse_response(response, _call("text-to-video", "router"))
    assert isinstance(step, FollowUp)
    assert step.poll
    assert step.job_id == "r1"
    assert step.status == "IN_QUEUE (position 3)"
    router_job = "https://router.huggingface.co/fal-ai/fal-ai/ltx-video/requests/r1"
    assert step.request.url == f"{router_job}/status?_subdomain=queue"
    assert step.cancel is not None
    assert (step.cancel.method, step.cancel.url) == ("PUT", f"{router_job}/cancel?_subdomain=queue")


def _queued_step() -> FollowUp:
    helper = _helper("text-to-video")
    submitted = {
        "request_id": "r2",
        "status_url": "https://queue.fal.run/fal-ai/ltx-video/requests/r2/status",
        "response_url": "https://queue.fal.run/fal-ai/ltx-video/requests/r2",
    }
    response = Response(200, {}, json.dumps(submitted).encode(), "https://queue.fal.run")
    step = helper.parse_response(response, _call("text-to-video"))
    assert isinstance(step, FollowUp)
    assert (step.status, step.cancel) == (None, None)  # no status, no cancel_url: none given
    return step


@pytest.mark.parametrize(
    ("answer", "error", "expected"),
    [
        ({"status": "FAILED"}, JobError, r"job r2 failed \(status 'FAILED'\)"),
        (
            {"status": "IN_PROGRESS", "error": [{"loc": ["body", "seed"], "msg": "too big"}]},
            JobError,
            r"failed \(status 'IN_PROGRESS'\): seed: too big",
        ),
        ({"status": "CANCELLED"}, JobCancelledError, "cancelled at the provider"),
        ({"queue_position": 1}, ResponseFormatError, "status"),
    ],
    ids=["failed-status", "validation-error-field", "cancelled-status", "no-status"],
)
def test_status_answers_that_end_the_job(answer, error, expected):
    step = _queued_step()
    with pytest.raises(error, match=expected):
        step.then(Response(200, {}, json.dumps(answer).encode(), step.request.url))


def test_completed_status_fetches_the_result_naming_the_job():
    step = _queued_step()
    waiting = step.then(json_response({"status": "IN_QUEUE", "queue_position": 0}))
    assert (waiting.poll, waiting.status) == (True, "IN_QUEUE (position 0)")
    fetch = waiting.then(json_response({"status": "COMPLETED", "error": None}))
    assert isinstance(fetch, FollowUp)
    assert (fetch.poll, fetch.job_id, fetch.status) == (False, "r2", "COMPLETED")
    assert fetch.request.url == "https://queue.fal.run/fal-ai/ltx-video/requests/r2"
    with pytest.raises(JobError, match="job r2 failed: model crashed"):
        fetch.then(json_response({"detail": "model crashed"}))


def test_queued_text_to_image_subclass_goes_to_the_queue():
    from infermux_fal_ai import FalAITextToImage

    class QueuedTextToImage(FalAITextToImage):
        queue = True

    call = Call(
        "text-to-image", PROMPT, ModelMapping("fal-ai/flux/dev"), "direct", "https://fal.run"
    )
    assert QueuedTextToImage().prepare_request(call).url == "https://queue.fal.run/fal-ai/flux/dev"


# -- the conformance suite -----------------------------------------------------------------

_SUBMITTED = json_response(
    {
        "request_id": "r1",
        "status": "IN_QUEUE",
        "status_url": "https://queue.fal.run/infermux-test/requests/r1/status",
        "response_url": "https://queue.fal.run/infermux-test/requests/r1",
        "cancel_url": "https://queue.fal.run/infermux-test/requests/r1/cancel",
    }
)


class TestFalAIConformance(ProviderConformance):
    distribution = "infermux-fal-ai"
    cassette_dir = CASSETTES / "fal-ai"
    sample_responses: ClassVar[dict[str, list[Sample]]] = {
        "fal-ai/text-to-image": [
            Sample("fal_images", json_response({"images": [{"url": "https://v3.fal.media/a"}]}))
        ],
        "fal-ai/text-to-speech": [
            Sample("fal_audio", json_response({"audio": {"url": "https://v3.fal.media/a"}}))
        ],
        "fal-ai/text-to-audio": [
            Sample(
                "fal_audio_file", json_response({"audio_file": {"url": "https://v3.fal.media/a"}})
            )
        ],
        **{
            f"fal-ai/{task}": [Sample("fal_queue", _SUBMITTED)]
            for task in ("image-to-image", "text-to-video", "image-to-video", "image-segmentation")
        },
    }
