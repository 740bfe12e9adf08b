"""hf-inference: every task besides chat and text generation, end to end (sync and async).

Recorded cassettes where they exist (the binary inputs are taken from the recorded request
bodies, so what the client sends matches byte for byte), synthetic ones for fill-mask,
question answering, image-to-image and the tabular tasks. Bad inputs must fail before any
request; the helpers' pure methods are tested directly at the end.
"""

from __future__ import annotations

import base64
import functools
import io
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from infermux import AsyncInferenceClient, AudioOutput, ImageOutput, InferenceClient
from infermux.errors import InvalidInputError, ResponseFormatError, StreamError
from infermux.helpers.base import BinaryPayload, Call, ModelMapping, Response, SSEEvent
from infermux.inputs import BinaryInput
from infermux.types import (
    AudioClassificationOutputElement,
    AutomaticSpeechRecognitionOutput,
    DocumentQuestionAnsweringOutputElement,
    FillMaskOutputElement,
    ImageClassificationOutputElement,
    ImageSegmentationOutputElement,
    ImageToTextOutput,
    ObjectDetectionOutputElement,
    QuestionAnsweringOutputElement,
    SummarizationOutput,
    TableQuestionAnsweringOutputElement,
    TokenClassificationOutputElement,
    TranslationOutput,
    VisualQuestionAnsweringOutputElement,
    ZeroShotClassificationOutputElement,
    ZeroShotImageClassificationOutputElement,
)
from infermux_hf_inference import (
    HFInferenceAudioToAudio,
    HFInferenceDocumentQuestionAnswering,
    HFInferenceFeatureExtraction,
    HFInferenceImageClassification,
    HFInferenceQuestionAnswering,
    HFInferenceTabularClassification,
    HFInferenceTabularRegression,
    HFInferenceTextGeneration,
    HFInferenceTextToSpeech,
    HFInferenceZeroShotClassification,
)
from tests.conftest import CASSETTES, FAKE_HF_TOKEN

ROUTER = "https://router.huggingface.co/hf-inference"

# -- inputs taken from the recordings ------------------------------------------------------


@functools.cache
def provider_request(name: str) -> dict[str, Any]:
    """The request of the cassette's call to hf-inference (not the Hub lookups before it)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    data = yaml.load((CASSETTES / "hf-inference" / name).read_bytes(), Loader=loader)  # noqa: S506
    calls = [i["request"] for i in data["interactions"] if i["request"]["uri"].startswith(ROUTER)]
    return calls[-1]


def recorded_bytes(name: str) -> bytes:
    body = provider_request(name)["body"]
    assert isinstance(body, bytes), f"{name} sent no raw body"
    return body


def recorded_json(name: str) -> dict[str, Any]:
    return json.loads(provider_request(name)["body"])


#: The FLAC clip all three audio recordings sent, and the PNG all image recordings sent.
AUDIO = recorded_bytes("automatic_speech_recognition.yaml")
IMAGE = recorded_bytes("image_classification.yaml")
#: The JPEG the document question answering recording sent (base64 in its JSON body).
DOCUMENT = base64.b64decode(recorded_json("document_question_answering.yaml")["inputs"]["image"])
ZERO_SHOT_TEXT = recorded_json("zero_shot_classification.yaml")["inputs"]
LABELS = ["space & cosmos", "scientific discovery", "microbiology", "robots", "archeology"]
TABLE = {
    "Repository": ["Transformers", "Datasets", "Tokenizers"],
    "Stars": ["36542", "4512", "3934"],
}
WINE = {
    "fixed_acidity": ["7.4", "7.8", "10.3"],
    "volatile_acidity": ["0.7", "0.88", "0.32"],
    "alcohol": ["9.4", "9.8", "12.6"],
}
FISH = {
    "Height": ["11.52", "12.48", "12.3778"],
    "Length1": ["23.2", "24", "23.9"],
    "Species": ["Bream", "Bream", "Bream"],
    "Width": ["4.02", "4.3056", "4.6961"],
}
PNG_1X1 = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


@pytest.fixture
def client():
    return InferenceClient(provider="hf-inference", api_key=FAKE_HF_TOKEN)


def sent_client(sent: Any) -> InferenceClient:
    return InferenceClient(
        provider="hf-inference", api_key=FAKE_HF_TOKEN, http_client=sent.client()
    )


def assert_sent_to(sent: Any, route: str, content_type: str) -> None:
    """One request, to ``route`` under the hf-inference root, with the HF token as Bearer."""
    assert sent.urls == [f"{ROUTER}{route}"]
    request = sent.requests[0]
    assert request.headers["authorization"] == f"Bearer {FAKE_HF_TOKEN}"
    assert request.headers["content-type"] == content_type


# -- audio -------------------------------------------------------------------------------------


def test_automatic_speech_recognition_bytes(replay, sent):
    with replay("hf-inference/automatic_speech_recognition.yaml"):
        out = sent_client(sent).automatic_speech_recognition(
            AUDIO, model="jonatasgrosman/wav2vec2-large-xlsr-53-english"
        )
    assert isinstance(out, AutomaticSpeechRecognitionOutput)
    assert out.text == "a man said to the universe sir i exist"
    # The recording sent no content type; we send the clip's real one (not compared by
    # the cassette matcher, which compares method, URL and body).
    assert_sent_to(sent, "/models/jonatasgrosman/wav2vec2-large-xlsr-53-english", "audio/flac")
    assert sent.requests[0].content == AUDIO
    assert out.response_info.request_id.startswith("Root=1-67dd4d9a")


def test_automatic_speech_recognition_path_and_file_object(client, replay, tmp_path):
    path = tmp_path / "sample1.flac"
    path.write_bytes(AUDIO)
    with replay("hf-inference/automatic_speech_recognition.yaml"):
        from_path = client.automatic_speech_recognition(
            str(path), model="jonatasgrosman/wav2vec2-large-xlsr-53-english"
        )
    with replay("hf-inference/automatic_speech_recognition.yaml"), path.open("rb") as fh:
        from_file = client.automatic_speech_recognition(
            fh, model="jonatasgrosman/wav2vec2-large-xlsr-53-english"
        )
    assert from_path.text == from_file.text == "a man said to the universe sir i exist"


def test_audio_classification(replay, sent):
    with replay("hf-inference/audio_classification.yaml"):
        labels = sent_client(sent).audio_classification(
            AUDIO, model="alefiury/wav2vec2-large-xlsr-53-gender-recognition-librispeech"
        )
    assert all(isinstance(label, AudioClassificationOutputElement) for label in labels)
    assert [label.label for label in labels] == ["male", "female"]
    assert labels[0].score == pytest.approx(0.9987353682518005)
    assert sent.requests[0].headers["content-type"] == "audio/flac"


def test_audio_to_audio(client, replay):
    with replay("hf-inference/audio_to_audio.yaml"):
        sources = client.audio_to_audio(AUDIO, model="speechbrain/sepformer-wham")
    assert [s.label for s in sources] == ["label_0", "label_1"]
    assert all(isinstance(s, AudioOutput) for s in sources)
    assert all(s.content_type == "audio/flac" and s.content[:4] == b"fLaC" for s in sources)
    assert all(s.provider == "hf-inference" for s in sources)
    assert sources.response_info.provider == "hf-inference"


def test_text_to_speech(replay, sent, tmp_path):
    with replay("hf-inference/text_to_speech.yaml"):
        audio = sent_client(sent).text_to_speech(
            "Hello world", model="espnet/kan-bayashi_ljspeech_vits"
        )
    assert isinstance(audio, AudioOutput)
    assert audio.content_type == "audio/flac"
    assert audio.content[:4] == b"fLaC"
    assert audio.extension == ".flac"
    assert Path(audio.save(tmp_path / "hello.flac")).stat().st_size == len(audio.content)
    assert_sent_to(sent, "/models/espnet/kan-bayashi_ljspeech_vits", "application/json")


# -- images ------------------------------------------------------------------------------------


def test_image_classification_bytes(replay, sent):
    with replay("hf-inference/image_classification.yaml"):
        labels = sent_client(sent).image_classification(IMAGE, model="google/vit-base-patch16-224")
    assert all(isinstance(label, ImageClassificationOutputElement) for label in labels)
    assert labels[0].label == "brassiere, bra, bandeau"
    assert labels[0].score == pytest.approx(0.11767438799142838)
    assert len(labels) == 5
    assert_sent_to(sent, "/models/google/vit-base-patch16-224", "image/png")


def test_image_classification_path_file_object_and_pil(client, replay, tmp_path):
    from PIL import Image

    path = tmp_path / "lena.png"
    path.write_bytes(IMAGE)
    image = Image.open(io.BytesIO(IMAGE))
    # A PIL image is re-encoded as PNG: it matches the recording only because this PNG
    # round-trips through Pillow byte for byte.
    encoded = io.BytesIO()
    image.save(encoded, format="PNG")
    assert encoded.getvalue() == IMAGE, "Pillow no longer re-encodes the recorded PNG as is"
    answers = []
    with path.open("rb") as file_object:
        for value in (path, str(path), file_object, image):
            with replay("hf-inference/image_classification.yaml"):
                labels = client.image_classification(value, model="google/vit-base-patch16-224")
            answers.append(labels[0].label)
    assert answers == ["brassiere, bra, bandeau"] * 4


def test_image_segmentation(client, replay):
    with replay("hf-inference/image_segmentation.yaml"):
        segments = client.image_segmentation(IMAGE, model="facebook/detr-resnet-50-panoptic")
    assert all(isinstance(s, ImageSegmentationOutputElement) for s in segments)
    assert [s.label for s in segments] == ["LABEL_199", "person"]
    assert segments[1].score == pytest.approx(0.993846)
    assert base64.b64decode(segments[0].mask)[:8] == b"\x89PNG\r\n\x1a\n"


def test_image_to_text(client, replay):
    with replay("hf-inference/image_to_text.yaml"):
        caption = client.image_to_text(IMAGE, model="Salesforce/blip-image-captioning-base")
    assert isinstance(caption, ImageToTextOutput)
    assert caption.generated_text == "a woman in a hat and dress posing for a photo"


def test_object_detection(client, replay):
    with replay("hf-inference/object_detection.yaml"):
        objects = client.object_detection(IMAGE, model="facebook/detr-resnet-50")
    assert all(isinstance(o, ObjectDetectionOutputElement) for o in objects)
    assert [o.label for o in objects] == ["person", "umbrella", "person"]
    assert (objects[0].box.xmin, objects[0].box.ymax) == (59, 510)


def test_zero_shot_image_classification(replay, sent):
    with replay("hf-inference/zero_shot_image_classification.yaml"):
        labels = sent_client(sent).zero_shot_image_classification(
            IMAGE, ["tree", "woman", "cat"], model="openai/clip-vit-base-patch32"
        )
    assert all(isinstance(label, ZeroShotImageClassificationOutputElement) for label in labels)
    assert [label.label for label in labels] == ["woman", "cat", "tree"]
    # Labels travel in parameters, so the image goes as base64 inside JSON.
    assert_sent_to(sent, "/models/openai/clip-vit-base-patch32", "application/json")


def test_visual_question_answering(client, replay):
    with replay("hf-inference/visual_question_answering.yaml"):
        answers = client.visual_question_answering(
            IMAGE, "Who's in the picture?", model="dandelin/vilt-b32-finetuned-vqa"
        )
    assert all(isinstance(a, VisualQuestionAnsweringOutputElement) for a in answers)
    assert [a.answer for a in answers][:2] == ["woman", "girl"]
    assert answers[0].score == pytest.approx(0.9386942982673645)


def test_document_question_answering(client, replay, tmp_path):
    path = tmp_path / "invoice.jpg"
    path.write_bytes(DOCUMENT)
    with replay("hf-inference/document_question_answering.yaml"):
        answers = client.document_question_answering(
            path, "What is the purchase amount?", model="naver-clova-ix/donut-base-finetuned-docvqa"
        )
    assert all(isinstance(a, DocumentQuestionAnsweringOutputElement) for a in answers)
    assert answers[0].answer == "$1,0000,000,00"


def test_image_to_image_with_prompt_and_raw(replay, sent):
    client = sent_client(sent)
    with replay("hf-inference/image_to_image_synthetic.yaml") as tape:
        guided = client.image_to_image(
            PNG_1X1, "Turn the cat into a tiger.", model="timbrooks/instruct-pix2pix"
        )
        plain = client.image_to_image(PNG_1X1, model="timbrooks/instruct-pix2pix")
    assert tape.play_count == 2
    assert isinstance(guided, ImageOutput)
    assert guided.content_type == plain.content_type == "image/png"
    assert guided.to_pil().size == (2, 2)
    assert guided.to_pil().getpixel((0, 0)) == (255, 128, 0)
    assert plain.to_pil().getpixel((0, 0)) == (0, 128, 255)
    # With a prompt: JSON with the image in base64; without parameters: the raw PNG.
    assert [r.headers["content-type"] for r in sent.requests] == ["application/json", "image/png"]
    assert sent.requests[1].content == PNG_1X1


def test_image_to_image_pil_input(client, replay):
    from PIL import Image

    image = Image.new("RGB", (4, 4), (10, 20, 30))
    encoded = io.BytesIO()
    image.save(encoded, format="PNG")
    sent_image = json.loads(provider_request("image_to_image_synthetic.yaml")["body"])["inputs"]
    assert base64.b64decode(sent_image) == encoded.getvalue(), (
        "Pillow encodes the 4x4 PNG differently from when the synthetic cassette was written"
    )
    with replay("hf-inference/image_to_image_synthetic.yaml"):
        out = client.image_to_image(
            image, prompt="Make it blue.", model="timbrooks/instruct-pix2pix"
        )
    assert out.to_pil().getpixel((1, 1)) == (0, 0, 255)


# -- text --------------------------------------------------------------------------------------


def test_sentence_similarity(replay, sent):
    body = recorded_json("sentence_similarity.yaml")
    with replay("hf-inference/sentence_similarity.yaml"):
        scores = sent_client(sent).sentence_similarity(
            "Machine learning is so easy.",
            other_sentences=body["sentences"],
            model="sentence-transformers/all-MiniLM-L6-v2",
        )
    assert scores == pytest.approx([0.7785724997520447, 0.4587624967098236, 0.29062220454216003])
    assert all(isinstance(s, float) for s in scores)
    assert_sent_to(
        sent,
        "/pipeline/sentence-similarity/sentence-transformers/all-MiniLM-L6-v2",
        "application/json",
    )
    assert json.loads(sent.requests[0].content) == body  # inputs null, fields at top level


def test_token_classification(client, replay):
    with replay("hf-inference/token_classification.yaml"):
        entities = client.token_classification(
            "My name is Sarah Jessica Parker but you can call me Jessica",
            model="dbmdz/bert-large-cased-finetuned-conll03-english",
        )
    assert all(isinstance(e, TokenClassificationOutputElement) for e in entities)
    assert [(e.entity_group, e.word, e.start, e.end) for e in entities] == [
        ("PER", "Sarah Jessica Parker", 11, 31),
        ("PER", "Jessica", 52, 59),
    ]


@pytest.mark.parametrize(
    ("cassette", "multi_label", "scores"),
    [
        ("zero_shot_classification.yaml", False, [0.796166181564331, 0.18570725619792938]),
        (
            "zero_shot_classification_multi_label.yaml",
            True,
            [0.9829296469688416, 0.7551906108856201],
        ),
    ],
)
def test_zero_shot_classification(client, replay, cassette, multi_label, scores):
    with replay(f"hf-inference/{cassette}"):
        labels = client.zero_shot_classification(
            ZERO_SHOT_TEXT, LABELS, multi_label=multi_label, model="facebook/bart-large-mnli"
        )
    assert all(isinstance(label, ZeroShotClassificationOutputElement) for label in labels)
    assert [label.label for label in labels] == [
        "scientific discovery",
        "space & cosmos",
        "microbiology",
        "archeology",
        "robots",
    ]
    assert [label.score for label in labels[:2]] == pytest.approx(scores)


def test_fill_mask(client, replay):
    with replay("hf-inference/fill_mask_synthetic.yaml"):
        fills = client.fill_mask(
            "The goal of life is <mask>.", model="distilbert/distilroberta-base"
        )
        top_two = client.fill_mask(
            "The goal of life is <mask>.", model="distilbert/distilroberta-base", top_k=2
        )
    assert all(isinstance(f, FillMaskOutputElement) for f in fills)
    assert fills[0].token_str == " happiness"
    assert fills[0].sequence == "The goal of life is happiness."
    assert [f.token for f in top_two] == [11098, 45075]


def test_question_answering(client, replay):
    with replay("hf-inference/question_answering_synthetic.yaml"):
        answer = client.question_answering(
            "What is the meaning of life?", "42", model="deepset/roberta-base-squad2"
        )
        answers = client.question_answering(
            "What is the meaning of life?", "42", model="deepset/roberta-base-squad2", top_k=2
        )
    assert isinstance(answer, QuestionAnsweringOutputElement)
    assert (answer.answer, answer.start, answer.end) == ("42", 0, 2)
    assert [a.answer for a in answers] == ["42", "4"]


def test_table_question_answering(replay, sent):
    with replay("hf-inference/table_question_answering.yaml"):
        answer = sent_client(sent).table_question_answering(
            TABLE,
            "How many stars does the transformers repository have?",
            model="google/tapas-base-finetuned-wtq",
        )
    assert isinstance(answer, TableQuestionAnsweringOutputElement)
    assert answer.answer == "AVERAGE > 36542"
    assert (answer.cells, answer.coordinates, answer.aggregator) == (["36542"], [[0, 1]], "AVERAGE")
    assert json.loads(sent.requests[0].content) == recorded_json("table_question_answering.yaml")


def test_summarization(client, replay):
    with replay("hf-inference/summarization.yaml"):
        out = client.summarization(
            "The sky is blue, the tree is green.", model="sshleifer/distilbart-cnn-12-6"
        )
    assert isinstance(out, SummarizationOutput)
    assert out.summary_text.startswith(" eloqu eloqu")


def test_translation(client, replay):
    with replay("hf-inference/translation.yaml"):
        out = client.translation("Hello world", model="t5-small")
    assert isinstance(out, TranslationOutput)
    assert out.translation_text == "Hallo Welt"


def test_translation_with_languages(client, replay):
    with replay("hf-inference/translation_with_languages.yaml"):
        out = client.translation(
            "Hello world",
            model="facebook/mbart-large-50-many-to-many-mmt",
            src_lang="en_XX",
            tgt_lang="fr_XX",
        )
    assert out.translation_text == "Hello world"


def test_tabular_classification(replay, sent):
    with replay("hf-inference/tabular_classification_synthetic.yaml"):
        labels = sent_client(sent).tabular_classification(WINE, model="julien-c/wine-quality")
    assert labels == ["5", "5", "6"]
    assert_sent_to(sent, "/models/julien-c/wine-quality", "application/json")


def test_tabular_regression(client, replay):
    with replay("hf-inference/tabular_regression_synthetic.yaml"):
        values = client.tabular_regression(FISH, model="scikit-learn/Fish-Weight")
    assert values == [110.0, 120.0, 130.5]
    assert all(isinstance(v, float) for v in values)


# -- async: every task once ----------------------------------------------------------------


async def test_async_audio_and_image_tasks(replay, tmp_path):
    async with AsyncInferenceClient(provider="hf-inference", api_key=FAKE_HF_TOKEN) as client:
        with replay("hf-inference/automatic_speech_recognition.yaml"):
            asr = await client.automatic_speech_recognition(
                AUDIO, model="jonatasgrosman/wav2vec2-large-xlsr-53-english"
            )
        with replay("hf-inference/audio_classification.yaml"):
            audio_labels = await client.audio_classification(
                AUDIO, model="alefiury/wav2vec2-large-xlsr-53-gender-recognition-librispeech"
            )
        with replay("hf-inference/audio_to_audio.yaml"):
            sources = await client.audio_to_audio(AUDIO, model="speechbrain/sepformer-wham")
        with replay("hf-inference/text_to_speech.yaml"):
            speech = await client.text_to_speech(
                "Hello world", model="espnet/kan-bayashi_ljspeech_vits"
            )
        with replay("hf-inference/image_classification.yaml"):
            image_labels = await client.image_classification(
                IMAGE, model="google/vit-base-patch16-224"
            )
        with replay("hf-inference/image_segmentation.yaml"):
            segments = await client.image_segmentation(
                IMAGE, model="facebook/detr-resnet-50-panoptic"
            )
        with replay("hf-inference/image_to_text.yaml"):
            caption = await client.image_to_text(
                IMAGE, model="Salesforce/blip-image-captioning-base"
            )
        with replay("hf-inference/object_detection.yaml"):
            objects = await client.object_detection(IMAGE, model="facebook/detr-resnet-50")
        with replay("hf-inference/zero_shot_image_classification.yaml"):
            zero_shot = await client.zero_shot_image_classification(
                IMAGE, ["tree", "woman", "cat"], model="openai/clip-vit-base-patch32"
            )
        with replay("hf-inference/visual_question_answering.yaml"):
            vqa = await client.visual_question_answering(
                IMAGE, "Who's in the picture?", model="dandelin/vilt-b32-finetuned-vqa"
            )
        with replay("hf-inference/document_question_answering.yaml"):
            dqa = await client.document_question_answering(
                DOCUMENT,
                "What is the purchase amount?",
                model="naver-clova-ix/donut-base-finetuned-docvqa",
            )
        with replay("hf-inference/text_to_image.yaml"):
            generated = await client.text_to_image(
                "An astronaut riding a horse on the moon.", model="CompVis/stable-diffusion-v1-4"
            )
        with replay("hf-inference/image_to_image_synthetic.yaml"):
            edited = await client.image_to_image(
                PNG_1X1, "Turn the cat into a tiger.", model="timbrooks/instruct-pix2pix"
            )
    assert asr.text == "a man said to the universe sir i exist"
    assert audio_labels[0].label == "male"
    assert [s.label for s in sources] == ["label_0", "label_1"]
    assert speech.content_type == "audio/flac"
    assert image_labels[0].label == "brassiere, bra, bandeau"
    assert segments[1].label == "person"
    assert caption.generated_text == "a woman in a hat and dress posing for a photo"
    assert objects[1].label == "umbrella"
    assert zero_shot[0].label == "woman"
    assert vqa[0].answer == "woman"
    assert dqa[0].answer == "$1,0000,000,00"
    assert edited.to_pil().size == (2, 2)
    assert generated.content_type == "image/jpeg"


async def test_async_text_tasks(replay):
    async with AsyncInferenceClient(provider="hf-inference", api_key=FAKE_HF_TOKEN) as client:
        with replay("hf-inference/sentence_similarity.yaml"):
            scores = await client.sentence_similarity(
                "Machine learning is so easy.",
                recorded_json("sentence_similarity.yaml")["sentences"],
                model="sentence-transformers/all-MiniLM-L6-v2",
            )
        with replay("hf-inference/token_classification.yaml"):
            entities = await client.token_classification(
                "My name is Sarah Jessica Parker but you can call me Jessica",
                model="dbmdz/bert-large-cased-finetuned-conll03-english",
            )
        with replay("hf-inference/zero_shot_classification_multi_label.yaml"):
            zero_shot = await client.zero_shot_classification(
                ZERO_SHOT_TEXT, LABELS, multi_label=True, model="facebook/bart-large-mnli"
            )
        with replay("hf-inference/fill_mask_synthetic.yaml"):
            fills = await client.fill_mask(
                "The goal of life is <mask>.", model="distilbert/distilroberta-base"
            )
        with replay("hf-inference/question_answering_synthetic.yaml"):
            answer = await client.question_answering(
                "What is the meaning of life?", "42", model="deepset/roberta-base-squad2"
            )
        with replay("hf-inference/table_question_answering.yaml"):
            table_answer = await client.table_question_answering(
                TABLE,
                "How many stars does the transformers repository have?",
                model="google/tapas-base-finetuned-wtq",
            )
        with replay("hf-inference/summarization.yaml"):
            summary = await client.summarization(
                "The sky is blue, the tree is green.", model="sshleifer/distilbart-cnn-12-6"
            )
        with replay("hf-inference/translation_with_languages.yaml"):
            translation = await client.translation(
                "Hello world",
                model="facebook/mbart-large-50-many-to-many-mmt",
                src_lang="en_XX",
                tgt_lang="fr_XX",
            )
        with replay("hf-inference/tabular_classification_synthetic.yaml"):
            classes = await client.tabular_classification(WINE, model="julien-c/wine-quality")
        with replay("hf-inference/tabular_regression_synthetic.yaml"):
            values = await client.tabular_regression(FISH, model="scikit-learn/Fish-Weight")
    assert scores[0] == pytest.approx(0.7785724997520447)
    assert entities[0].word == "Sarah Jessica Parker"
    assert zero_shot[0].score == pytest.approx(0.9829296469688416)
    assert fills[0].token_str == " happiness"
    assert answer.answer == "42"
    assert table_answer.cells == ["36542"]
    assert summary.summary_text.startswith(" eloqu")
    assert translation.translation_text == "Hello world"
    assert classes == ["5", "5", "6"]
    assert values == [110.0, 120.0, 130.5]


# -- bad input: refused before any request -------------------------------------------------


def test_text_bytes_are_not_an_image(sent):
    client = sent_client(sent)
    with pytest.raises(InvalidInputError, match="not a supported image"):
        client.image_classification(
            b"just some text, no image", model="google/vit-base-patch16-224"
        )
    with pytest.raises(InvalidInputError, match="not a supported image"):
        client.visual_question_answering(
            b"plain text", "Who?", model="dandelin/vilt-b32-finetuned-vqa"
        )
    assert sent.requests == []


def test_audio_of_an_unsupported_type(sent):
    client = sent_client(sent)
    with pytest.raises(InvalidInputError, match="not a supported audio"):
        client.automatic_speech_recognition(IMAGE, model="openai/whisper-large-v3")
    with pytest.raises(InvalidInputError, match="not a supported audio"):
        client.audio_classification(b"%PDF-1.7 not audio", model="superb/hubert-large-superb-er")
    assert sent.requests == []


def test_unreadable_paths(sent, tmp_path):
    client = sent_client(sent)
    with pytest.raises(InvalidInputError, match="file not found"):
        client.automatic_speech_recognition(
            tmp_path / "missing.flac", model="openai/whisper-large-v3"
        )
    with pytest.raises(InvalidInputError, match="is a directory"):
        client.image_to_text(str(tmp_path), model="Salesforce/blip-image-captioning-base")
    assert sent.requests == []


def test_parameters_hf_inference_cannot_honour(sent):
    client = sent_client(sent)
    with pytest.raises(InvalidInputError, match="'dimensions'"):
        client.feature_extraction("Hi", model="facebook/bart-base", dimensions=8)
    with pytest.raises(InvalidInputError, match="'seed'"):
        client.image_to_image(PNG_1X1, "a tiger", model="timbrooks/instruct-pix2pix", seed=1)
    assert sent.requests == []


def test_extra_body_turns_a_raw_upload_into_json(sent):
    call = _call(
        "image-classification", BinaryInput(IMAGE, "image/png"), extra_body={"options": {}}
    )
    payload = HFInferenceImageClassification().prepare_payload(call)
    assert payload == {"inputs": base64.b64encode(IMAGE).decode(), "parameters": {}}


# -- the helpers' pure methods -----------------------------------------------------------------


def _call(task: str, inputs: Any, *, stream: bool = False, **kwargs: Any) -> Call:
    return Call(
        task=task,
        inputs=inputs,
        model=ModelMapping("org/model"),
        routing="direct",
        base_url=ROUTER,
        stream=stream,
        **kwargs,
    )


def _json(body: Any) -> Response:
    return Response(200, {"content-type": "application/json"}, json.dumps(body).encode(), ROUTER)


def test_binary_payload_raw_without_parameters_base64_with():
    helper = HFInferenceImageClassification()
    raw = helper.prepare_payload(_call("image-classification", BinaryInput(PNG_1X1, "image/png")))
    assert raw == BinaryPayload(PNG_1X1, "image/png")
    # Plain bytes (as the conformance suite passes them) are sniffed.
    assert helper.prepare_payload(_call("image-classification", PNG_1X1)) == raw
    with_top_k = helper.prepare_payload(
        _call("image-classification", PNG_1X1, parameters={"top_k": 1})
    )
    assert with_top_k == {"inputs": base64.b64encode(PNG_1X1).decode(), "parameters": {"top_k": 1}}


def test_a_downloaded_input_of_the_wrong_kind_is_refused():
    page = BinaryInput(b"<html></html>", "text/html", url="https://example.com/cat")
    with pytest.raises(InvalidInputError, match="text/html"):
        HFInferenceImageClassification().prepare_payload(_call("image-classification", page))
    with pytest.raises(InvalidInputError, match="image as bytes"):
        HFInferenceDocumentQuestionAnswering().prepare_payload(
            _call("document-question-answering", {"question": "What?"})
        )


def test_text_generation_payload():
    helper = HFInferenceTextGeneration()
    call = _call("text-generation", "Hi", stream=True, parameters={"stop": "\n", "seed": 1})
    assert helper.prepare_payload(call) == {
        "inputs": "Hi",
        "parameters": {"stop": ["\n"], "seed": 1},
        "stream": True,
    }


def test_text_generation_stream_error_event():
    helper = HFInferenceTextGeneration()
    event = SSEEvent(
        '{"error":"Request failed during generation: Out of memory","error_type":"generation"}'
    )
    with pytest.raises(StreamError, match="Out of memory"):
        helper.parse_stream_event(event, _call("text-generation", "Hi", stream=True))
    for garbage in ("", "{}", "[]", "null", "<html>"):
        with pytest.raises(ResponseFormatError):
            helper.parse_stream_event(
                SSEEvent(garbage), _call("text-generation", "Hi", stream=True)
            )


def test_feature_extraction_options_go_at_the_top_level():
    call = _call("feature-extraction", "Hi", parameters={"normalize": True, "truncate": True})
    assert HFInferenceFeatureExtraction().prepare_payload(call) == {
        "inputs": "Hi",
        "parameters": {},
        "normalize": True,
        "truncate": True,
    }


def test_response_shapes():
    zero_shot = HFInferenceZeroShotClassification()
    call = _call("zero-shot-classification", "I love it")
    listed = zero_shot.parse_response(_json([[{"label": "positive", "score": 0.9}]]), call)
    assert [(e.label, e.score) for e in listed] == [("positive", 0.9)]
    with pytest.raises(ResponseFormatError, match="as many scores"):
        zero_shot.parse_response(_json({"labels": ["a", "b"], "scores": [0.5]}), call)
    qa = HFInferenceQuestionAnswering()
    qa_call = _call("question-answering", {"question": "Q", "context": "C"})
    assert qa.parse_response(_json([{"answer": "C", "score": 0.5}]), qa_call).answer == "C"
    regression = HFInferenceTabularRegression()
    with pytest.raises(ResponseFormatError):
        regression.parse_response(_json(["abc"]), _call("tabular-regression", {"data": {}}))
    assert HFInferenceTabularClassification().parse_response(
        _json(["setosa", 2]), _call("tabular-classification", {"data": {}})
    ) == ["setosa", "2"]


def test_bad_bodies_raise_response_format_error():
    bodies = [b"", b"{}", b"[]", b"null", b"<html>502</html>"]
    cases = [
        (HFInferenceImageClassification(), "image-classification", PNG_1X1),
        (HFInferenceTextGeneration(), "text-generation", "Hi"),
        (HFInferenceQuestionAnswering(), "question-answering", {"question": "Q", "context": "C"}),
        (HFInferenceTabularClassification(), "tabular-classification", {"data": {}}),
        (HFInferenceAudioToAudio(), "audio-to-audio", AUDIO),
    ]
    for helper, task, inputs in cases:
        for body in bodies:
            response = Response(200, {"content-type": "application/json"}, body, ROUTER)
            with pytest.raises(ResponseFormatError):
                helper.parse_response(response, _call(task, inputs))
    separation = HFInferenceAudioToAudio()
    with pytest.raises(ResponseFormatError, match="base64"):
        separation.parse_response(
            _json([{"label": "a", "blob": "***"}]), _call("audio-to-audio", AUDIO)
        )
    speech = HFInferenceTextToSpeech()
    with pytest.raises(ResponseFormatError, match="AudioOutput"):
        speech.parse_response(_json({"error": "oops"}), _call("text-to-speech", "Hi"))


def test_docs_table_lists_every_registered_task():
    from infermux.registry.loader import get_registry

    page = (CASSETTES.parent / "docs" / "providers" / "hf-inference.md").read_text()
    tasks_section = page.split("## Tasks", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in tasks_section.splitlines() if line.startswith("| `")]
    documented = sorted(row.split("`")[1] for row in rows)
    assert documented == sorted(get_registry().tasks_for("hf-inference"))
