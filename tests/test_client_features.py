"""Aliases, dedicated endpoints, router policies, billing, limits: against a mock transport."""

from __future__ import annotations

import json
import time

import httpx2
import pytest

from infermux import AsyncInferenceClient, InferenceClient
from infermux.engine import BillToIgnoredWarning
from infermux.errors import ConfigFileError, InvalidInputError
from infermux.transport.limits import TokenBucket
from tests.conftest import FAKE_HF_TOKEN

CHAT_REPLY = {
    "id": "x",
    "object": "chat.completion",
    "model": "m",
    "choices": [
        {"index": 0, "message": {"role": "assistant", "content": "ok"}, "finish_reason": "stop"}
    ],
}
MESSAGES = [{"role": "user", "content": "Hi"}]


class Server:
    """A mock transport answering chat completions and recording every request."""

    def __init__(self) -> None:
        self.requests: list[httpx2.Request] = []

    def handler(self, request: httpx2.Request) -> httpx2.Response:
        self.requests.append(request)
        return httpx2.Response(200, json=CHAT_REPLY, headers={"x-request-id": "req-1"})

    def client(self) -> httpx2.Client:
        return httpx2.Client(transport=httpx2.MockTransport(self.handler))

    def async_client(self) -> httpx2.AsyncClient:
        return httpx2.AsyncClient(transport=httpx2.MockTransport(self.handler))

    def body(self, index: int = -1) -> dict:
        return json.loads(self.requests[index].content)


@pytest.fixture
def server() -> Server:
    return Server()


def test_alias_from_code_and_default_when_no_model(server):
    aliases = {"together": {"conversational": {"default": "big/model", "small": "tiny/model"}}}
    client = InferenceClient(
        provider="together", api_key="tg-key", model_aliases=aliases, http_client=server.client()
    )
    client.chat_completion(MESSAGES, model="small")
    client.chat_completion(MESSAGES)
    assert [server.body(i)["model"] for i in range(2)] == ["tiny/model", "big/model"]


def test_alias_from_config_file(server, tmp_path, monkeypatch):
    (tmp_path / "infermux.toml").write_text(
        '[aliases.together.conversational]\nagent = "tool/user"\n', encoding="utf-8"
    )
    client = InferenceClient(provider="together", api_key="tg-key", http_client=server.client())
    client.chat_completion(MESSAGES, model="agent")
    assert server.body()["model"] == "tool/user"


def test_unknown_alias_names_the_known_ones(server):
    aliases = {"together": {"conversational": {"small": "tiny/model"}}}
    client = InferenceClient(
        provider="together", api_key="tg-key", model_aliases=aliases, http_client=server.client()
    )
    with pytest.raises(InvalidInputError, match=r"no 'large' alias.*small=tiny/model"):
        client.chat_completion(MESSAGES, model="large")
    assert server.requests == []


def test_bad_alias_in_config_names_file_and_key(tmp_path):
    (tmp_path / "infermux.toml").write_text(
        '[aliases.together.conversational]\ntiny = "x"\n', encoding="utf-8"
    )
    with pytest.raises(
        ConfigFileError, match=r"infermux.toml:1 \[aliases.together.conversational\].*'tiny'"
    ):
        InferenceClient(provider="together")


def test_dedicated_endpoint_from_base_url(server):
    client = InferenceClient(
        base_url="http://127.0.0.1:8080", api_key="local-key", http_client=server.client()
    )
    out = client.chat_completion(MESSAGES, model="my-model")
    assert out.response_info.provider == "endpoint"
    sent = server.requests[0]
    assert str(sent.url) == "http://127.0.0.1:8080/v1/chat/completions"
    assert sent.headers["authorization"] == "Bearer local-key"
    assert server.body()["model"] == "my-model"


def test_model_url_is_a_dedicated_endpoint_and_hf_token_stays_home(server, monkeypatch):
    monkeypatch.setenv("HF_TOKEN", FAKE_HF_TOKEN)
    client = InferenceClient(http_client=server.client())
    client.chat_completion(MESSAGES, model="http://localhost:9000/v1")
    sent = server.requests[0]
    assert str(sent.url) == "http://localhost:9000/v1/chat/completions"
    assert "authorization" not in sent.headers  # an HF token is never sent to a foreign host
    client.chat_completion(MESSAGES, model="https://abc.us-east-1.aws.endpoints.huggingface.cloud")
    assert server.requests[1].headers["authorization"] == f"Bearer {FAKE_HF_TOKEN}"


def test_router_policy_suffix_goes_to_the_router_endpoint(server):
    client = InferenceClient(api_key=FAKE_HF_TOKEN, http_client=server.client())
    client.chat_completion(MESSAGES, model="meta-llama/Llama-3.1-8B-Instruct:fastest")
    assert str(server.requests[0].url) == "https://router.huggingface.co/v1/chat/completions"
    assert server.body()["model"] == "meta-llama/Llama-3.1-8B-Instruct:fastest"


def test_provider_suffix_selects_the_provider(server):
    client = InferenceClient(api_key="tg-key", http_client=server.client(), hub_lookup=False)
    client.chat_completion(MESSAGES, model="meta-llama/Llama-3-8b-Turbo:together")
    assert str(server.requests[0].url) == "https://api.together.xyz/v1/chat/completions"
    assert server.body()["model"] == "meta-llama/Llama-3-8b-Turbo"


def test_bill_to_header_when_routed(server):
    client = InferenceClient(
        provider="together",
        api_key=FAKE_HF_TOKEN,
        bill_to="my-org",
        http_client=server.client(),
        model_mappings={"together": {"org/model": "org/model-turbo"}},
    )
    client.chat_completion(MESSAGES, model="org/model")
    assert server.requests[0].headers["x-hf-bill-to"] == "my-org"


def test_bill_to_warns_when_direct(server):
    client = InferenceClient(
        provider="together", api_key="tg-key", bill_to="my-org", http_client=server.client()
    )
    with pytest.warns(BillToIgnoredWarning, match="no effect on a direct call"):
        client.chat_completion(MESSAGES, model="some-model")
    assert "x-hf-bill-to" not in server.requests[0].headers


def test_token_bucket_spaces_requests():
    now = 1000.0
    bucket = TokenBucket(rate_per_minute=60, now=now)  # one per second, burst of one
    assert bucket.reserve(now) == 0.0
    assert bucket.reserve(now) == pytest.approx(1.0)
    assert bucket.reserve(now) == pytest.approx(2.0)


def test_requests_per_minute_is_honoured(server):
    client = InferenceClient(
        provider="together", api_key="tg-key", requests_per_minute=1200, http_client=server.client()
    )  # 20 per second, burst of 20
    started = time.monotonic()
    for _ in range(22):
        client.chat_completion(MESSAGES, model="m")
    assert time.monotonic() - started >= 0.09  # the 21st and 22nd waited ~50 ms each


async def test_max_concurrency_caps_requests_in_flight():
    import asyncio

    in_flight = 0
    peak = 0

    async def handler(request: httpx2.Request) -> httpx2.Response:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(0.01)
        in_flight -= 1
        return httpx2.Response(200, json=CHAT_REPLY)

    http_client = httpx2.AsyncClient(transport=httpx2.MockTransport(handler))
    async with AsyncInferenceClient(
        provider="together", api_key="tg-key", max_concurrency=3, http_client=http_client
    ) as client:
        await asyncio.gather(*(client.chat_completion(MESSAGES, model="m") for _ in range(12)))
    assert peak == 3
