"""Errors a user can act on. The CLI prints them as one line, never a traceback."""

from __future__ import annotations

# Exit statuses (see `policycheck scan --help`).
EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2
EXIT_INTERRUPTED = 130  # Ctrl-C; the shell convention (128 + SIGINT)


class PolicycheckError(Exception):
    """Base class: the message is complete and meant for the user."""


class InputError(PolicycheckError):
    """A document could not be read. Names the file, the problem and what to do."""

    def __init__(self, path: str, problem: str, hint: str = ""):
        self.path = str(path)
        self.problem = problem
        self.hint = hint
        super().__init__(self.__str__())

    def __str__(self) -> str:
        line = f"{self.path}: {self.problem}"
        if self.hint:
            line += f" ({self.hint})"
        return line


class RuleError(PolicycheckError):
    """A rule file is invalid. Formatted as `file:line: message`."""

    def __init__(self, path: str, line: int | None, message: str):
        self.path = str(path)
        self.line = line
        self.message = message
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"


class RuleErrors(PolicycheckError):
    """Several rule errors, reported together so an author can fix them in one go."""

    def __init__(self, errors: list[RuleError]):
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))
