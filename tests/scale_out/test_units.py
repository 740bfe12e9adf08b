"""The scale-out pieces without a cluster: the shared limit's service and proxy (fake
clock), batch columns and shapes, key handling, pickling, and import cost."""

from __future__ import annotations

import asyncio
import pickle
import subprocess
import sys
from typing import Any

import pytest

from infermux.batch.limiter import Grant
from infermux.errors import InvalidInputError, MissingAPIKeyError
from infermux.scaleout.columns import add_columns, records
from infermux.scaleout.shapes import ChatShape, EmbeddingsShape, RowShape, TextToImageShape
from infermux.scaleout.shared_limit import LimiterService, RemoteLimiter, rate_headers_only
from infermux.scaleout.worker import WorkerSpec
from infermux.testing.stub_server import StubServer
from tests.scale_out.conftest import KEY_ENV, SECRET, stub_endpoint

pytestmark = pytest.mark.block_network(allowed_hosts=[r"127\.0\.0\.1$"])


class _FakeTime:
    """A clock whose sleep advances it: limiter waits cost no real time."""

    def __init__(self) -> None:
        self.now = 0.0

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += max(seconds, 0.0)
        await asyncio.sleep(0)


class _InProcess:
    """The transport to a service in this process (the actor's role, minus the actor)."""

    def __init__(self, service: LimiterService) -> None:
        self.service = service

    async def acquire(self, provider: str, tokens: int) -> Grant:
        return await self.service.acquire(provider, tokens)

    def report(self, method: str, *args: Any) -> None:
        getattr(self.service, method)(*args)


async def test_a_429_seen_by_one_worker_pauses_every_worker() -> None:
    fake = _FakeTime()
    service = LimiterService(requests_per_minute=600, clock=fake.clock, sleep=fake.sleep)
    worker_a = RemoteLimiter("p", _InProcess(service))
    worker_b = RemoteLimiter("p", _InProcess(service))
    grant = await worker_a.acquire(1)
    worker_a.on_rate_limited(grant, 5.0)  # Retry-After: 5
    before = fake.now
    await worker_b.acquire(1)
    assert fake.now - before >= 5.0  # the other worker waited out the pause
    snapshot = service.snapshot()["p"]
    assert snapshot["rate_limited"] == 1
    assert snapshot["requests_per_minute"] == 300  # and the shared rate was halved


async def test_leases_are_spaced_for_all_workers_together() -> None:
    fake = _FakeTime()
    service = LimiterService(requests_per_minute=60, clock=fake.clock, sleep=fake.sleep)
    workers = [RemoteLimiter("p", _InProcess(service)) for _ in range(4)]
    grants = [await workers[i % 4].acquire(1) for i in range(8)]
    times = [g.granted_at for g in grants]
    assert times == sorted(times)
    assert times[-1] - times[0] >= 7.0  # 8 leases at 1/s, whichever worker asked
    assert service.snapshot()["p"]["leases"] == 8


async def test_tokens_are_shared_and_corrected() -> None:
    fake = _FakeTime()
    service = LimiterService(tokens_per_minute=600, clock=fake.clock, sleep=fake.sleep)
    worker = RemoteLimiter("p", _InProcess(service))
    grant = await worker.acquire(10)  # a full second's budget
    worker.correct_tokens(grant, 0)  # refunded: the next one need not wait
    before = fake.now
    await worker.acquire(10)
    assert fake.now == before


def test_only_rate_limit_headers_are_reported() -> None:
    headers = {"Authorization": "Bearer x", "X-RateLimit-Limit-Requests": "60", "set-cookie": "c"}
    assert rate_headers_only(headers) == {"x-ratelimit-limit-requests": "60"}
    assert rate_headers_only({"content-type": "json"}) is None


def test_grants_pickle() -> None:
    grant = Grant(3, 1, 2.5)
    assert pickle.loads(pickle.dumps(grant)) == grant  # noqa: S301 (our own bytes)


@pytest.mark.slow  # imports pandas
def test_columns_round_trip_in_each_form() -> None:
    import numpy as np
    import pandas as pd

    numpy_batch = {"custom_id": np.array(["a", "b"]), "n": np.array([1, 2])}
    assert records(numpy_batch) == [{"custom_id": "a", "n": 1}, {"custom_id": "b", "n": 2}]
    assert add_columns(numpy_batch, {"x": [1, None]})["x"] == [1, None]
    frame = pd.DataFrame({"custom_id": ["a", "b"]})
    assert records(frame) == [{"custom_id": "a"}, {"custom_id": "b"}]
    assert list(add_columns(frame, {"x": ["u", None]})["x"]) == ["u", None]
    bag = [{"custom_id": "a"}]
    assert add_columns(bag, {"x": [7]}) == [{"custom_id": "a", "x": 7}]
    with pytest.raises(InvalidInputError, match="differ in length"):
        records({"a": [1], "b": [1, 2]})
    with pytest.raises(InvalidInputError, match="must hold dicts"):
        records(["not a dict"])


def test_shapes_build_rows_and_columns() -> None:
    chat = ChatShape(system_prompt="be brief", parameters={"max_tokens": 5})
    (row,) = chat.rows([{"custom_id": 7, "prompt": "hi"}])
    assert row == {
        "custom_id": "7",
        "task": "conversational",
        "inputs": [{"role": "system", "content": "be brief"}, {"role": "user", "content": "hi"}],
        "parameters": {"max_tokens": 5},
    }
    ok = {"response": {"body": {"choices": [{"message": {"content": "yo"}}]}}, "error": None}
    bad = {"response": None, "error": {"code": "bad_request", "message": "no"}}
    assert chat.columns([ok, bad]) == {
        "response": ["yo", None],
        "error_code": [None, "bad_request"],
        "error_message": [None, "no"],
    }
    with pytest.raises(InvalidInputError, match="no column 'prompt'"):
        chat.rows([{"text": "x"}])
    general = RowShape()
    (row,) = general.rows(
        [
            {
                "custom_id": "a",
                "url": "/v1/embeddings",
                "body": '{"input": "x"}',
                "other": 1,
                "task": None,
            }
        ]
    )
    assert row == {"custom_id": "a", "url": "/v1/embeddings", "body": {"input": "x"}}
    assert EmbeddingsShape("text").columns([{"response": {"body": [[0.5, 1.0]]}, "error": None}])[
        "embedding"
    ] == [[0.5, 1.0]]
    assert TextToImageShape("prompt").columns(
        [{"response": {"body": {"b64": "AAE=", "content_type": "image/png"}}, "error": None}]
    )["image"] == [b"\x00\x01"]


def test_a_key_is_never_taken_as_a_value() -> None:
    with pytest.raises(InvalidInputError, match="api_key_env"):
        WorkerSpec.from_kwargs({"api_key": SECRET})
    with pytest.raises(InvalidInputError, match="NAME of an environment variable"):
        WorkerSpec(api_key_env=SECRET + "-not-a-name")
    with pytest.raises(InvalidInputError, match="unknown endpoint keys"):
        WorkerSpec(endpoints=({"name": "x", "base_url": "http://h", "headers": {"a": "b"}},))
    with pytest.raises(MissingAPIKeyError, match=KEY_ENV):
        WorkerSpec(api_key_env=KEY_ENV).read_key()


@pytest.mark.slow  # imports Ray or Dask
@pytest.mark.parametrize("framework", ["ray", "dask"])
def test_the_pickled_worker_holds_no_key_bytes(
    framework: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Even after it has answered rows (its client made, holding the key), a callable
    pickles to names and numbers only: the key is read again in whichever worker unpickles it."""
    module = pytest.importorskip(f"infermux.{framework}")
    import cloudpickle

    monkeypatch.setenv(KEY_ENV, SECRET)
    with StubServer() as stub:
        chat = module.Chat(
            provider="stub", model="m", api_key_env=KEY_ENV, endpoints=[stub_endpoint(stub.url)]
        )
        batch = {"custom_id": ["a"], "prompt": ["hello"]}
        if framework == "ray":

            async def run() -> Any:
                try:
                    return await chat(batch)
                finally:
                    await chat._worker.aclose()  # closes the client; pickling drops it anyway

            out = asyncio.run(run())
        else:
            out = chat(batch)
        assert out["error_message"] == [None]
        assert out["response"] == ["echo hello"]
        assert stub.stats.requests == 1
        blobs = [pickle.dumps(chat), cloudpickle.dumps(chat), cloudpickle.dumps(type(chat))]
    for blob in blobs:
        assert SECRET.encode() not in blob
        assert SECRET[:16].encode() not in blob
    assert KEY_ENV.encode() in blobs[1]  # what travels is the variable's name
    clone = pickle.loads(blobs[0])  # noqa: S301 (our own bytes)
    assert clone.spec == chat.spec


@pytest.mark.slow  # a fresh interpreter
def test_import_infermux_imports_neither_ray_nor_dask() -> None:
    code = (
        "import sys, infermux, infermux.batch, infermux.scaleout.worker, "
        "infermux.scaleout.shapes, infermux.scaleout.shared_limit\n"
        "heavy = sorted(m for m in ('ray', 'dask', 'distributed', 'pandas', 'numpy') "
        "if m in sys.modules)\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)  # noqa: S603
