"""The ``kubegen`` command: a thin shell over the library.

Each subcommand lives in its own module and is imported only when it runs, so
``kubegen render`` does not pay for what ``import`` or ``graph`` need.
Exit codes: 0 clean (warnings allowed), 1 findings or user error, 2 usage error.
"""

from __future__ import annotations

import functools
import importlib
import os
import sys
from collections.abc import Callable
from typing import Any, NoReturn, TypeVar

import click

from kubegen.errors import FindingsError, KubegenError

F = TypeVar("F", bound=Callable[..., Any])

# name -> "module:function"; modules are imported on first use.
COMMANDS: dict[str, str] = {
    "render": "kubegen.cli.render:render",
    "explain": "kubegen.cli.explain:explain",
    "graph": "kubegen.cli.graph:graph",
    "check": "kubegen.cli.check:check",
    "lint": "kubegen.cli.lint:lint",
    "import": "kubegen.cli.imports:import_",
    "init": "kubegen.cli.init:init",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        target = COMMANDS.get(name)
        if target is None:
            return None
        module_name, _, attr = target.partition(":")
        command: click.Command = getattr(importlib.import_module(module_name), attr)
        return command


def traceback_option(fn: F) -> F:
    """``--traceback``, for commands that run the user's app."""
    return click.option(  # type: ignore[no-any-return]
        "--traceback", "-v", "traceback", is_flag=True,
        help="When the app raises, also print its traceback (your code's frames, without kubegen's loader).",
    )(fn)


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
        from kubegen.stdio import app_output_to_stderr

        show_traceback = kwargs.pop("traceback", False)
        try:
            with app_output_to_stderr():
                return fn(*args, **kwargs)
        except FindingsError as exc:
            print_findings(exc.findings)
            click.echo(f"kubegen: {exc.message}", err=True)
            sys.exit(1)
        except KubegenError as exc:
            if show_traceback:
                from kubegen.cli.tracebacks import app_tracebacks

                click.echo(app_tracebacks(exc), err=True, nl=False)
            click.echo(f"Error: {exc}", err=True)
            sys.exit(exc.exit_code)
        except BrokenPipeError:
            sys.stderr.close()
            sys.exit(1)
        except (click.exceptions.Exit, click.ClickException, click.Abort, KeyboardInterrupt):
            raise
        except Exception as exc:  # a kubegen bug: say so in one line
            if os.environ.get("KUBEGEN_DEBUG"):
                raise
            click.echo(
                f"kubegen: internal error: {type(exc).__name__}: {exc}\n"
                "This is a bug in kubegen, not in your input; rerun with KUBEGEN_DEBUG=1 for "
                "the traceback and please report it.",
                err=True,
            )
            sys.exit(1)
        except BaseException as exc:  # SystemExit & co. from the app's code
            from kubegen.appload import app_exit_error

            click.echo(f"Error: {app_exit_error(exc)}", err=True)
            sys.exit(1)

    return wrapper  # type: ignore[return-value]


def fail(code: int = 1) -> NoReturn:
    """End the command with ``code`` (findings: 1), the way click ends commands."""
    raise click.exceptions.Exit(code)


def print_findings(findings: list[Any]) -> None:
    for finding in findings:
        click.echo(finding.format(), err=True)


def kube_version_option(function: Any) -> Any:
    """``--kube-version X.Y``: the Kubernetes release the checks answer for."""
    from kubegen.checks import kubeversion

    return click.option(
        "--kube-version", metavar="X.Y",
        help=f"Check against the API server of Kubernetes X.Y ({kubeversion.OLDEST} to {kubeversion.newest()}) "
             f"[default: {kubeversion.newest()}].",
    )(function)


def parse_node_port_range(text: str | None) -> tuple[int, int] | None:
    if text is None:
        return None
    low, sep, high = text.partition("-")
    try:
        pair = (int(low), int(high))
    except ValueError:
        pair = (0, 0)
    if not sep or not 1 <= pair[0] <= pair[1] <= 65535:
        raise click.BadParameter(f"{text!r}: expected A-B, e.g. 30000-32767", param_hint="--node-port-range")
    return pair


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="kubegen-dsl", prog_name="kubegen")
def main() -> None:
    """kubegen: typed Python for Kubernetes manifests whose traffic reaches the pods.

    Write your app with kubegen's builders (Deployment, Service, Ingress, ...) in
    app.py, then `kubegen render app.py > out.yaml`. Every Service selector,
    target port and Ingress backend is checked against the whole stack before
    anything is written; each problem names the line of app.py that made it.

    APP is path/to/app.py, path/to/app.py:NAME or package.module:NAME, naming a
    Stack, a list of Stacks, or a function returning one (see --set).

    Exit codes: 0 clean (warnings allowed), 1 findings or user error, 2 usage error.
    """


def run() -> None:
    """The ``kubegen`` command (console script and ``python -m kubegen``)."""
    from kubegen.stdio import claim_process

    claim_process()
    main(prog_name="kubegen")
