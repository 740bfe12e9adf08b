"""Dedicated endpoints for every task (issue 17 E): an Inference Endpoint, TGI or TEI at
``model=URL`` / ``base_url=`` speaks the Hugging Face task API at its own URL (TGI's native
``/generate`` and ``/generate_stream`` for text generation), chat stays OpenAI-compatible,
a URL already ending in its route is not given it twice, ``request()`` works without a
provider, and ``HF_ENDPOINT`` / ``hub_url=`` move the Hub API. Against a mock transport."""

from __future__ import annotations

import json
from typing import Any

import httpx2
import pytest

from infermux import InferenceClient
from infermux.errors import InvalidInputError
from infermux.types import TextClassificationOutputElement, TextGenerationOutput
from tests.conftest import FAKE_HF_TOKEN

ENDPOINT = "https://abc123.us-east-1.aws.endpoints.huggingface.cloud"
CHAT_REPLY = {
    "id": "c1",
    "object": "chat.completion",
    "created": 1,
    "model": "tgi",
    "choices": [
        {"index": 0, "message": {"role": "assistant", "content": "ok"}, "finish_reason": "stop"}
    ],
}
TGI_STREAM = (
    b'data:{"index":1,"token":{"id":1,"text":"Deep","logprob":-0.1,"special":false},'
    b'"generated_text":null,"details":null}\n\n'
    b'data:{"index":2,"token":{"id":2,"text":" learning","logprob":-0.2,"special":false},'
    b'"generated_text":"Deep learning","details":{"finish_reason":"length","generated_tokens":2}}\n\n'
)


class Endpoint:
    """A mock endpoint: answers by route, records every request."""

    def __init__(self) -> None:
        self.requests: list[httpx2.Request] = []

    def handler(self, request: httpx2.Request) -> httpx2.Response:
        self.requests.append(request)
        path = request.url.path
        if path.endswith("/v1/chat/completions"):
            return httpx2.Response(200, json=CHAT_REPLY)
        if path.endswith("/generate_stream"):
            return httpx2.Response(
                200, content=TGI_STREAM, headers={"content-type": "text/event-stream"}
            )
        if path.endswith("/generate"):
            return httpx2.Response(200, json={"generated_text": "Deep learning is"})
        if path.endswith("/api/models/org/m"):
            return httpx2.Response(200, json={"id": "org/m", "pipeline_tag": "text-generation"})
        body = json.loads(request.content) if request.content[:1] in (b"{", b"[") else None
        if isinstance(body, dict) and body.get("inputs") == "I love this":
            return httpx2.Response(200, json=[[{"label": "POSITIVE", "score": 0.99}]])
        if isinstance(body, dict) and isinstance(body.get("inputs"), list):
            return httpx2.Response(200, json=[[0.1, 0.2], [0.3, 0.4]])
        return httpx2.Response(200, json={"ok": True})

    def client(self, **options: Any) -> InferenceClient:
        http = httpx2.Client(transport=httpx2.MockTransport(self.handler))
        return InferenceClient(http_client=http, **options)

    def body(self, index: int = -1) -> Any:
        return json.loads(self.requests[index].content)

    @property
    def urls(self) -> list[str]:
        return [str(r.url) for r in self.requests]


@pytest.fixture
def endpoint() -> Endpoint:
    return Endpoint()


def test_text_classification_speaks_the_task_api_at_the_url(endpoint):
    client = endpoint.client(api_key=FAKE_HF_TOKEN)
    out = client.text_classification("I love this", model=ENDPOINT, top_k=1)
    assert out == [TextClassificationOutputElement(label="POSITIVE", score=0.99)]
    assert endpoint.urls == [ENDPOINT]
    assert endpoint.body() == {"inputs": "I love this", "parameters": {"top_k": 1}}
    # An Inference Endpoint takes the caller's Hugging Face token.
    assert endpoint.requests[0].headers["authorization"] == f"Bearer {FAKE_HF_TOKEN}"
    assert out.response_info.provider == "endpoint"


def test_feature_extraction_on_a_tei_server_posts_inputs_to_its_root(endpoint, monkeypatch):
    monkeypatch.setenv("HF_TOKEN", FAKE_HF_TOKEN)  # never the router, never to this host
    client = endpoint.client(base_url="http://127.0.0.1:8080")
    vectors = client.feature_extraction(["a", "b"], normalize=True)
    assert vectors == [[0.1, 0.2], [0.3, 0.4]]
    assert endpoint.urls == ["http://127.0.0.1:8080"]
    # The task spec and TEI take the options at the top level, with no "parameters".
    assert endpoint.body() == {"inputs": ["a", "b"], "normalize": True}
    assert "authorization" not in endpoint.requests[0].headers  # no key was given


def test_text_generation_uses_tgis_native_generate(endpoint):
    client = endpoint.client(base_url="http://127.0.0.1:8080")
    out = client.text_generation("Deep", max_new_tokens=5)
    assert isinstance(out, TextGenerationOutput)
    assert out.generated_text == "Deep learning is"
    assert endpoint.urls == ["http://127.0.0.1:8080/generate"]
    assert endpoint.body()["parameters"] == {"max_new_tokens": 5}


def test_text_generation_streams_from_generate_stream(endpoint):
    client = endpoint.client(base_url="http://127.0.0.1:8080")
    with client.text_generation("Deep", max_new_tokens=2, stream=True) as stream:
        tokens = [chunk.token.text for chunk in stream]
    assert tokens == ["Deep", " learning"]
    assert endpoint.urls == ["http://127.0.0.1:8080/generate_stream"]


def test_an_openai_style_v1_url_keeps_openai_routes(endpoint):
    client = endpoint.client()
    client.chat_completion([{"role": "user", "content": "Hi"}], model="http://127.0.0.1:9000/v1")
    assert endpoint.urls == ["http://127.0.0.1:9000/v1/chat/completions"]


def test_a_url_already_ending_in_the_route_is_not_given_it_twice(endpoint):
    client = endpoint.client()
    url = "http://127.0.0.1:9000/v1/chat/completions"
    client.chat_completion([{"role": "user", "content": "Hi"}], model=url)
    assert endpoint.urls == [url]
    on_base = endpoint.client(base_url=url)
    on_base.chat_completion([{"role": "user", "content": "Hi"}], model="tgi")
    assert endpoint.urls[-1] == url


def test_chat_on_a_bare_endpoint_url_uses_its_messages_api(endpoint):
    client = endpoint.client(api_key=FAKE_HF_TOKEN)
    client.chat_completion([{"role": "user", "content": "Hi"}], model=ENDPOINT)
    assert endpoint.urls == [f"{ENDPOINT}/v1/chat/completions"]


def test_request_runs_on_a_base_url_without_a_provider(endpoint):
    client = endpoint.client(base_url="http://127.0.0.1:8080", api_key="local-key")
    assert client.request("/info", method="GET") == {"ok": True}
    assert endpoint.urls == ["http://127.0.0.1:8080/info"]
    assert endpoint.requests[0].headers["authorization"] == "Bearer local-key"


def test_request_without_provider_or_base_url_says_what_to_pass():
    with pytest.raises(InvalidInputError, match="base_url= for a dedicated endpoint"):
        InferenceClient().request("/info", method="GET")


def test_hf_endpoint_variable_moves_the_hub_api(endpoint, monkeypatch):
    monkeypatch.setenv("HF_ENDPOINT", "https://hub.internal.example")
    client = endpoint.client()
    assert client.engine.settings.hub_url == "https://hub.internal.example"
    explicit = endpoint.client(hub_url="https://other-hub.example")
    assert explicit.engine.settings.hub_url == "https://other-hub.example"
