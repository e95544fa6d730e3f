"""Exceptions (and the one warning category) kubegen raises.

Every exception kubegen raises on purpose derives from :class:`KubegenError`, and
also from the builtin that fits (``ValueError``, ``OSError``, ...), so callers can
catch either. The CLI turns a ``KubegenError`` into one ``Error: ...`` line with
exit code 1 (``UsageError``: exit code 2) and never prints a traceback for it.

Builders raise at once (``BuilderError``), with the line of your code that called
them. Inside :func:`collect_errors` (the CLI runs every app inside it) they record
the error and go on instead, so one run reports every mistake it can find.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from kubegen.location import caller_location

if TYPE_CHECKING:
    from kubegen.location import Location


class KubegenError(Exception):
    """Base class of every error kubegen raises deliberately.

    ``location`` (optional) says where in the user's input the problem is.
    """

    exit_code = 1

    def __init__(self, message: str, *, location: Location | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.location = location

    def __str__(self) -> str:
        if self.location is not None:
            return f"{self.location}: {self.message}"
        return self.message


class BuilderError(KubegenError, ValueError):
    """A builder got a value the Kubernetes API would reject.

    ``location`` defaults to the line of your code that called the builder (with
    the helper functions it went through).
    """

    def __init__(self, message: str, *, location: Location | None = None) -> None:
        super().__init__(message, location=location if location is not None else caller_location())
        self.stack: list[Any] | None = None  # traceback.FrameSummary list, when collected


class BuilderTypeError(BuilderError, TypeError):
    """A builder got a value of the wrong type (also a ``BuilderError``)."""


class AppLoadError(KubegenError):
    """The user's app file could not be loaded or yielded no usable Stack.

    ``original`` is the exception the app raised, if that was the cause.
    """

    def __init__(self, message: str, *, location: Location | None = None,
                 original: BaseException | None = None) -> None:
        super().__init__(message, location=location)
        self.original = original


class BuilderErrors(AppLoadError, ValueError):
    """Several builder errors, collected while the app ran (``errors`` holds each, in order).

    ``then`` is the exception that stopped the app afterwards, if one did (often a
    consequence of the errors before it).
    """

    def __init__(self, errors: Sequence[KubegenError], then: BaseException | None = None) -> None:
        count = len(errors) + (then is not None)
        super().__init__(f"{count} error{'' if count == 1 else 's'} while building the stack", original=then)
        self.errors = list(errors)
        self.then = then

    def lines(self) -> list[str]:
        """One line per error, ``file:line: message``."""
        shown = [str(e) for e in self.errors]
        if self.then is not None:
            then = self.then
            text = str(then) if isinstance(then, KubegenError) else f"{type(then).__name__}: {then}"
            shown.append(f"then: {text}")
        return shown

    def __str__(self) -> str:
        if len(self.errors) == 1 and self.then is None:
            only = self.errors[0]
            where = f"{only.location}: " if only.location is not None else ""
            return f"{where}error while building the stack: {only.message}"
        return "\n".join([f"{self.message}:", *(f"  {line}" for line in self.lines())])


class UsageError(KubegenError, ValueError):
    """The command line was wrong (exit code 2)."""

    exit_code = 2


class InputError(KubegenError, ValueError):
    """Input manifests (YAML/JSON) could not be read."""


class FindingsError(KubegenError):
    """Checks found errors in a stack; ``findings`` holds all of them (warnings too).

    Its text is the summary followed by every finding, one per line, as
    ``file:line: severity rule: message``.
    """

    def __init__(self, message: str, findings: list[Any]) -> None:  # list[Finding]
        super().__init__(message)
        self.findings = findings

    def __str__(self) -> str:
        return "\n".join([self.message, *(f.format() for f in self.findings)])


class OutputError(KubegenError, OSError):
    """Writing output failed."""


class FindingWarning(UserWarning):
    """A warning finding, issued by :func:`kubegen.render` and friends as a Python warning.

    ``finding`` is the :class:`kubegen.Finding`. Shown on stderr by default (pointing
    at the line of your app that made the object); ``warnings.simplefilter("error",
    kubegen.FindingWarning)`` makes them fail, ``warnings.catch_warnings(record=True)``
    collects them.
    """

    def __init__(self, message: str, finding: Any = None) -> None:
        super().__init__(message)
        self.finding = finding

    @classmethod
    def of(cls, finding: Any) -> FindingWarning:
        """The warning for ``finding``: ``rule: message`` (and the helpers, if any)."""
        via = finding.location.via_text()
        return cls(f"{finding.rule}: {finding.message}" + (f" ({via})" if via else ""), finding)


# -- collecting builder errors ----------------------------------------------------

_collected: ContextVar[list[KubegenError] | None] = ContextVar("kubegen_collected_errors", default=None)


def reject(error: KubegenError) -> None:
    """Raise ``error`` now, or, inside :func:`collect_errors`, record it and return so
    the builder can go on (with the value it was given, or a best-effort one)."""
    found = _collected.get()
    if found is None:
        raise error
    import traceback

    if isinstance(error, BuilderError):
        error.stack = traceback.extract_stack()[:-1]
    found.append(error)


def collecting() -> bool:
    """True inside :func:`collect_errors`."""
    return _collected.get() is not None


@contextlib.contextmanager
def collect_errors() -> Iterator[list[KubegenError]]:
    """Run builders so they record their errors instead of raising the first one.

    On leaving the block, every error recorded raises as one :class:`BuilderErrors`
    (listing each with its line); an exception that ended the block early comes
    after them (``then``). Without recorded errors an exception passes unchanged::

        with kubegen.collect_errors():
            stack = make_stack()        # every builder mistake, reported together
    """
    found: list[KubegenError] = []
    token = _collected.set(found)
    try:
        yield found
    except (Exception, SystemExit) as exc:
        _collected.reset(token)
        if found:
            raise BuilderErrors(found, then=exc) from exc
        raise
    _collected.reset(token)
    if found:
        raise BuilderErrors(found)
