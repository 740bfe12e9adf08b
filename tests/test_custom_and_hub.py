"""Custom calls through a provider's routing and auth, and the Hub API, sync and async."""

from __future__ import annotations

import httpx2
import pytest

from infermux import AsyncInferenceClient, InferenceClient
from infermux.errors import BadRequestError, InvalidInputError
from tests.conftest import FAKE_HF_TOKEN


def _client(handler, **kwargs):
    return InferenceClient(
        http_client=httpx2.Client(transport=httpx2.MockTransport(handler)), **kwargs
    )


def test_request_goes_through_provider_routing_auth_and_errors():
    seen = []

    def handler(request):
        seen.append(request)
        if request.url.path.endswith("/bad"):
            return httpx2.Response(400, json={"error": {"message": "nope"}})
        return httpx2.Response(200, json={"results": [1, 2]})

    client = _client(handler, provider="together", api_key="tg-key")
    assert client.request("/v1/rerank", json={"query": "q"}) == {"results": [1, 2]}
    assert str(seen[0].url) == "https://api.together.xyz/v1/rerank"
    assert seen[0].headers["authorization"] == "Bearer tg-key"
    with pytest.raises(BadRequestError, match="nope"):
        client.request("/bad", json={})
    routed = _client(handler, provider="together", api_key=FAKE_HF_TOKEN)
    routed.request("v1/rerank", json={"query": "q"})
    assert str(seen[-1].url) == "https://router.huggingface.co/together/v1/rerank"


def test_request_needs_a_provider():
    client = _client(lambda r: httpx2.Response(200))
    with pytest.raises(InvalidInputError, match="needs a provider"):
        client.request("/v1/x")


def test_stream_request_yields_decoded_events():
    body = b'data: {"a": 1}\n\ndata: plain text\n\ndata: [DONE]\n\n'

    def handler(request):
        return httpx2.Response(200, content=body, headers={"content-type": "text/event-stream"})

    client = _client(handler, provider="together", api_key="tg-key")
    assert list(client.stream_request("/v1/stream", json={})) == [{"a": 1}, "plain text"]


def test_list_models(replay):
    client = InferenceClient(api_key=FAKE_HF_TOKEN)
    with replay("huggingface-hub/list_models_synthetic.yaml"):
        models = client.list_models(provider="together", task="text-generation", limit=2)
    assert [m.id for m in models] == [
        "meta-llama/Meta-Llama-3-8B-Instruct",
        "Qwen/Qwen2.5-7B-Instruct",
    ]
    assert models[0].providers[0].provider_model_id == "meta-llama/Meta-Llama-3-8B-Instruct-Turbo"


def test_model_status_and_mapping(replay):
    client = InferenceClient(api_key=FAKE_HF_TOKEN)
    with replay("huggingface-hub/model_status_synthetic.yaml"):
        status = client.model_status("meta-llama/Meta-Llama-3-8B-Instruct")
    assert status.warm
    assert {e.provider: e.status for e in status.providers} == {
        "fireworks-ai": "staging",
        "together": "live",
    }


def test_router_models(replay):
    with replay("huggingface-hub/router_models_synthetic.yaml"):
        models = InferenceClient(api_key=FAKE_HF_TOKEN).list_router_models()
    assert models[0]["id"] == "meta-llama/Llama-3.1-8B-Instruct"


async def test_async_hub_api(replay):
    async with AsyncInferenceClient(api_key=FAKE_HF_TOKEN) as client:
        with replay("huggingface-hub/model_status_synthetic.yaml"):
            mapping = await client.provider_mapping("meta-llama/Meta-Llama-3-8B-Instruct")
        with replay("huggingface-hub/list_models_synthetic.yaml"):
            models = await client.list_models(provider="together", task="text-generation", limit=2)
    assert mapping[1].provider == "together"
    assert len(models) == 2
