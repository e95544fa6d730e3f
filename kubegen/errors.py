"""Exceptions raised by kubegen.

Every exception kubegen raises on purpose derives from :class:`KubegenError`, and
also from the builtin that fits (``ValueError``, ``OSError``, ...), so callers can
catch either. The CLI turns a ``KubegenError`` into one ``Error: ...`` line with
exit code 1 (``UsageError``: exit code 2) and never prints a traceback for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

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
    """A builder got a value the Kubernetes API would reject (raised eagerly)."""


class BuilderTypeError(KubegenError, TypeError):
    """A builder got a value of the wrong type."""


class AppLoadError(KubegenError):
    """The user's app file could not be loaded or yielded no usable Stack."""


class UsageError(KubegenError, ValueError):
    """The command line was wrong (exit code 2)."""

    exit_code = 2


class InputError(KubegenError, ValueError):
    """Input manifests (YAML/JSON) could not be read."""


class FindingsError(KubegenError):
    """Checks found errors in a stack; ``findings`` holds all of them."""

    def __init__(self, message: str, findings: list[Any]) -> None:  # list[Finding]
        super().__init__(message)
        self.findings = findings


class OutputError(KubegenError, OSError):
    """Writing output failed."""
