"""infermux's benchmark suite: every measure as a ratio to raw httpx2, peers alongside.

    python benchmarks/run.py            # the full run (make bench): peers, plot, table
    python benchmarks/run.py --quick    # infermux and raw httpx2 only, tiny counts (CI)

One local OpenAI-compatible server (``server.py``) runs in its own process for the whole
run and stops with it. Each (client, measure) runs in a fresh process of that client's own
environment (``workloads.py``), so imports, CPU and memory are the client's alone. Runs
are interleaved in rounds; a ratio (client / raw httpx2) is taken within each round and
the table shows the median over rounds. Lower is better, except for throughput.

Environments (full run): ``benchmarks/.envs/infermux`` gets the core and every first-party
plugin installed as wheels (as users get them), raw httpx2 running there too; each peer
gets ``benchmarks/.envs/<peer>``; the plot is drawn by ``benchmarks/.envs/plot``
(matplotlib). They are reused between runs (``--refresh-envs`` rebuilds them) and never
committed. ``--quick`` uses the running interpreter and creates nothing.

Results go to ``benchmarks/results/`` (results.json, results.md, ratios.png);
``--update-docs`` also writes the table into ``docs/performance.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
ENVS = HERE / ".envs"
WORKLOADS = HERE / "workloads.py"
SERVER = HERE / "server.py"
DOCS = ROOT / "docs" / "performance.md"
DOCS_START, DOCS_END = "<!-- bench:table:start -->", "<!-- bench:table:end -->"

BASELINE = "httpx2"
CLIENT_LABELS = {
    "httpx2": "raw httpx2",
    "infermux": "infermux",
    "infermux_aiohttp": "infermux (aiohttp)",
    "infermux_anyio": "infermux (anyio)",
    "httpx2_pydantic": "raw httpx2 + one pydantic model",
    "huggingface_hub": "huggingface_hub",
    "openai": "openai",
    "litellm": "litellm",
}
#: Where each client runs: the infermux environment, or a peer's own.
CLIENT_ENV = {
    "httpx2": "infermux",
    "infermux": "infermux",
    "infermux_aiohttp": "infermux",
    "infermux_anyio": "infermux",
    "httpx2_pydantic": "infermux",
    "huggingface_hub": "huggingface_hub",
    "openai": "openai",
    "litellm": "litellm",
}
PEER_PACKAGES = {
    "huggingface_hub": ["huggingface_hub"],
    "openai": ["openai"],
    "litellm": ["litellm"],
    "plot": ["matplotlib"],
}


@dataclass(frozen=True)
class Measure:
    key: str
    title: str
    unit: str
    scale: float  # value * scale is shown in unit
    higher_is_better: bool = False
    #: The issue's target for infermux's ratio, and the peers' ratios it quotes.
    target: float | None = None


MEASURES = [
    Measure("import", "cold `import` (+ plugin discovery for infermux)", "ms", 1e3, target=1.5),
    Measure("cpu", "client CPU per sync chat call", "µs", 1e6, target=1.2),
    Measure(
        "stream", "consume a 2,000-chunk SSE stream as typed chunks (CPU)", "ms", 1e3, target=1.5
    ),
    Measure("async", "async throughput, 64 concurrent chat calls", "req/s", 1.0, True, 1.0),
    Measure("memory", "peak RSS above the interpreter after the runs", "MiB", 1.0, target=1.5),
    Measure("pymemory", "peak Python heap in the same runs (tracemalloc)", "MiB", 1.0),
    Measure("first_call", "cold start to a first answer (informational)", "ms", 1e3),
]
MEASURE_BY_KEY = {m.key: m for m in MEASURES}
#: Reference rows measured on some measures only: infermux's async client on its other
#: transports (other rows are the same client), and the memory floor of returning pydantic
#: models at all (raw httpx2 validating each answer into one small model).
ONLY_MEASURES = {
    "infermux_aiohttp": {"async"},
    "infermux_anyio": {"async"},
    "httpx2_pydantic": {"memory", "pymemory"},
}


#: The rows the issue's targets apply to: infermux as installed, and with the optional
#: aiohttp transport (which the issue names as a way to meet the async target).
TARGETED = ("infermux", "infermux_aiohttp")


@dataclass
class Settings:
    quick: bool
    rounds: int
    import_runs: int
    cpu_calls: int
    cpu_warmup: int
    stream_repeats: int
    async_total: int
    async_repeats: int
    memory_calls: int
    chunks: int = 2000
    concurrency: int = 64

    @classmethod
    def for_mode(cls, quick: bool, rounds: int | None) -> Settings:
        if quick:
            return cls(True, rounds or 1, 3, 30, 5, 1, 128, 1, 10)
        return cls(False, rounds or 3, 11, 1000, 100, 5, 2048, 3, 200)


@dataclass
class Results:
    """Per (measure, client): one value per round, plus anything that went wrong."""

    values: dict[str, dict[str, list[float]]] = field(default_factory=dict)
    details: dict[str, dict[str, list[dict[str, Any]]]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    def add(self, measure: str, client: str, value: float, detail: dict[str, Any]) -> None:
        self.values.setdefault(measure, {}).setdefault(client, []).append(value)
        self.details.setdefault(measure, {}).setdefault(client, []).append(detail)


# -- environments ----------------------------------------------------------------------------


def _run(args: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, check=True, text=True, capture_output=True, **kwargs)  # noqa: S603


def _uv() -> list[str]:
    uv = shutil.which("uv")
    return [uv] if uv else [sys.executable, "-m", "uv"]


def _env_python(name: str) -> Path:
    return ENVS / name / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def _base_python() -> str:
    """The interpreter the environments are made from (the running one's base)."""
    return getattr(sys, "_base_executable", None) or sys.executable


def ensure_env(name: str, requirements: list[str], refresh: bool, reinstall: bool = False) -> Path:
    """``benchmarks/.envs/<name>`` with ``requirements`` installed (bytecode compiled)."""
    python = _env_python(name)
    marker = ENVS / name / ".requirements"
    wanted = "\n".join(requirements)
    if refresh and (ENVS / name).exists():
        shutil.rmtree(ENVS / name)
    if not python.exists():
        print(f"  creating {ENVS.name}/{name}", flush=True)
        _run([*_uv(), "venv", "--quiet", "--python", _base_python(), str(ENVS / name)])
    if reinstall or not marker.exists() or marker.read_text() != wanted:
        print(
            f"  installing into {ENVS.name}/{name}: "
            + " ".join(requirement.split("/")[-1] for requirement in requirements),
            flush=True,
        )
        extra = ["--reinstall"] if reinstall else []
        _run(
            [
                *_uv(),
                "pip",
                "install",
                "--quiet",
                "--compile-bytecode",
                "--python",
                str(python),
                *extra,
                *requirements,
            ]
        )
        marker.write_text(wanted)
    return python


def infermux_requirements() -> list[str]:
    """The core (with its aiohttp extra) and every first-party plugin, from this checkout."""
    plugins = sorted(p for p in (ROOT / "plugins").iterdir() if (p / "pyproject.toml").exists())
    return [f"{ROOT / 'core'}[aiohttp]", *(str(p) for p in plugins)]


# -- the server --------------------------------------------------------------------------------


class Server:
    """The local server in its own process; it stops when we close its stdin (or exit)."""

    def __init__(self, python: str, chunks: int, max_seconds: float) -> None:
        self.process = subprocess.Popen(  # noqa: S603 - our own script
            [
                python,
                str(SERVER),
                "--port",
                "0",
                "--chunks",
                str(chunks),
                "--max-seconds",
                str(max_seconds),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline().strip()
        if not line.startswith("PORT "):
            self.stop()
            raise RuntimeError(f"the benchmark server did not start: {line!r}")
        self.url = f"http://127.0.0.1:{int(line.split()[1])}"

    def stop(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()  # the server's cue to stop
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


# -- measures --------------------------------------------------------------------------------


def _child_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("INFERMUX_", "PYTHON"))}
    env.update(
        LITELLM_LOCAL_MODEL_COST_MAP="True",
        HF_HUB_DISABLE_TELEMETRY="1",
        NO_PROXY="127.0.0.1,localhost",
        no_proxy="127.0.0.1,localhost",
    )
    return env


_IMPORT_TIMER = "import time\n_t0 = time.perf_counter()\n{code}\nprint(time.perf_counter() - _t0)\n"


def measure_import(python: str, client: str, runs: int) -> tuple[float, dict[str, Any]]:
    """Median wall time of the client's import statement in fresh interpreters."""
    sys.path.insert(0, str(HERE))
    from workloads import IMPORTS

    code = _IMPORT_TIMER.format(code=IMPORTS[client])
    env = _child_env()
    _run([python, "-c", code], env=env, timeout=300)  # warm-up: compiled bytecode, file cache
    times = []
    for _ in range(runs):
        done = _run([python, "-c", code], env=env, timeout=300)
        times.append(float(done.stdout.strip().splitlines()[-1]))
    return statistics.median(times), {"runs": runs, "min": min(times), "max": max(times)}


_FIRST_CALL = (
    "import time\n_t0 = time.perf_counter()\n"
    "import sys\nsys.path.insert(0, {here!r})\n"
    "from workloads import CLIENTS\n"
    "CLIENTS[{client!r}]({url!r}).call()\n"
    "print(time.perf_counter() - _t0)\n"
)


def measure_first_call(
    python: str, client: str, url: str, runs: int
) -> tuple[float, dict[str, Any]]:
    """Median wall time from a fresh interpreter's first statement to a first answer."""
    code = _FIRST_CALL.format(here=str(HERE), client=client, url=url)
    env = _child_env()
    _run([python, "-c", code], env=env, timeout=300)
    times = []
    for _ in range(runs):
        done = _run([python, "-c", code], env=env, timeout=300)
        times.append(float(done.stdout.strip().splitlines()[-1]))
    return statistics.median(times), {"runs": runs, "min": min(times), "max": max(times)}


def measure_workload(
    python: str, client: str, measure: str, url: str, settings: Settings
) -> tuple[float, dict[str, Any]]:
    args = [
        python,
        str(WORKLOADS),
        "--client",
        client,
        "--measure",
        measure,
        "--base-url",
        url,
        "--chunks",
        str(settings.chunks),
        "--concurrency",
        str(settings.concurrency),
    ]
    if measure == "cpu":
        args += ["--n", str(settings.cpu_calls), "--warmup", str(settings.cpu_warmup)]
    elif measure == "stream":
        args += ["--repeats", str(settings.stream_repeats)]
    elif measure == "async":
        args += ["--total", str(settings.async_total), "--repeats", str(settings.async_repeats)]
    elif measure in ("memory", "pymemory"):
        args += ["--n", str(settings.memory_calls)]
    done = _run(args, env=_child_env(), timeout=1800)
    detail: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return float(detail["value"]), detail


def run_all(
    clients: list[str],
    pythons: dict[str, str],
    url: str,
    settings: Settings,
    measures: list[str] | None = None,
) -> Results:
    results = Results()
    measures = measures or [m.key for m in MEASURES]
    for round_index in range(settings.rounds):
        print(f"round {round_index + 1}/{settings.rounds}", flush=True)
        # Rotate the order each round, so no client always runs first (or last).
        shift = round_index % len(clients)
        order = clients[shift:] + clients[:shift]
        for measure in measures:
            for client in order:
                if client in ONLY_MEASURES and measure not in ONLY_MEASURES[client]:
                    continue
                key = f"{measure}/{client}"
                if key in results.errors:
                    continue
                python = pythons[client]
                started = time.perf_counter()
                try:
                    if measure == "import":
                        value, detail = measure_import(python, client, settings.import_runs)
                    elif measure == "first_call":
                        value, detail = measure_first_call(
                            python, client, url, settings.import_runs
                        )
                    else:
                        value, detail = measure_workload(python, client, measure, url, settings)
                except subprocess.CalledProcessError as exc:
                    tail = (exc.stderr or exc.stdout or "").strip().splitlines()[-1:] or ["?"]
                    results.errors[key] = tail[0][:200]
                    print(f"  {key}: failed: {results.errors[key]}", flush=True)
                    continue
                except subprocess.TimeoutExpired:
                    results.errors[key] = "timed out"
                    print(f"  {key}: timed out", flush=True)
                    continue
                results.add(measure, client, value, detail)
                shown = value * MEASURE_BY_KEY[measure].scale
                print(
                    f"  {key:28} {shown:10.2f} {MEASURE_BY_KEY[measure].unit:6}"
                    f" ({time.perf_counter() - started:.1f}s)",
                    flush=True,
                )
    return results


# -- the table ---------------------------------------------------------------------------------


def ratios(results: Results, measure: Measure, client: str) -> list[float]:
    """Per-round ratios client / raw httpx2: each row reads "how many times raw httpx2"
    (for throughput higher is better, for everything else lower)."""
    values = results.values.get(measure.key, {})
    mine, base = values.get(client, []), values.get(BASELINE, [])
    return [m / b for m, b in zip(mine, base, strict=False) if b]


def summarize(results: Results, clients: list[str]) -> dict[str, Any]:
    summary: dict[str, Any] = {}
    for measure in MEASURES:
        row: dict[str, Any] = {}
        for client in clients:
            values = results.values.get(measure.key, {}).get(client)
            if not values:
                error = results.errors.get(f"{measure.key}/{client}")
                row[client] = {"error": error} if error else None
                continue
            per_round = ratios(results, measure, client)
            row[client] = {
                "value": statistics.median(values) * measure.scale,
                "ratio": statistics.median(per_round) if per_round else None,
                "rounds": len(values),
            }
        summary[measure.key] = row
    return summary


def _met(measure: Measure, infermux_ratios: dict[str, float]) -> str:
    """The target and, for each infermux row, whether it meets it."""
    if measure.target is None or not infermux_ratios:
        return ""
    sign = "≥" if measure.higher_is_better else "≤"
    verdicts = []
    for client, ratio in infermux_ratios.items():
        ok = ratio >= measure.target if measure.higher_is_better else ratio <= measure.target
        name = "" if len(infermux_ratios) == 1 else f" {CLIENT_LABELS[client]}"
        verdicts.append(f"{'✅' if ok else '❌'}{name}")
    return f"{sign} {measure.target:g}x: " + ", ".join(verdicts)


def _shown(value: float) -> str:
    return f"{value:.0f}" if value >= 100 else f"{value:.1f}" if value >= 10 else f"{value:.2f}"


def table(summary: dict[str, Any], clients: list[str]) -> str:
    header = [
        "measure (ratio to raw httpx2)",
        *(CLIENT_LABELS[c] for c in clients),
        "target (infermux)",
    ]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for measure in MEASURES:
        cells = [f"{measure.title} ({measure.unit})"]
        infermux_ratios: dict[str, float] = {}
        for client in clients:
            entry = summary[measure.key].get(client)
            if entry is None:
                cells.append("-")
                continue
            if "error" in entry:
                cells.append("failed")
                continue
            ratio = entry["ratio"]
            shown = _shown(entry["value"])
            cells.append(f"**{ratio:.2f}x** ({shown})" if ratio is not None else shown)
            if client in TARGETED and ratio is not None:
                infermux_ratios[client] = ratio
        cells.append(_met(measure, infermux_ratios))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def machine() -> str:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (
        f"{platform.python_implementation()} {platform.python_version()}, {platform.system()} "
        f"{platform.machine()}, {os.cpu_count()} CPUs, load average {load:.2f} at the end"
    )


def update_docs(markdown: str) -> None:
    text = DOCS.read_text(encoding="utf-8")
    start, end = text.find(DOCS_START), text.find(DOCS_END)
    if start == -1 or end == -1:
        raise SystemExit(f"{DOCS} has no {DOCS_START} ... {DOCS_END} section")
    DOCS.write_text(
        text[: start + len(DOCS_START)] + "\n" + markdown + "\n" + text[end:], encoding="utf-8"
    )


# -- main --------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="infermux and raw httpx2, tiny counts")
    parser.add_argument("--rounds", type=int, help="interleaved rounds (default 3; quick 1)")
    parser.add_argument("--clients", help="comma-separated subset of: " + ", ".join(CLIENT_LABELS))
    parser.add_argument("--out", type=Path, default=HERE / "results", help="results directory")
    parser.add_argument("--refresh-envs", action="store_true", help="rebuild benchmarks/.envs")
    parser.add_argument("--no-plot", action="store_true")
    parser.add_argument(
        "--update-docs", action="store_true", help="write the table into docs/performance.md"
    )
    parser.add_argument(
        "--measures", help="comma-separated subset of: " + ", ".join(MEASURE_BY_KEY)
    )
    parser.add_argument("--max-seconds", type=float, default=7200.0, help="the server's time limit")
    args = parser.parse_args(argv)

    settings = Settings.for_mode(args.quick, args.rounds)
    if args.clients:
        clients = [c.strip() for c in args.clients.split(",") if c.strip()]
        unknown = set(clients) - set(CLIENT_LABELS)
        if unknown:
            parser.error(f"unknown clients: {', '.join(sorted(unknown))}")
    elif args.quick:
        clients = ["httpx2", "infermux"]
    else:
        clients = list(CLIENT_LABELS)
    if BASELINE not in clients:
        clients.insert(0, BASELINE)
    measures = [m.strip() for m in (args.measures or "").split(",") if m.strip()] or None
    if measures and set(measures) - set(MEASURE_BY_KEY):
        parser.error(f"unknown measures: {', '.join(sorted(set(measures) - set(MEASURE_BY_KEY)))}")

    started = time.perf_counter()
    pythons: dict[str, str] = {}
    plot_python: str | None = None
    if args.quick:
        pythons = dict.fromkeys(clients, sys.executable)
    else:
        print("environments", flush=True)
        infermux_python = str(
            ensure_env("infermux", infermux_requirements(), args.refresh_envs, reinstall=True)
        )
        for client in list(clients):
            env = CLIENT_ENV[client]
            if env == "infermux":
                pythons[client] = infermux_python
                continue
            try:
                pythons[client] = str(ensure_env(env, PEER_PACKAGES[env], args.refresh_envs))
            except subprocess.CalledProcessError as exc:
                print(f"  {client}: not installed, skipped ({(exc.stderr or '').strip()[:200]})")
                clients.remove(client)
        if not args.no_plot:
            try:
                plot_python = str(ensure_env("plot", PEER_PACKAGES["plot"], args.refresh_envs))
            except subprocess.CalledProcessError as exc:
                print(
                    "  plot: matplotlib not installed, no plot "
                    f"({(exc.stderr or '').strip()[:200]})"
                )

    server = Server(sys.executable, settings.chunks, args.max_seconds)
    try:
        print(f"server on {server.url}", flush=True)
        results = run_all(clients, pythons, server.url, settings, measures)
    finally:
        server.stop()

    summary = summarize(results, clients)
    markdown = table(summary, clients)
    mode = "quick (smoke test: tiny counts, not meaningful)" if args.quick else "full"
    about = (
        f"Measured {time.strftime('%Y-%m-%d')} on {machine()}; {mode} run, "
        f"{settings.rounds} round(s), median of per-round ratios. Cells: **ratio to raw httpx2** "
        "(absolute value). Lower is better except throughput. Per process: CPU measures take "
        "the least disturbed of several batches, throughput the best batch, imports the median "
        "of fresh interpreters."
    )
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "results.json").write_text(
        json.dumps(
            {
                "about": about,
                "settings": settings.__dict__,
                "clients": clients,
                "summary": summary,
                "values": results.values,
                "details": results.details,
                "errors": results.errors,
                "measures": {m.key: m.__dict__ for m in MEASURES},
                "labels": CLIENT_LABELS,
            },
            indent=2,
        )
    )
    (args.out / "results.md").write_text(markdown + "\n\n" + about + "\n")
    print("\n" + markdown + "\n\n" + about)
    if plot_python is not None:
        try:
            _run(
                [
                    plot_python,
                    str(HERE / "plot.py"),
                    str(args.out / "results.json"),
                    str(args.out / "ratios.png"),
                ]
            )
            print(f"plot: {args.out / 'ratios.png'}")
        except subprocess.CalledProcessError as exc:
            print(f"plot failed: {(exc.stderr or '').strip()[-300:]}")
    if args.update_docs:
        update_docs(markdown + "\n\n" + about)
        print(f"table written into {DOCS.relative_to(ROOT)}")
    print(f"done in {time.perf_counter() - started:.0f}s")
    return 1 if results.errors and args.quick else 0


if __name__ == "__main__":
    sys.exit(main())
