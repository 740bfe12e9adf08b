"""hf-inference: zero-shot object detection, depth estimation, video classification and
text-to-audio, end to end with the sync and the async client.

No recording exists for these tasks (``shared/recordings`` has none), so the cassettes are
synthetic, written from the vendored task specs (see ``cassettes/hf-inference/PROVENANCE.md``).
Bad inputs must fail before any request; answers of the wrong shape must raise a
ResponseFormatError naming what is missing, never pass as an empty success.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from infermux import AudioOutput
from infermux.errors import InvalidInputError, ResponseFormatError
from infermux.helpers.base import BinaryPayload, Call, ModelMapping, Response
from infermux.inputs import BinaryInput
from infermux.media import DepthMap
from infermux.testing.samples import mp4_bytes, wav_bytes
from infermux.types import VideoClassificationOutputElement, ZeroShotObjectDetectionOutputElement
from infermux_hf_inference import (
    HFInferenceDepthEstimation,
    HFInferenceTextToAudio,
    HFInferenceVideoClassification,
    HFInferenceZeroShotObjectDetection,
)
from tests.conftest import FAKE_HF_TOKEN
from tests.core.both_clients import KINDS, invoke, open_client

ROUTER = "https://router.huggingface.co/hf-inference"
#: The 8x8 PNG the synthetic cassettes were written with.
PNG_8X8 = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAgAAAAICAIAAABLbSncAAAAFElEQVR4nGM8ISfHgA0wYRUdtBIA0MoBFD5jqJkAAAAASUVORK5CYII="
)
MP4 = mp4_bytes()
OWL = "google/owlvit-base-patch32"
DPT = "Intel/dpt-large"
VIDEOMAE = "MCG-NJU/videomae-base-finetuned-kinetics"
MUSICGEN = "facebook/musicgen-small"


@pytest.fixture(params=KINDS)
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _log_client(kind: str, sent: Any) -> Any:
    return sent.client() if kind == "sync" else sent.async_client()


# -- end to end, sync and async ----------------------------------------------------------------


async def test_zero_shot_object_detection(kind, replay, sent):
    options = {"provider": "hf-inference", "api_key": FAKE_HF_TOKEN}
    async with open_client(kind, **options, http_client=_log_client(kind, sent)) as client:
        with replay("hf-inference/zero_shot_object_detection_synthetic.yaml") as tape:
            found = await invoke(
                client, "zero_shot_object_detection", PNG_8X8, ["cat", "remote control"], model=OWL
            )
            none = await invoke(
                client, "zero_shot_object_detection", PNG_8X8, ("giraffe",), model=OWL
            )
    assert tape.play_count == 2
    assert all(isinstance(o, ZeroShotObjectDetectionOutputElement) for o in found)
    assert [(o.label, o.score) for o in found] == [("cat", 0.2868), ("remote control", 0.1407)]
    assert (found[0].box.xmin, found[0].box.ymin, found[0].box.xmax, found[0].box.ymax) == (
        1,
        0,
        5,
        6,
    )
    assert none == []  # nothing of that label in the image: an answer, with its provenance
    assert none.response_info.request_id == "synthetic-zsod-2"
    # The labels travel in parameters, so the image goes as base64 inside JSON.
    assert sent.urls == [f"{ROUTER}/models/{OWL}"] * 2
    first = sent.requests[0]
    assert first.headers["content-type"] == "application/json"
    assert first.headers["authorization"] == f"Bearer {FAKE_HF_TOKEN}"
    assert json.loads(first.content) == {
        "inputs": base64.b64encode(PNG_8X8).decode(),
        "parameters": {"candidate_labels": ["cat", "remote control"]},
    }


async def test_depth_estimation(kind, replay, sent, tmp_path):
    from PIL import Image

    options = {"provider": "hf-inference", "api_key": FAKE_HF_TOKEN}
    path = tmp_path / "room.png"
    path.write_bytes(PNG_8X8)
    async with open_client(kind, **options, http_client=_log_client(kind, sent)) as client:
        with replay("hf-inference/depth_estimation_synthetic.yaml"):
            depth = await invoke(client, "depth_estimation", path, model=DPT)
    assert isinstance(depth, DepthMap)
    assert depth.content_type == "image/png"
    assert depth.provider == "hf-inference"
    assert depth.response_info.request_id == "synthetic-depth-1"
    # The raw prediction, one row of floats per pixel row, and the image it was scaled into.
    assert depth.predicted_depth is not None
    assert len(depth.predicted_depth) == 8
    assert {len(row) for row in depth.predicted_depth} == {8}
    assert depth.predicted_depth[0][:3] == [2.0, 2.5, 3.0]
    assert depth.predicted_depth[7][7] == 7.25
    image = depth.to_pil()
    assert (image.mode, image.size) == ("L", (8, 8))
    assert image.getpixel((7, 7)) == 255  # the largest value
    assert image.getpixel((0, 0)) == int(2.0 * 255 / 7.25)
    with Image.open(depth.save(tmp_path / "depth.png")) as saved:
        assert saved.size == (8, 8)
    # No parameters: the image goes as the raw file.
    (request,) = sent.requests
    assert str(request.url) == f"{ROUTER}/models/{DPT}"
    assert request.headers["content-type"] == "image/png"
    assert request.content == PNG_8X8


async def test_video_classification(kind, replay, sent, tmp_path):
    options = {"provider": "hf-inference", "api_key": FAKE_HF_TOKEN}
    clip = tmp_path / "guitar.mp4"
    clip.write_bytes(MP4)
    async with open_client(kind, **options, http_client=_log_client(kind, sent)) as client:
        with replay("hf-inference/video_classification_synthetic.yaml"):
            labels = await invoke(client, "video_classification", clip, model=VIDEOMAE)
            best = await invoke(client, "video_classification", MP4, model=VIDEOMAE, top_k=1)
    assert all(isinstance(label, VideoClassificationOutputElement) for label in labels)
    assert [label.label for label in labels] == [
        "playing guitar",
        "playing ukulele",
        "strumming guitar",
    ]
    assert labels[0].score == pytest.approx(0.6181)
    assert [(label.label, label.score) for label in best] == [("playing guitar", 0.6181)]
    raw, with_top_k = sent.requests
    assert raw.headers["content-type"] == "video/mp4"
    assert raw.content == MP4
    assert json.loads(with_top_k.content) == {
        "inputs": base64.b64encode(MP4).decode(),
        "parameters": {"top_k": 1},
    }


async def test_text_to_audio(kind, replay, sent, tmp_path):
    options = {"provider": "hf-inference", "api_key": FAKE_HF_TOKEN}
    async with open_client(kind, **options, http_client=_log_client(kind, sent)) as client:
        with replay("hf-inference/text_to_audio_synthetic.yaml"):
            audio = await invoke(
                client, "text_to_audio", "liquid drum and bass, atmospheric synths", model=MUSICGEN
            )
    assert isinstance(audio, AudioOutput)
    assert audio.content_type == "audio/wav"
    assert audio.content == wav_bytes()
    assert audio.extension == ".wav"
    assert audio.response_info.request_id == "synthetic-tta-1"
    (request,) = sent.requests
    assert str(request.url) == f"{ROUTER}/models/{MUSICGEN}"
    assert json.loads(request.content) == {
        "inputs": "liquid drum and bass, atmospheric synths",
        "parameters": {},
    }


# -- bad input: refused before any request -------------------------------------------------


def _failing() -> list[tuple[str, tuple[Any, ...], dict[str, Any], str]]:
    """(method, args, kwargs, what the error must say) for inputs no provider may get."""
    return [
        ("zero_shot_object_detection", (PNG_8X8, []), {}, "candidate_labels must be a non-empty"),
        (
            "zero_shot_object_detection",
            (PNG_8X8, "cat"),
            {},
            "candidate_labels must be a non-empty",
        ),
        ("zero_shot_object_detection", (PNG_8X8, ["cat", " "]), {}, r"candidate_labels\[1\]"),
        ("zero_shot_object_detection", (b"not an image", ["cat"]), {}, "not a supported image"),
        ("depth_estimation", (b"%PDF-1.7 not an image",), {}, "not a supported image"),
        ("depth_estimation", (MP4,), {}, "not a supported image"),
        ("video_classification", (PNG_8X8,), {}, "not a supported video"),
        ("video_classification", (wav_bytes(),), {}, "not a supported video"),
        ("video_classification", (MP4,), {"top_k": "3"}, "'top_k' must be an integer"),
        ("video_classification", (MP4,), {"num_frames": 1.5}, "'num_frames' must be an integer"),
        (
            "video_classification",
            (MP4,),
            {"frame_sampling_rate": True},
            "'frame_sampling_rate' must be an integer",
        ),
        ("text_to_audio", ("",), {}, "prompt must not be empty"),
        ("text_to_audio", (["a", "b"],), {}, "prompt must be a string"),
        ("text_to_audio", ("drums",), {"generation_parameters": 3}, "'generation_parameters'"),
    ]


async def test_bad_inputs_fail_before_any_request(kind, sent, tmp_path):
    options = {"provider": "hf-inference", "api_key": FAKE_HF_TOKEN}
    async with open_client(kind, **options, http_client=_log_client(kind, sent)) as client:
        for method, args, kwargs, message in _failing():
            with pytest.raises(InvalidInputError, match=message):
                await invoke(client, method, *args, model="org/model", **kwargs)
        with pytest.raises(InvalidInputError, match="file not found"):
            await invoke(client, "video_classification", tmp_path / "missing.mp4", model="a/b")
    assert sent.requests == []


# -- answers of the wrong shape ------------------------------------------------------------------


def _call(task: str, inputs: Any, **kwargs: Any) -> Call:
    return Call(
        task=task,
        inputs=inputs,
        model=ModelMapping("org/model"),
        routing="direct",
        base_url=ROUTER,
        stream=False,
        **kwargs,
    )


def _json(body: Any) -> Response:
    return Response(200, {"content-type": "application/json"}, json.dumps(body).encode(), ROUTER)


PNG_B64 = base64.b64encode(PNG_8X8).decode()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "without 'depth'"),
        ({"predicted_depth": [[1.0]]}, "without 'depth'"),
        ([], "without 'depth'"),
        ({"depth": 12}, "without 'depth'"),
        ({"depth": PNG_B64, "predicted_depth": [[1.0, 2.0], [3.0]]}, "rows of numbers"),
        ({"depth": PNG_B64, "predicted_depth": [["a"]]}, "rows of numbers"),
        ({"depth": PNG_B64, "predicted_depth": []}, "rows of numbers"),
        ({"depth": PNG_B64, "predicted_depth": [[True]]}, "rows of numbers"),
        ({"depth": base64.b64encode(b"plain text").decode()}, "'depth' as a base64 image"),
        ({"depth": ""}, "empty ImageOutput"),
    ],
    ids=[
        "empty-object",
        "no-depth-image",
        "empty-list",
        "depth-not-a-string",
        "ragged-rows",
        "strings",
        "no-rows",
        "booleans",
        "depth-not-an-image",
        "empty-depth",
    ],
)
def test_depth_answers_of_the_wrong_shape(body, message):
    helper = HFInferenceDepthEstimation()
    with pytest.raises(ResponseFormatError, match=message) as raised:
        helper.parse_response(_json(body), _call("depth-estimation", PNG_8X8))
    assert "hf-inference depth-estimation" in str(raised.value)


def test_depth_answer_variants():
    helper = HFInferenceDepthEstimation()
    call = _call("depth-estimation", PNG_8X8)
    # Older transformers keep the batch axis: one map in a list; some servers wrap the answer.
    batched = helper.parse_response(
        _json([{"predicted_depth": [[[1, 2], [3, 4]]], "depth": PNG_B64}]), call
    )
    assert batched.predicted_depth == [[1.0, 2.0], [3.0, 4.0]]
    data_url = helper.parse_response(_json({"depth": f"data:image/png;base64,{PNG_B64}"}), call)
    assert (data_url.content, data_url.predicted_depth) == (PNG_8X8, None)
    # A custom handler answering with the image itself.
    raw = helper.parse_response(Response(200, {"content-type": "image/png"}, PNG_8X8, ROUTER), call)
    assert isinstance(raw, DepthMap)
    assert (raw.content, raw.predicted_depth) == (PNG_8X8, None)


def test_classification_and_detection_answers_of_the_wrong_shape():
    video = HFInferenceVideoClassification()
    video_call = _call("video-classification", BinaryInput(MP4, "video/mp4"))
    with pytest.raises(ResponseFormatError, match="non-empty JSON list"):
        video.parse_response(_json([]), video_call)  # no label at all is no classification
    with pytest.raises(ResponseFormatError, match="score"):
        video.parse_response(_json([{"label": "playing guitar"}]), video_call)
    detection = HFInferenceZeroShotObjectDetection()
    detection_call = _call(
        "zero-shot-object-detection", PNG_8X8, parameters={"candidate_labels": ["cat"]}
    )
    with pytest.raises(ResponseFormatError, match="box"):
        detection.parse_response(_json([{"label": "cat", "score": 0.5}]), detection_call)
    with pytest.raises(ResponseFormatError, match="non-empty JSON list"):
        detection.parse_response(_json({"label": "cat"}), detection_call)
    audio = HFInferenceTextToAudio()
    with pytest.raises(ResponseFormatError, match="AudioOutput"):
        audio.parse_response(_json({"error": "oops"}), _call("text-to-audio", "drums"))
    with pytest.raises(ResponseFormatError, match="AudioOutput"):
        audio.parse_response(
            Response(200, {"content-type": "image/png"}, PNG_8X8, ROUTER),
            _call("text-to-audio", "drums"),
        )


def test_payloads():
    video = HFInferenceVideoClassification()
    raw = video.prepare_payload(_call("video-classification", BinaryInput(MP4, "video/mp4")))
    assert raw == BinaryPayload(MP4, "video/mp4")
    # Plain bytes (as the conformance kit passes them) are sniffed; an image is refused.
    assert video.prepare_payload(_call("video-classification", MP4)) == raw
    with pytest.raises(InvalidInputError, match="image/png file as the video"):
        video.prepare_payload(_call("video-classification", BinaryInput(PNG_8X8, "image/png")))
    detection = HFInferenceZeroShotObjectDetection()
    call = _call("zero-shot-object-detection", PNG_8X8, parameters={"candidate_labels": ["cat"]})
    assert detection.prepare_payload(call) == {
        "inputs": PNG_B64,
        "parameters": {"candidate_labels": ["cat"]},
    }
    assert HFInferenceTextToAudio().prepare_payload(_call("text-to-audio", "drums")) == {
        "inputs": "drums",
        "parameters": {},
    }
