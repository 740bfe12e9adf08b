"""Aliases, dedicated endpoints, router policies, billing, limits: against a mock transport."""

from __future__ import annotations

import json

import httpx2
import pytest

from infermux import AsyncInferenceClient, InferenceClient
from infermux.engine import BillToIgnoredWarning
from infermux.errors import ConfigFileError, InvalidInputError
from infermux.testing import FakeClock
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
    # ovhcloud's plugin declares no text-generation aliases: only the user's "small" exists.
    aliases = {"ovhcloud": {"text-generation": {"small": "tiny/model"}}}
    client = InferenceClient(
        provider="ovhcloud", api_key="ovh-key", model_aliases=aliases, http_client=server.client()
    )
    with pytest.raises(InvalidInputError, match=r"no 'large' alias.*small=tiny/model"):
        client.text_generation("Once upon a time", model="large")
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
    clock = FakeClock()
    client = InferenceClient(
        provider="together",
        api_key="tg-key",
        requests_per_minute=1200,  # 20 per second, burst of 20
        http_client=server.client(),
        clock=clock,
    )
    for _ in range(22):
        client.chat_completion(MESSAGES, model="m")
    assert clock.sleeps == pytest.approx([0.05, 0.05])  # the 21st and 22nd waited 50 ms each


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


def test_response_info_function_is_not_shadowed_after_use(server):
    import infermux

    client = InferenceClient(provider="together", api_key="tg-key", http_client=server.client())
    out = client.chat_completion(MESSAGES, model="m")
    assert callable(infermux.response_info)
    assert infermux.response_info(out).request_id == "req-1"


def test_plugin_aliases_hf_inference(replay):
    from infermux.registry.loader import get_registry

    chat = get_registry().get("hf-inference", "conversational").helper
    embed = get_registry().get("hf-inference", "feature-extraction").helper
    assert chat.model_aliases["default"] == "meta-llama/Meta-Llama-3-8B-Instruct"
    assert chat.model_aliases["small"] == "microsoft/Phi-3-mini-4k-instruct"
    assert embed.model_aliases == {
        "default": "sentence-transformers/all-mpnet-base-v2",
        "large": "sentence-transformers/sentence-t5-large",
        "small": "sentence-transformers/all-MiniLM-L6-v2",
    }


def test_small_alias_reaches_the_wire(server):
    client = InferenceClient(
        provider="hf-inference", api_key=FAKE_HF_TOKEN, http_client=server.client()
    )
    client.chat_completion(MESSAGES, model="small")
    assert str(server.requests[0].url) == (
        "https://router.huggingface.co/hf-inference/models/microsoft/Phi-3-mini-4k-instruct/v1/chat/completions"
    )


def test_auto_skips_a_provider_without_a_key(monkeypatch):
    mapping = {
        "inferenceProviderMapping": {
            "fireworks-ai": {"status": "live", "providerId": "fw/model", "task": "conversational"},
            "together": {"status": "live", "providerId": "tg/model", "task": "conversational"},
        }
    }
    seen = []

    def handler(request):
        seen.append(str(request.url))
        if request.url.host == "huggingface.co":
            return httpx2.Response(200, json=mapping)
        return httpx2.Response(200, json=CHAT_REPLY)

    monkeypatch.setenv("TOGETHER_API_KEY", "tg-key")  # and no FIREWORKS_API_KEY, no HF_TOKEN
    client = InferenceClient(
        provider="auto", http_client=httpx2.Client(transport=httpx2.MockTransport(handler))
    )
    out = client.chat_completion(MESSAGES, model="org/model")
    assert out.response_info.provider == "together"  # fireworks-ai had no key: skipped
    assert seen[-1] == "https://api.together.xyz/v1/chat/completions"


def test_hub_lookup_is_retried_on_503():
    calls = {"hub": 0}

    def handler(request):
        if request.url.host == "huggingface.co":
            calls["hub"] += 1
            if calls["hub"] == 1:
                return httpx2.Response(503, json={"error": "busy"}, headers={"retry-after": "0"})
            return httpx2.Response(
                200,
                json={
                    "inferenceProviderMapping": {
                        "together": {
                            "status": "live",
                            "providerId": "tg/m",
                            "task": "conversational",
                        }
                    }
                },
            )
        return httpx2.Response(200, json=CHAT_REPLY)

    client = InferenceClient(
        provider="together",
        api_key=FAKE_HF_TOKEN,
        http_client=httpx2.Client(transport=httpx2.MockTransport(handler)),
    )
    client.chat_completion(MESSAGES, model="org/m")
    assert calls["hub"] == 2


def test_router_url_moves_hf_inference_and_bill_to_applies(server):
    client = InferenceClient(
        provider="hf-inference",
        api_key=FAKE_HF_TOKEN,
        router_url="https://router.internal.example",
        bill_to="my-org",
        http_client=server.client(),
    )
    client.chat_completion(MESSAGES, model="org/m")
    sent = server.requests[0]
    assert (
        str(sent.url)
        == "https://router.internal.example/hf-inference/models/org/m/v1/chat/completions"
    )
    assert sent.headers["authorization"] == f"Bearer {FAKE_HF_TOKEN}"
    assert sent.headers["x-hf-bill-to"] == "my-org"


def test_scaled_to_zero_endpoint_is_waited_for_then_fails_fast_when_asked():
    from infermux import RetryPolicy
    from infermux.errors import ServerError

    answers = iter([503, 503, 200])

    def handler(request):
        status = next(answers)
        if status == 503:
            return httpx2.Response(503, text="Service Unavailable")
        return httpx2.Response(200, json=CHAT_REPLY)

    policy = RetryPolicy(max_retries=0, initial_delay=0.01)  # waking is not a plain retry
    client = InferenceClient(
        base_url="https://abc.endpoints.huggingface.cloud",
        api_key=FAKE_HF_TOKEN,
        retry=policy,
        http_client=httpx2.Client(transport=httpx2.MockTransport(handler)),
    )
    assert client.chat_completion(MESSAGES).choices[0].message.content == "ok"

    answers = iter([503, 200])
    fail_fast = InferenceClient(
        base_url="https://abc.endpoints.huggingface.cloud",
        api_key=FAKE_HF_TOKEN,
        retry=policy,
        wait_for_model=False,
        http_client=httpx2.Client(transport=httpx2.MockTransport(handler)),
    )
    with pytest.raises(ServerError):
        fail_fast.chat_completion(MESSAGES)
