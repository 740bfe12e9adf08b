"""``infermux batch INPUT.jsonl -o OUTPUT.jsonl``: a batch file, within rate limits, resumable.

The parser of the command lives here too (``add_batch_parser``), so the shared parser
module only registers it. The work is in :mod:`infermux.batch`.

Exit codes: 0 every row succeeded; 3 the run finished but some rows are error rows (see
the output and its summary); 2 the input or the set-up is wrong (nothing was sent);
130 interrupted (rerun the same command to resume).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

__all__ = ["EXIT_ROWS_FAILED", "add_batch_parser", "batch_command"]

#: Exit code of a run that finished with some error rows.
EXIT_ROWS_FAILED = 3

_EPILOG = """\
examples:
  infermux batch requests.jsonl -o results.jsonl --provider together \\
      --requests-per-minute 600 --tokens-per-minute 200000
  infermux batch openai_batch_input.jsonl -o out.jsonl --provider my-gateway --concurrency 64
  infermux batch images.jsonl -o out.jsonl --provider together --media-dir images/
  infermux batch in.jsonl -o out.jsonl --requests-per-minute together=600 \\
      --requests-per-minute hf-inference=3000 --prices prices.json

Input lines are OpenAI Batch lines ({"custom_id", "method", "url", "body"}; the url picks
the task) or infermux lines ({"custom_id", "task", "inputs", "parameters", "provider",
"model"}). Output lines are OpenAI Batch output lines plus an "infermux" object; a
summary goes to OUTPUT's name with .summary.json.

Rerunning the same command resumes: answered rows are kept, error rows are retried,
nothing is sent when every row is answered (--no-resume starts over).
exit codes: 0 all rows succeeded, 3 some rows failed, 2 bad input or set-up, 130 interrupted.
"""


def _limit(text: str) -> tuple[str | None, float]:
    """``600`` -> (None, 600.0); ``together=600`` -> ("together", 600.0)."""
    provider, sep, number = text.rpartition("=")
    try:
        value = float(number)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a number or PROVIDER=NUMBER, got {text!r}"
        ) from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"a limit must be > 0, got {text!r}")
    return (provider.strip() or None) if sep else None, value


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a number >= 1, got {text!r}")
    return value


def add_batch_parser(commands: Any) -> None:
    """Register ``batch`` on the ``infermux`` sub-command parser."""
    parser = commands.add_parser(
        "batch",
        help="run a JSONL file of requests within rate limits (resumable)",
        description="Run a JSONL file of requests within rate limits (resumable).",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        allow_abbrev=False,
    )
    parser.add_argument(
        "-v", "--verbose", action="count", default=argparse.SUPPRESS, help="log to stderr"
    )
    parser.set_defaults(command="batch")
    parser.add_argument("input", metavar="INPUT.jsonl", help="one request per line")
    parser.add_argument(
        "-o", "--output", metavar="OUTPUT.jsonl", required=True, help="one result per line"
    )
    group = parser.add_argument_group("provider and key")
    group.add_argument("--provider", metavar="P", help="provider for rows that name none")
    group.add_argument("--model", "-m", metavar="M", help="model for rows that name none")
    group.add_argument("--base-url", metavar="URL", help="override the provider's API root")
    group.add_argument("--api-key", metavar="K", help="provider key or Hugging Face token")
    group.add_argument(
        "--routing", choices=("auto", "direct", "router"), default="auto", help="default: auto"
    )
    run = parser.add_argument_group("how it runs")
    run.add_argument(
        "--concurrency", type=_positive_int, default=16, metavar="N", help="rows in flight (16)"
    )
    run.add_argument(
        "--requests-per-minute",
        type=_limit,
        action="append",
        default=[],
        metavar="[P=]N",
        help="per provider; repeat with P=N for several providers",
    )
    run.add_argument(
        "--tokens-per-minute", type=_limit, action="append", default=[], metavar="[P=]N"
    )
    run.add_argument("--max-retries", type=int, default=2, metavar="N", help="per request (2)")
    run.add_argument("--ordered", action="store_true", help="write rows in input order")
    run.add_argument("--dedupe", action="store_true", help="send identical requests once")
    run.add_argument("--media-dir", metavar="DIR", help="where binary outputs are written")
    run.add_argument(
        "--no-resume", action="store_true", help="start over instead of resuming OUTPUT"
    )
    run.add_argument(
        "--prices",
        metavar="FILE",
        help='JSON: {"model" or "provider/model": {"input": $/1M tokens, "output": $/1M}}',
    )
    run.add_argument("--summary", metavar="FILE", help="default: OUTPUT's name + .summary.json")
    run.add_argument("--no-progress", action="store_true", help="no progress bar or lines")


def _limits(values: list[tuple[str | None, float]], option: str) -> Any:
    from infermux.errors import InvalidInputError

    if not values:
        return None
    default = [v for p, v in values if p is None]
    named = {p: v for p, v in values if p is not None}
    if default and named:
        raise InvalidInputError(
            f"{option}: give one number for every provider, or PROVIDER=N for each, not both"
        )
    return default[-1] if default else named


def _prices(path: str | None) -> Any:
    if path is None:
        return {}
    import json

    from infermux.batch.summary import parse_prices
    from infermux.errors import InvalidInputError

    try:
        with open(path, encoding="utf-8") as fh:
            raw = json.load(fh)
    except (OSError, ValueError) as exc:
        raise InvalidInputError(f"--prices {path}: cannot read it as JSON ({exc})") from None
    if not isinstance(raw, dict):
        raise InvalidInputError(f"--prices {path}: expected a JSON object of model prices")
    return parse_prices(raw)


def _report(stats: Any, output: str, summary_path: str) -> None:
    summary = stats.summary()
    rows = summary["rows"]
    latency = summary["latency_seconds"]
    p50 = latency["p50"]
    lines = [
        f"batch done: {rows['succeeded']} succeeded, {rows['failed']} failed"
        + (f", {rows['skipped_already_done']} already done" if rows["skipped_already_done"] else "")
        + (f", {rows['deduplicated']} deduplicated" if rows["deduplicated"] else ""),
        f"  requests {summary['requests']}, retries {summary['retries']}, "
        f"429s {summary['rate_limited_429']}"
        + (f", p50 latency {p50:.3f}s" if p50 is not None else ""),
    ]
    if summary["errors"]:
        lines.append(
            "  errors: " + ", ".join(f"{code} {n}" for code, n in summary["errors"].items())
        )
    if summary["cost_usd"] is not None:
        lines.append(f"  cost ${summary['cost_usd']:.4f}")
    lines.append(f"  results: {output}; summary: {summary_path}")
    print("\n".join(lines), file=sys.stderr)


def batch_command(args: argparse.Namespace) -> int:
    import asyncio
    from pathlib import Path

    from infermux.batch.job import BatchOptions, run_file, summary_path_for
    from infermux.client.async_client import AsyncInferenceClient
    from infermux.progress import make_progress

    options = BatchOptions(
        concurrency=args.concurrency,
        requests_per_minute=_limits(args.requests_per_minute, "--requests-per-minute"),
        tokens_per_minute=_limits(args.tokens_per_minute, "--tokens-per-minute"),
        ordered=args.ordered,
        dedupe=args.dedupe,
        media_dir=args.media_dir or str(Path(args.output).with_suffix("")) + "_media",
        provider=args.provider,
        model=args.model,
        prices=_prices(args.prices),
    )
    summary_path = args.summary or str(summary_path_for(Path(args.output)))

    async def run() -> Any:
        client = AsyncInferenceClient(
            provider=args.provider,
            model=args.model,
            api_key=args.api_key,
            base_url=args.base_url,
            routing=args.routing,
            max_retries=args.max_retries,
        )
        async with client:
            return await run_file(
                client,
                args.input,
                args.output,
                options,
                resume=not args.no_resume,
                progress=None if args.no_progress else make_progress(),
                summary_path=summary_path,
            )

    stats = asyncio.run(run())
    _report(stats, args.output, summary_path)
    return EXIT_ROWS_FAILED if stats.failed else 0
