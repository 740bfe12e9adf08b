"""Plugin discovery: isolation of broken plugins, strict mode, duplicates, allow/block lists,
provenance, and start-up discipline.

Each fake plugin is a real distribution: a module and a ``.dist-info`` directory (METADATA
and entry_points.txt) in a temporary site directory on ``sys.path``. The loader's
``entry_points`` is pointed at exactly those, so the installed plugins stay out of the way
(one test lets ``importlib.metadata`` find them the ordinary way).
"""

from __future__ import annotations

import importlib
import json
import re
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from importlib.metadata import EntryPoint, PathDistribution
from pathlib import Path
from uuid import uuid4

import pytest

import infermux
from infermux import InferenceClient, hookimpl
from infermux.errors import DuplicateProviderError, PluginLoadError, UnknownProviderError
from infermux.helpers.base import TaskProviderHelper
from infermux.registry import loader
from infermux.registry.loader import (
    ENTRY_POINT_GROUP,
    LoaderSettings,
    PluginWarning,
    build_registry,
    get_registry,
    reset_registry,
)
from infermux.registry.store import ProviderRegistry
from infermux.testing import temporary_plugin

MESSAGES = [{"role": "user", "content": "hi"}]


def class_name(provider: str, task: str) -> str:
    return "Helper_" + re.sub(r"\W", "_", f"{provider}_{task}")


def helper_source(provider: str, task: str, tag: str) -> str:
    return textwrap.dedent(
        f"""
        class {class_name(provider, task)}(TaskProviderHelper):
            provider = {provider!r}
            task = {task!r}
            base_url = "https://{provider}.example"
            tag = {tag!r}
        """
    )


class FakePlugins:
    """Builds distributions with ``infermux.providers`` entry points in a site directory."""

    def __init__(self, site: Path) -> None:
        self.site = site
        self.entry_points: list[EntryPoint] = []
        self.modules: list[str] = []

    def module(self, body: str) -> str:
        name = f"fake_infermux_plugin_{uuid4().hex[:12]}"
        source = (
            "from infermux import hookimpl\nfrom infermux.helpers.base import TaskProviderHelper\n"
        )
        (self.site / f"{name}.py").write_text(source + textwrap.dedent(body), encoding="utf-8")
        self.modules.append(name)
        return name

    def registering(self, *pairs: tuple[str, str], tag: str = "") -> str:
        """A plugin module registering one helper per (provider, task) pair."""
        classes = "".join(helper_source(p, t, tag) for p, t in pairs)
        calls = "".join(f"    register({class_name(p, t)}())\n" for p, t in pairs)
        return self.module(f"{classes}\n@hookimpl\ndef register_providers(register):\n{calls}")

    def distribution(self, dist: str, version: str, **entry_points: str) -> PathDistribution:
        """Install ``dist`` declaring ``entry point name -> module`` (``_`` in names -> ``-``)."""
        info = self.site / f"{dist.replace('-', '_')}-{version}.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n", encoding="utf-8"
        )
        lines = "".join(f"{n.replace('_', '-')} = {m}\n" for n, m in entry_points.items())
        (info / "entry_points.txt").write_text(f"[{ENTRY_POINT_GROUP}]\n{lines}", encoding="utf-8")
        distribution = PathDistribution(info)
        self.entry_points.extend(distribution.entry_points.select(group=ENTRY_POINT_GROUP))
        importlib.invalidate_caches()
        return distribution

    def plugin(self, dist: str, *pairs: tuple[str, str], name: str | None = None) -> None:
        """One distribution with one entry point registering ``pairs`` (tagged ``dist``)."""
        module = self.registering(*pairs, tag=dist)
        self.distribution(dist, "1.0", **{name or dist: module})


@pytest.fixture
def plugins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakePlugins]:
    site = tmp_path / "site"
    site.mkdir()
    monkeypatch.syspath_prepend(str(site))
    fake = FakePlugins(site)

    def entry_points(*, group: str) -> list[EntryPoint]:
        return [ep for ep in fake.entry_points if ep.group == group]

    monkeypatch.setattr(loader, "entry_points", entry_points)
    yield fake
    for name in fake.modules:
        sys.modules.pop(name, None)


def tag_of(registry: ProviderRegistry, provider: str, task: str = "conversational") -> str:
    return registry.get(provider, task).helper.tag  # type: ignore[attr-defined]


def statuses(registry: ProviderRegistry) -> dict[str, str]:
    return {info.name: info.status for info in registry.plugins}


# -- isolation of broken plugins -------------------------------------------------------------


def test_plugin_that_fails_to_import_is_skipped_with_a_warning_naming_it(plugins):
    plugins.plugin("alpha-dist", ("alpha", "conversational"), name="alpha")
    broken = plugins.module("raise RuntimeError('missing native library')\n")
    plugins.distribution("broken-dist", "0.3", broken_plugin=broken)
    plugins.plugin("omega-dist", ("omega", "conversational"))

    registry = build_registry()  # imports nothing yet: the warning comes on first use
    assert tag_of(registry, "alpha") == "alpha-dist"
    with pytest.warns(PluginWarning) as caught:
        providers = registry.providers()

    (warning,) = caught
    message = str(warning.message)
    assert "'broken-plugin'" in message
    assert "broken-dist" in message
    assert "RuntimeError: missing native library" in message
    assert providers == ["alpha", "omega"]
    assert statuses(registry) == {
        "alpha": "loaded",
        "broken-plugin": "failed",
        "omega-dist": "loaded",
    }
    info = next(i for i in registry.plugins if i.name == "broken-plugin")
    assert "missing native library" in (info.error or "")


def test_entry_point_naming_a_missing_module(plugins):
    plugins.distribution("ghost-dist", "1.0", ghost="no_such_module_for_infermux_tests")
    plugins.plugin("alpha-dist", ("alpha", "conversational"))
    registry = build_registry()
    with pytest.warns(PluginWarning, match=r"'ghost'.*ghost-dist.*ModuleNotFoundError"):
        assert registry.providers() == ["alpha"]


def test_plugin_with_an_invalid_hook_signature(plugins):
    bad = plugins.module("@hookimpl\ndef register_providers(callback):\n    pass\n")
    plugins.distribution("bad-hook-dist", "1.0", bad_hook=bad)
    registry = build_registry()
    with pytest.warns(PluginWarning, match=r"'bad-hook'.*failed to load"):
        assert registry.providers() == []


def test_plugin_whose_hook_raises_leaves_nothing_behind(plugins):
    body = helper_source("half", "conversational", "x") + textwrap.dedent(
        """
        @hookimpl
        def register_providers(register):
            register(Helper_half_conversational())
            raise KeyError("config missing")
        """
    )
    plugins.distribution("half-dist", "1.0", half=plugins.module(body))
    registry = build_registry()
    with pytest.warns(PluginWarning, match=r"'half'.*failed to register.*config missing"):
        assert not registry.has_provider("half")
    assert "half" not in registry.providers()


def test_strict_mode_from_the_environment_raises(plugins, monkeypatch):
    plugins.plugin("alpha-dist", ("alpha", "conversational"))
    plugins.distribution("broken-dist", "0.3", broken=plugins.module("1 / 0\n"))
    monkeypatch.setenv("INFERMUX_STRICT_PLUGINS", "1")
    assert LoaderSettings.from_env().strict
    with pytest.raises(PluginLoadError, match=r"'broken'.*broken-dist.*ZeroDivisionError"):
        build_registry()
    # The process-wide registry, and so any client, fails the same way.
    with pytest.raises(PluginLoadError, match="broken-dist"):
        get_registry()


@pytest.mark.parametrize(
    ("value", "strict"),
    [("1", True), ("true", True), ("YES", True), ("0", False), ("", False), ("no", False)],
)
def test_strict_mode_values(value, strict):
    assert LoaderSettings.from_env({"INFERMUX_STRICT_PLUGINS": value}).strict is strict


GARBAGE = {
    "not-a-helper": "register('together')",
    "helper-class": "register(Good)",
    "bad-provider-id": "register(BadId())",
    "unknown-task": "register(BadTask())",
    "no-base-url": "register(NoUrl())",
}


@pytest.mark.parametrize("garbage", sorted(GARBAGE))
def test_plugin_registering_garbage_is_skipped_whole(plugins, garbage):
    body = f"""
        class Good(TaskProviderHelper):
            provider = "junk"
            task = "conversational"
            base_url = "https://junk.example"

        class BadId(Good):
            provider = "Bad_ID"

        class BadTask(Good):
            task = "dance"

        class NoUrl(Good):
            provider = "junk-two"
            base_url = "ftp://junk.example"

        @hookimpl
        def register_providers(register):
            register(Good())  # a sound helper first: it must not survive either
            {GARBAGE[garbage]}
        """
    plugins.distribution("junk-dist", "2.0", junk=plugins.module(body))
    plugins.plugin("alpha-dist", ("alpha", "conversational"))

    registry = build_registry()
    with pytest.warns(PluginWarning) as caught:
        assert registry.providers() == ["alpha"]

    (warning,) = caught
    message = str(warning.message)
    assert "'junk'" in message
    assert "junk-dist" in message
    expected = {
        "not-a-helper": "expected a TaskProviderHelper instance, got str",
        "helper-class": "expected a TaskProviderHelper instance, got type",
        "bad-provider-id": "invalid provider id 'Bad_ID'",
        "unknown-task": "unknown task 'dance'",
        "no-base-url": "base_url must be an http(s) URL",
    }[garbage]
    assert expected in message
    assert registry.providers() == ["alpha"]
    assert statuses(registry)["junk"] == "failed"


def test_strict_mode_refuses_garbage(plugins):
    plugins.distribution(
        "junk-dist",
        "2.0",
        junk=plugins.module("@hookimpl\ndef register_providers(register):\n    register(42)\n"),
    )
    with pytest.raises(PluginLoadError, match=r"'junk'.*got int"):
        build_registry(LoaderSettings(strict=True))


# -- duplicates --------------------------------------------------------------------------------


def test_two_distributions_claiming_one_pair(plugins, sent):
    plugins.plugin("acme-one", ("acme", "conversational"), ("acme", "feature-extraction"))
    plugins.plugin("acme-two", ("acme", "conversational"))
    registry = build_registry()

    with pytest.raises(DuplicateProviderError) as raised:
        registry.get("acme", "conversational")
    error = raised.value
    assert error.distributions == ("acme-one", "acme-two")
    assert "'acme-one'" in str(error)
    assert "'acme-two'" in str(error)
    assert "INFERMUX_PREFER" in str(error)
    # The pair nobody else claims is unaffected.
    assert tag_of(registry, "acme", "feature-extraction") == "acme-one"

    client = InferenceClient(
        provider="acme", model="m", api_key="k", registry=registry, http_client=sent.client()
    )
    with pytest.raises(DuplicateProviderError):
        client.chat_completion(MESSAGES)
    assert sent.requests == []


def test_two_distributions_with_the_same_entry_point_name(plugins):
    # DESIGN: entry points are named after the provider id, so two packages for one
    # provider both declare `acme = ...`.
    plugins.plugin("acme-one", ("acme", "conversational"), name="acme")
    plugins.plugin("acme-two", ("acme", "conversational"), name="acme")
    registry = build_registry()
    with pytest.raises(DuplicateProviderError, match=r"acme-one.*acme-two"):
        registry.get("acme", "conversational")


@pytest.mark.parametrize("choice", ["acme-two", "acme-two-ep"])
def test_prefer_environment_resolves_a_duplicate(plugins, monkeypatch, choice):
    plugins.plugin("acme-one", ("acme", "conversational"))
    plugins.plugin("acme-two", ("acme", "conversational"), name="acme-two-ep")
    monkeypatch.setenv("INFERMUX_PREFER", f" other=x , acme={choice} ")
    registry = build_registry()
    assert tag_of(registry, "acme") == "acme-two"


def test_prefer_naming_neither_still_raises(plugins, monkeypatch):
    plugins.plugin("acme-one", ("acme", "conversational"))
    plugins.plugin("acme-two", ("acme", "conversational"))
    monkeypatch.setenv("INFERMUX_PREFER", "acme=acme-three")
    with pytest.raises(DuplicateProviderError):
        build_registry().get("acme", "conversational")


class RuntimeAcme(TaskProviderHelper):
    provider = "acme"
    task = "conversational"
    base_url = "https://in-house.example"
    tag = "runtime"


def test_register_provider_with_replace_wins(plugins):
    plugins.plugin("acme-one", ("acme", "conversational"))
    plugins.plugin("acme-two", ("acme", "conversational"))
    infermux.register_provider(RuntimeAcme(), replace=True)
    registry = get_registry()
    registration = registry.get("acme", "conversational")
    assert registration.helper.tag == "runtime"
    assert registration.origin == "runtime"
    assert registry.conflicts() == {}


def test_register_provider_without_replace_conflicts_with_the_plugin(plugins):
    plugins.plugin("acme-one", ("acme", "conversational"), name="acme")
    registry = build_registry()
    infermux.register_provider(RuntimeAcme(), registry=registry)
    # The plugin is imported on first use, after the run-time registration: both are named.
    with pytest.raises(DuplicateProviderError, match=r"'runtime'.*'acme-one'"):
        registry.get("acme", "conversational")


# -- allow-list and block-list ------------------------------------------------------------------


@pytest.fixture
def three(plugins: FakePlugins) -> FakePlugins:
    plugins.plugin("alpha-dist", ("alpha", "conversational"), name="alpha")
    plugins.plugin("beta-dist", ("beta", "conversational"), name="beta")
    plugins.plugin("gamma-dist", ("gamma", "conversational"), name="gamma")
    return plugins


@pytest.mark.parametrize("value", ["beta", "beta-dist", " beta , nothing-else "])
def test_block_list(three, monkeypatch, value):
    monkeypatch.setenv("INFERMUX_BLOCK_PLUGINS", value)
    registry = build_registry()
    assert registry.providers() == ["alpha", "gamma"]
    assert statuses(registry)["beta"] == "blocked"


@pytest.mark.parametrize("value", ["alpha,gamma", "alpha-dist,gamma-dist", "alpha,gamma-dist"])
def test_allow_list(three, monkeypatch, value):
    monkeypatch.setenv("INFERMUX_PLUGINS", value)
    registry = build_registry()
    assert registry.providers() == ["alpha", "gamma"]
    assert statuses(registry)["beta"] == "not allowed"


def test_blocked_plugins_are_never_imported(three, monkeypatch):
    monkeypatch.setenv("INFERMUX_BLOCK_PLUGINS", "beta")
    monkeypatch.setenv("INFERMUX_PLUGINS", "alpha,beta")
    build_registry().providers()  # a listing imports every plugin it may
    alpha, beta, gamma = three.modules
    assert alpha in sys.modules
    assert beta not in sys.modules
    assert gamma not in sys.modules


def test_block_list_wins_over_allow_list(three, monkeypatch):
    monkeypatch.setenv("INFERMUX_PLUGINS", "alpha,beta")
    monkeypatch.setenv("INFERMUX_BLOCK_PLUGINS", "beta-dist")
    assert build_registry().providers() == ["alpha"]


def test_blocking_a_broken_plugin_silences_it(plugins, monkeypatch):
    plugins.distribution("broken-dist", "0.3", broken=plugins.module("1 / 0\n"))
    monkeypatch.setenv("INFERMUX_BLOCK_PLUGINS", "broken-dist")
    monkeypatch.setenv("INFERMUX_STRICT_PLUGINS", "1")
    assert statuses(build_registry()) == {"broken": "blocked"}


def test_block_list_matches_distribution_names_as_pip_spells_them(plugins, monkeypatch):
    plugins.plugin("Acme_Provider", ("acme", "conversational"), name="acme")
    monkeypatch.setenv("INFERMUX_BLOCK_PLUGINS", "acme-provider")
    assert build_registry().providers() == []


def test_unknown_provider_lists_what_the_allow_list_left(three, monkeypatch):
    monkeypatch.setenv("INFERMUX_PLUGINS", "alpha")
    with pytest.raises(UnknownProviderError, match=r"'beta'.*Installed providers: alpha\."):
        InferenceClient(provider="beta")


# -- provenance --------------------------------------------------------------------------------


def test_provenance_is_recorded(plugins):
    module = plugins.registering(("acme", "conversational"), ("acme", "text-to-image"), tag="x")
    plugins.distribution("infermux-acme", "2.4.1", acme=module)
    registry = build_registry()

    registration = registry.get("acme", "text-to-image")
    assert (registration.plugin, registration.distribution, registration.version) == (
        "acme",
        "infermux-acme",
        "2.4.1",
    )
    assert registration.origin == "infermux-acme"
    (info,) = registry.plugins
    assert (info.name, info.distribution, info.version, info.status) == (
        "acme",
        "infermux-acme",
        "2.4.1",
        "loaded",
    )
    assert sorted(info.registrations) == [("acme", "conversational"), ("acme", "text-to-image")]


def test_installed_plugins_are_discovered_through_importlib_metadata(tmp_path, monkeypatch):
    """No patching: a distribution on sys.path is found beside the installed ones."""
    fake = FakePlugins(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        fake.plugin("infermux-zeta", ("zeta", "summarization"), name="zeta")
        registry = build_registry()
        assert {"together", "hf-inference", "zeta"} <= set(registry.providers())
        assert registry.get("zeta", "summarization").distribution == "infermux-zeta"
        assert registry.get("together", "conversational").distribution == "infermux-together"
    finally:
        for name in fake.modules:
            sys.modules.pop(name, None)


def test_temporary_plugin():
    class Plugin:
        @hookimpl
        def register_providers(self, register):
            register(RuntimeAcme())

    with temporary_plugin(Plugin(), name="tmp-acme", include_installed=False) as registry:
        assert registry.providers() == ["acme"]
        assert registry.get("acme", "conversational").plugin == "tmp-acme"
    with temporary_plugin(Plugin(), name="tmp-acme") as registry:
        assert {"acme", "together"} <= set(registry.providers())


# -- laziness ----------------------------------------------------------------------------------


def test_import_infermux_is_light():
    code = textwrap.dedent(
        """
        import json, sys
        import infermux
        from infermux import __version__
        dir(infermux)
        heavy = ["httpx2", "pluggy", "pydantic", "infermux_together", "infermux_hf_inference",
                 "infermux.registry.loader", "infermux.engine", "infermux.client.sync_client"]
        print(json.dumps({name: name in sys.modules for name in heavy}))
        """
    )
    out = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    loaded = json.loads(out.stdout)
    assert not any(loaded.values()), loaded


def test_importing_the_client_loads_no_plugin():
    code = textwrap.dedent(
        """
        import json, sys
        from infermux import AsyncInferenceClient, InferenceClient
        import infermux.registry.loader as loader
        print(json.dumps({
            "plugins": [m for m in sys.modules if m.startswith("infermux_")],
            "built": loader._default is not None,
        }))
        """
    )
    out = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert json.loads(out.stdout) == {"plugins": [], "built": False}


@pytest.fixture
def counted(plugins: FakePlugins, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    plugins.plugin("alpha-dist", ("alpha", "conversational"))
    calls: list[int] = []
    real = loader.entry_points

    def entry_points(*, group: str) -> list[EntryPoint]:
        calls.append(1)
        time.sleep(0.02)  # widen the window for a racing second build
        return real(group=group)

    monkeypatch.setattr(loader, "entry_points", entry_points)
    return calls


def test_registry_is_built_once_on_first_use(counted, sent):
    assert counted == []
    first = get_registry()
    assert counted == [1]
    assert get_registry() is first
    InferenceClient(provider="alpha", api_key="k", http_client=sent.client())
    infermux.register_provider(RuntimeAcme())
    assert counted == [1]
    assert first.providers() == ["acme", "alpha"]


def test_reset_registry_rebuilds(counted):
    first = get_registry()
    infermux.register_provider(RuntimeAcme())
    reset_registry()
    assert counted == [1]  # lazily: nothing rebuilt yet
    second = get_registry()
    assert second is not first
    assert counted == [1, 1]
    assert second.providers() == ["alpha"]  # run-time registrations went with the old one


def test_concurrent_first_use_builds_once(counted):
    results: list[ProviderRegistry] = []
    barrier = threading.Barrier(6)

    def use() -> None:
        barrier.wait(timeout=5)
        results.append(get_registry())

    threads = [threading.Thread(target=use) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=5)
    assert len(results) == 6
    assert all(r is results[0] for r in results)
    assert counted == [1]


# -- plugins are imported when their provider is used -------------------------------------------


def test_discovery_imports_no_plugin_and_use_imports_only_that_one(three):
    registry = build_registry()
    alpha, beta, gamma = three.modules
    assert not {alpha, beta, gamma} & set(sys.modules)
    assert registry.pending() == ["alpha", "beta", "gamma"]
    assert statuses(registry) == {"alpha": "loaded", "beta": "loaded", "gamma": "loaded"}
    # (statuses() lists the plugins, which imports them all: start again)
    for name in three.modules:
        sys.modules.pop(name, None)

    registry = build_registry()
    assert registry.has_provider("beta")
    assert tag_of(registry, "beta") == "beta-dist"
    assert beta in sys.modules
    assert alpha not in sys.modules
    assert gamma not in sys.modules
    assert registry.pending() == ["alpha", "gamma"]


def test_a_client_for_one_provider_imports_only_its_plugin(three):
    registry = build_registry()
    InferenceClient(provider="gamma", model="m", api_key="k", registry=registry)
    alpha, beta, gamma = three.modules
    assert gamma in sys.modules
    assert alpha not in sys.modules
    assert beta not in sys.modules


def test_a_duplicate_entry_point_name_is_caught_before_use(plugins, sent):
    # Both distributions name their entry point after the provider: both are imported the
    # first time "acme" is used, and the clash is reported before anything is sent.
    plugins.plugin("acme-one", ("acme", "conversational"), name="acme")
    plugins.plugin("acme-two", ("acme", "conversational"), name="acme")
    plugins.plugin("beta-dist", ("beta", "conversational"), name="beta")
    registry = build_registry()
    assert not set(plugins.modules) & set(sys.modules)
    client = InferenceClient(
        provider="acme", model="m", api_key="k", registry=registry, http_client=sent.client()
    )
    with pytest.raises(DuplicateProviderError, match=r"'acme-one'.*'acme-two'"):
        client.chat_completion(MESSAGES)
    assert sent.requests == []
    one, two, beta = plugins.modules
    assert {one, two} <= set(sys.modules)
    assert beta not in sys.modules


def test_a_provider_registered_under_another_entry_point_name_is_still_found(plugins):
    # One entry point registering several providers: a provider no entry point is named
    # after imports every plugin before the lookup is refused.
    plugins.plugin("multi-dist", ("first", "conversational"), ("second", "conversational"))
    plugins.plugin("beta-dist", ("beta", "conversational"), name="beta")
    registry = build_registry()
    assert tag_of(registry, "second") == "multi-dist"
    assert registry.get("first", "conversational").distribution == "multi-dist"
    with pytest.raises(UnknownProviderError, match=r"Installed providers: beta, first, second"):
        registry.get("nobody", "conversational")


def test_a_run_time_replacement_survives_the_plugin_imported_later(plugins):
    plugins.plugin("acme-one", ("acme", "conversational"), name="acme")
    registry = build_registry()
    infermux.register_provider(RuntimeAcme(), replace=True, registry=registry)
    assert registry.pending() == ["acme"]
    assert tag_of(registry, "acme") == "runtime"
    assert registry.pending() == []
    assert registry.conflicts() == {}


def test_strict_mode_imports_every_plugin_at_once(three):
    build_registry(LoaderSettings(strict=True))
    assert set(three.modules) <= set(sys.modules)


def test_concurrent_first_use_of_a_provider_imports_it_once(plugins):
    body = helper_source("slow", "conversational", "slow") + textwrap.dedent(
        """
        import time
        COUNT = []

        @hookimpl
        def register_providers(register):
            COUNT.append(1)
            time.sleep(0.05)  # widen the window for a racing second lookup
            register(Helper_slow_conversational())
        """
    )
    module = plugins.module(body)
    plugins.distribution("slow-dist", "1.0", slow=module)
    registry = build_registry()
    barrier = threading.Barrier(4)
    found: list[str] = []

    def use() -> None:
        barrier.wait(timeout=5)
        found.append(tag_of(registry, "slow"))

    threads = [threading.Thread(target=use) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=5)
    assert found == ["slow"] * 4
    assert sys.modules[module].COUNT == [1]


def test_using_one_installed_provider_imports_only_its_plugin():
    code = textwrap.dedent(
        """
        import json, sys
        from infermux import InferenceClient
        InferenceClient(provider="together", api_key="k")
        from infermux.registry.loader import get_registry
        get_registry().get("together", "conversational")
        print(json.dumps(sorted({m.split(".")[0] for m in sys.modules if m.startswith("infermux_")})))
        """
    )
    out = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert json.loads(out.stdout) == ["infermux_together"]


@pytest.mark.block_network(allowed_hosts=[r"127\.0\.0\.1$"])
def test_a_dedicated_endpoint_call_imports_no_plugin(three, local_server, monkeypatch):
    from infermux.errors import HelperError
    from infermux.helpers.openai import OpenAIChatHelper
    from tests.core.localserver import Reply
    from tests.core.test_faults import chat_body

    # A helper built on the fly that crashes: the HelperError asks which plugin registered
    # it (the engine's origin lookup), which must not import every plugin to find out.
    # (A ResponseFormatError would not do: it passes through without that question.)
    parse = OpenAIChatHelper.parse_response

    def crash_on_a_list(self, response, call):
        if isinstance(response.json(), list):
            raise KeyError("choices")
        return parse(self, response, call)

    monkeypatch.setattr(OpenAIChatHelper, "parse_response", crash_on_a_list)
    registry = build_registry()
    local_server.queue(Reply(200, json=chat_body("from the endpoint")), Reply(200, json=[1]))
    with InferenceClient(base_url=local_server.url, registry=registry, max_retries=0) as client:
        out = client.chat_completion(MESSAGES, model="tgi")
        with pytest.raises(HelperError, match="KeyError") as crashed:
            client.chat_completion(MESSAGES, model="tgi")
    assert crashed.value.origin is None  # registered by no plugin: built for this call
    assert out.choices[0].message.content == "from the endpoint"
    assert not set(three.modules) & set(sys.modules)
    assert registry.pending() == ["alpha", "beta", "gamma"]
