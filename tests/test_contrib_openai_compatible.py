"""contrib-providers/openai-compatible and in-house endpoints: presets, config files, the
transcription route, ``models`` for ``provider="auto"``, and the conformance suite.

Cassettes: ``cassettes/openai-compatible/`` (synthetic, see its PROVENANCE.md).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest

from infermux import AsyncInferenceClient, InferenceClient, TaskProviderHelper, hookimpl
from infermux.config import EndpointConfig, parse_config
from infermux.endpoints import (
    OPENAI_COMPATIBLE_TASKS,
    OpenAITranscriptionHelper,
    openai_compatible_helpers,
    register_openai_compatible,
)
from infermux.engine import Engine, EngineSettings, TaskRequest
from infermux.errors import (
    ConfigFileError,
    DuplicateProviderError,
    InvalidInputError,
    MissingAPIKeyError,
)
from infermux.helpers.openai import OpenAIChatHelper
from infermux.registry.loader import LoaderSettings, build_registry
from infermux.registry.store import ProviderRegistry
from infermux.testing import cassette, temporary_plugin
from infermux.testing.conformance import ProviderConformance, check_helper
from infermux.testing.samples import wav_bytes
from infermux.types import AutomaticSpeechRecognitionOutput, ChatCompletionOutput
from infermux_openai_compatible import EndpointsPlugin
from infermux_openai_compatible.presets import PRESETS
from tests.conftest import CASSETTES

DISTRIBUTION = "infermux-openai-compatible"
MESSAGES = [{"role": "user", "content": "Say hello in French."}]
GATEWAY_TOML = """\
[providers.my-gateway]
base_url = "https://llm.internal.example.com/v1"
api_key_env = "MY_GATEWAY_KEY"
tasks = ["conversational", "automatic-speech-recognition"]
headers = { "X-Team" = "search" }
models = ["acme/llama-internal-70b"]
"""


@pytest.fixture
def replay_dir() -> Callable[[str], AbstractContextManager[Any]]:
    """``with replay_dir("vllm_chat_completion_synthetic.yaml"): ...``"""
    return lambda name: cassette(CASSETTES / "openai-compatible" / name)


# -- presets ---------------------------------------------------------------------------------


def test_presets_are_registered_per_entry_point():
    registry = build_registry(LoaderSettings(load_config_files=False))
    ours = {
        (r.helper.provider, r.helper.task): r.plugin
        for r in registry
        if r.distribution == DISTRIBUTION
    }
    assert {provider for provider, _ in ours} == {"vllm", "tgi", "llama-cpp", "ollama", "lm-studio"}
    # The entry-point name is the provider id: INFERMUX_BLOCK_PLUGINS=ollama drops one preset.
    assert all(plugin == provider for (provider, _), plugin in ours.items())
    assert ("vllm", "automatic-speech-recognition") in ours
    helper = registry.get("ollama", "conversational").helper
    assert helper.base_url == "http://localhost:11434/v1"
    assert (helper.routable, helper.requires_key, helper.needs_model_mapping) == (False,) * 3


def test_a_preset_can_be_blocked(monkeypatch):
    monkeypatch.setenv("INFERMUX_BLOCK_PLUGINS", "ollama")
    registry = build_registry()
    assert "ollama" not in registry.providers()
    assert "vllm" in registry.providers()


def test_vllm_chat_goes_to_the_local_server_without_hub_or_key(replay_dir, sent):
    client = InferenceClient(provider="vllm", http_client=sent.client())
    with replay_dir("vllm_chat_completion_synthetic.yaml"):
        out = client.chat_completion(
            MESSAGES, model="meta-llama/Llama-3.1-8B-Instruct", max_tokens=16
        )
    assert isinstance(out, ChatCompletionOutput)
    assert out.choices[0].message.content == "Bonjour !"
    assert sent.urls == ["http://localhost:8000/v1/chat/completions"]  # no Hub lookup
    assert "authorization" not in sent.requests[0].headers


def test_preset_key_is_sent_when_its_variable_is_set(replay_dir, sent, monkeypatch):
    monkeypatch.setenv("VLLM_API_KEY", "vllm-local-key-0123")
    client = InferenceClient(provider="vllm", http_client=sent.client())
    with replay_dir("vllm_chat_completion_synthetic.yaml"):
        client.chat_completion(MESSAGES, model="meta-llama/Llama-3.1-8B-Instruct", max_tokens=16)
    assert sent.requests[0].headers["authorization"] == "Bearer vllm-local-key-0123"


async def test_vllm_transcription_async(replay_dir):
    async with AsyncInferenceClient(provider="vllm") as client:
        with replay_dir("vllm_automatic_speech_recognition_synthetic.yaml"):
            out = await client.automatic_speech_recognition(
                wav_bytes(), model="openai/whisper-large-v3"
            )
    assert isinstance(out, AutomaticSpeechRecognitionOutput)
    assert out.text == "Hello from the meeting room."


def test_ollama_embeddings(replay_dir):
    client = InferenceClient(provider="ollama")
    with replay_dir("ollama_feature_extraction_synthetic.yaml"):
        vectors = client.feature_extraction(
            ["Today is a sunny day.", "It rains."], model="nomic-embed-text"
        )
    assert [len(v) for v in vectors] == [4, 4]
    assert vectors[0][0] == pytest.approx(0.0132)


def test_a_config_table_named_like_a_preset_replaces_it(tmp_path):
    (tmp_path / "infermux.toml").write_text(
        '[providers.ollama]\nbase_url = "http://gpu-box:11434/v1"\n', encoding="utf-8"
    )
    registry = build_registry()
    chat = registry.get("ollama", "conversational")
    assert chat.origin.startswith("config:")
    assert chat.helper.base_url == "http://gpu-box:11434/v1"
    # The whole preset yields, not just the tasks the file lists: no half-local provider.
    assert registry.tasks_for("ollama") == ["conversational"]
    assert registry.conflicts() == {}


def test_a_malformed_config_is_reported_by_the_core_not_as_a_plugin_failure(tmp_path):
    (tmp_path / "infermux.toml").write_text("[providers.ollama]\nbase_url = 3\n", encoding="utf-8")
    with pytest.raises(ConfigFileError, match=r"infermux.toml:2 \[providers.ollama.base_url\]"):
        build_registry()


# -- in-house endpoints: config files, transcription, models ----------------------------------


def test_config_endpoint_serves_transcription_with_timestamps(tmp_path, monkeypatch, replay_dir):
    (tmp_path / "infermux.toml").write_text(GATEWAY_TOML, encoding="utf-8")
    monkeypatch.setenv("MY_GATEWAY_KEY", "gateway-test-key-0")
    client = InferenceClient(provider="my-gateway")
    with replay_dir("gateway_automatic_speech_recognition_timestamps_synthetic.yaml"):
        out = client.automatic_speech_recognition(
            wav_bytes(), model="acme/whisper-internal", return_timestamps=True
        )
    assert out.text == "Hello from the meeting room."
    assert [chunk.timestamp for chunk in out.chunks] == [[0.0, 1.1], [1.1, 2.4]]


def test_auto_picks_the_endpoint_declaring_the_model_without_the_hub(
    tmp_path, monkeypatch, replay_dir, sent
):
    (tmp_path / "infermux.toml").write_text(GATEWAY_TOML, encoding="utf-8")
    monkeypatch.setenv("MY_GATEWAY_KEY", "gateway-test-key-0")
    client = InferenceClient(http_client=sent.client())  # provider="auto"
    with replay_dir("gateway_chat_completion_auto_synthetic.yaml"):
        out = client.chat_completion(MESSAGES, model="acme/llama-internal-70b")
    assert out.choices[0].message.content == "Bonjour !"
    assert out.response_info.provider == "my-gateway"
    assert sent.urls == ["https://llm.internal.example.com/v1/chat/completions"]
    assert sent.requests[0].headers["authorization"] == "Bearer gateway-test-key-0"
    assert sent.requests[0].headers["x-team"] == "search"


class _ServedChat(OpenAIChatHelper):
    base_url = "https://llm.example.com"
    routable = False
    needs_model_mapping = False
    requires_key = False
    served_models = frozenset({"acme/shared-model"})


def _engine_candidates(registry: ProviderRegistry, **settings: object) -> list[str]:
    engine = Engine(EngineSettings(**settings), registry)  # type: ignore[arg-type]
    request = TaskRequest(task="conversational", inputs=MESSAGES, model="acme/shared-model")
    steps = engine.resolver.candidates(request)
    try:
        effect = next(steps)
    except StopIteration as done:
        return [c.helper.provider for c in done.value]
    raise AssertionError(f"the Hub was asked: {effect}")


def test_declared_models_follow_provider_preference():
    registry = ProviderRegistry()
    for name in ("alpha", "beta"):
        helper = type(name, (_ServedChat,), {"provider": name})()
        registry.add(_runtime(helper))
    assert _engine_candidates(registry) == ["alpha", "beta"]
    assert _engine_candidates(registry, provider_preference=("beta",)) == ["beta", "alpha"]


def test_declared_model_claimed_by_two_distributions_names_both():
    from infermux.registry.store import Registration

    registry = ProviderRegistry()
    helper = type("gamma", (_ServedChat,), {"provider": "gamma"})()
    registry.add(Registration(helper, "gamma", "infermux-gamma", "1.0"))
    registry.add(Registration(helper, "gamma", "infermux-gamma-fork", "1.0"))
    with pytest.raises(DuplicateProviderError, match=r"infermux-gamma.*infermux-gamma-fork"):
        _engine_candidates(registry)


def test_a_plugin_declares_served_models_through_the_helper_attribute():
    class Plugin:
        @hookimpl
        def register_providers(self, register: Callable[[TaskProviderHelper], None]) -> None:
            register(type("delta", (_ServedChat,), {"provider": "delta"})())

    with temporary_plugin(Plugin(), "delta", include_installed=False) as registry:
        assert _engine_candidates(registry) == ["delta"]


def test_model_mappings_override_the_wire_id_of_a_declared_model():
    registry = ProviderRegistry()
    registry.add(_runtime(type("eps", (_ServedChat,), {"provider": "eps"})()))
    engine = Engine(
        EngineSettings(model_mappings={"eps": {"acme/shared-model": "shared-v2"}}), registry
    )
    request = TaskRequest(task="conversational", inputs=MESSAGES, model="acme/shared-model")
    with pytest.raises(StopIteration) as done:
        next(engine.resolver.candidates(request))
    (candidate,) = done.value.value
    assert candidate.mapping.provider_model_id == "shared-v2"
    assert candidate.mapping.hub_model_id == "acme/shared-model"


def _runtime(helper: TaskProviderHelper):
    from infermux.registry.store import Registration

    return Registration(helper, "runtime")


def test_register_openai_compatible_takes_models_and_transcription():
    registry = ProviderRegistry()
    register_openai_compatible(
        "asr-box",
        base_url="http://asr.internal:9000/v1",
        tasks=["automatic-speech-recognition"],
        models=["acme/whisper-internal"],
        registry=registry,
    )
    helper = registry.get("asr-box", "automatic-speech-recognition").helper
    assert isinstance(helper, OpenAITranscriptionHelper)
    assert helper.served_models == frozenset({"acme/whisper-internal"})
    assert "automatic-speech-recognition" in OPENAI_COMPATIBLE_TASKS


def test_transcription_refuses_non_audio_and_unknown_generation_parameters():
    (helper,) = openai_compatible_helpers(
        EndpointConfig("asr", "http://asr.internal/v1", tasks=("automatic-speech-recognition",))
    )
    from infermux.helpers.base import Call, ModelMapping

    call = Call(
        "automatic-speech-recognition", "not audio", ModelMapping("m"), "direct", "http://x"
    )
    with pytest.raises(InvalidInputError, match="takes audio"):
        helper.prepare_payload(call)
    call = Call(
        "automatic-speech-recognition",
        wav_bytes(),
        ModelMapping("m"),
        "direct",
        "http://x",
        parameters={"generation_parameters": {"temperature": 0.2, "top_k": 3}},
    )
    with pytest.raises(InvalidInputError, match="'top_k'"):
        helper.prepare_payload(call)


def test_a_required_key_is_still_required_for_a_config_endpoint(tmp_path):
    (tmp_path / "infermux.toml").write_text(GATEWAY_TOML, encoding="utf-8")
    client = InferenceClient(provider="my-gateway")
    with pytest.raises(MissingAPIKeyError, match="MY_GATEWAY_KEY"):
        client.chat_completion(MESSAGES, model="acme/llama-internal-70b")


# -- malformed config: file, line and key -----------------------------------------------------


@pytest.mark.parametrize(
    ("extra", "line", "key", "message"),
    [
        ('models = "acme/one"\n', 4, "providers.gw.models", "models must be a list of model ids"),
        ("models = [1, 2]\n", 4, "providers.gw.models", "models must be a list"),
        ('models = [""]\n', 4, "providers.gw.models", "models must be a list"),
        (
            'tasks = ["text-classification"]\n',
            4,
            "providers.gw.tasks",
            "automatic-speech-recognition, conversational",
        ),
        (
            '[providers.gw.routes]\ntext-to-image = "/img"\n',
            4,
            "providers.gw.routes",
            "routes names 'text-to-image', which is not among this provider's tasks",
        ),
    ],
)
def test_malformed_endpoint_keys_name_file_line_and_key(extra, line, key, message):
    text = '# gateway\n[providers.gw]\nbase_url = "https://gw.example.com/v1"\n' + extra
    with pytest.raises(ConfigFileError) as caught:
        parse_config(text, "/etc/acme/infermux.toml")
    error = caught.value
    assert (error.path, error.line, error.key) == ("/etc/acme/infermux.toml", line, key)
    assert message in str(error)
    assert str(error).startswith(f"/etc/acme/infermux.toml:{line} [{key}]")


def test_models_parse():
    config = parse_config(GATEWAY_TOML, "infermux.toml")
    assert config.endpoints[0].models == ("acme/llama-internal-70b",)


# -- EndpointsPlugin: endpoints shipped as a package ------------------------------------------


def test_endpoints_plugin_from_toml_serves_through_its_entry_point(tmp_path, replay_dir):
    path = tmp_path / "endpoints.toml"
    path.write_text(GATEWAY_TOML, encoding="utf-8")
    plugin = EndpointsPlugin.from_toml(path)
    with temporary_plugin(plugin, "acme-gateway", include_installed=False) as registry:
        assert registry.get("my-gateway", "conversational").plugin == "acme-gateway"
        client = InferenceClient(
            provider="my-gateway", api_key="gateway-test-key-0", registry=registry
        )
        with replay_dir("gateway_automatic_speech_recognition_timestamps_synthetic.yaml"):
            out = client.automatic_speech_recognition(
                wav_bytes(), model="acme/whisper-internal", return_timestamps=True
            )
    assert len(out.chunks) == 2


def test_endpoints_plugin_from_a_malformed_file_names_it(tmp_path):
    path = tmp_path / "endpoints.toml"
    path.write_text('[providers.gw]\nbase_url = "https://gw.example.com/v1"\nmodel = []\n')
    with pytest.raises(ConfigFileError, match=r"endpoints.toml:3 \[providers.gw.model\]"):
        EndpointsPlugin.from_toml(path)


# -- conformance --------------------------------------------------------------------------------


ALL_TASKS_ENDPOINT = EndpointConfig(
    name="every-task",
    base_url="https://llm.internal.example.com/v1",
    api_key_env=("EVERY_TASK_KEY",),
    tasks=tuple(sorted(OPENAI_COMPATIBLE_TASKS)),
    headers={"X-Team": "search"},
    models=("acme/one",),
)


class TestOpenAICompatibleConformance(ProviderConformance):
    distribution = DISTRIBUTION
    cassette_dir = CASSETTES / "openai-compatible"
    helpers = openai_compatible_helpers(ALL_TASKS_ENDPOINT)


def test_every_preset_helper_is_conformant():
    for plugin in PRESETS.values():
        for helper in plugin.helpers():
            assert check_helper(helper) == [], helper
