"""together media tasks end to end, sync and async, against synthetic cassettes.

image-to-image, text-to-video and image-to-video (jobs run by the core's follow-up
runner: polling, progress, deadline, failure), text-to-speech and speech recognition.
No recording of these exists; the cassettes follow Together's documented wire format
(see cassettes/together/PROVENANCE.md).
"""

from __future__ import annotations

import base64
import struct
from contextlib import AbstractContextManager
from typing import Any

import pytest

from infermux import AsyncInferenceClient, InferenceClient
from infermux.engine import CancelToken, JobProgress
from infermux.errors import (
    BadRequestError,
    InvalidInputError,
    JobCancelledError,
    JobError,
    JobTimeoutError,
)
from infermux.media import AudioOutput, ImageOutput, VideoOutput
from infermux.testing.vcr import json_body_matcher, make_vcr
from infermux.types import AutomaticSpeechRecognitionOutput
from tests.conftest import CASSETTES, FAKE_HF_TOKEN, FAKE_PROVIDER_KEY

PNG_B64 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
PNG = base64.b64decode(PNG_B64)
MP4_HEAD = b"\x00\x00\x00\x18ftypisom"


def _wav() -> bytes:
    frames = b"\x00\x00" * 160
    header = struct.pack(
        "<4sI4s4sIHHIIHH4sI",
        *(b"RIFF", 36 + len(frames), b"WAVE", b"fmt ", 16, 1, 1, 16000, 32000, 2, 16),
        *(b"data", len(frames)),
    )
    return header + frames


WAV = _wav()


def routed(sent: Any = None, **options: Any) -> InferenceClient:
    http = sent.client() if sent is not None else None
    return InferenceClient(provider="together", api_key=FAKE_HF_TOKEN, http_client=http, **options)


def direct(sent: Any = None, **options: Any) -> InferenceClient:
    # Together model ids are used as they are: no Hub lookup in direct tests.
    http = sent.client() if sent is not None else None
    return InferenceClient(
        provider="together",
        api_key=FAKE_PROVIDER_KEY,
        hub_lookup=False,
        http_client=http,
        **options,
    )


def assert_keys_stay_home(sent: Any, key: str, key_host: str) -> None:
    """The key went to its own host only; media downloads got no key at all."""
    for request in sent.requests:
        host = request.url.host
        if host == key_host or (key.startswith("hf_") and host == "huggingface.co"):
            assert request.headers["authorization"] == f"Bearer {key}"
        else:
            assert "authorization" not in request.headers, host


# -- image-to-image ----------------------------------------------------------------------------


def test_image_to_image_kontext_routed(replay, sent):
    client = routed(sent)
    with replay("together/image_to_image_synthetic.yaml"):
        image = client.image_to_image(
            PNG,
            "Make it a watercolor painting",
            model="black-forest-labs/FLUX.1-Kontext-dev",
            num_inference_steps=28,
            seed=42,
        )
    assert isinstance(image, ImageOutput)
    assert image.content == PNG
    assert image.content_type == "image/png"
    assert image.provider == "together"
    assert sent.urls[-1] == "https://router.huggingface.co/together/v1/images/generations"
    assert_keys_stay_home(sent, FAKE_HF_TOKEN, "router.huggingface.co")


def test_image_to_image_reference_images_direct_url_not_downloaded(replay, sent):
    client = direct(sent)
    with replay("together/image_to_image_reference_synthetic.yaml"):
        image = client.image_to_image(
            "https://example.com/cat.png",
            "Put a party hat on the cat",
            model="black-forest-labs/FLUX.2-dev",
            target_size={"width": 1024, "height": 768},
        )
    assert image.content_type == "image/jpeg"
    # Together fetches the URL itself: the client never downloads it.
    assert sent.urls == ["https://api.together.xyz/v1/images/generations"]
    assert sent.requests[0].headers["authorization"] == f"Bearer {FAKE_PROVIDER_KEY}"


async def test_async_image_to_image(replay):
    async with AsyncInferenceClient(provider="together", api_key=FAKE_HF_TOKEN) as client:
        with replay("together/image_to_image_synthetic.yaml"):
            image = await client.image_to_image(
                PNG,
                "Make it a watercolor painting",
                model="black-forest-labs/FLUX.1-Kontext-dev",
                num_inference_steps=28,
                seed=42,
            )
    assert image.content == PNG


def test_image_to_image_needs_a_prompt_before_any_request(sent):
    client = direct(sent)
    with pytest.raises(InvalidInputError, match="needs a prompt"):
        client.image_to_image(PNG, model="black-forest-labs/FLUX.1-kontext-pro")
    assert sent.requests == []


def test_image_to_image_checks_target_size(sent):
    client = direct(sent)
    with pytest.raises(InvalidInputError, match="target_size"):
        client.image_to_image(
            PNG, "x", model="black-forest-labs/FLUX.1-kontext-pro", target_size={"width": 512}
        )
    assert sent.requests == []


# -- text-to-video and image-to-video: jobs --------------------------------------------------

JOB = "019a0068-794a-7213-90f6-cc4eb62e3da7"
SHORT_LINK = "https://api.together.ai/shrt/DwlaBdSakNRFlBxN"


def test_text_to_video_routed_polls_reports_progress_and_downloads(replay, sent):
    progress: list[JobProgress] = []
    client = routed(sent, poll_interval=0.001)
    with replay("together/text_to_video_synthetic.yaml") as tape:
        video = client.text_to_video(
            "A bicycle weaving through a rainy neon street",
            model="Wan-AI/Wan2.2-T2V-A14B",
            negative_prompt="blurry",
            num_inference_steps=30,
            seed=7,
            on_progress=progress.append,
        )
    assert isinstance(video, VideoOutput)
    assert video.content.startswith(MP4_HEAD)
    assert video.content_type == "video/mp4"
    assert video.url == SHORT_LINK
    assert tape.all_played
    # One report before each poll, with the status the previous answer gave.
    assert [(p.job_id, p.status, p.polls) for p in progress] == [
        (JOB, "queued", 0),
        (JOB, "in_progress", 1),
    ]
    assert all(p.provider == "together" for p in progress)
    poll_url = f"https://router.huggingface.co/together/v2/videos/{JOB}"
    assert sent.urls[1:5] == [
        "https://router.huggingface.co/together/v2/videos",
        poll_url,
        poll_url,
        SHORT_LINK,
    ]
    assert sent.urls[5].startswith("https://together-video-outputs.s3.us-west-2.amazonaws.com/")
    assert_keys_stay_home(sent, FAKE_HF_TOKEN, "router.huggingface.co")


async def test_async_text_to_video(replay):
    statuses: list[str | None] = []
    async with AsyncInferenceClient(
        provider="together", api_key=FAKE_HF_TOKEN, poll_interval=0.001
    ) as client:
        with replay("together/text_to_video_synthetic.yaml"):
            video = await client.text_to_video(
                "A bicycle weaving through a rainy neon street",
                model="Wan-AI/Wan2.2-T2V-A14B",
                negative_prompt="blurry",
                num_inference_steps=30,
                seed=7,
                on_progress=lambda p: statuses.append(p.status),
            )
    assert video.content.startswith(MP4_HEAD)
    assert statuses == ["queued", "in_progress"]


def test_image_to_video_direct(replay, sent):
    client = direct(sent, poll_interval=0.001)
    with replay("together/image_to_video_synthetic.yaml"):
        video = client.image_to_video(
            PNG,
            "The cat slowly turns its head",
            model="Wan-AI/Wan2.2-I2V-A14B",
            target_size={"width": 1280, "height": 720},
        )
    assert video.content.startswith(MP4_HEAD)
    assert video.provider == "together"
    assert sent.urls == [
        "https://api.together.xyz/v2/videos",
        "https://api.together.xyz/v2/videos/019a0072-3333-7abc-8def-0123456789ab",
        "https://api.together.ai/shrt/Q8nW3xVb2KcLmP0z",
    ]
    assert_keys_stay_home(sent, FAKE_PROVIDER_KEY, "api.together.xyz")


async def test_async_image_to_video(replay):
    async with AsyncInferenceClient(
        provider="together", api_key=FAKE_PROVIDER_KEY, hub_lookup=False, poll_interval=0.001
    ) as client:
        with replay("together/image_to_video_synthetic.yaml"):
            video = await client.image_to_video(
                PNG,
                "The cat slowly turns its head",
                model="Wan-AI/Wan2.2-I2V-A14B",
                target_size={"width": 1280, "height": 720},
            )
    assert video.content_type == "video/mp4"


def test_failed_video_job_raises_job_error_with_togethers_message(replay):
    client = direct(poll_interval=0.001)
    with (
        replay("together/text_to_video_failed_synthetic.yaml"),
        pytest.raises(JobError) as info,
    ):
        client.text_to_video("A storm over the sea", model="Wan-AI/Wan2.2-T2V-A14B")
    assert not isinstance(info.value, JobTimeoutError)
    assert "the model produced no frames" in str(info.value)
    assert "generation_failed" in str(info.value)
    assert info.value.job_id == "019a0070-1111-7abc-8def-0123456789ab"
    assert info.value.provider == "together"


def never_finishing_job() -> AbstractContextManager[Any]:
    """The pending cassette, its poll answer replayed as often as the client asks."""
    path = CASSETTES / "together" / "text_to_video_pending_synthetic.yaml"
    return make_vcr().use_cassette(str(path), allow_playback_repeats=True)


def test_video_job_deadline_raises_job_timeout_error():
    progress: list[JobProgress] = []
    client = direct(poll_interval=0.01, job_timeout=0.15)
    with never_finishing_job(), pytest.raises(JobTimeoutError) as info:
        client.text_to_video(
            "A very long film", model="Wan-AI/Wan2.2-T2V-A14B", on_progress=progress.append
        )
    assert info.value.job_id == "019a0071-2222-7abc-8def-0123456789ab"
    assert "in_progress" in str(info.value)
    assert len(progress) >= 2
    assert all(p.status == "in_progress" for p in progress)


async def test_async_video_job_deadline():
    async with AsyncInferenceClient(
        provider="together",
        api_key=FAKE_PROVIDER_KEY,
        hub_lookup=False,
        poll_interval=0.01,
        job_timeout=0.15,
    ) as client:
        with never_finishing_job(), pytest.raises(JobTimeoutError):
            await client.text_to_video("A very long film", model="Wan-AI/Wan2.2-T2V-A14B")


def test_cancelled_video_job(sent):
    token = CancelToken()
    token.cancel()
    client = direct(sent, poll_interval=0.001)
    with never_finishing_job(), pytest.raises(JobCancelledError):
        client.text_to_video("A very long film", model="Wan-AI/Wan2.2-T2V-A14B", cancel=token)
    # Together has no cancel route: the job is abandoned after its creation.
    assert sent.urls == ["https://api.together.xyz/v2/videos"]


def test_video_refuses_num_frames_before_sending(sent):
    with pytest.raises(InvalidInputError, match="num_frames"):
        direct(sent).text_to_video("x", model="Wan-AI/Wan2.2-T2V-A14B", num_frames=48)
    assert sent.requests == []


# -- text-to-speech --------------------------------------------------------------------------


def test_text_to_speech_routed_default_voice(replay, sent):
    client = routed(sent)
    with replay("together/text_to_speech_synthetic.yaml"):
        audio = client.text_to_speech("Hello from infermux.", model="hexgrad/Kokoro-82M")
    assert isinstance(audio, AudioOutput)
    assert audio.content_type == "audio/mpeg"
    assert audio.content.startswith(b"ID3")
    assert sent.urls[-1] == "https://router.huggingface.co/together/v1/audio/speech"


def test_text_to_speech_voice_and_format_from_extra_body(replay, tmp_path):
    with replay("together/text_to_speech_wav_synthetic.yaml"):
        audio = direct().text_to_speech(
            "Hello from infermux.",
            model="cartesia/sonic",
            extra_body={"voice": "friendly sidekick", "response_format": "wav"},
        )
    assert audio.content_type == "audio/wav"
    audio.save(tmp_path / "hello.wav")
    assert (tmp_path / "hello.wav").read_bytes() == WAV


def test_text_to_speech_without_a_known_voice_gets_togethers_error(replay):
    with (
        replay("together/text_to_speech_missing_voice_synthetic.yaml"),
        pytest.raises(BadRequestError) as info,
    ):
        direct(max_retries=0).text_to_speech("Hello from infermux.", model="cartesia/sonic-3")
    assert info.value.status_code == 400
    assert info.value.provider_message == "voice is required"
    assert info.value.request_id == "95a3c6f4a0b3c2d5"


async def test_async_text_to_speech(replay):
    async with AsyncInferenceClient(provider="together", api_key=FAKE_HF_TOKEN) as client:
        with replay("together/text_to_speech_synthetic.yaml"):
            audio = await client.text_to_speech("Hello from infermux.", model="hexgrad/Kokoro-82M")
    assert audio.content_type == "audio/mpeg"


def test_text_to_speech_refuses_generation_parameters(sent):
    with pytest.raises(InvalidInputError, match="generation_parameters"):
        direct(sent).text_to_speech(
            "Hi", model="cartesia/sonic", generation_parameters={"temperature": 0.5}
        )
    assert sent.requests == []


# -- automatic-speech-recognition (multipart) --------------------------------------------------


def _multipart_or_json_matcher(r1: Any, r2: Any) -> None:
    """Multipart bodies match when equal up to their (random) boundary; others as JSON."""
    left, right = (b if isinstance(b, bytes) else (b or "").encode() for b in (r1.body, r2.body))
    if not (left.startswith(b"--") and right.startswith(b"--")):
        json_body_matcher(r1, r2)
        return

    def normalise(body: bytes) -> bytes:
        return body.replace(body.split(b"\r\n", 1)[0], b"--BOUNDARY")

    if normalise(left) != normalise(right):
        raise AssertionError(f"multipart bodies differ: {left[:300]!r} != {right[:300]!r}")


def multipart_replay(name: str) -> AbstractContextManager[Any]:
    recorder = make_vcr()
    recorder.register_matcher("multipart_body", _multipart_or_json_matcher)
    recorder.match_on = ("method", "scheme", "host", "port", "path", "query", "multipart_body")
    return recorder.use_cassette(str(CASSETTES / name))


def test_speech_recognition_routed(sent):
    client = routed(sent)
    with multipart_replay("together/automatic_speech_recognition_synthetic.yaml"):
        out = client.automatic_speech_recognition(WAV, model="openai/whisper-large-v3")
    assert isinstance(out, AutomaticSpeechRecognitionOutput)
    assert out.text == "Hello world."
    assert out.chunks is None
    request = sent.requests[-1]
    assert str(request.url) == "https://router.huggingface.co/together/v1/audio/transcriptions"
    assert request.headers["content-type"].startswith("multipart/form-data; boundary=")
    body = request.read()  # multipart streams can be read again
    assert b'filename="audio.wav"' in body
    assert b"Content-Type: audio/wav" in body


def test_speech_recognition_with_timestamps_direct_from_a_file(sent, tmp_path):
    path = tmp_path / "sample.wav"
    path.write_bytes(WAV)
    client = direct(sent)
    with multipart_replay("together/automatic_speech_recognition_timestamps_synthetic.yaml"):
        out = client.automatic_speech_recognition(
            path,
            model="openai/whisper-large-v3",
            return_timestamps=True,
            generation_parameters={"temperature": 0.0},
        )
    assert out.text == "Hello world. How are you?"
    assert [(c.text, c.timestamp) for c in out.chunks] == [
        ("Hello world.", [0.0, 1.2]),
        (" How are you?", [1.2, 2.5]),
    ]
    assert sent.requests[0].headers["authorization"] == f"Bearer {FAKE_PROVIDER_KEY}"


async def test_async_speech_recognition():
    async with AsyncInferenceClient(provider="together", api_key=FAKE_HF_TOKEN) as client:
        with multipart_replay("together/automatic_speech_recognition_synthetic.yaml"):
            out = await client.automatic_speech_recognition(WAV, model="openai/whisper-large-v3")
    assert out.text == "Hello world."


def test_speech_recognition_refuses_unknown_generation_parameters(sent):
    with pytest.raises(InvalidInputError, match="top_k"):
        direct(sent).automatic_speech_recognition(
            WAV, model="openai/whisper-large-v3", generation_parameters={"top_k": 5}
        )
    assert sent.requests == []


def test_speech_recognition_extra_body_becomes_form_fields(sent):
    import httpx2

    seen = []

    def handler(request):
        seen.append(request.read())
        return httpx2.Response(200, json={"text": "Hello world."})

    client = InferenceClient(
        provider="together",
        api_key="tg-key",
        hub_lookup=False,
        http_client=httpx2.Client(transport=httpx2.MockTransport(handler)),
    )
    out = client.automatic_speech_recognition(
        WAV, model="openai/whisper-large-v3", extra_body={"language": "en", "temperature": 0.2}
    )
    assert out.text == "Hello world."
    assert b'name="language"\r\n\r\nen\r\n' in seen[0]
    assert b'name="temperature"\r\n\r\n0.2\r\n' in seen[0]


def test_speech_recognition_extra_body_must_be_form_values(sent):
    with pytest.raises(
        InvalidInputError, match=r"extra_body\['language'\] must be a string or a number"
    ):
        direct(sent).automatic_speech_recognition(
            WAV, model="openai/whisper-large-v3", extra_body={"language": ["en"]}
        )
    assert sent.requests == []
