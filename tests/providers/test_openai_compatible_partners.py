"""The OpenAI-compatible partner providers end to end, sync and async, on synthetic cassettes.

featherless-ai, nscale, publicai, scaleway, zai-org, baseten, ovhcloud, clarifai (routable:
routed and direct), deepinfra (direct here; routed in test_deepinfra.py), openai, nvidia
(direct only). No recording of any of them
exists: the cassettes are written from each provider's documented wire format (see each
folder's PROVENANCE.md). Their other tasks have their own test files.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from infermux import AsyncInferenceClient, InferenceClient
from infermux.errors import ConfigurationError, InvalidInputError, MissingAPIKeyError
from infermux.testing.conformance import ProviderConformance
from infermux.types import (
    ChatCompletionOutput,
    ChatCompletionStreamOutput,
    TextGenerationOutput,
    TextGenerationStreamOutput,
)
from tests.conftest import CASSETTES, FAKE_HF_TOKEN

MESSAGES = [{"role": "user", "content": "What is the capital of France?"}]
ANSWER = "The capital of France is Paris."
HUB = "https://huggingface.co/api/models/{}?expand=inferenceProviderMapping"
ROUTER = "https://router.huggingface.co"

#: Every environment variable the providers of this file read: none may leak in from the machine.
KEY_VARIABLES = (
    "FEATHERLESS_API_KEY",
    "NSCALE_API_KEY",
    "PUBLICAI_API_KEY",
    "SCW_SECRET_KEY",
    "ZAI_API_KEY",
    "BASETEN_API_KEY",
    "OVHCLOUD_API_KEY",
    "OVH_AI_ENDPOINTS_ACCESS_TOKEN",
    "CLARIFAI_PAT",
    "DEEPINFRA_API_KEY",
    "DEEPINFRA_TOKEN",
    "OPENAI_API_KEY",
    "NVIDIA_API_KEY",
    "WAVESPEED_API_KEY",
)


@pytest.fixture(autouse=True)
def _no_provider_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in KEY_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@dataclass(frozen=True)
class Partner:
    provider: str
    direct_url: str  # the chat completions URL on the provider's own host
    route: str  # the chat route, appended to the router base when routed
    model: str  # what the caller passes (a Hub id for routable providers)
    provider_model: str  # what goes on the wire
    key: str  # a fake provider key
    routable: bool = True

    @property
    def routed_url(self) -> str:
        return f"{ROUTER}/{self.provider}{self.route}"

    @property
    def chat_url(self) -> str:
        """Where the main chat cassettes go: the router when routable, else direct."""
        return self.routed_url if self.routable else self.direct_url

    def client(self, **kwargs: object) -> InferenceClient:
        key = FAKE_HF_TOKEN if self.routable else self.key
        return InferenceClient(provider=self.provider, api_key=key, **kwargs)

    def async_client(self) -> AsyncInferenceClient:
        key = FAKE_HF_TOKEN if self.routable else self.key
        return AsyncInferenceClient(provider=self.provider, api_key=key)


PARTNERS = [
    Partner(
        "featherless-ai",
        "https://api.featherless.ai/v1/chat/completions",
        "/v1/chat/completions",
        "meta-llama/Meta-Llama-3.1-8B-Instruct",
        "meta-llama/Meta-Llama-3.1-8B-Instruct",
        "rc_fake_featherless_key_0123",
    ),
    Partner(
        "nscale",
        "https://inference.api.nscale.com/v1/chat/completions",
        "/v1/chat/completions",
        "Qwen/Qwen3-8B",
        "Qwen/Qwen3-8B",
        "fake-nscale-key-0123",
    ),
    Partner(
        "publicai",
        "https://api.publicai.co/v1/chat/completions",
        "/v1/chat/completions",
        "swiss-ai/Apertus-8B-Instruct-2509",
        "swiss-ai/apertus-8b-instruct",
        "zpka_fake_publicai_key_0123",
    ),
    Partner(
        "scaleway",
        "https://api.scaleway.ai/v1/chat/completions",
        "/v1/chat/completions",
        "meta-llama/Llama-3.1-8B-Instruct",
        "llama-3.1-8b-instruct",
        "00000000-fake-scw-secret-0123",
    ),
    Partner(
        "zai-org",
        "https://api.z.ai/api/paas/v4/chat/completions",
        "/api/paas/v4/chat/completions",
        "zai-org/GLM-4.5",
        "glm-4.5",
        "fakezaikey0123.abcdef",
    ),
    Partner(
        "baseten",
        "https://inference.baseten.co/v1/chat/completions",
        "/v1/chat/completions",
        "deepseek-ai/DeepSeek-V3-0324",
        "deepseek-ai/DeepSeek-V3-0324",
        "fake.baseten0123",
    ),
    Partner(
        "ovhcloud",
        "https://oai.endpoints.kepler.ai.cloud.ovh.net/v1/chat/completions",
        "/v1/chat/completions",
        "meta-llama/Llama-3.1-8B-Instruct",
        "Llama-3.1-8B-Instruct",
        "fake-ovh-token-0123",
    ),
    Partner(
        "clarifai",
        "https://api.clarifai.com/v2/ext/openai/v1/chat/completions",
        "/v1/chat/completions",
        "openai/gpt-oss-120b",
        "https://clarifai.com/openai/chat-completion/models/gpt-oss-120b",
        "fakeclarifaipat0123",
    ),
    Partner(
        "deepinfra",
        "https://api.deepinfra.com/v1/openai/chat/completions",
        "/v1/openai/chat/completions",
        "meta-llama/Meta-Llama-3.1-8B-Instruct",
        "meta-llama/Meta-Llama-3.1-8B-Instruct",
        "fake-deepinfra-key-0123",
        routable=False,
    ),
    Partner(
        "openai",
        "https://api.openai.com/v1/chat/completions",
        "/v1/chat/completions",
        "gpt-4o-mini",
        "gpt-4o-mini",
        "sk-fake",
        routable=False,
    ),
    Partner(
        "nvidia",
        "https://integrate.api.nvidia.com/v1/chat/completions",
        "/v1/chat/completions",
        "meta/llama-3.1-8b-instruct",
        "meta/llama-3.1-8b-instruct",
        "nvapi-fake-0123",
        routable=False,
    ),
]
IDS = [p.provider for p in PARTNERS]
ROUTABLE = [p for p in PARTNERS if p.routable]


def expected_urls(partner: Partner, url: str) -> list[str]:
    """A routable provider's call starts with the Hub mapping lookup; a direct-only one does not."""
    return [HUB.format(partner.model), url] if partner.routable else [url]


def check_chat(out: object, partner: Partner) -> None:
    assert isinstance(out, ChatCompletionOutput)
    assert out.choices[0].message.content == ANSWER
    assert out.choices[0].finish_reason == "stop"
    assert out.model == partner.provider_model
    assert out.usage.total_tokens == 23


def stream_text(chunks: list[ChatCompletionStreamOutput]) -> str:
    return "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)


# --- chat ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("partner", PARTNERS, ids=IDS)
def test_chat_completion(partner, replay, sent):
    client = partner.client(http_client=sent.client())
    with replay(f"{partner.provider}/chat_completion_synthetic.yaml") as tape:
        out = client.chat_completion(MESSAGES, model=partner.model)
    check_chat(out, partner)
    assert tape.all_played
    assert sent.urls == expected_urls(partner, partner.chat_url)
    key = FAKE_HF_TOKEN if partner.routable else partner.key
    assert all(r.headers["authorization"] == f"Bearer {key}" for r in sent.requests)


@pytest.mark.parametrize("partner", PARTNERS, ids=IDS)
def test_chat_completion_stream(partner, replay, sent):
    client = partner.client(http_client=sent.client())
    with replay(f"{partner.provider}/chat_completion_stream_synthetic.yaml"):
        chunks = list(
            client.chat_completion(MESSAGES, model=partner.model, max_tokens=20, stream=True)
        )
    assert all(isinstance(c, ChatCompletionStreamOutput) for c in chunks)
    assert stream_text(chunks) == ANSWER
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert chunks[-1].usage.total_tokens == 23
    assert sent.urls[-1] == partner.chat_url


@pytest.mark.parametrize("partner", PARTNERS, ids=IDS)
def test_openai_style_alias(partner, replay):
    with replay(f"{partner.provider}/chat_completion_synthetic.yaml"):
        out = partner.client().chat.completions.create(model=partner.model, messages=MESSAGES)
    check_chat(out, partner)


@pytest.mark.parametrize("partner", PARTNERS, ids=IDS)
async def test_async_chat_completion(partner, replay):
    async with partner.async_client() as client:
        with replay(f"{partner.provider}/chat_completion_synthetic.yaml"):
            out = await client.chat_completion(MESSAGES, model=partner.model)
    check_chat(out, partner)


@pytest.mark.parametrize("partner", PARTNERS, ids=IDS)
async def test_async_chat_completion_stream(partner, replay):
    async with partner.async_client() as client:
        with replay(f"{partner.provider}/chat_completion_stream_synthetic.yaml"):
            stream = await client.chat_completion(
                MESSAGES, model=partner.model, max_tokens=20, stream=True
            )
            chunks = [chunk async for chunk in stream]
    assert stream_text(chunks) == ANSWER


# --- direct calls: the provider's auth header, and its key nowhere else ---------------------------


@pytest.mark.parametrize("partner", PARTNERS, ids=IDS)
def test_direct_call_sends_the_key_to_the_provider_host_only(partner, replay, sent):
    name = "chat_completion_direct_synthetic" if partner.routable else "chat_completion_synthetic"
    client = InferenceClient(
        provider=partner.provider, api_key=partner.key, http_client=sent.client()
    )
    with replay(f"{partner.provider}/{name}.yaml"):
        out = client.chat_completion(MESSAGES, model=partner.model)
    check_chat(out, partner)
    assert sent.urls == expected_urls(partner, partner.direct_url)
    *lookups, call = sent.requests
    assert call.headers["authorization"] == f"Bearer {partner.key}"
    # The Hub mapping lookup (routable providers) goes without any key: no HF token is set,
    # and a provider key is never sent to huggingface.co.
    assert all("authorization" not in r.headers for r in lookups)


@pytest.mark.parametrize("partner", PARTNERS, ids=IDS)
def test_direct_key_from_the_environment(partner, replay, sent, monkeypatch):
    from infermux.registry.loader import get_registry

    helper = get_registry().get(partner.provider, "conversational").helper
    monkeypatch.setenv(helper.api_key_env[0], partner.key)
    name = "chat_completion_direct_synthetic" if partner.routable else "chat_completion_synthetic"
    client = InferenceClient(provider=partner.provider, http_client=sent.client())
    with replay(f"{partner.provider}/{name}.yaml"):
        client.chat_completion(MESSAGES, model=partner.model)
    assert sent.requests[-1].headers["authorization"] == f"Bearer {partner.key}"
    assert str(sent.requests[-1].url) == partner.direct_url


# deepinfra is tested direct here (its cassettes are direct), but the router serves it too
# (with an HF token, no Hub lookup): see test_deepinfra.py.
DIRECT_ONLY = [p for p in PARTNERS if not p.routable and p.provider != "deepinfra"]


@pytest.mark.parametrize("partner", DIRECT_ONLY, ids=[p.provider for p in DIRECT_ONLY])
def test_direct_only_providers_never_take_a_hugging_face_token(partner, sent):
    client = InferenceClient(
        provider=partner.provider, api_key=FAKE_HF_TOKEN, http_client=sent.client()
    )
    with pytest.raises(MissingAPIKeyError, match="never sent to a third-party host"):
        client.chat_completion(MESSAGES, model=partner.model)
    routed = InferenceClient(
        provider=partner.provider,
        api_key=FAKE_HF_TOKEN,
        routing="router",
        http_client=sent.client(),
    )
    with pytest.raises(ConfigurationError, match="not served by the Hugging Face router"):
        routed.chat_completion(MESSAGES, model=partner.model)
    assert sent.requests == []


@pytest.mark.parametrize("partner", PARTNERS, ids=IDS)
def test_unsupported_parameter_is_refused_before_sending(partner, sent):
    client = partner.client(http_client=sent.client())
    with pytest.raises(InvalidInputError, match="tool_prompt"):
        client.chat_completion(MESSAGES, model=partner.model, tool_prompt="x")
    assert sent.requests == []


# --- text-generation (completions) ------------------------------------------------------------------

COMPLETIONS = {
    "featherless-ai": ("mistralai/Mistral-7B-v0.1", f"{ROUTER}/featherless-ai/v1/completions"),
    # Scaleway has no /v1/completions: a one-message chat (OpenAIChatTextGenerationHelper).
    "scaleway": ("meta-llama/Llama-3.1-8B-Instruct", f"{ROUTER}/scaleway/v1/chat/completions"),
    "ovhcloud": ("mistralai/Mistral-7B-Instruct-v0.3", f"{ROUTER}/ovhcloud/v1/completions"),
    "deepinfra": (
        "meta-llama/Meta-Llama-3.1-8B-Instruct",
        "https://api.deepinfra.com/v1/openai/completions",
    ),
}
PROMPT = "The capital of France is"
COMPLETION = " Paris, which is also its largest city."


def completion_client(provider: str, **kwargs: object) -> InferenceClient:
    key = "fake-deepinfra-key-0123" if provider == "deepinfra" else FAKE_HF_TOKEN
    return InferenceClient(provider=provider, api_key=key, **kwargs)


@pytest.mark.parametrize("provider", sorted(COMPLETIONS))
def test_text_generation(provider, replay, sent):
    model, url = COMPLETIONS[provider]
    client = completion_client(provider, http_client=sent.client())
    with replay(f"{provider}/text_generation_synthetic.yaml"):
        out = client.text_generation(PROMPT, model=model, max_new_tokens=12)
    assert isinstance(out, TextGenerationOutput)
    assert out.generated_text == COMPLETION
    assert sent.urls[-1] == url


@pytest.mark.parametrize("provider", sorted(COMPLETIONS))
def test_text_generation_stream(provider, replay):
    model, _ = COMPLETIONS[provider]
    with replay(f"{provider}/text_generation_stream_synthetic.yaml"):
        chunks = list(
            completion_client(provider).text_generation(
                PROMPT, model=model, max_new_tokens=5, stream=True
            )
        )
    assert all(isinstance(c, TextGenerationStreamOutput) for c in chunks)
    assert "".join(c.token.text for c in chunks) == " Paris, which is also"
    assert chunks[-1].details.finish_reason == "length"
    assert all(c.details is None for c in chunks[:-1])


@pytest.mark.parametrize("provider", sorted(COMPLETIONS))
async def test_async_text_generation(provider, replay):
    model, _ = COMPLETIONS[provider]
    key = "fake-deepinfra-key-0123" if provider == "deepinfra" else FAKE_HF_TOKEN
    async with AsyncInferenceClient(provider=provider, api_key=key) as client:
        with replay(f"{provider}/text_generation_synthetic.yaml"):
            out = await client.text_generation(PROMPT, model=model, max_new_tokens=12)
        with replay(f"{provider}/text_generation_stream_synthetic.yaml"):
            stream = await client.text_generation(
                PROMPT, model=model, max_new_tokens=5, stream=True
            )
            chunks = [chunk async for chunk in stream]
    assert out.generated_text == COMPLETION
    assert "".join(c.token.text for c in chunks) == " Paris, which is also"


@pytest.mark.parametrize("provider", sorted(COMPLETIONS))
def test_text_generation_refuses_tgi_only_parameters(provider, sent):
    client = completion_client(provider, http_client=sent.client())
    with pytest.raises(InvalidInputError, match="grammar"):
        client.text_generation(PROMPT, model=COMPLETIONS[provider][0], grammar={"type": "json"})
    assert sent.requests == []


# --- feature-extraction (embeddings) ----------------------------------------------------------------

EMBEDDINGS = {
    "scaleway": ("BAAI/bge-multilingual-gemma2", f"{ROUTER}/scaleway/v1/embeddings", FAKE_HF_TOKEN),
    "deepinfra": (
        "BAAI/bge-base-en-v1.5",
        "https://api.deepinfra.com/v1/openai/embeddings",
        "fake-deepinfra-key-0123",
    ),
}
TEXTS = ["Paris is the capital of France.", "Berlin is the capital of Germany."]
# The cassettes answer data[] out of index order: vectors come back in input order.
VECTORS = [[0.5, 0.25, -0.125, 0.75], [0.25, -0.5, 0.125, 0.0625]]


@pytest.mark.parametrize("provider", sorted(EMBEDDINGS))
def test_feature_extraction(provider, replay, sent):
    model, url, key = EMBEDDINGS[provider]
    client = InferenceClient(provider=provider, api_key=key, http_client=sent.client())
    with replay(f"{provider}/feature_extraction_synthetic.yaml"):
        vectors = client.feature_extraction(TEXTS, model=model)
    assert list(vectors) == VECTORS
    assert sent.urls[-1] == url
    assert sent.requests[-1].headers["authorization"] == f"Bearer {key}"


@pytest.mark.parametrize("provider", sorted(EMBEDDINGS))
async def test_async_feature_extraction(provider, replay):
    model, _, key = EMBEDDINGS[provider]
    async with AsyncInferenceClient(provider=provider, api_key=key) as client:
        with replay(f"{provider}/feature_extraction_synthetic.yaml"):
            vectors = await client.feature_extraction(TEXTS, model=model)
    assert list(vectors) == VECTORS


@pytest.mark.parametrize("provider", sorted(EMBEDDINGS))
def test_feature_extraction_refuses_tei_only_parameters(provider, sent):
    model, _, key = EMBEDDINGS[provider]
    client = InferenceClient(provider=provider, api_key=key, http_client=sent.client())
    with pytest.raises(InvalidInputError, match="normalize"):
        client.feature_extraction(TEXTS, model=model, normalize=True)
    assert sent.requests == []


# --- the conformance suite, on every OpenAI-compatible partner's installed distribution -----------


def _conformance(provider: str) -> type[ProviderConformance]:
    return type(
        f"Test{provider.title().replace('-', '')}Conformance",
        (ProviderConformance,),
        {"distribution": f"infermux-{provider}", "cassette_dir": CASSETTES / provider},
    )


# Named at module level so pytest collects them (deepinfra, zai-org and wavespeed have theirs
# in their own test modules, with samples of their native shapes).
TestFeatherlessAiConformance = _conformance("featherless-ai")
TestNscaleConformance = _conformance("nscale")
TestPublicaiConformance = _conformance("publicai")
TestScalewayConformance = _conformance("scaleway")
TestBasetenConformance = _conformance("baseten")
TestOvhcloudConformance = _conformance("ovhcloud")
TestClarifaiConformance = _conformance("clarifai")
TestNvidiaConformance = _conformance("nvidia")
TestOpenaiConformance = _conformance("openai")
