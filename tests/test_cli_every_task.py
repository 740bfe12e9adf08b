"""``infermux run TASK`` for every task of hf-inference, fal-ai, replicate, together and groq.

Each case replays the cassette its provider's end-to-end test replays, through the command
line only: media inputs are files written from the bytes the recording sent (so the request
matches byte for byte), second inputs are ``--param``, media outputs are files checked by
their magic bytes, and structured outputs are the ``--json`` document checked against the
recorded answer.
"""

from __future__ import annotations

import base64
import functools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from infermux.cli import main
from tests.conftest import CASSETTES, FAKE_HF_TOKEN, FAKE_PROVIDER_KEY

FAKE_FAL_KEY = "fal-fake-key-id:fake-secret-0123456789"
FAKE_REPLICATE_KEY = "r8-fake-replicate-token"
FAKE_GROQ_KEY = "groq_fake_test_key_0123456789"

# -- inputs taken from the recordings ------------------------------------------------------


@functools.cache
def _requests(cassette: str) -> list[dict[str, Any]]:
    """The cassette's requests to the provider (the Hub's mapping lookups left out)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    data = yaml.load((CASSETTES / cassette).read_bytes(), Loader=loader)  # noqa: S506
    requests = [i["request"] for i in data["interactions"]]
    return [r for r in requests if not r["uri"].startswith("https://huggingface.co/api/")]


def raw_body(cassette: str, index: int = 0) -> bytes:
    body = _requests(cassette)[index]["body"]
    assert isinstance(body, bytes), f"{cassette} sent no raw body"
    return body


def json_body(cassette: str, index: int = 0) -> Any:
    return json.loads(_requests(cassette)[index]["body"])


def _data_urls(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value] if value.startswith("data:") else []
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list):
        return [url for item in value for url in _data_urls(item)]
    return []


def data_url_bytes(cassette: str, index: int = 0) -> bytes:
    """The file a JSON request carried as its (first) ``data:`` URL."""
    (url, *_) = _data_urls(json_body(cassette, index))
    return base64.b64decode(url.split(",", 1)[1])


def multipart_file(cassette: str, index: int = 0) -> bytes:
    """The file part of a multipart/form-data request."""
    body = raw_body(cassette, index)
    boundary = body.split(b"\r\n", 1)[0]
    for part in body.split(boundary):
        head, _, content = part.partition(b"\r\n\r\n")
        if b"filename=" in head:
            return content.removesuffix(b"\r\n")
    raise AssertionError(f"{cassette} sent no file part")


HF_AUDIO = functools.partial(raw_body, "hf-inference/automatic_speech_recognition.yaml")
HF_IMAGE = functools.partial(raw_body, "hf-inference/image_classification.yaml")
#: The 8x8 PNG the synthetic depth and zero-shot detection cassettes were written with.
SYNTHETIC_PNG = functools.partial(raw_body, "hf-inference/depth_estimation_synthetic.yaml")

# -- what an output must look like ---------------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n"
JPEG = b"\xff\xd8\xff"
FLAC = b"fLaC"
WAV = b"RIFF"


def is_mp4(content: bytes) -> bool:
    return content[4:8] == b"ftyp"


def starts(magic: bytes) -> Callable[[bytes], bool]:
    return lambda content: content.startswith(magic)


# -- the cases -----------------------------------------------------------------------------

Argv = Callable[[Path], list[str]]


def file_arg(name: str, content: Callable[[], bytes]) -> Argv:
    """``--input-file`` with ``content`` written to ``name`` in the test's directory."""

    def build(tmp_path: Path) -> list[str]:
        path = tmp_path / "inputs" / name
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(content())
        return ["--input-file", str(path)]

    return build


def text_arg(text: str) -> Argv:
    return lambda _: ["--input", text]


def json_arg(value: Callable[[], Any]) -> Argv:
    return lambda _: ["--input", json.dumps(value())]


def params(**values: Any) -> list[str]:
    """``--param`` pairs: strings as they are, anything else as JSON."""
    out: list[str] = []
    for key, value in values.items():
        out += ["--param", f"{key}={value if isinstance(value, str) else json.dumps(value)}"]
    return out


@dataclass(frozen=True)
class Case:
    provider: str
    task: str
    cassette: str
    model: str
    source: Argv
    extra: list[str] = field(default_factory=list)
    key: str = FAKE_HF_TOKEN
    #: Structured outputs: checks of the parsed ``--json`` document.
    check: Callable[[Any], bool] | None = None
    #: Media outputs: a check of the saved file's bytes.
    media: Callable[[bytes], bool] | None = None

    @property
    def id(self) -> str:
        return f"{self.provider}:{self.task}"


CHAT = json_arg(lambda: json_body("hf-inference/chat_completion.yaml")["messages"])

HF = "hf-inference"
HF_CASES = [
    Case(
        HF,
        "conversational",
        "hf-inference/chat_completion.yaml",
        "meta-llama/Llama-3.1-8B-Instruct",
        CHAT,
        check=lambda out: (
            out["choices"][0]["message"]["content"].startswith("Deep learning is a subfield")
            and out["system_fingerprint"] == "3.2.1-native"
        ),
    ),
    Case(
        HF,
        "text-generation",
        "hf-inference/text_generation.yaml",
        "google/flan-t5-xxl",
        text_arg("test"),
        params(details=False, do_sample=False, max_new_tokens=1, return_full_text=False, stop=[]),
        check=lambda out: out == {"generated_text": ""},
    ),
    Case(
        HF,
        "feature-extraction",
        "hf-inference/feature_extraction.yaml",
        "facebook/bart-base",
        text_arg("Hi, who are you?"),
        check=lambda out: (
            len(out[0][0]) == 768 and out[0][0][0] == pytest.approx(2.4248037338256836)
        ),
    ),
    Case(
        HF,
        "sentence-similarity",
        "hf-inference/sentence_similarity.yaml",
        "sentence-transformers/all-MiniLM-L6-v2",
        text_arg("Machine learning is so easy."),
        params(other_sentences=json_body("hf-inference/sentence_similarity.yaml")["sentences"]),
        check=lambda out: (
            out == pytest.approx([0.7785724997520447, 0.4587624967098236, 0.29062220454216003])
        ),
    ),
    Case(
        HF,
        "text-to-image",
        "hf-inference/text_to_image.yaml",
        "CompVis/stable-diffusion-v1-4",
        text_arg("An astronaut riding a horse on the moon."),
        media=starts(JPEG),
    ),
    Case(
        HF,
        "text-to-speech",
        "hf-inference/text_to_speech.yaml",
        "espnet/kan-bayashi_ljspeech_vits",
        text_arg("Hello world"),
        media=starts(FLAC),
    ),
    Case(
        HF,
        "text-to-audio",
        "hf-inference/text_to_audio_synthetic.yaml",
        "facebook/musicgen-small",
        text_arg("liquid drum and bass, atmospheric synths"),
        media=starts(WAV),
    ),
    Case(
        HF,
        "automatic-speech-recognition",
        "hf-inference/automatic_speech_recognition.yaml",
        "jonatasgrosman/wav2vec2-large-xlsr-53-english",
        file_arg("sample1.flac", HF_AUDIO),
        check=lambda out: out["text"] == "a man said to the universe sir i exist",
    ),
    Case(
        HF,
        "audio-classification",
        "hf-inference/audio_classification.yaml",
        "alefiury/wav2vec2-large-xlsr-53-gender-recognition-librispeech",
        file_arg("sample1.flac", HF_AUDIO),
        check=lambda out: (
            [x["label"] for x in out] == ["male", "female"]
            and out[0]["score"] == pytest.approx(0.9987353682518005)
        ),
    ),
    Case(
        HF,
        "audio-to-audio",
        "hf-inference/audio_to_audio.yaml",
        "speechbrain/sepformer-wham",
        file_arg("sample1.flac", HF_AUDIO),
        media=starts(FLAC),
    ),
    Case(
        HF,
        "image-classification",
        "hf-inference/image_classification.yaml",
        "google/vit-base-patch16-224",
        file_arg("lena.png", HF_IMAGE),
        check=lambda out: (
            out[0]["label"] == "brassiere, bra, bandeau"
            and out[0]["score"] == pytest.approx(0.11767438799142838)
        ),
    ),
    Case(
        HF,
        "image-segmentation",
        "hf-inference/image_segmentation.yaml",
        "facebook/detr-resnet-50-panoptic",
        file_arg("lena.png", HF_IMAGE),
        check=lambda out: (
            out[0]["label"] == "LABEL_199"
            and all(base64.b64decode(s["mask"]).startswith(PNG) for s in out)
        ),
    ),
    Case(
        HF,
        "image-to-text",
        "hf-inference/image_to_text.yaml",
        "Salesforce/blip-image-captioning-base",
        file_arg("lena.png", HF_IMAGE),
        check=lambda out: (
            out == {"generated_text": "a woman in a hat and dress posing for a photo"}
        ),
    ),
    Case(
        HF,
        "image-to-image",
        "hf-inference/image_to_image_synthetic.yaml",
        "timbrooks/instruct-pix2pix",
        file_arg(
            "cat.png",
            lambda: base64.b64decode(
                json_body("hf-inference/image_to_image_synthetic.yaml")["inputs"]
            ),
        ),
        params(prompt="Turn the cat into a tiger."),
        media=starts(PNG),
    ),
    Case(
        HF,
        "object-detection",
        "hf-inference/object_detection.yaml",
        "facebook/detr-resnet-50",
        file_arg("lena.png", HF_IMAGE),
        check=lambda out: (
            [o["label"] for o in out] == ["person", "umbrella", "person"]
            and out[0]["box"] == {"xmin": 59, "xmax": 420, "ymin": 39, "ymax": 510}
        ),
    ),
    Case(
        HF,
        "zero-shot-image-classification",
        "hf-inference/zero_shot_image_classification.yaml",
        "openai/clip-vit-base-patch32",
        file_arg("lena.png", HF_IMAGE),
        params(candidate_labels=["tree", "woman", "cat"]),
        check=lambda out: (
            [x["label"] for x in out] == ["woman", "cat", "tree"]
            and out[0]["score"] == pytest.approx(0.998569130897522)
        ),
    ),
    Case(
        HF,
        "zero-shot-object-detection",
        "hf-inference/zero_shot_object_detection_synthetic.yaml",
        "google/owlvit-base-patch32",
        file_arg("cat.png", SYNTHETIC_PNG),
        params(candidate_labels=["cat", "remote control"]),
        check=lambda out: (
            [x["label"] for x in out] == ["cat", "remote control"]
            and out[0]["box"] == {"xmin": 1, "ymin": 0, "xmax": 5, "ymax": 6}
        ),
    ),
    Case(
        HF,
        "depth-estimation",
        "hf-inference/depth_estimation_synthetic.yaml",
        "Intel/dpt-large",
        file_arg("room.png", SYNTHETIC_PNG),
        media=starts(PNG),
    ),
    Case(
        HF,
        "video-classification",
        "hf-inference/video_classification_synthetic.yaml",
        "MCG-NJU/videomae-base-finetuned-kinetics",
        file_arg(
            "guitar.mp4",
            functools.partial(raw_body, "hf-inference/video_classification_synthetic.yaml"),
        ),
        check=lambda out: (
            [x["label"] for x in out] == ["playing guitar", "playing ukulele", "strumming guitar"]
            and out[0]["score"] == pytest.approx(0.6181)
        ),
    ),
    Case(
        HF,
        "visual-question-answering",
        "hf-inference/visual_question_answering.yaml",
        "dandelin/vilt-b32-finetuned-vqa",
        file_arg("lena.png", HF_IMAGE),
        params(question="Who's in the picture?"),
        check=lambda out: (
            out[0]["answer"] == "woman" and out[0]["score"] == pytest.approx(0.9386942982673645)
        ),
    ),
    Case(
        HF,
        "document-question-answering",
        "hf-inference/document_question_answering.yaml",
        "naver-clova-ix/donut-base-finetuned-docvqa",
        file_arg(
            "invoice.jpg",
            lambda: base64.b64decode(
                json_body("hf-inference/document_question_answering.yaml")["inputs"]["image"]
            ),
        ),
        params(question="What is the purchase amount?"),
        check=lambda out: out == [{"answer": "$1,0000,000,00"}],
    ),
    Case(
        HF,
        "text-classification",
        "hf-inference/text_classification.yaml",
        "distilbert/distilbert-base-uncased-finetuned-sst-2-english",
        text_arg("I like you"),
        check=lambda out: out[0]["label"] == "POSITIVE",
    ),
    Case(
        HF,
        "token-classification",
        "hf-inference/token_classification.yaml",
        "dbmdz/bert-large-cased-finetuned-conll03-english",
        text_arg("My name is Sarah Jessica Parker but you can call me Jessica"),
        check=lambda out: (
            [(e["entity_group"], e["word"], e["start"], e["end"]) for e in out]
            == [("PER", "Sarah Jessica Parker", 11, 31), ("PER", "Jessica", 52, 59)]
        ),
    ),
    Case(
        HF,
        "zero-shot-classification",
        "hf-inference/zero_shot_classification.yaml",
        "facebook/bart-large-mnli",
        text_arg(json_body("hf-inference/zero_shot_classification.yaml")["inputs"]),
        params(
            candidate_labels=[
                "space & cosmos",
                "scientific discovery",
                "microbiology",
                "robots",
                "archeology",
            ],
            multi_label=False,
        ),
        check=lambda out: (
            [x["label"] for x in out][:2] == ["scientific discovery", "space & cosmos"]
            and out[0]["score"] == pytest.approx(0.796166181564331)
        ),
    ),
    Case(
        HF,
        "fill-mask",
        "hf-inference/fill_mask_synthetic.yaml",
        "distilbert/distilroberta-base",
        text_arg("The goal of life is <mask>."),
        check=lambda out: (
            out[0]["sequence"] == "The goal of life is happiness."
            and out[0]["token_str"] == " happiness"
        ),
    ),
    Case(
        HF,
        "question-answering",
        "hf-inference/question_answering_synthetic.yaml",
        "deepset/roberta-base-squad2",
        text_arg("What is the meaning of life?"),
        params(context="42"),  # a plain-text parameter: stays the string "42"
        check=lambda out: out["answer"] == "42",
    ),
    Case(
        HF,
        "table-question-answering",
        "hf-inference/table_question_answering.yaml",
        "google/tapas-base-finetuned-wtq",
        json_arg(
            lambda: {
                "Repository": ["Transformers", "Datasets", "Tokenizers"],
                "Stars": ["36542", "4512", "3934"],
            }
        ),
        params(query="How many stars does the transformers repository have?"),
        check=lambda out: out["answer"] == "AVERAGE > 36542" and out["cells"] == ["36542"],
    ),
    Case(
        HF,
        "summarization",
        "hf-inference/summarization.yaml",
        "sshleifer/distilbart-cnn-12-6",
        text_arg("The sky is blue, the tree is green."),
        check=lambda out: out["summary_text"].startswith(" eloqu eloqu eloqu"),  # as recorded
    ),
    Case(
        HF,
        "translation",
        "hf-inference/translation_with_languages.yaml",
        "facebook/mbart-large-50-many-to-many-mmt",
        text_arg("Hello world"),
        params(src_lang="en_XX", tgt_lang="fr_XX"),
        check=lambda out: out == {"translation_text": "Hello world"},  # as recorded
    ),
    Case(
        HF,
        "tabular-classification",
        "hf-inference/tabular_classification_synthetic.yaml",
        "julien-c/wine-quality",
        json_arg(
            lambda: json_body("hf-inference/tabular_classification_synthetic.yaml")["inputs"][
                "data"
            ]
        ),
        check=lambda out: out == ["5", "5", "6"],
    ),
    Case(
        HF,
        "tabular-regression",
        "hf-inference/tabular_regression_synthetic.yaml",
        "scikit-learn/Fish-Weight",
        json_arg(
            lambda: json_body("hf-inference/tabular_regression_synthetic.yaml")["inputs"]["data"]
        ),
        check=lambda out: out == [110.0, 120.0, 130.5],
    ),
]

FAL = "fal-ai"
FAL_CASES = [
    Case(
        FAL,
        "text-to-image",
        "fal-ai/text_to_image.yaml",
        "black-forest-labs/FLUX.1-dev",
        text_arg("An astronaut riding a horse on the moon."),
        media=starts(PNG),
    ),
    Case(
        FAL,
        "image-to-image",
        "fal-ai/image_to_image_synthetic.yaml",
        "fal-ai/flux/dev/image-to-image",
        file_arg("cat.png", lambda: data_url_bytes("fal-ai/image_to_image_synthetic.yaml")),
        params(prompt="Turn the cat into a tiger.", seed=7),
        key=FAKE_FAL_KEY,
        media=starts(PNG),
    ),
    Case(
        FAL,
        "text-to-video",
        "fal-ai/text_to_video_synthetic.yaml",
        "fal-ai/kling-video/v1/standard/text-to-video",
        text_arg("A young man walking on the street"),
        params(seed=1),
        key=FAKE_FAL_KEY,
        media=is_mp4,
    ),
    Case(
        FAL,
        "image-to-video",
        "fal-ai/image_to_video_synthetic.yaml",
        "fal-ai/wan-i2v",
        file_arg("cat.png", lambda: data_url_bytes("fal-ai/image_to_video_synthetic.yaml")),
        params(prompt="The cat starts to dance"),
        key=FAKE_FAL_KEY,
        media=is_mp4,
    ),
    Case(
        FAL,
        "image-segmentation",
        "fal-ai/image_segmentation_synthetic.yaml",
        "fal-ai/birefnet/v2",
        file_arg("cat.png", lambda: data_url_bytes("fal-ai/image_segmentation_synthetic.yaml")),
        key=FAKE_FAL_KEY,
        check=lambda out: (
            [(s["label"], s["score"]) for s in out] == [("mask", 1.0)]
            and base64.b64decode(out[0]["mask"]).startswith(PNG)
        ),
    ),
    Case(
        FAL,
        "automatic-speech-recognition",
        "fal-ai/automatic_speech_recognition_direct_synthetic.yaml",
        "fal-ai/whisper",
        file_arg(
            "hello.wav",
            lambda: data_url_bytes("fal-ai/automatic_speech_recognition_direct_synthetic.yaml"),
        ),
        key=FAKE_FAL_KEY,
        check=lambda out: out["text"] == " Hello world.",
    ),
    Case(
        FAL,
        "text-to-speech",
        "fal-ai/text_to_speech_synthetic.yaml",
        "fal-ai/kokoro/american-english",
        text_arg("Hello world"),
        key=FAKE_FAL_KEY,
        media=starts(WAV),
    ),
    Case(
        FAL,
        "text-to-audio",
        "fal-ai/text_to_audio_synthetic.yaml",
        "fal-ai/stable-audio",
        text_arg("128 BPM tech house drum loop"),
        key=FAKE_FAL_KEY,
        media=starts(WAV),
    ),
]

REPLICATE = "replicate"
REPLICATE_CASES = [
    Case(
        REPLICATE,
        "text-to-image",
        "replicate/text_to_image.yaml",
        "ByteDance/SDXL-Lightning",
        text_arg("An astronaut riding a horse on the moon."),
        media=starts(PNG),
    ),
    Case(
        REPLICATE,
        "image-to-image",
        "replicate/image_to_image_routed_synthetic.yaml",
        "black-forest-labs/FLUX.1-Kontext-dev",
        file_arg(
            "cat.png", lambda: data_url_bytes("replicate/image_to_image_routed_synthetic.yaml")
        ),
        params(prompt="Turn the cat into a tiger."),
        media=starts(PNG),
    ),
    Case(
        REPLICATE,
        "text-to-video",
        "replicate/text_to_video_synthetic.yaml",
        "tencent/hunyuan-video",
        text_arg("A young man walking on the street"),
        params(seed=1),
        key=FAKE_REPLICATE_KEY,
        media=is_mp4,
    ),
    Case(
        REPLICATE,
        "text-to-speech",
        "replicate/text_to_speech_synthetic.yaml",
        "jaaari/kokoro-82m:dfdf537ba482b029e0a761699e6f55e9162cfd159270bfe0e44857caa5f275a6",
        text_arg("Hello world"),
        key=FAKE_REPLICATE_KEY,
        media=starts(WAV),
    ),
    Case(
        REPLICATE,
        "automatic-speech-recognition",
        "replicate/automatic_speech_recognition_synthetic.yaml",
        "openai/whisper:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        file_arg(
            "hello.wav",
            lambda: data_url_bytes("replicate/automatic_speech_recognition_synthetic.yaml"),
        ),
        key=FAKE_REPLICATE_KEY,
        check=lambda out: (
            out["text"] == " Hello world." and out["chunks"][0]["timestamp"] == [0.0, 1.5]
        ),
    ),
]

TOGETHER = "together"
TOGETHER_CASES = [
    Case(
        TOGETHER,
        "conversational",
        "together/chat_completion.yaml",
        "meta-llama/Meta-Llama-3-8B-Instruct",
        CHAT,
        check=lambda out: out["choices"][0]["message"]["content"].startswith(
            "Deep learning is a subfield of machine learning that involves"
        ),
    ),
    Case(
        TOGETHER,
        "text-generation",
        "together/text_generation_synthetic.yaml",
        "Qwen/Qwen2.5-7B-Instruct",
        text_arg("The capital of France is"),
        params(max_new_tokens=12, temperature=0.2),
        check=lambda out: out["generated_text"] == " Paris. It is known for the Eiffel Tower.",
    ),
    Case(
        TOGETHER,
        "feature-extraction",
        "together/feature_extraction_synthetic.yaml",
        "BAAI/bge-base-en-v1.5",
        json_arg(lambda: ["Today is a sunny day.", "It rains."]),
        check=lambda out: (
            out == [[-0.0203, 0.0518, 0.0127, -0.0442], [0.0112, -0.0421, 0.0334, 0.0051]]
        ),
    ),
    Case(
        TOGETHER,
        "text-to-image",
        "together/text_to_image.yaml",
        "stabilityai/stable-diffusion-xl-base-1.0",
        text_arg("An astronaut riding a horse on the moon."),
        media=starts(JPEG),
    ),
    Case(
        TOGETHER,
        "image-to-image",
        "together/image_to_image_synthetic.yaml",
        "black-forest-labs/FLUX.1-Kontext-dev",
        file_arg("cat.png", lambda: data_url_bytes("together/image_to_image_synthetic.yaml")),
        params(prompt="Make it a watercolor painting", num_inference_steps=28, seed=42),
        media=starts(PNG),
    ),
    Case(
        TOGETHER,
        "text-to-video",
        "together/text_to_video_synthetic.yaml",
        "Wan-AI/Wan2.2-T2V-A14B",
        text_arg("A bicycle weaving through a rainy neon street"),
        params(negative_prompt="blurry", num_inference_steps=30, seed=7),
        media=is_mp4,
    ),
    Case(
        TOGETHER,
        "image-to-video",
        "together/image_to_video_synthetic.yaml",
        "Wan-AI/Wan2.2-I2V-A14B",
        file_arg("cat.png", lambda: data_url_bytes("together/image_to_video_synthetic.yaml")),
        params(prompt="The cat slowly turns its head", target_size={"width": 1280, "height": 720}),
        key=FAKE_PROVIDER_KEY,
        media=is_mp4,
    ),
    Case(
        TOGETHER,
        "text-to-speech",
        "together/text_to_speech_synthetic.yaml",
        "hexgrad/Kokoro-82M",
        text_arg("Hello from infermux."),
        media=starts(b"ID3"),  # MP3
    ),
    Case(
        TOGETHER,
        "automatic-speech-recognition",
        "together/automatic_speech_recognition_synthetic.yaml",
        "openai/whisper-large-v3",
        # The recording sent the file as audio.wav: the same name matches it byte for byte.
        file_arg(
            "audio.wav",
            lambda: multipart_file("together/automatic_speech_recognition_synthetic.yaml"),
        ),
        check=lambda out: out["text"] == "Hello world.",
    ),
]

GROQ = "groq"
GROQ_CASES = [
    Case(
        GROQ,
        "conversational",
        "groq/chat_completion_synthetic.yaml",
        "meta-llama/Llama-3.3-70B-Instruct",
        CHAT,
        params(max_tokens=64),
        check=lambda out: (
            out["choices"][0]["message"]["content"]
            == "Deep learning is a subfield of machine learning that uses neural networks with many"
            " layers to learn representations of data."
            and out["model"] == "llama-3.3-70b-versatile"
        ),
    ),
    Case(
        GROQ,
        "text-generation",
        "groq/text_generation_synthetic.yaml",
        "llama-3.1-8b-instant",
        text_arg("Write a haiku about the sea."),
        params(max_new_tokens=40, temperature=0.5, details=True),
        key=FAKE_GROQ_KEY,
        check=lambda out: out["generated_text"].startswith("Waves fold into foam"),
    ),
]

CASES = [*HF_CASES, *FAL_CASES, *REPLICATE_CASES, *TOGETHER_CASES, *GROQ_CASES]


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_run_every_task(case: Case, replay, capsys, tmp_path):
    argv = [
        "run",
        case.task,
        "--model",
        case.model,
        "--provider",
        case.provider,
        "--api-key",
        case.key,
        "--poll-interval",
        "0.001",
        "--json",
        *([] if case.key == FAKE_HF_TOKEN else ["--no-hub-lookup"]),  # provider ids
        *case.source(tmp_path),
        *case.extra,
    ]
    with replay(case.cassette):
        assert main(argv) == 0
    captured = capsys.readouterr()
    out = json.loads(captured.out)
    if case.media is not None:
        # One file, or one per output (audio-to-audio): output<ext>, output-1<ext> ...
        for item in out if isinstance(out, list) else [out]:
            saved = Path(item["path"])
            assert saved.parent == tmp_path  # by default in the current directory
            assert re.fullmatch(r"output(-\d+)?\.\w+", saved.name)
            assert item["size"] == saved.stat().st_size
            assert case.media(saved.read_bytes()), saved.read_bytes()[:16]
            assert item["provider"] == case.provider
    else:
        assert case.check is not None
        assert case.check(out), out


def test_every_task_of_the_five_providers_is_covered():
    from infermux.registry.loader import get_registry

    registry = get_registry()
    registered = {
        (provider, task)
        for provider in (HF, FAL, REPLICATE, TOGETHER, GROQ)
        for task in registry.tasks_for(provider)
        # The Responses API is an API, not a task `infermux run` runs: `chat --responses`
        # (tests/test_cli_responses.py).
        if task != "responses"
    }
    assert {(c.provider, c.task) for c in CASES} == registered
    assert len(CASES) == len(registered)  # one case each


def test_several_media_outputs_are_numbered_files_next_to_output(replay, capsys, tmp_path):
    source = tmp_path / "sample1.flac"
    source.write_bytes(HF_AUDIO())
    argv = [
        *("run", "audio-to-audio", "--model", "speechbrain/sepformer-wham"),
        *("--provider", HF, "--api-key", FAKE_HF_TOKEN),
        *("--input-file", str(source), "--output", "sources/voice.flac"),
    ]
    with replay("hf-inference/audio_to_audio.yaml"):
        assert main(argv) == 0
    lines = capsys.readouterr().out.splitlines()
    paths = [tmp_path / "sources" / f"voice-{n}.flac" for n in (1, 2)]
    assert lines == [f"saved audio/flac from hf-inference to {path}" for path in paths]
    assert all(path.read_bytes().startswith(FLAC) for path in paths)


def test_a_depth_maps_raw_values_are_saved_beside_its_image(replay, capsys, tmp_path):
    """`run depth-estimation` writes the image and, beside it, the model's raw depth values
    (DepthMap.predicted_depth) as JSON rows: nothing the provider sent is dropped."""
    source = tmp_path / "room.png"
    source.write_bytes(SYNTHETIC_PNG())
    argv = [
        *("run", "depth-estimation", "--model", "Intel/dpt-large"),
        *("--provider", HF, "--api-key", FAKE_HF_TOKEN),
        *("--input-file", str(source), "--output", "maps/room-depth.png"),
    ]
    with replay("hf-inference/depth_estimation_synthetic.yaml"):
        assert main(argv) == 0
    image, values = (
        tmp_path / "maps" / "room-depth.png",
        tmp_path / "maps" / "room-depth.depth.json",
    )
    assert capsys.readouterr().out.strip() == (
        f"saved image/png from hf-inference to {image}, raw depth values to {values}"
    )
    assert image.read_bytes().startswith(PNG)
    rows = json.loads(values.read_text())
    assert len(rows) == 8
    assert {len(row) for row in rows} == {8}
    assert rows[0][:3] == [2.0, 2.5, 3.0]
    assert rows[7][7] == 7.25

    with replay("hf-inference/depth_estimation_synthetic.yaml"):
        assert main([*argv, "--json"]) == 0
    saved = json.loads(capsys.readouterr().out)
    assert saved["predicted_depth_path"] == str(values)
