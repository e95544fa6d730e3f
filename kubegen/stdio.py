"""Keep the app's output out of kubegen's: stdout carries only YAML (or a diff, a picture).

An app may print in every way Python offers: ``print``, ``sys.stdout``,
``sys.__stdout__``, ``os.write(1, ...)``, a subprocess inheriting file descriptor 1,
a thread that keeps printing, an ``atexit`` handler. :func:`app_output_to_stderr`
points file descriptor 1 (and ``sys.stdout``) at stderr for as long as it is active,
and gives kubegen a stream on the original stdout (:func:`kubegen.output.data_out`).
On the way out it flushes what the app left buffered in ``sys.__stdout__`` (to
stderr), then puts file descriptor 1 back, unless the process is the ``kubegen``
command itself (:func:`claim_process`): then descriptor 1 stays on stderr until
the process ends, so ``atexit`` handlers and lingering threads still cannot write
to stdout, and stdout is closed so a reader (``| kubectl apply -f -``) sees its end.

In-process callers whose ``sys.stdout`` has no file descriptor (click's CliRunner,
an embedding program) get the same at the Python level: ``sys.stdout`` is stderr
while the guard is active, and kubegen writes to the stream that was ``sys.stdout``.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections.abc import Iterator
from typing import NoReturn, TextIO

from kubegen.output import data_stream

_owner = {"process": False}


def claim_process() -> None:
    """This process is the ``kubegen`` command: stdout is never handed back to the app."""
    _owner["process"] = True


def owns_process() -> bool:
    """Whether this process is the ``kubegen`` command (not a library caller's program)."""
    return _owner["process"]


class HardExit(BaseException):
    """The app called ``os._exit(code)`` while a kubegen command ran (see :func:`no_hard_exit`)."""

    def __init__(self, code: object) -> None:
        super().__init__(code)
        self.code = code


@contextlib.contextmanager
def no_hard_exit() -> Iterator[None]:
    """While a command runs, ``os._exit()`` cannot end it with a code the app chose.

    ``os._exit(0)`` skips every ``finally`` and would end ``kubegen check`` with 0, the
    drift gate passing with nothing checked. In the main thread it raises
    :class:`HardExit` instead (reported like ``sys.exit``: a user error, exit 1); in
    another thread of the app the process ends with exit code 1 and says why. A child
    process the app forked keeps the real ``os._exit``.
    """
    real = os._exit
    pid = os.getpid()

    def app_exit(status: int) -> NoReturn:
        if os.getpid() != pid:
            real(status)
        if threading.current_thread() is threading.main_thread():
            raise HardExit(status)
        with contextlib.suppress(Exception):
            sys.stderr.write(f"Error: a thread of the app called os._exit({status!r}); an app must not end the "
                             "process: nothing more is written\n")
            sys.stderr.flush()
        real(1)

    os._exit = app_exit
    try:
        yield
    finally:
        os._exit = real


@contextlib.contextmanager
def streams_kept() -> Iterator[None]:
    """Around the app's code: ``sys.stderr`` (where kubegen's findings and errors go) is
    the same stream afterwards, whatever the app did to it.

    An app may silence its own noise with ``sys.stderr = open(os.devnull, "w")``, set
    it to ``None``, or close it (``sys.stdout.close()`` closes it too while the app's
    prints go there): kubegen's messages would vanish, or end the process with "lost
    sys.stderr". The stream is put back, and one the app closed is opened again on its
    file descriptor (the standard streams never close theirs).
    """
    saved = sys.stderr
    try:
        yield
    finally:
        sys.stderr = _reopened(saved)


def _reopened(stream: TextIO | None) -> TextIO | None:
    if stream is None or not getattr(stream, "closed", False):
        return stream
    try:
        fd = stream.fileno()  # a closed stream may still say
    except (OSError, ValueError):
        fd = 2
    try:
        os.fstat(fd)
    except OSError:
        return stream  # the descriptor is gone too: nothing to write to
    return open(fd, "w", encoding="utf-8", errors="backslashreplace", closefd=False, buffering=1)  # noqa: SIM115


def _stdout_fd() -> int | None:
    stream = sys.stdout
    try:
        return stream.fileno() if stream is not None else None
    except (AttributeError, OSError, ValueError):
        return None


@contextlib.contextmanager
def app_output_to_stderr() -> Iterator[None]:
    """File descriptor 1 and ``sys.stdout`` on stderr; kubegen's data to the real stdout."""
    if _stdout_fd() != 1:
        real = sys.stdout
        with data_stream(real), contextlib.redirect_stdout(sys.stderr):
            yield
        return
    sys.stdout.flush()
    saved = os.dup(1)
    _point_fd1_at_stderr()
    stream = open(saved, "w", encoding="utf-8", newline="\n", closefd=True)  # noqa: SIM115 - closed below
    keep = _owner["process"]
    try:
        with data_stream(stream), contextlib.redirect_stdout(sys.stderr):
            yield
        stream.flush()
    finally:
        with contextlib.suppress(OSError, ValueError):
            if sys.__stdout__ is not None:
                sys.__stdout__.flush()  # what the app left buffered: to stderr, where fd 1 points
        if not keep:
            os.dup2(saved, 1)
        with contextlib.suppress(OSError):
            stream.close()


def _point_fd1_at_stderr() -> None:
    try:
        os.dup2(2, 1)
    except OSError:  # stderr closed: the app's output goes nowhere
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)
        os.close(null)
