"""The ``infermux`` command line: ``main(argv)`` parses, dispatches and reports errors.

Commands live in their own modules (``listing``, ``chat``, ``run``, ``demo``) and are
imported only when they run, so ``infermux --help`` starts fast. ``import infermux``
never imports this package.

Errors from infermux print as ``error: <message>`` with no traceback: exit code 2 for
configuration and input errors, 1 for provider and transport errors. No key is ever
printed: every line written to stdout or stderr passes through a redactor that knows the
``--api-key`` value and key-like environment variables.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from contextlib import redirect_stderr, redirect_stdout
from importlib import import_module
from typing import TYPE_CHECKING, Any, TextIO, cast

from infermux.cli.errors import EXIT_FAILURE, EXIT_INTERRUPTED, exit_code_for

if TYPE_CHECKING:
    import argparse

    from infermux.cli.redact import Redactor

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``infermux`` with ``argv`` (default: ``sys.argv[1:]``); return the exit code."""
    from infermux.cli.redact import Redactor
    from infermux.cli.streams import RedactingStream

    args_list = list(sys.argv[1:] if argv is None else argv)
    redact = Redactor.from_invocation(args_list)
    out = cast(TextIO, RedactingStream(sys.stdout, redact))
    err = cast(TextIO, RedactingStream(sys.stderr, redact))
    with redirect_stdout(out), redirect_stderr(err):
        return _main(args_list, redact)


def _main(argv: list[str], redact: Redactor) -> int:
    from infermux.cli.parser import build_parser, parse_args

    parser = build_parser()
    if not argv:  # `infermux` alone: the overview, as --help shows it
        parser.print_help()
        return 0
    try:
        args = parse_args(parser, argv)
    except SystemExit as exc:  # --help, --version and usage errors
        return exc.code if isinstance(exc.code, int) else EXIT_FAILURE
    try:
        return _dispatch(args, redact)
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_FAILURE
    except Exception as exc:
        return _report(exc, args.verbose)


def _dispatch(args: argparse.Namespace, redact: Redactor) -> int:
    import warnings

    from infermux.cli.parser import COMMANDS
    from infermux.cli.redact import verbose_logging

    module_name, function_name = COMMANDS[args.command]
    command: Any = getattr(import_module(f"infermux.cli.{module_name}"), function_name)
    with warnings.catch_warnings(), verbose_logging(args.verbose, redact):
        from infermux.auth import read_hf_token
        from infermux.registry.loader import PluginWarning

        redact.add(read_hf_token())
        # A broken plugin is reported in one line, and the other plugins keep working.
        warnings.filterwarnings("always", category=PluginWarning)
        warnings.showwarning = _show_warning
        result: int = command(args)
        return result


def _silence_stdout() -> None:
    """The reader went away (``| head``): stop the interpreter's final flush from failing."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.__stdout__.fileno() if sys.__stdout__ else 1)
    except (OSError, ValueError):
        pass


def _show_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: TextIO | None = None,
    line: str | None = None,
) -> None:
    print(f"warning: {message}", file=sys.stderr)


def _error_label() -> str:
    """``error:``, in red on a terminal (plain when piped, or with NO_COLOR)."""
    from infermux.progress import colour_allowed

    return "\x1b[1;31merror:\x1b[0m" if colour_allowed(sys.stderr) else "error:"


def _report(exc: Exception, verbosity: int) -> int:
    from infermux.cli.errors import CLIError, cli_wording
    from infermux.errors import InfermuxError

    if isinstance(exc, CLIError | InfermuxError):
        print(f"{_error_label()} {cli_wording(str(exc))}", file=sys.stderr)
        return exit_code_for(exc)
    # A bug, not a user error: say so, and show the traceback only on request.
    print(f"error: unexpected {type(exc).__name__}: {exc}", file=sys.stderr)
    if verbosity:
        import traceback

        traceback.print_exception(exc, file=sys.stderr)
    else:
        print("(run again with -v for the traceback)", file=sys.stderr)
    return EXIT_FAILURE
