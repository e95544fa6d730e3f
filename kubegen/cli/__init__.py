"""The ``kubegen`` command: a thin shell over the library.

Each subcommand lives in its own module and is imported only when it runs, so
``kubegen render`` does not pay for what ``import`` or ``graph`` need. The click
group is :mod:`kubegen.cli.group` (``kubegen.cli.main``); this module holds what the
commands share without importing click, so that ``kubegen render`` can run without it
(:func:`run`, :mod:`kubegen.cli.params`): click is imported only to print a message,
report an error or parse what the fast path leaves to it.
Exit codes: 0 clean (warnings allowed), 1 findings or user error, 2 usage error.
"""

from __future__ import annotations

import errno
import functools
import os
import sys
from collections.abc import Callable
from typing import Any, NoReturn, TypeVar

from kubegen.cli.params import Command, Option
from kubegen.errors import FindingsError, KubegenError

F = TypeVar("F", bound=Callable[..., Any])

# name -> "module:attribute" (a click command, or a params.Command); imported on first use.
COMMANDS: dict[str, str] = {
    "render": "kubegen.cli.render:COMMAND",
    "explain": "kubegen.cli.explain:explain",
    "graph": "kubegen.cli.graph:graph",
    "check": "kubegen.cli.check:check",
    "lint": "kubegen.cli.lint:lint",
    "import": "kubegen.cli.imports:import_",
    "init": "kubegen.cli.init:init",
}


def __getattr__(name: str) -> Any:
    if name == "main":  # the click group
        from kubegen.cli.group import main

        return main
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def echo(message: str, *, err: bool = False, nl: bool = True) -> None:
    """``click.echo`` (click imported on first use: a clean render prints nothing)."""
    import click

    click.echo(message, err=err, nl=nl)


def usage_error(message: str) -> NoReturn:
    """Refuse the command line (click's ``UsageError``: usage, message, exit code 2)."""
    import click

    raise click.UsageError(message)


def bad_parameter(message: str, hint: str) -> NoReturn:
    """Refuse an option's value (click's ``BadParameter``, exit code 2)."""
    import click

    raise click.BadParameter(message, param_hint=hint) from None


TRACEBACK = Option(
    "--traceback", "-v", dest="traceback", flag=True,
    help="When the app raises, also print its traceback (your code's frames, without kubegen's loader).",
)


def _kube_version_help() -> str:
    from kubegen.checks import kubeversion

    return (f"Check against the API server of Kubernetes X.Y ({kubeversion.OLDEST} to {kubeversion.newest()}) "
            f"[default: {kubeversion.newest()}].")


KUBE_VERSION = Option("--kube-version", dest="kube_version", metavar="X.Y", help=_kube_version_help)
"""``--kube-version X.Y``: the Kubernetes release the checks answer for."""


def traceback_option(fn: F) -> F:
    """``--traceback``, for commands that run the user's app."""
    return TRACEBACK.decorator()(fn)  # type: ignore[no-any-return]


def kube_version_option(fn: F) -> F:
    """``--kube-version X.Y``."""
    return KUBE_VERSION.decorator()(fn)  # type: ignore[no-any-return]


def _is_click(exc: BaseException) -> bool:
    """Whether ``exc`` is click's ``Exit``, ``Abort`` or a ``ClickException`` (click is
    imported if it raised one)."""
    click = sys.modules.get("click")
    return click is not None and isinstance(exc, (click.exceptions.Exit, click.exceptions.Abort,
                                                  click.exceptions.ClickException))


def report_errors(fn: F) -> F:
    """Turn kubegen's exceptions into one ``Error: ...`` line and the contract's exit code
    (with ``--traceback``, the app's own traceback first).

    The command runs with the app's output kept off stdout (:mod:`kubegen.stdio`).
    kubegen's own commands end through :func:`fail` (click's ``Exit``), so a
    ``SystemExit`` (or any other ``BaseException`` but Ctrl-C) that reaches here came
    from the app: a user error, exit 1, whatever code it asked for.
    """

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from kubegen.stdio import app_output_to_stderr, no_hard_exit

        show_traceback = kwargs.pop("traceback", False)
        try:
            with app_output_to_stderr(), no_hard_exit():
                return fn(*args, **kwargs)
        except FindingsError as exc:
            print_findings(exc.findings)
            echo(f"kubegen: {exc.message}", err=True)
            sys.exit(1)
        except KubegenError as exc:
            if show_traceback:
                from kubegen.cli.tracebacks import app_tracebacks

                echo(app_tracebacks(exc), err=True, nl=False)
            echo(f"Error: {exc}", err=True)
            sys.exit(exc.exit_code)
        except BrokenPipeError:
            sys.stderr.close()
            sys.exit(1)
        except KeyboardInterrupt:
            raise
        except Exception as exc:
            if _is_click(exc) or os.environ.get("KUBEGEN_DEBUG"):
                raise
            # a kubegen bug: say so in one line
            echo(
                f"kubegen: internal error: {type(exc).__name__}: {exc}\n"
                "This is a bug in kubegen, not in your input; rerun with KUBEGEN_DEBUG=1 for "
                "the traceback and please report it.",
                err=True,
            )
            sys.exit(1)
        except BaseException as exc:  # SystemExit & co. from the app's code (click's are Exceptions: above)
            from kubegen.appload import app_exit_error

            echo(f"Error: {app_exit_error(exc)}", err=True)
            sys.exit(1)

    return wrapper  # type: ignore[return-value]


def fail(code: int = 1) -> NoReturn:
    """End the command with ``code`` (findings: 1), the way click ends commands."""
    import click

    raise click.exceptions.Exit(code)


def print_findings(findings: list[Any]) -> None:
    for finding in findings:
        echo(finding.format(), err=True)


def parse_node_port_range(text: str | None) -> tuple[int, int] | None:
    if text is None:
        return None
    low, sep, high = text.partition("-")
    try:
        pair = (int(low), int(high))
    except ValueError:
        pair = (0, 0)
    if not sep or not 1 <= pair[0] <= pair[1] <= 65535:
        bad_parameter(f"{text!r}: expected A-B, e.g. 30000-32767", "--node-port-range")
    return pair


def run_parsed(command: Command, values: dict[str, Any], args: list[str]) -> NoReturn:
    """Run ``command`` with the keywords its fast parser read from ``args`` and end the
    process as click's standalone mode would: exit 0 when it returns. An exception click
    handles itself (its usage errors, ``Exit``, ``Abort``, Ctrl-C, EOF, a broken pipe) is
    handed to click, which parses ``args`` again and ends the run exactly as the click path
    does (:func:`kubegen.cli.group.finish_in_click`)."""
    try:
        command.callback(**values)
    except SystemExit:
        raise
    except BaseException as exc:
        if (isinstance(exc, (EOFError, KeyboardInterrupt)) or _is_click(exc)
                or (isinstance(exc, OSError) and exc.errno == errno.EPIPE)):
            from kubegen.cli.group import finish_in_click

            finish_in_click(command, exc, args)
        raise
    sys.exit(0)


def run(*, fast: bool = True) -> None:
    """The ``kubegen`` command (console script and ``python -m kubegen``).

    ``kubegen render`` runs without click when :meth:`~kubegen.cli.params.Command.parse`
    reads its arguments (``fast=False``: always through click, for the tests that hold
    the two paths to the same behaviour). The cyclic garbage collector stays off while
    the process starts (imports make no garbage; render's own work has none either, see
    :func:`kubegen.api.no_cyclic_gc`), and the objects left at exit are frozen, so the
    interpreter does not sweep them for cycles on its way out.
    """
    import atexit
    import gc

    from kubegen.stdio import claim_process

    gc.disable()
    atexit.register(gc.freeze)  # registered first: runs after every other exit handler
    claim_process()
    args = sys.argv[1:]
    if fast and args[:1] == ["render"] and not os.environ.get("_KUBEGEN_COMPLETE"):
        from kubegen.cli.render import COMMAND

        values = COMMAND.parse(args[1:])
        if values is not None:
            run_parsed(COMMAND, values, args)
    gc.enable()
    from kubegen.cli.group import main

    main(prog_name="kubegen")
