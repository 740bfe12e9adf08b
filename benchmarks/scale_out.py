"""Scaling out: infermux.ray and infermux.dask against a local stub (issue 16).

Measures, against ``infermux.testing.stub_server`` on 127.0.0.1 answering every request
after ``--latency`` seconds (200 ms by default), with each worker capped at
``--in-flight`` requests (8):

- throughput with 1, 2 and 4 workers (Ray's ``map_batches(infermux.ray.Chat)``, Dask's
  ``map_partitions(infermux.dask.Chat)``), and the speed-up over one worker;
- the same rows through ``ray.data.llm``'s HTTP request processor (when the installed Ray
  has it), same stub, same worker count;
- a shared limit of ``--limit`` requests/s (50): throughput and the share of 429s.

Throughput is counted at the stub: answered requests over the time from the first to the
last arrival, so actor and cluster start-up (seconds on a small machine) do not count; the
wall time of each run is printed beside it. Usage::

    uv run python benchmarks/scale_out.py                 # everything, ~5 minutes
    uv run python benchmarks/scale_out.py --only ray --workers 1 2
    uv run python benchmarks/scale_out.py --json figures.json

Figures are machine-dependent; the guide (docs/guide/scaling-out.md) records a run.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from typing import Any

os.environ.setdefault("RAY_ENABLE_UV_RUN_RUNTIME_ENV", "0")  # use this interpreter as it is
os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
os.environ.setdefault("RAY_agent_register_timeout_ms", "180000")

from infermux.testing.stub_server import StubServer

KEY_ENV = "INFERMUX_BENCH_KEY"
KEY = "bench-key-not-secret"
#: The stubs stop by themselves after this long (their default, 10 minutes, is less than a
#: full run on a small machine).
_LIFETIME = 3600.0


def _endpoint(stub: StubServer) -> dict[str, Any]:
    return {
        "name": "stub",
        "base_url": stub.url,
        "api_key_env": KEY_ENV,
        "tasks": ["conversational"],
    }


def _items(n: int) -> list[dict[str, Any]]:
    return [{"custom_id": f"r{i}", "prompt": f"question {i}"} for i in range(n)]


def _measure(stub: StubServer, run: Callable[[], int]) -> dict[str, Any]:
    stub.reset()
    started = time.monotonic()
    rows = run()
    wall = time.monotonic() - started
    stats = stub.stats
    answered = sorted(t for t, _ in stats.served)  # when each 2xx request arrived
    span = answered[-1] - answered[0] if len(answered) > 1 else 0.0
    ok = stats.by_status.get(200, 0)
    return {
        "rows": rows,
        "requests": stats.requests,
        "answered_200": ok,
        "rate_limited": stats.rate_limited,
        "rate_limited_share": stats.rate_limited / stats.requests if stats.requests else 0.0,
        "throughput": (ok - 1) / span if span > 0 else None,
        "wall_seconds": round(wall, 2),
        "max_in_flight_at_stub": stats.max_in_flight,
    }


# -- Ray ----------------------------------------------------------------------------------


def ray_runs(
    args: argparse.Namespace, stub: StubServer, limited: StubServer
) -> list[dict[str, Any]]:
    import ray

    import infermux.ray

    ray.init(
        num_cpus=4,
        include_dashboard=False,
        _node_ip_address="127.0.0.1",
        log_to_driver=False,
        runtime_env={"env_vars": {KEY_ENV: KEY}},
    )
    ray.data.DataContext.get_current().enable_progress_bars = False
    results = []
    try:
        # A first dataset starts the cluster's own actors and workers; measured, it would
        # charge that start-up to whichever row count came first.
        warm = ray.data.from_items(_items(16)).map_batches(
            infermux.ray.Chat,
            fn_constructor_kwargs={
                "provider": "stub",
                "model": "m",
                "api_key_env": KEY_ENV,
                "endpoints": [_endpoint(stub)],
            },
            concurrency=1,
        )
        warm.count()
        for workers in args.workers:
            n = args.rows_per_worker * workers

            def run(
                workers: int = workers,
                n: int = n,
                server: StubServer = stub,
                rate_limit: Any = None,
            ) -> int:
                ds = ray.data.from_items(_items(n), override_num_blocks=workers * 4)
                kwargs = {
                    "provider": "stub",
                    "model": "m",
                    "api_key_env": KEY_ENV,
                    "endpoints": [_endpoint(server)],
                    "max_in_flight": args.in_flight,
                    "rate_limit": rate_limit,
                }
                out = ds.map_batches(
                    infermux.ray.Chat,
                    fn_constructor_kwargs=kwargs,
                    concurrency=workers,
                    batch_size=max(1, n // (workers * 4)),
                )
                return out.count()

            results.append({"engine": "infermux.ray", "workers": workers, **_measure(stub, run)})
            print(results[-1], file=sys.stderr)
            if args.limit:
                limit = infermux.ray.SharedRateLimit(
                    requests_per_minute=args.limit * 60, name=f"bench-{workers}"
                )
                try:
                    row = _measure(
                        limited, lambda w=workers, m=n, lim=limit: run(w, m, limited, lim)
                    )
                finally:
                    limit.close()
                results.append(
                    {
                        "engine": "infermux.ray, shared limit",
                        "workers": workers,
                        "limit_per_second": args.limit,
                        **row,
                    }
                )
                print(results[-1], file=sys.stderr)
            if "ray-llm" in args.only:
                # It sends one request at a time per worker: fewer rows keep the run short
                # (throughput is a rate, counted at the stub either way).
                results.append(_ray_llm(args, stub, workers, max(workers * 8, n // 4)))
                print(results[-1], file=sys.stderr)
    finally:
        ray.shutdown()
    return results


def _ray_llm(args: argparse.Namespace, stub: StubServer, workers: int, n: int) -> dict[str, Any]:
    import ray

    try:
        from ray.data.llm import HttpRequestProcessorConfig, build_processor
    except ImportError as exc:  # not in every Ray
        return {"engine": "ray.data.llm HTTP", "workers": workers, "skipped": str(exc)}
    config = HttpRequestProcessorConfig(
        url=stub.url + "/chat/completions",
        headers={"Authorization": f"Bearer {KEY}"},
        concurrency=workers,
        batch_size=max(1, n // (workers * 4)),
    )
    processor = build_processor(
        config,
        preprocess=lambda row: {
            "payload": {"model": "m", "messages": [{"role": "user", "content": row["prompt"]}]}
        },
        postprocess=lambda row: {
            "response": row["http_response"]["choices"][0]["message"]["content"]
        },
    )

    def run() -> int:
        ds = ray.data.from_items(_items(n), override_num_blocks=workers * 4)
        return int(processor(ds).count())

    return {"engine": "ray.data.llm HTTP", "workers": workers, **_measure(stub, run)}


# -- Dask ---------------------------------------------------------------------------------


def dask_runs(
    args: argparse.Namespace, stub: StubServer, limited: StubServer
) -> list[dict[str, Any]]:
    import dask
    import dask.dataframe as dd
    import pandas as pd
    from dask.distributed import Client, LocalCluster

    import infermux.dask

    results = []
    for workers in args.workers:
        n = args.rows_per_worker * workers
        with (
            dask.config.set({"distributed.comm.timeouts.connect": "120s"}),
            LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                host="127.0.0.1",
                dashboard_address=None,
                env={KEY_ENV: KEY},
            ) as cluster,
            Client(cluster) as client,
        ):
            frame = dd.from_pandas(pd.DataFrame(_items(n)), npartitions=workers * 4)

            def run(server: StubServer = stub, rate_limit: Any = None, frame: Any = frame) -> int:
                chat = infermux.dask.Chat(
                    provider="stub",
                    model="m",
                    api_key_env=KEY_ENV,
                    endpoints=[_endpoint(server)],
                    max_in_flight=args.in_flight,
                    rate_limit=rate_limit,
                )
                return len(frame.map_partitions(chat, meta=chat.meta(frame)).compute())

            results.append({"engine": "infermux.dask", "workers": workers, **_measure(stub, run)})
            print(results[-1], file=sys.stderr)
            if args.limit:
                limit = infermux.dask.SharedRateLimit.start(
                    client, requests_per_minute=args.limit * 60
                )
                row = _measure(limited, lambda lim=limit: run(limited, lim))
                results.append(
                    {
                        "engine": "infermux.dask, shared limit",
                        "workers": workers,
                        "limit_per_second": args.limit,
                        **row,
                    }
                )
                print(results[-1], file=sys.stderr)
    return results


def table(results: list[dict[str, Any]]) -> str:
    base = {
        r["engine"]: r["throughput"]
        for r in results
        if r.get("workers") == 1 and r.get("throughput")
    }
    lines = [
        "| engine | workers | rows | throughput (answers/s) | vs 1 worker | 429s | wall (s) |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        if "skipped" in r:
            lines.append(f"| {r['engine']} | {r['workers']} | skipped: {r['skipped']} | | | | |")
            continue
        tput = r["throughput"]
        ratio = f"{tput / base[r['engine']]:.2f}x" if tput and base.get(r["engine"]) else ""
        lines.append(
            f"| {r['engine']} | {r['workers']} | {r['rows']} | {tput:.1f} | {ratio} | "
            f"{r['rate_limited']} ({100 * r['rate_limited_share']:.1f}%) | {r['wall_seconds']} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--only", nargs="+", default=["ray", "ray-llm", "dask"], choices=["ray", "ray-llm", "dask"]
    )
    parser.add_argument("--workers", nargs="+", type=int, default=[1, 2, 4])
    parser.add_argument("--rows-per-worker", type=int, default=240)
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--in-flight", type=int, default=8)
    parser.add_argument(
        "--limit",
        type=float,
        default=50.0,
        help="the shared limit's requests per second (0: skip that part)",
    )
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args(argv)
    results: list[dict[str, Any]] = []
    with (
        StubServer(latency=args.latency, max_lifetime=_LIFETIME) as stub,
        StubServer(
            latency=args.latency,
            requests_per_minute=args.limit * 60 or None,
            max_lifetime=_LIFETIME,
        ) as limited,
    ):
        if "ray" in args.only or "ray-llm" in args.only:
            results += ray_runs(args, stub, limited)
        if "dask" in args.only:
            results += dask_runs(args, stub, limited)
    print(table(results))
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(
                {"args": vars(args), "cpus": os.cpu_count(), "results": results}, fh, indent=2
            )


if __name__ == "__main__":
    main()
