"""Command-line parameters declared once, as data, for click and for the fast path.

click builds a command from these declarations (:meth:`Command.to_click`, the same
``click.option``/``click.argument`` calls a decorated function would make). The
``kubegen render`` process also parses its arguments from them without importing
click (:meth:`Command.parse`): click and the modules it pulls in are a third of a
render's start-up (issue 12). The fast parser takes only what it can read exactly as
click does and declines anything else (``--help``, ``--``, an unknown or clustered
option, a flag given a value, a missing value, a choice click would refuse, a path
click would call unreadable): click then parses it as always. One
declaration, two readers: they cannot disagree on what an option is called, takes or
defaults to, and tests/test_cli_fast.py holds the parser to click's results.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import click

_UNSET: Any = object()


class Option:
    """``Option("-o", "--output", dest="output", metavar="FILE", type="path", help=...)``.

    ``decls``: the option strings (``"--kustomization/--no-kustomization"`` for an on/off
    flag); ``dest``: the callback's keyword; ``flag``: takes no value; ``multiple``:
    repeatable (a tuple); ``type``: ``"text"``, ``"path"`` (``click.Path()``) or
    ``"choice"`` (of ``choices``); ``help``: text, or a function that makes it (when
    it costs imports that parsing should not pay).
    """

    __slots__ = ("decls", "dest", "flag", "multiple", "default", "type", "choices", "metavar", "help",
                 "show_default", "required")

    def __init__(
        self, *decls: str, dest: str, flag: bool = False, multiple: bool = False, default: Any = _UNSET,
        type: str = "text", choices: Sequence[str] = (), metavar: str | None = None,
        help: str | Callable[[], str] = "", show_default: bool = False, required: bool = False,
    ) -> None:
        self.decls = decls
        self.dest = dest
        self.flag = flag or any("/" in d for d in decls)
        self.multiple = multiple
        self.default = default
        self.type = type
        self.choices = tuple(choices)
        self.metavar = metavar
        self.help = help
        self.show_default = show_default
        self.required = required

    def names(self) -> list[tuple[str, Any]]:
        """Each option string and the value it stores when a flag (True, or False for the
        ``--no-...`` half of an on/off pair)."""
        found: list[tuple[str, Any]] = []
        for decl in self.decls:
            on, slash, off = decl.partition("/")
            found.append((on.strip(), True))
            if slash:
                found.append((off.strip(), False))
        return found

    def absent(self) -> Any:
        """The value when the option is not given (click's default for it)."""
        if self.default is not _UNSET:
            return self.default
        if self.multiple:
            return ()
        return False if self.flag else None

    def decorator(self) -> Callable[[Any], Any]:
        import click

        kwargs: dict[str, Any] = {}
        if self.flag and not any("/" in d for d in self.decls):
            kwargs["is_flag"] = True
        if self.multiple:
            kwargs["multiple"] = True
        if self.default is not _UNSET:
            kwargs["default"] = self.default
        if self.type == "path":
            kwargs["type"] = click.Path()
        elif self.type == "choice":
            kwargs["type"] = click.Choice(list(self.choices))
        if self.metavar is not None:
            kwargs["metavar"] = self.metavar
        if self.help:
            kwargs["help"] = self.help if isinstance(self.help, str) else self.help()
        if self.show_default:
            kwargs["show_default"] = True
        if self.required:
            kwargs["required"] = True
        return click.option(*self.decls, self.dest, **kwargs)


class Argument:
    """``Argument("app", metavar="[APP]", required=False, type="path")``."""

    __slots__ = ("name", "metavar", "required", "type")

    def __init__(self, name: str, *, metavar: str | None = None, required: bool = True, type: str = "text") -> None:
        self.name = name
        self.metavar = metavar
        self.required = required
        self.type = type

    def decorator(self) -> Callable[[Any], Any]:
        import click

        kwargs: dict[str, Any] = {"required": self.required}
        if self.metavar is not None:
            kwargs["metavar"] = self.metavar
        if self.type == "path":
            kwargs["type"] = click.Path()
        return click.argument(self.name, **kwargs)


Param = Option | Argument


def decorate(params: Sequence[Param], fn: Any) -> Any:
    """``fn`` with the click decorators of ``params`` (listed top down, as written above a function)."""
    for param in reversed(params):
        fn = param.decorator()(fn)
    return fn


def _readable_as_click_checks(value: str) -> bool:
    """Whether ``click.Path()`` takes ``value`` as it is (it refuses an existing path it cannot read)."""
    try:
        os.stat(value)
    except OSError:
        return True
    except ValueError:  # a NUL in the path: left to click
        return False
    return os.access(value, os.R_OK)


class Command:
    """A command declared as data: ``name``, its ``params`` (top down) and the callback."""

    __slots__ = ("name", "params", "callback", "_click")

    def __init__(self, name: str, params: Sequence[Param], callback: Callable[..., Any]) -> None:
        self.name = name
        self.params = tuple(params)
        self.callback = callback
        self._click: click.Command | None = None

    def to_click(self) -> click.Command:
        """The click command (made once): the declarations applied as click decorators."""
        if self._click is None:
            import click

            self._click = click.command(self.name)(decorate(self.params, self.callback))
        return self._click

    def parse(self, args: Sequence[str]) -> dict[str, Any] | None:
        """The callback's keywords for ``args``, as click would pass them, or None when click
        must read them (help, an error, anything this parser does not take)."""
        options = [p for p in self.params if isinstance(p, Option)]
        arguments = [p for p in self.params if isinstance(p, Argument)]
        table: dict[str, tuple[Option, Any]] = {name: (o, value) for o in options for name, value in o.names()}
        given: dict[str, Any] = {}
        positional: list[str] = []
        rest = list(args)
        while rest:
            token = rest.pop(0)
            if token in ("--", "-h", "--help"):
                return None
            if not (token[:1] == "-" and len(token) > 1):
                positional.append(token)
                continue
            name, eq, value = token.partition("=")
            if name[:2] != "--":
                name, eq = token, ""  # a short option: exactly "-o" or "-v" (no clusters, no attached values)
            entry = table.get(name)
            if entry is None:
                return None
            option, flag_value = entry
            if option.flag:
                if eq:
                    return None  # click: "Option '--strict' does not take a value."
                given[option.dest] = flag_value
                continue
            if not eq:
                if not rest:
                    return None  # click: "Option '--output' requires an argument."
                value = rest.pop(0)
            if option.type == "choice" and value not in option.choices:
                return None
            if option.type == "path" and not _readable_as_click_checks(value):
                return None
            if option.multiple:
                given[option.dest] = (*given.get(option.dest, ()), value)
            else:
                given[option.dest] = value
        if len(positional) > len(arguments):
            return None  # click: "Got unexpected extra argument"
        values: dict[str, Any] = {}
        for index, argument in enumerate(arguments):
            if index < len(positional):
                if argument.type == "path" and not _readable_as_click_checks(positional[index]):
                    return None
                values[argument.name] = positional[index]
            elif argument.required:
                return None  # click: "Missing argument"
            else:
                values[argument.name] = None
        for option in options:
            if option.dest in given:
                values[option.dest] = given[option.dest]
            elif option.required:
                return None
            else:
                values[option.dest] = option.absent()
        return values
