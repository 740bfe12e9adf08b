"""zai-org end to end, sync and async: CogView images as an async job and GLM-OCR.

Chat is covered with the other OpenAI-compatible partners (test_openai_compatible_partners.py);
here only its Z.ai specifics. No recording exists: the cassettes are synthetic, written from
Z.ai's API reference (see cassettes/zai-org/PROVENANCE.md).
"""

from __future__ import annotations

import base64
from typing import ClassVar

import pytest

from infermux import AsyncInferenceClient, ImageOutput, InferenceClient, JobProgress
from infermux.errors import BadRequestError, InvalidInputError, JobError, JobTimeoutError
from infermux.testing.conformance import ProviderConformance
from infermux.testing.samples import Sample, json_response
from infermux.types import ImageToTextOutput
from tests.conftest import CASSETTES, FAKE_HF_TOKEN

KEY = "fakezaikey0123.abcdef"
ROUTED = "https://router.huggingface.co/zai-org"
DIRECT = "https://api.z.ai"
CDN = "https://aigc-files.bigmodel.cn/api/cogview"
COGVIEW = "zai-org/CogView4-6B"
OCR = "zai-org/GLM-OCR"
PROMPT = "A watercolor map of Paris"
INPUT_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAgAAAAICAIAAABLbSncAAAAFElEQVR4nGM8ISfHgA0wYRUdtBIA0MoBFD5jqJkAAAAASUVORK5CYII="
)


@pytest.fixture(autouse=True)
def _no_provider_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ZAI_API_KEY", raising=False)


def routed(sent=None, **kwargs):
    http = {"http_client": sent.client()} if sent is not None else {}
    return InferenceClient(
        provider="zai-org", api_key=FAKE_HF_TOKEN, poll_interval=0.001, **http, **kwargs
    )


def hub(model: str) -> str:
    return f"https://huggingface.co/api/models/{model}?expand=inferenceProviderMapping"


# --- chat specifics -------------------------------------------------------------------------------


def test_chat_sends_english_accept_language(replay, sent):
    with replay("zai-org/chat_completion_synthetic.yaml"):
        routed(sent).chat_completion(
            [{"role": "user", "content": "What is the capital of France?"}],
            model="zai-org/GLM-4.5",
        )
    assert sent.urls[-1] == f"{ROUTED}/api/paas/v4/chat/completions"
    assert sent.requests[-1].headers["accept-language"] == "en-US,en"


def test_chat_error_body_is_a_typed_error(replay):
    client = InferenceClient(provider="zai-org", api_key=KEY)
    with (
        replay("zai-org/chat_completion_unknown_model_synthetic.yaml"),
        pytest.raises(BadRequestError) as info,
    ):
        client.chat_completion(
            [{"role": "user", "content": "What is the capital of France?"}], model="glm-9"
        )
    assert info.value.provider == "zai-org"
    assert info.value.provider_message == "Unknown Model, please check the model code."


def test_chat_refuses_parameters_zai_does_not_take(sent):
    client = routed(sent)
    with pytest.raises(InvalidInputError, match="seed"):
        client.chat_completion([{"role": "user", "content": "Hi"}], model="glm-4.5", seed=1)
    assert sent.requests == []


# --- text-to-image: an async job -----------------------------------------------------------------


def test_text_to_image_routed(replay, sent):
    progress: list[JobProgress] = []
    with replay("zai-org/text_to_image_synthetic.yaml") as tape:
        image = routed(sent).text_to_image(
            PROMPT, model=COGVIEW, width=1024, height=1024, on_progress=progress.append
        )
    assert isinstance(image, ImageOutput)
    assert image.content_type == "image/png"
    assert image.url == f"{CDN}/task-img-0001_0.png"
    assert image.to_pil().size == (8, 8)
    assert tape.all_played
    poll = f"{ROUTED}/api/paas/v4/async-result/task-img-0001"
    assert sent.urls == [
        hub(COGVIEW),
        f"{ROUTED}/api/paas/v4/async/images/generations",
        poll,
        poll,
        f"{CDN}/task-img-0001_0.png",
    ]
    *to_hf, download = sent.requests
    assert all(r.headers["authorization"] == f"Bearer {FAKE_HF_TOKEN}" for r in to_hf)
    assert "authorization" not in download.headers
    assert [(p.job_id, p.status, p.polls) for p in progress] == [
        ("task-img-0001", "PROCESSING", 0),
        ("task-img-0001", "PROCESSING", 1),
    ]


def test_text_to_image_direct_sends_the_key_to_zai_only(replay, sent):
    client = InferenceClient(
        provider="zai-org", api_key=KEY, poll_interval=0.001, http_client=sent.client()
    )
    with replay("zai-org/text_to_image_direct_synthetic.yaml"):
        image = client.text_to_image(PROMPT, model=COGVIEW)
    assert image.content[:4] == b"\x89PNG"
    assert sent.urls == [
        hub(COGVIEW),
        f"{DIRECT}/api/paas/v4/async/images/generations",
        f"{DIRECT}/api/paas/v4/async-result/task-img-0002",
        f"{CDN}/task-img-0002_0.png",
    ]
    lookup, submit, poll, download = sent.requests
    assert submit.headers["authorization"] == f"Bearer {KEY}"
    assert poll.headers["authorization"] == f"Bearer {KEY}"
    assert "authorization" not in lookup.headers
    assert "authorization" not in download.headers


async def test_async_text_to_image(replay):
    async with AsyncInferenceClient(
        provider="zai-org", api_key=FAKE_HF_TOKEN, poll_interval=0.001
    ) as client:
        with replay("zai-org/text_to_image_synthetic.yaml"):
            image = await client.text_to_image(PROMPT, model=COGVIEW, width=1024, height=1024)
    assert image.content_type == "image/png"


def test_failed_job_raises_job_error(replay):
    with replay("zai-org/text_to_image_failed_synthetic.yaml"), pytest.raises(JobError) as info:
        routed().text_to_image(PROMPT, model=COGVIEW)
    assert info.value.job_id == "task-img-0003"
    assert "FAIL" in str(info.value)


async def test_async_failed_job(replay):
    async with AsyncInferenceClient(
        provider="zai-org", api_key=FAKE_HF_TOKEN, poll_interval=0.001
    ) as client:
        with (
            replay("zai-org/text_to_image_failed_synthetic.yaml"),
            pytest.raises(JobError, match="task-img-0003"),
        ):
            await client.text_to_image(PROMPT, model=COGVIEW)


def test_never_finishing_job_times_out(replay):
    with (
        replay("zai-org/text_to_image_timeout_synthetic.yaml"),
        pytest.raises(JobTimeoutError) as info,
    ):
        routed(job_timeout=1e-6).text_to_image(PROMPT, model=COGVIEW)
    assert info.value.job_id == "task-img-0004"


async def test_async_never_finishing_job_times_out(replay):
    async with AsyncInferenceClient(
        provider="zai-org", api_key=FAKE_HF_TOKEN, poll_interval=0.001, job_timeout=1e-6
    ) as client:
        with replay("zai-org/text_to_image_timeout_synthetic.yaml"), pytest.raises(JobTimeoutError):
            await client.text_to_image(PROMPT, model=COGVIEW)


def test_text_to_image_bad_input_is_refused_before_sending(sent):
    client = routed(sent, model_mappings={"zai-org": {COGVIEW: "cogview-4-250304"}})
    with pytest.raises(InvalidInputError, match="width and height together"):
        client.text_to_image(PROMPT, model=COGVIEW, height=512)
    with pytest.raises(InvalidInputError, match="num_inference_steps"):
        client.text_to_image(PROMPT, model=COGVIEW, num_inference_steps=4)
    assert sent.requests == []


# --- image-to-text: GLM-OCR -------------------------------------------------------------------------


def test_image_to_text_ocr(replay, sent):
    with replay("zai-org/image_to_text_synthetic.yaml"):
        out = routed(sent).image_to_text(INPUT_PNG, model=OCR)
    assert isinstance(out, ImageToTextOutput)
    assert out.generated_text == "# Invoice 2026-001\n\nTotal: 42.00 EUR"
    assert sent.urls == [hub(OCR), f"{ROUTED}/api/paas/v4/layout_parsing"]


async def test_async_image_to_text_ocr(replay):
    async with AsyncInferenceClient(provider="zai-org", api_key=FAKE_HF_TOKEN) as client:
        with replay("zai-org/image_to_text_synthetic.yaml"):
            out = await client.image_to_text(INPUT_PNG, model=OCR)
    assert out.generated_text.startswith("# Invoice")


def test_image_to_text_refuses_a_non_image(sent):
    with pytest.raises(InvalidInputError):
        routed(sent).image_to_text(b"plain text, not an image", model=OCR)
    assert sent.requests == []


class TestZaiConformance(ProviderConformance):
    distribution = "infermux-zai-org"
    cassette_dir = CASSETTES / "zai-org"
    sample_responses: ClassVar[dict[str, list[Sample]]] = {
        "zai-org/text-to-image": [
            Sample("zai_async_submitted", json_response({"id": "t1", "task_status": "PROCESSING"})),
            Sample(
                "zai_async_done",
                json_response(
                    {
                        "id": "t1",
                        "task_status": "SUCCESS",
                        "image_result": [{"url": "https://cdn.example/a.png"}],
                    }
                ),
            ),
        ],
        "zai-org/image-to-text": [
            Sample("zai_layout_parsing", json_response({"id": "t1", "md_results": "# Title"}))
        ],
    }
