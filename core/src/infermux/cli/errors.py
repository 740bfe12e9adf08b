"""The CLI's own error and the exit code of every error it reports.

Exit codes: 0 success; 1 the provider or the network failed (HTTP errors, timeouts,
failed jobs, malformed answers); 2 the invocation or set-up is wrong (bad arguments or
input, unknown provider or task, missing key, plugin conflicts); 130 interrupted.
"""

from __future__ import annotations

__all__ = [
    "EXIT_FAILURE",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_USAGE",
    "CLIError",
    "cli_wording",
    "exit_code_for",
]

import re

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


class CLIError(Exception):
    """A problem found by the CLI itself; printed as ``error: <message>``, no traceback."""

    def __init__(self, message: str, *, exit_code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def exit_code_for(exc: BaseException) -> int:
    """2 for configuration and input errors, 1 for provider and transport errors."""
    if isinstance(exc, CLIError):
        return exc.exit_code
    from infermux.errors import ConfigurationError, InvalidInputError, ModelMappingError

    if isinstance(exc, ConfigurationError | InvalidInputError | ModelMappingError):
        return EXIT_USAGE
    return EXIT_FAILURE


#: Library argument names in messages, and the option a command-line user types instead:
#: ``provider=``/``routing=`` only with their ``=`` (the bare words are ordinary English),
#: the snake_case names anywhere.
_ARGUMENT = re.compile(
    r"(?<![\w-])(?:(provider|routing)=|(api_key|base_url|router_url|hub_url)\b=?)"
    r"('[^']*'|\"[^\"]*\")?"
)


def cli_wording(message: str) -> str:
    """Library argument names said as options: ``provider='auto'`` -> ``--provider auto``."""

    def option(match: re.Match[str]) -> str:
        name = "--" + (match.group(1) or match.group(2)).replace("_", "-")
        value = match.group(3)
        return f"{name} {value.strip(chr(39) + chr(34))}" if value else name

    return _ARGUMENT.sub(option, message)
