"""replicate end to end, sync and async: real recordings and synthetic cassettes.

Recorded (huggingface_hub's test suite): text_to_image.yaml (routed; the answer says
"processing" but already holds the output) and text_to_speech.yaml (direct; only the 202
``starting`` answer). text_to_speech_synthetic.yaml replays that recorded answer followed by
hand-written polls and the download. The rest is synthetic (see PROVENANCE.md).
"""

from __future__ import annotations

import json
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
from infermux.testing.conformance import ProviderConformance
from infermux.testing.samples import Sample, json_response, png_bytes, wav_bytes
from infermux.types import AutomaticSpeechRecognitionOutput
from tests.conftest import CASSETTES, FAKE_HF_TOKEN

FAKE_REPLICATE_KEY = "r8-fake-replicate-token"
PROMPT = "An astronaut riding a horse on the moon."
VIDEO_PROMPT = "A young man walking on the street"
TTS_MODEL = "jaaari/kokoro-82m:dfdf537ba482b029e0a761699e6f55e9162cfd159270bfe0e44857caa5f275a6"
MODES = pytest.mark.parametrize("mode", ["sync", "async"])

ROUTED = {"api_key": FAKE_HF_TOKEN, "poll_interval": 0.001}
# Direct calls name Replicate's own model ids, which the Hub does not know: no lookup.
DIRECT = {"api_key": FAKE_REPLICATE_KEY, "poll_interval": 0.001, "hub_lookup": False}


@pytest.fixture(autouse=True)
def _no_replicate_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REPLICATE_API_TOKEN", raising=False)
    monkeypatch.delenv("REPLICATE_API_KEY", raising=False)


async def run(mode: str, sent: Any, method: str, *args: Any, client: dict[str, Any], **kwargs: Any):
    """Call ``method`` on a sync or an async client built with ``client`` options."""
    if mode == "sync":
        with InferenceClient(provider="replicate", http_client=sent.client(), **client) as sync:
            return getattr(sync, method)(*args, **kwargs)
    async with AsyncInferenceClient(
        provider="replicate", http_client=sent.async_client(), **client
    ) as async_client:
        return await getattr(async_client, method)(*args, **kwargs)


def auth_of(sent: Any) -> list[str | None]:
    return [r.headers.get("authorization") for r in sent.requests]


# -- text-to-image -------------------------------------------------------------------------


@MODES
async def test_text_to_image_routed_recording(mode, replay, sent):
    with replay("replicate/text_to_image.yaml") as tape:
        image = await run(
            mode, sent, "text_to_image", PROMPT, model="ByteDance/SDXL-Lightning", client=ROUTED
        )
    assert isinstance(image, ImageOutput)
    assert image.content_type == "image/png"
    assert image.to_pil().size == (1024, 1024)
    assert image.provider == "replicate"
    assert tape.play_count == 3  # "processing" with output already there: no poll
    assert sent.urls == [
        "https://huggingface.co/api/models/ByteDance/SDXL-Lightning?expand=inferenceProviderMapping",
        "https://router.huggingface.co/replicate/v1/predictions",
        "https://replicate.delivery/yhqm/FCyXBQLf3tXRECndsT0RJKdy23cD2xwIcSkU99oStugCNeOUA/out-0.png",
    ]
    assert sent.requests[1].headers["prefer"] == "wait"
    bearer = f"Bearer {FAKE_HF_TOKEN}"
    assert auth_of(sent) == [bearer, bearer, None]


@MODES
async def test_text_to_image_direct_official_model(mode, replay, sent):
    with replay("replicate/text_to_image_direct_synthetic.yaml"):
        image = await run(
            mode,
            sent,
            "text_to_image",
            PROMPT,
            model="black-forest-labs/flux-schnell",
            num_inference_steps=4,
            seed=3,
            client=DIRECT,
        )
    assert image.content == png_bytes()
    assert sent.urls[0] == (
        "https://api.replicate.com/v1/models/black-forest-labs/flux-schnell/predictions"
    )
    assert auth_of(sent) == [f"Bearer {FAKE_REPLICATE_KEY}", None]


async def test_validation_error_is_typed(replay, sent):
    with (
        replay("replicate/text_to_image_validation_error_synthetic.yaml"),
        pytest.raises(BadRequestError) as info,
    ):
        await run(
            "sync",
            sent,
            "text_to_image",
            PROMPT,
            model="black-forest-labs/flux-schnell",
            num_inference_steps=50,
            client=DIRECT,
        )
    assert info.value.status_code == 422
    assert info.value.provider_message == (
        "- input.num_inference_steps: Must be less than or equal to 4"
    )
    assert FAKE_REPLICATE_KEY not in str(info.value)


def test_bad_input_is_refused_before_sending(sent):
    client = InferenceClient(provider="replicate", http_client=sent.client(), **DIRECT)
    with pytest.raises(InvalidInputError, match="generation_parameters"):
        client.text_to_speech("Hi", model=TTS_MODEL, generation_parameters={"temperature": 1})
    with pytest.raises(InvalidInputError, match="not a supported audio"):
        client.automatic_speech_recognition(png_bytes(), model="openai/whisper")
    assert sent.requests == []


# -- image-to-image (routed polling) -------------------------------------------------------


@MODES
async def test_image_to_image_routed_poll_goes_through_router(mode, replay, sent):
    with replay("replicate/image_to_image_routed_synthetic.yaml"):
        image = await run(
            mode,
            sent,
            "image_to_image",
            png_bytes(),
            "Turn the cat into a tiger.",
            model="black-forest-labs/FLUX.1-Kontext-dev",
            client=ROUTED,
        )
    assert isinstance(image, ImageOutput)
    assert sent.urls[1:] == [
        "https://router.huggingface.co/replicate/v1/models/black-forest-labs/flux-kontext-dev/predictions",
        # urls.get pointed at api.replicate.com: rewritten so the HF token stays on the router.
        "https://router.huggingface.co/replicate/v1/predictions/r0u7edrj00cn00000000000005",
        "https://replicate.delivery/xezq/synthetic/tiger.png",
    ]
    model_input = json.loads(sent.requests[1].content)["input"]
    assert model_input["image"].startswith("data:image/png;base64,")
    assert model_input["input_images"] == [model_input["image"]]


# -- text-to-video: several polls, progress, failure, cancellation ------------------------


@MODES
async def test_text_to_video_polls_several_rounds(mode, replay, sent):
    progress: list[Any] = []
    with replay("replicate/text_to_video_synthetic.yaml") as tape:
        video = await run(
            mode,
            sent,
            "text_to_video",
            VIDEO_PROMPT,
            model="tencent/hunyuan-video",
            seed=1,
            on_progress=progress.append,
            client=DIRECT,
        )
    assert isinstance(video, VideoOutput)
    assert video.content_type == "video/mp4"
    assert tape.play_count == 6
    assert [p.status for p in progress] == ["starting", "starting", "processing", "processing"]
    assert [p.polls for p in progress] == [0, 1, 2, 3]
    assert {p.job_id for p in progress} == {"v1d30p0ll1ngrj00cn000000002"}
    key = f"Bearer {FAKE_REPLICATE_KEY}"
    assert auth_of(sent) == [key] * 5 + [None]  # polls authenticated, download not


@MODES
async def test_failed_prediction_raises_job_error(mode, replay, sent):
    with (
        replay("replicate/text_to_video_failed_synthetic.yaml"),
        pytest.raises(JobError) as info,
    ):
        await run(
            mode, sent, "text_to_video", VIDEO_PROMPT, model="tencent/hunyuan-video", client=DIRECT
        )
    assert "CUDA out of memory" in str(info.value)
    assert info.value.job_id == "fa11edrj00cn0000000000003"
    assert not isinstance(info.value, JobCancelledError)


@MODES
async def test_cancel_from_progress_callback(mode, replay, sent):
    token = CancelToken()

    def on_progress(progress: Any) -> None:
        assert progress.status == "starting"
        token.cancel()

    with (
        replay("replicate/text_to_video_cancel_synthetic.yaml") as tape,
        pytest.raises(JobCancelledError),
    ):
        await run(
            mode,
            sent,
            "text_to_video",
            VIDEO_PROMPT,
            model="tencent/hunyuan-video",
            on_progress=on_progress,
            cancel=token,
            client=DIRECT,
        )
    assert tape.play_count == 2
    cancel = sent.requests[-1]
    assert (cancel.method, str(cancel.url)) == (
        "POST",
        "https://api.replicate.com/v1/predictions/cance11edrj00cn000000000004/cancel",
    )
    assert cancel.headers["authorization"] == f"Bearer {FAKE_REPLICATE_KEY}"


# -- speech --------------------------------------------------------------------------------


@MODES
async def test_text_to_speech_recorded_start_then_polls(mode, replay, sent):
    with replay("replicate/text_to_speech_synthetic.yaml") as tape:
        audio = await run(
            mode, sent, "text_to_speech", "Hello world", model=TTS_MODEL, client=DIRECT
        )
    assert isinstance(audio, AudioOutput)
    assert audio.content_type == "audio/wav"
    assert audio.content == wav_bytes()
    assert tape.play_count == 4
    assert sent.urls[:3] == [
        "https://api.replicate.com/v1/predictions",
        "https://api.replicate.com/v1/predictions/2ea92hmwgnrga0cmpp9rj00evw",
        "https://api.replicate.com/v1/predictions/2ea92hmwgnrga0cmpp9rj00evw",
    ]
    assert json.loads(sent.requests[0].content) == {
        "input": {"text": "Hello world"},
        "version": "dfdf537ba482b029e0a761699e6f55e9162cfd159270bfe0e44857caa5f275a6",
    }


def test_recorded_202_starting_answer_becomes_a_poll():
    """The real 202 answer alone: a poll of urls.get, cancellable at urls.cancel."""
    recorded = yaml.safe_load((CASSETTES / "replicate/text_to_speech.yaml").read_text())
    answer = recorded["interactions"][0]["response"]
    response = Response(
        answer["status"]["code"],
        {"content-type": "application/json"},
        answer["body"]["string"].encode(),
        "https://api.replicate.com/v1/predictions",
    )
    call = Call(
        "text-to-speech",
        "Hello world",
        ModelMapping(TTS_MODEL),
        "direct",
        "https://api.replicate.com",
    )
    step = _helper("text-to-speech").parse_response(response, call)
    assert isinstance(step, FollowUp)
    assert step.poll
    assert step.status == "starting"
    assert step.job_id == "2ea92hmwgnrga0cmpp9rj00evw"
    assert (step.request.method, step.request.url) == (
        "GET",
        "https://api.replicate.com/v1/predictions/2ea92hmwgnrga0cmpp9rj00evw",
    )
    assert step.cancel is not None
    assert step.cancel.method == "POST"
    assert step.cancel.url.endswith("/2ea92hmwgnrga0cmpp9rj00evw/cancel")


@MODES
async def test_automatic_speech_recognition(mode, replay, sent):
    with replay("replicate/automatic_speech_recognition_synthetic.yaml"):
        out = await run(
            mode,
            sent,
            "automatic_speech_recognition",
            wav_bytes(),
            model="openai/whisper:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            client=DIRECT,
        )
    assert isinstance(out, AutomaticSpeechRecognitionOutput)
    assert out.text == " Hello world."
    assert out.chunks is not None
    assert out.chunks[0].timestamp == [0.0, 1.5]
    assert sent.urls == ["https://api.replicate.com/v1/predictions"]


# -- the helpers alone ---------------------------------------------------------------------


def _helper(task: str) -> Any:
    from infermux.registry.loader import get_registry

    return get_registry().get("replicate", task).helper


@pytest.mark.parametrize(
    ("output", "text"),
    [
        (" plain", " plain"),
        ([" first", " second"], " first"),
        ({"transcription": " t"}, " t"),
        ({"text": " x"}, " x"),
        ([{"text": " y"}], " y"),
    ],
)
def test_asr_output_shapes(output: Any, text: str):
    call = Call(
        "automatic-speech-recognition",
        b"",
        ModelMapping("o/m"),
        "direct",
        "https://api.replicate.com",
    )
    out = _helper("automatic-speech-recognition").parse_output(output, call)
    assert out.text == text


@pytest.mark.parametrize(
    "body",
    [b"{}", b"[]", b"null", b'{"status": "succeeded", "output": null}', b"<html></html>"],
)
def test_bad_bodies_are_response_format_errors(body: bytes):
    response = Response(200, {"content-type": "application/json"}, body, "https://x")
    call = Call("text-to-image", PROMPT, ModelMapping("o/m"), "direct", "https://api.replicate.com")
    with pytest.raises(ResponseFormatError):
        _helper("text-to-image").parse_response(response, call)


def test_lora_weights_for_hub_adapters():
    mapping = ModelMapping(
        "black-forest-labs/flux-dev-lora",
        hub_model_id="someone/flux-lora",
        adapter="lora",
        adapter_weights_path="lora.safetensors",
    )
    call = Call(
        "text-to-image", PROMPT, mapping, "router", "https://router.huggingface.co/replicate"
    )
    payload = _helper("text-to-image").prepare_payload(call)
    assert payload == {
        "input": {"prompt": PROMPT, "lora_weights": "https://huggingface.co/someone/flux-lora"}
    }


# -- the conformance suite -----------------------------------------------------------------


def _succeeded(output: Any) -> Sample:
    return Sample(
        "replicate_prediction", json_response({"id": "p1", "status": "succeeded", "output": output})
    )


class TestReplicateConformance(ProviderConformance):
    distribution = "infermux-replicate"
    cassette_dir = CASSETTES / "replicate"
    sample_responses: ClassVar[dict[str, list[Sample]]] = {
        "replicate/automatic-speech-recognition": [_succeeded({"transcription": " hi"})],
        **{
            f"replicate/{task}": [_succeeded(["https://replicate.delivery/x/out"])]
            for task in ("text-to-image", "image-to-image", "text-to-video", "text-to-speech")
        },
    }


def test_succeeded_with_an_empty_transcription_is_an_output():
    body = json.dumps({"id": "p1", "status": "succeeded", "output": ""}).encode()
    response = Response(201, {"content-type": "application/json"}, body, "https://x")
    call = Call(
        "automatic-speech-recognition",
        b"",
        ModelMapping("o/m"),
        "direct",
        "https://api.replicate.com",
    )
    out = _helper("automatic-speech-recognition").parse_response(response, call)
    assert out.text == ""


def test_extra_body_input_is_merged_into_the_model_input():
    from infermux.helpers.base import Call, ModelMapping
    from infermux.registry.loader import get_registry

    helper = get_registry().get("replicate", "text-to-image").helper
    call = Call(
        task="text-to-image",
        inputs="a cat",
        model=ModelMapping("black-forest-labs/flux-schnell"),
        routing="direct",
        base_url=helper.base_url,
    )
    payload = helper.merge_extra_body(
        helper.prepare_payload(call),
        {"input": {"aspect_ratio": "16:9"}, "webhook": "https://example.com/hook"},
    )
    assert payload == {
        "input": {"prompt": "a cat", "aspect_ratio": "16:9"},
        "webhook": "https://example.com/hook",
    }


@pytest.mark.parametrize(
    ("task", "inputs", "input_name"),
    [
        ("text-to-speech", "Hello", "text"),
        ("automatic-speech-recognition", "https://example.com/a.wav", "audio"),
        ("text-to-image", "a cat", "prompt"),
    ],
)
def test_flat_extra_body_goes_into_the_model_input_for_every_task(task, inputs, input_name):
    """Issue 14 item 12: Replicate ignores unknown top-level keys; model options such as a
    TTS voice or a whisper language belong in ``input`` (as huggingface_hub sends them)."""
    from infermux.helpers.base import Call, ModelMapping
    from infermux.inputs import BinaryInput
    from infermux.registry.loader import get_registry

    helper = get_registry().get("replicate", task).helper
    if task == "automatic-speech-recognition":
        inputs = BinaryInput(None, "audio/wav", inputs)
    call = Call(
        task=task,
        inputs=inputs,
        model=ModelMapping("owner/model"),
        routing="direct",
        base_url=helper.base_url,
    )
    payload = helper.merge_extra_body(
        helper.prepare_payload(call),
        {"voice": "af_bella", "input": {"speed": 1.2}, "webhook": "https://example.com/h"},
    )
    assert payload["input"]["voice"] == "af_bella"
    assert payload["input"]["speed"] == 1.2
    assert input_name in payload["input"]
    assert payload["webhook"] == "https://example.com/h"
    assert "voice" not in payload
