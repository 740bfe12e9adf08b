"""``infermux run TASK``: call any task method of the client and print or save its output."""

from __future__ import annotations

import argparse
import inspect
import logging
import sys
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from infermux.cli.errors import CLIError
from infermux.cli.inputs import read_file, read_stdin, stdin_is_terminal
from infermux.cli.output import dumps, is_media, save_media, to_jsonable
from infermux.cli.task_methods import TaskMethod, resolve_task
from infermux.progress import open_progress

__all__ = ["run_command"]

logger = logging.getLogger("infermux.cli")


def _check_readable(path: Path) -> None:
    # The client reads the file itself (keeping its name for the content type); fail
    # here first so the error names the path as the user typed it.
    try:
        with path.open("rb") as fh:
            fh.read(1)
    except FileNotFoundError:
        raise CLIError(f"cannot read input file {path}: no such file") from None
    except IsADirectoryError:
        raise CLIError(f"cannot read input file {path}: it is a directory") from None
    except OSError as exc:
        raise CLIError(f"cannot read input file {path}: {exc.strerror or exc}") from None


def _main_input(method: TaskMethod, args: argparse.Namespace) -> Any:
    """The task's main input from TEXT, --input, --input-file or stdin (exactly one)."""
    given = [
        name
        for name, present in (
            ("TEXT", bool(args.text)),
            ("--input", args.input_text is not None),
            ("--input-file", args.input_file is not None),
        )
        if present
    ]
    if len(given) > 1:
        raise CLIError(f"give the input once: {' and '.join(given)} were both given")
    if args.input_file is not None:
        if method.binary_input:
            if args.input_file == "-":
                return read_stdin(binary=True)
            path = Path(args.input_file).expanduser()
            _check_readable(path)
            return path
        return method.main_input(str(read_file(args.input_file)))
    if args.input_text is not None:
        return method.main_input(args.input_text)
    if args.text:
        return method.main_input(" ".join(args.text))
    piped = None if stdin_is_terminal() else read_stdin(binary=method.binary_input)
    if not piped or (isinstance(piped, str) and not piped.strip()):
        raise CLIError(
            f"no input for {method.task}: pass TEXT, --input, --input-file or pipe it on stdin"
        )
    return piped if isinstance(piped, bytes) else method.main_input(piped.rstrip("\n"))


def _emit(text: str, output: str | None) -> None:
    if output is None:
        print(text)
        return
    path = Path(output).expanduser().resolve()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text + "\n", encoding="utf-8")
    except OSError as exc:
        raise CLIError(f"cannot write {path}: {exc.strerror or exc}") from None
    print(f"wrote {path}", file=sys.stderr)


def _print_stream(stream: Iterator[Any], output: str | None) -> None:
    """One JSON object per chunk (JSON lines)."""
    lines = (dumps(to_jsonable(chunk), pretty=False) for chunk in stream)
    if output is None:
        for line in lines:
            print(line, flush=True)
        return
    _emit("\n".join(lines), output)


def _media_path(media: Any, args: argparse.Namespace, number: int | None = None) -> Path:
    path = Path(args.output) if args.output else Path.cwd() / f"output{media.extension}"
    # Several outputs (audio-to-audio's sources): output-1.flac, output-2.flac ...
    return path if number is None else path.with_name(f"{path.stem}-{number}{path.suffix}")


def _save(media: Any, args: argparse.Namespace) -> None:
    saved = save_media(media, _media_path(media, args))
    if saved.note:
        print(f"warning: {saved.note}", file=sys.stderr)
    print(dumps(saved.as_json(), pretty=False) if args.json else saved.describe())


def _save_all(items: list[Any], args: argparse.Namespace) -> None:
    """A list of media outputs: one numbered file each; ``--json`` prints a list."""
    saved = [save_media(media, _media_path(media, args, n)) for n, media in enumerate(items, 1)]
    for item in saved:
        if item.note:
            print(f"warning: {item.note}", file=sys.stderr)
    if args.json:
        print(dumps([item.as_json() for item in saved], pretty=False))
        return
    for item in saved:
        print(item.describe())


def run_command(args: argparse.Namespace) -> int:
    from infermux.cli.client import make_client

    method = resolve_task(args.task)
    kwargs = method.keyword_arguments(args.params)
    inputs = _main_input(method, args)
    with make_client(args) as client, ExitStack() as stack:
        logger.info("calling %s (%s) with model %s", method.name, method.task, args.model)
        call = method.bind(client)
        if "on_progress" in inspect.signature(call).parameters:
            # Polled jobs (video, queued media) report their status while they run.
            progress = stack.enter_context(
                open_progress(f"{args.task} {args.model}", quiet=getattr(args, "quiet", False))
            )
            kwargs["on_progress"] = progress.job
        result = call(inputs, model=args.model, **kwargs)
        if is_media(result):
            _save(result, args)
        elif isinstance(result, list) and result and all(is_media(item) for item in result):
            _save_all(result, args)
        elif isinstance(result, Iterator):
            _print_stream(result, args.output)
        elif isinstance(result, str) and not args.json:
            _emit(result, args.output)
        else:
            _emit(dumps(to_jsonable(result), pretty=not args.json), args.output)
    return 0
