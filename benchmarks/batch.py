"""Batch benchmark (issue 15): throughput against a bare ``asyncio.gather``, and memory as
the number of rows grows.

    python benchmarks/batch.py throughput [--rows 5000] [--concurrency 64]
    python benchmarks/batch.py memory [--small 20000] [--large 200000]

``throughput`` sends the same chat rows to the stub server (``infermux.testing.stub_server``,
run as a separate process so it shares no CPU time slice with the client's event loop) in
two ways: ``asyncio.gather`` over ``AsyncInferenceClient.chat_completion`` with a
semaphore of ``--concurrency``, and ``client.batch()`` with the same concurrency and no rate
limit. It prints rows per second for each and their ratio (target: batch >= 0.8x gather).

``memory`` runs a file batch (``run_file``, what ``infermux batch`` runs) in a fresh
process per size on a generated input file, writing the output file, and prints each
process's peak resident memory (target: the large run within 10 MB of the small one). The
stub answers in that process through an ``httpx2.MockTransport`` rather than over sockets:
what grows with rows is the batch's own bookkeeping, and this way 200,000 rows take
minutes, not an hour, on a busy machine. Figures are in docs/guide/batch.md; nothing here is a
test: a shared machine cannot time anything reliably.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

TASKS = '["conversational"]'


def start_stub() -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "infermux.testing.stub_server"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    port = int(line.split()[1])
    return process, f"http://127.0.0.1:{port}/v1"


def stop_stub(process: subprocess.Popen[str]) -> None:
    assert process.stdin is not None
    process.stdin.close()  # the stub stops when its stdin closes
    process.wait(30)


def chat_row(i: int) -> dict[str, Any]:
    return {
        "custom_id": f"row-{i}",
        "method": "POST",
        "url": "/v1/chat/completions",
        "body": {"model": "m", "messages": [{"role": "user", "content": f"hello {i}"}]},
    }


async def _throughput(url: str, rows: int, concurrency: int) -> dict[str, float]:
    from infermux import AsyncInferenceClient
    from infermux.endpoints import register_openai_compatible
    from infermux.registry.store import ProviderRegistry

    registry = ProviderRegistry()
    register_openai_compatible("stub", base_url=url, registry=registry)
    results: dict[str, float] = {}
    async with AsyncInferenceClient(provider="stub", api_key="k", registry=registry) as client:
        # Warm up the connections and code paths of both, then time each twice, alternating.
        for attempt in range(3):
            limit = asyncio.Semaphore(concurrency)

            async def one(i: int, limit: asyncio.Semaphore = limit) -> Any:
                async with limit:
                    return await client.chat_completion(
                        [{"role": "user", "content": f"hello {i}"}], model="m"
                    )

            count = rows if attempt else 200
            started = time.perf_counter()
            await asyncio.gather(*(one(i) for i in range(count)))
            gather = count / (time.perf_counter() - started)
            started = time.perf_counter()
            done = 0
            async for row in await client.batch(
                (chat_row(i) for i in range(count)), concurrency=concurrency
            ):
                done += row["error"] is None
            assert done == count, f"{count - done} rows failed"
            batch = count / (time.perf_counter() - started)
            if attempt:
                results[f"gather_{attempt}"] = gather
                results[f"batch_{attempt}"] = batch
    return results


def throughput(rows: int, concurrency: int) -> None:
    process, url = start_stub()
    try:
        results = asyncio.run(_throughput(url, rows, concurrency))
    finally:
        stop_stub(process)
    gather = max(results["gather_1"], results["gather_2"])
    batch = max(results["batch_1"], results["batch_2"])
    print(
        json.dumps(
            {
                "rows": rows,
                "concurrency": concurrency,
                "gather_rows_per_s": round(gather),
                "batch_rows_per_s": round(batch),
                "ratio": round(batch / gather, 3),
            }
        )
    )


_MEMORY_CHILD = """
import asyncio, resource, sys
import httpx2
from infermux import AsyncInferenceClient
from infermux.batch.job import BatchOptions, run_file
from infermux.endpoints import register_openai_compatible
from infermux.registry.store import ProviderRegistry
from infermux.testing.stub_server import StubServer

stub = StubServer()  # answers in process, without sockets: see the module docstring

def handle(request):
    reply = stub.answer(request.method, request.url.path, request.content)
    stub.reset()  # the stub's own counters would grow with the rows: not ours to measure
    return httpx2.Response(reply.status, headers=reply.headers, content=reply.content)

async def main():
    registry = ProviderRegistry()
    register_openai_compatible("stub", base_url="http://stub.test/v1", registry=registry)
    http = httpx2.AsyncClient(transport=httpx2.MockTransport(handle))
    async with AsyncInferenceClient(
        provider="stub", api_key="k", registry=registry, http_client=http
    ) as client:
        stats = await run_file(client, sys.argv[1], sys.argv[2], BatchOptions(concurrency=64))
    await http.aclose()
    assert stats.failed == 0

asyncio.run(main())
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def _peak_rss_mb_of_run(rows: int, directory: Path) -> tuple[float, float]:
    source = directory / f"in-{rows}.jsonl"
    with open(source, "w") as fh:
        for i in range(rows):
            fh.write(json.dumps(chat_row(i)) + "\n")
    output = directory / f"out-{rows}.jsonl"
    started = time.perf_counter()
    done = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", _MEMORY_CHILD, str(source), str(output)],
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(done.stderr)
    peak_kb = int(done.stdout.strip().splitlines()[-1])
    lines = output.read_bytes().count(b"\n")
    assert lines == rows, f"{lines} output lines for {rows} rows"
    return peak_kb / 1024, elapsed


def memory(small: int, large: int) -> None:
    with tempfile.TemporaryDirectory() as directory:
        small_mb, small_s = _peak_rss_mb_of_run(small, Path(directory))
        large_mb, large_s = _peak_rss_mb_of_run(large, Path(directory))
    print(
        json.dumps(
            {
                f"peak_rss_mb_{small}": round(small_mb, 1),
                f"peak_rss_mb_{large}": round(large_mb, 1),
                "difference_mb": round(large_mb - small_mb, 1),
                f"seconds_{small}": round(small_s, 1),
                f"seconds_{large}": round(large_s, 1),
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    speed = commands.add_parser("throughput")
    speed.add_argument("--rows", type=int, default=5000)
    speed.add_argument("--concurrency", type=int, default=64)
    size = commands.add_parser("memory")
    size.add_argument("--small", type=int, default=20_000)
    size.add_argument("--large", type=int, default=200_000)
    args = parser.parse_args()
    if args.command == "throughput":
        throughput(args.rows, args.concurrency)
    else:
        memory(args.small, args.large)


if __name__ == "__main__":
    main()
