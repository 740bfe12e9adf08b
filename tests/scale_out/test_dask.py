"""infermux.dask on a local Dask cluster (two worker processes on 127.0.0.1; one per
module): a row answered 400 for ever, the shared rate limit held by a Dask actor, Bags,
and the key arriving by name through the workers' environment."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from infermux.testing.stub_server import StubServer
from tests.scale_out.conftest import KEY_ENV, SECRET, stub_endpoint

dask = pytest.importorskip("dask")
distributed = pytest.importorskip("distributed")
infermux_dask = pytest.importorskip("infermux.dask")

pytestmark = [pytest.mark.slow, pytest.mark.block_network(allowed_hosts=[r"127\.0\.0\.1$"])]


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    assert KEY_ENV not in os.environ  # only the workers' environment holds the key
    # Generous start-up waits: a loaded 2-core machine starts worker processes slowly.
    with (
        dask.config.set({"distributed.comm.timeouts.connect": "120s"}),
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            env={KEY_ENV: SECRET},
        ) as cluster,
        distributed.Client(cluster) as dask_client,
    ):
        yield dask_client


def chat(stub: StubServer, **extra: Any) -> Any:
    return infermux_dask.Chat(
        provider="stub",
        model="stub-model",
        api_key_env=KEY_ENV,
        endpoints=[stub_endpoint(stub.url)],
        **extra,
    )


def _frame(n: int, poison: int | None = None) -> Any:
    import dask.dataframe as dd
    import pandas as pd

    prompts = [("poison-pill" if i == poison else f"question {i}") for i in range(n)]
    frame = pd.DataFrame({"custom_id": [f"r{i}" for i in range(n)], "prompt": prompts})
    return dd.from_pandas(frame, npartitions=4)


def test_a_row_answered_400_for_ever_is_a_row_with_its_error_set(client: Any) -> None:
    with StubServer(faults={"poison-pill": 400}) as stub:
        callable_ = chat(stub)
        ddf = _frame(40, poison=5)
        out = ddf.map_partitions(callable_, meta=callable_.meta(ddf)).compute()
        received = stub.stats.requests
    assert len(out) == 40
    failed = out[out["custom_id"] == "r5"].iloc[0]
    assert failed["error_code"] == "bad_request"
    assert "400" in failed["error_message"]
    others = out[out["custom_id"] != "r5"]
    assert others["error_code"].isna().all()
    assert list(others["response"]) == [f"echo question {c[1:]}" for c in others["custom_id"]]
    assert received == 40


def test_the_shared_limit_holds_across_workers(client: Any) -> None:
    limit = infermux_dask.SharedRateLimit.start(client, requests_per_minute=600)
    with StubServer(requests_per_minute=600) as stub:
        callable_ = chat(stub, rate_limit=limit, max_in_flight=8)
        ddf = _frame(80)
        out = ddf.map_partitions(callable_, meta=callable_.meta(ddf)).compute()
        stats = stub.stats
    snapshot = limit.snapshot()["stub"]
    assert len(out) == 80
    assert out["error_code"].isna().all()
    assert stats.rate_limited <= 0.01 * stats.requests
    assert snapshot["leases"] == stats.requests


def test_a_bag_of_dicts(client: Any) -> None:
    import dask.bag as db

    with StubServer() as stub:
        embeddings = infermux_dask.Embeddings(
            provider="stub", model="e", api_key_env=KEY_ENV, endpoints=[stub_endpoint(stub.url)]
        )
        bag = db.from_sequence(
            [{"custom_id": f"b{i}", "text": "x" * i} for i in range(1, 9)], npartitions=2
        )
        rows = bag.map_partitions(embeddings).compute()
    assert [r["custom_id"] for r in rows] == [f"b{i}" for i in range(1, 9)]
    assert all(r["error_code"] is None and isinstance(r["embedding"], list) for r in rows)
    assert all(all(isinstance(v, float) for v in r["embedding"]) for r in rows)
