"""infermux.ray on a local Ray cluster (``num_cpus=4``, on 127.0.0.1; one per module):
a row answered 400 for ever, the shared rate limit, resume through Ray Data's
checkpointing, and the key arriving by name through ``runtime_env``.

Row counts are small: these prove behaviour, not speed (the figures are in
benchmarks/scale_out.py and docs/guide/scaling-out.md).
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from infermux.testing.stub_server import StubServer
from tests.scale_out.conftest import KEY_ENV, SECRET, stub_endpoint

ray = pytest.importorskip("ray")
infermux_ray = pytest.importorskip("infermux.ray")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.block_network(allowed_hosts=[r"127\.0\.0\.1$"]),
    # Ray's own code warns about its own deprecated settings (DataContext.get_current()
    # reads them); nothing of infermux's.
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
]

RUNTIME_ENV = {"env_vars": {KEY_ENV: SECRET}}


@pytest.fixture(scope="module")
def cluster() -> Iterator[None]:
    assert KEY_ENV not in os.environ  # the workers get the key from runtime_env only
    ray.init(
        num_cpus=4,
        include_dashboard=False,
        _node_ip_address="127.0.0.1",
        # For every worker of the job (one env for all: Ray can reuse started workers).
        runtime_env=RUNTIME_ENV,
        log_to_driver=False,
        configure_logging=False,
    )
    ray.data.DataContext.get_current().enable_progress_bars = False
    try:
        yield
    finally:
        ray.shutdown()


def chat_kwargs(stub: StubServer, **extra: Any) -> dict[str, Any]:
    return {
        "provider": "stub",
        "model": "stub-model",
        "api_key_env": KEY_ENV,
        "endpoints": [stub_endpoint(stub.url)],
        **extra,
    }


def test_a_row_answered_400_for_ever_is_a_row_with_its_error_set(cluster: None) -> None:
    items = [{"custom_id": f"r{i}", "prompt": f"question {i}"} for i in range(40)]
    items[17]["prompt"] = "poison-pill"
    with StubServer(faults={"poison-pill": 400}) as stub:
        rows = (
            ray.data.from_items(items)
            .map_batches(
                infermux_ray.Chat,
                fn_constructor_kwargs=chat_kwargs(stub, max_in_flight=8),
                concurrency=2,
                batch_size=10,
            )
            .take_all()
        )
        received = stub.stats.requests
    assert len(rows) == 40
    by_id = {row["custom_id"]: row for row in rows}
    failed = by_id["r17"]
    assert failed["error_code"] == "bad_request"
    assert "400" in failed["error_message"]
    assert failed["response"] is None
    for custom_id, row in by_id.items():
        if custom_id != "r17":
            assert row["error_code"] is None, row
            assert row["response"] == f"echo question {custom_id[1:]}"
    # A 400 is not retried: one request per row, the key found on every worker.
    assert received == 40


def test_the_shared_limit_holds_across_workers(cluster: None) -> None:
    limit = infermux_ray.SharedRateLimit(requests_per_minute=600, name=uuid.uuid4().hex)
    items = [{"custom_id": f"r{i}", "prompt": f"q{i}"} for i in range(80)]
    try:
        with StubServer(requests_per_minute=600) as stub:
            rows = (
                ray.data.from_items(items)
                .map_batches(
                    infermux_ray.Chat,
                    fn_constructor_kwargs=chat_kwargs(stub, max_in_flight=8, rate_limit=limit),
                    concurrency=2,
                    batch_size=20,
                )
                .take_all()
            )
            stats = stub.stats
        snapshot = limit.snapshot()["stub"]
    finally:
        limit.close()
    assert sorted(r["custom_id"] for r in rows) == sorted(i["custom_id"] for i in items)
    assert all(r["error_code"] is None for r in rows)
    assert stats.rate_limited <= 0.01 * stats.requests
    assert snapshot["leases"] == stats.requests  # every request drew its lease from the actor


def _write_jsonl(path: Path, ids: range) -> None:
    with open(path, "w") as fh:
        for i in ids:
            body = {"model": "stub-model", "messages": [{"role": "user", "content": f"hi {i}"}]}
            line = {
                "custom_id": f"r{i}",
                "method": "POST",
                "url": "/v1/chat/completions",
                "body": body,
            }
            fh.write(json.dumps(line) + "\n")


def test_resume_through_ray_data_checkpointing(cluster: None, tmp_path: Path) -> None:
    """The guide's worked example: rows already written are not sent again."""
    from ray.data.checkpoint import CheckpointConfig

    inputs, output = tmp_path / "in", tmp_path / "out"
    inputs.mkdir()
    _write_jsonl(inputs / "part-1.jsonl", range(20))
    context = ray.data.DataContext.get_current()
    context.checkpoint_config = CheckpointConfig(
        id_column="custom_id",
        checkpoint_path=str(tmp_path / "checkpoint"),
        delete_checkpoint_on_success=False,
    )
    try:
        with StubServer() as stub:

            def run() -> int:
                stub.reset()
                (
                    ray.data.read_json(str(inputs))
                    .map_batches(
                        infermux_ray.InferenceBatch,
                        fn_constructor_kwargs=chat_kwargs(stub),
                        concurrency=1,
                        batch_size=10,
                    )
                    .write_parquet(str(output))
                )
                return stub.stats.requests

            assert run() == 20
            _write_jsonl(inputs / "part-2.jsonl", range(20, 30))  # the job grows
            assert run() == 10  # only the new rows are sent
    finally:
        context.checkpoint_config = None
    import pyarrow.parquet as pq

    rows = pq.read_table(str(output)).to_pylist()  # read here: no Ray job needed for that
    assert sorted(r["custom_id"] for r in rows) == sorted(f"r{i}" for i in range(30))
    assert all(r["error_code"] is None and r["status_code"] == 200 for r in rows)
    assert json.loads(rows[0]["response"])["choices"][0]["message"]["content"].startswith("echo hi")
