"""nscale text-to-image end to end, sync and async (chat is in test_openai_compatible_partners.py).

No recording exists: the cassette is synthetic, written from Nscale's image generation docs
(see cassettes/nscale/PROVENANCE.md).
"""

from __future__ import annotations

import pytest

from infermux import AsyncInferenceClient, ImageOutput, InferenceClient
from infermux.errors import InvalidInputError
from tests.conftest import FAKE_HF_TOKEN

FLUX = "black-forest-labs/FLUX.1-schnell"
PROMPT = "A red fox in the snow"


@pytest.fixture(autouse=True)
def _no_provider_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NSCALE_API_KEY", raising=False)


def test_text_to_image(replay, sent):
    client = InferenceClient(provider="nscale", api_key=FAKE_HF_TOKEN, http_client=sent.client())
    with replay("nscale/text_to_image_synthetic.yaml") as tape:
        image = client.text_to_image(PROMPT, model=FLUX, width=512, height=512)
    assert isinstance(image, ImageOutput)
    assert image.content_type == "image/png"
    assert image.to_pil().size == (8, 8)
    assert tape.all_played
    assert sent.urls == [
        f"https://huggingface.co/api/models/{FLUX}?expand=inferenceProviderMapping",
        "https://router.huggingface.co/nscale/v1/images/generations",
    ]
    assert all(r.headers["authorization"] == f"Bearer {FAKE_HF_TOKEN}" for r in sent.requests)


async def test_async_text_to_image(replay):
    async with AsyncInferenceClient(provider="nscale", api_key=FAKE_HF_TOKEN) as client:
        with replay("nscale/text_to_image_synthetic.yaml"):
            image = await client.text_to_image(PROMPT, model=FLUX, width=512, height=512)
    assert image.content[:4] == b"\x89PNG"


def test_text_to_image_refuses_what_nscale_ignores(sent):
    client = InferenceClient(
        provider="nscale",
        api_key=FAKE_HF_TOKEN,
        http_client=sent.client(),
        model_mappings={"nscale": {FLUX: FLUX}},
    )
    with pytest.raises(InvalidInputError, match="num_inference_steps"):
        client.text_to_image(PROMPT, model=FLUX, num_inference_steps=4)
    with pytest.raises(InvalidInputError, match="width and height together"):
        client.text_to_image(PROMPT, model=FLUX, width=512)
    assert sent.requests == []
