"""Load the user's app: ``path/app.py``, ``path/app.py:attr`` or ``package.module:attr``.

Each failure is one precise message naming the file and line (syntax error,
exception while building, no Stack, several Stacks, unknown attribute, bad
``--set``), never a kubegen traceback.
"""

from __future__ import annotations

import contextlib
import enum
import importlib
import inspect
import os
import sys
import types
import typing
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from kubegen.errors import AppLoadError, KubegenError, UsageError, collect_errors
from kubegen.location import Location, chain_location
from kubegen.model.stack import Stack
from kubegen.safefs import UnreadableInput, read_input
from kubegen.stdio import HardExit, owns_process, streams_kept
from kubegen.values import shown

_counter = 0


@contextlib.contextmanager
def _user_code() -> Iterator[None]:
    """Run the user's code with its prints on stderr (stdout carries only the manifests);
    its builders collect their errors, so that one run reports them all; an exit it
    attempts (``sys.exit``, any ``BaseException`` but Ctrl-C) is an error.

    A child process the app forked (``os.fork()``) that returns here is not kubegen: it
    ends at once (exit code 0, 1 if it raised), so the output is written only once, by
    the process the user started. Inside a library caller's process it gets an error.
    """
    pid = os.getpid()
    try:
        with streams_kept(), contextlib.redirect_stdout(sys.stderr):
            try:
                with collect_errors():
                    yield
            except (Exception, KeyboardInterrupt):
                raise
            except BaseException as exc:
                raise app_exit_error(exc).with_traceback(exc.__traceback__) from None
    except BaseException:
        if os.getpid() != pid:
            _forked_child_returned(1)
        raise
    if os.getpid() != pid:
        _forked_child_returned(0)


def _forked_child_returned(code: int) -> None:
    if owns_process():
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                if stream is not None:
                    stream.flush()
        os._exit(code)
    raise AppLoadError(
        "the app forked, and the child process returned into kubegen; let the child end itself "
        "(os._exit) so that only one process goes on"
    )


def app_exit_error(exc: BaseException) -> AppLoadError:
    """The error for an app that tried to end the process (``sys.exit(0)``, ``os._exit(0)`` included)."""
    if isinstance(exc, HardExit):
        what = f"called os._exit({shown(exc.code)})"
    elif isinstance(exc, SystemExit):
        what = f"called sys.exit({shown(exc.code)})" if exc.code is not None else "called sys.exit()"
    else:
        text = shown(exc, str)
        what = f"raised {type(exc).__name__}" + (f": {text}" if text else "")
    loc = _user_frame(exc)
    place = f"{loc}: " if loc is not None else ""
    return AppLoadError(
        f"{place}the app {what} while kubegen was building the stack; an app must not end the "
        "process: return the Stack, or raise an exception to report a problem"
    )


def load_stacks(
    spec: str, sets: Mapping[str, str] | None = None, *, same_target_as: str | None = None,
    origins: Mapping[str, str] | None = None,
) -> list[Stack]:
    """The Stack(s) named by ``spec``, calling a factory with ``sets`` converted by annotation.

    ``origins`` says where ``--set`` values the user did not type came from (``recorded in
    deploy/.kubegen-manifest``), for messages about them.

    ``same_target_as`` is another spec of the same file (what an output directory
    recorded), one of the two naming its target (``app.py:prod``) and the other not
    (``app.py``: the one stack the file has): :class:`UsageError` unless both name the
    same target, so a directory rendered from ``prod`` never gets another stack.
    """
    module, attr, where = _load_module(spec)
    sets = dict(sets or {})
    if attr is not None:
        if not hasattr(module, attr):
            names = sorted(n for n in vars(module) if not n.startswith("_"))
            raise AppLoadError(f"{where}: attribute {attr!r} not found (it defines: {', '.join(names) or 'nothing'})")
        target = getattr(module, attr)
        name = attr
    else:
        name, target = _find_target(module, where)
    if same_target_as is not None:
        _confirm_target(module, where, spec, name, same_target_as)
    return _resolve(target, f"{where}:{name}", sets, where, origins or {})


def _confirm_target(module: types.ModuleType, where: str, spec: str, name: str, recorded: str) -> None:
    _, recorded_attr = _split_spec(recorded)
    expected: str | None = recorded_attr
    if not expected:
        try:
            expected = _find_target(module, where)[0]
        except AppLoadError:  # no longer one stack to find
            expected = None
    if expected != name:
        was = f"{recorded} (its stack {expected!r})" if expected and not recorded_attr else recorded
        raise UsageError(
            f"APP: the output directory was rendered from {was}, but {spec} is the stack {name!r}; leave APP "
            f"out to render as recorded, or pass --force to render {spec} there (kubegen then records it)"
        )


def _split_spec(spec: str) -> tuple[str, str]:
    """``path/app.py:NAME`` -> (``path/app.py``, ``NAME``); ``NAME`` may be empty."""
    path, sep, attr = spec.rpartition(":")
    if not sep or os.sep in attr or attr.endswith(".py"):
        return spec, ""
    return path, attr


def _load_module(spec: str) -> tuple[types.ModuleType, str | None, str]:
    path, attr = _split_spec(spec)
    if not attr:
        attr_or_none = None
    elif not attr.isidentifier():
        raise UsageError(f"APP {spec!r}: {attr!r} is not a Python name (use path/app.py:NAME)")
    else:
        attr_or_none = attr
    if path.endswith(".py") or os.sep in path or os.path.exists(path):
        return _exec_file(path), attr_or_none, path
    if not all(part.isidentifier() for part in path.split(".")):
        raise UsageError(
            f"APP {spec!r} is neither an existing .py file nor a module name "
            "(use path/to/app.py, path/to/app.py:NAME or package.module:NAME)"
        )
    try:
        with _user_code():
            module = importlib.import_module(path)
    except ModuleNotFoundError as exc:
        if exc.name and path.startswith(exc.name):
            raise AppLoadError(f"module {path!r} not found (is it installed, or on PYTHONPATH?)") from None
        raise _build_error(exc, path) from None
    except SyntaxError as exc:
        raise _syntax_error(exc, path) from None
    except Exception as exc:  # the user's module raised while importing
        raise _build_error(exc, path) from None
    return module, attr_or_none, path


def _exec_file(path: str) -> types.ModuleType:
    global _counter
    if not os.path.lexists(path) or os.path.isdir(path):
        hint = " (it is a directory)" if os.path.isdir(path) else ""
        raise AppLoadError(f"app file {path!r} not found{hint}")
    try:
        source = read_input(path)  # a regular file only, within the size limit
    except UnreadableInput as exc:
        raise AppLoadError(f"app file {exc}") from None
    nul = source.find(b"\0")
    if nul >= 0:  # compile() would say only "source code string cannot contain null bytes"
        line = source.count(b"\n", 0, nul) + 1
        column = nul - (source.rfind(b"\n", 0, nul) + 1) + 1
        raise AppLoadError(
            f"{path}:{line}: syntax error: a NUL byte (\\x00) at column {column}; Python source cannot "
            "contain NUL bytes (is it a binary file, or saved as UTF-16?)"
        )
    try:
        code = compile(source, path, "exec", dont_inherit=True)
    except SyntaxError as exc:
        raise _syntax_error(exc, path) from None
    except ValueError as exc:
        raise AppLoadError(f"{path}: not a Python file ({exc})") from None
    _counter += 1
    name = f"kubegen_app_{_counter}"
    module = types.ModuleType(name)
    module.__file__ = os.path.abspath(path)
    sys.modules[name] = module  # attrs/dataclasses in the app look their module up
    app_dir = os.path.dirname(os.path.abspath(path))
    added = app_dir not in sys.path
    if added:
        sys.path.insert(0, app_dir)
    try:
        with _user_code():
            exec(code, module.__dict__)
    except KubegenError as exc:
        raise _build_error(exc, path) from None
    except Exception as exc:
        raise _build_error(exc, path) from None
    return module


def _syntax_error(exc: SyntaxError, path: str) -> AppLoadError:
    filename = exc.filename or path
    where = f"{filename}:{exc.lineno}" if exc.lineno else filename
    text = (exc.text or "").rstrip("\n")
    detail = ""
    if text.strip():
        stripped = text.lstrip()
        col = max((exc.offset or 1) - 1 - (len(text) - len(stripped)), 0)
        detail = f"\n    {stripped}\n    {' ' * col}^"
    return AppLoadError(f"{where}: syntax error: {exc.msg}{detail}")


def _user_frame(exc: BaseException) -> Location | None:
    """The innermost traceback frame of the user's own code, with the user's frames
    that led there (``app.py:52 (via helper() at app.py:25)``)."""
    import traceback

    frames = [(f.f_code.co_name, f.f_code.co_filename, line) for f, line in traceback.walk_tb(exc.__traceback__)]
    found = chain_location(reversed(frames), user_first=True)
    return found if found.line else None


def _build_error(exc: BaseException, where: str) -> AppLoadError:
    if isinstance(exc, AppLoadError):  # already says where (builder errors, an app that tried to exit)
        return exc
    loc = exc.location if isinstance(exc, KubegenError) and exc.location is not None else _user_frame(exc)
    place = str(loc) if loc is not None else where
    kind = "" if isinstance(exc, KubegenError) else f"{type(exc).__name__}: "
    text = exc.message if isinstance(exc, KubegenError) else shown(exc, str)
    return AppLoadError(f"{place}: error while building the stack: {kind}{text}", original=exc)


def _returns_stack(fn: Callable[..., Any]) -> bool:
    annotation = inspect.signature(fn).return_annotation if callable(fn) else None
    if annotation is inspect.Signature.empty:
        return False
    if isinstance(annotation, str):
        return annotation.replace(" ", "") in ("Stack", "kubegen.Stack", "list[Stack]", "list[kubegen.Stack]")
    return annotation is Stack or typing.get_args(annotation) == (Stack,)


def _find_target(module: types.ModuleType, where: str) -> tuple[str, Any]:
    """The one Stack (or list, or function returning one) the module defines, by name."""
    found: dict[int, tuple[str, Any]] = {}
    for name, value in vars(module).items():
        if name.startswith("_"):
            continue
        if isinstance(value, Stack) or (
            isinstance(value, (list, tuple)) and value and all(isinstance(v, Stack) for v in value)
        ):
            found.setdefault(id(value), (name, value))
    if not found:
        for name, value in vars(module).items():
            if (
                not name.startswith("_") and inspect.isfunction(value)
                and getattr(value, "__module__", None) == module.__name__ and _returns_stack(value)
            ):
                found.setdefault(id(value), (name, value))
    if not found:
        raise AppLoadError(
            f"{where}: no Stack found; define one at module level (stack = Stack(...)) or a "
            "function annotated to return it (def stack(env: str = 'dev') -> Stack: ...)"
        )
    if len(found) > 1:
        names = ", ".join(sorted(name for name, _ in found.values()))
        first = sorted(name for name, _ in found.values())[0]
        raise AppLoadError(f"{where}: found several Stacks ({names}); pick one: {where}:{first}")
    return next(iter(found.values()))


def _resolve(
    target: Any, label: str, sets: dict[str, str], where: str, origins: Mapping[str, str],
) -> list[Stack]:
    if callable(target) and not isinstance(target, Stack):
        kwargs = convert_sets(target, sets, label, origins)
        try:
            with _user_code():
                target = target(**kwargs)
        except KubegenError as exc:
            raise _build_error(exc, where) from None
        except Exception as exc:
            raise _build_error(exc, where) from None
    elif sets:
        raise UsageError(f"--set needs a function to pass values to, but {label} is a {type(target).__name__}")
    if isinstance(target, Stack):
        return [target]
    if isinstance(target, (list, tuple)) and target and all(isinstance(s, Stack) for s in target):
        return list(target)
    raise AppLoadError(
        f"{label} is a {type(target).__name__}, not a Stack (or a list of Stacks, or a function returning one)"
    )


_TRUE = {"true", "yes", "on", "1", "y"}
_FALSE = {"false", "no", "off", "0", "n"}


def convert_sets(
    fn: Callable[..., Any], sets: Mapping[str, str], label: str, origins: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """``--set name=value`` strings to keyword arguments, by ``fn``'s annotations.

    ``origins``: for values the user did not type, where they came from; a message about
    one says so, and how to drop it."""
    try:
        signature = inspect.signature(fn)
    except (TypeError, ValueError):
        raise UsageError(f"{label} cannot take --set values") from None
    try:
        hints = typing.get_type_hints(fn)
    except Exception:
        hints = {}
    params = {
        name: p for name, p in signature.parameters.items()
        if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
    }
    kwargs: dict[str, Any] = {}
    for name, text in sets.items():
        origin = (origins or {}).get(name)
        what = f"--set {name}={text}" + (f" ({origin})" if origin else "")
        if name not in params:
            known = ", ".join(f"{n}" for n in params) or "none"
            drop = f"; drop it with --unset {name} --force" if origin else ""
            raise UsageError(f"{what}: {label} has no parameter {name!r} (parameters: {known}){drop}")
        kwargs[name] = _convert(text, hints.get(name, params[name].annotation), what)
    missing = [n for n, p in params.items() if p.default is p.empty and n not in kwargs]
    if missing:
        raise UsageError(f"{label} needs a value for {', '.join(missing)}: pass --set {missing[0]}=...")
    return kwargs


_COLLECTIONS = (list, tuple, set, frozenset, dict)


def _convert(text: str, annotation: Any, what: str) -> Any:
    if annotation is inspect.Parameter.empty or annotation is Any or annotation is str:
        return text
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Literal:
        for choice in args:
            if str(choice) == text:
                return choice
        raise UsageError(f"{what}: must be one of {', '.join(map(str, args))}")
    if origin in (typing.Union, getattr(types, "UnionType", None)):
        if text.lower() in ("none", "null") and type(None) in args:
            return None
        errors = []
        for arg in args:
            if arg is type(None):
                continue
            try:
                return _convert(text, arg, what)
            except UsageError as exc:
                errors.append(exc.message)
        raise UsageError(errors[0] if errors else f"{what}: cannot convert")
    if origin is not None or annotation in _COLLECTIONS:  # list(text) would be its characters
        shown = getattr(annotation, "__name__", None) if origin is None else None
        raise UsageError(
            f"{what}: the parameter is a {shown or annotation}, which one --set value cannot give (--set gives "
            "str, int, float, bool, a Literal, an Enum, or None for an Optional); take a str and split it in the app"
        )
    if annotation is bool:
        lowered = text.lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise UsageError(f"{what}: expected true or false")
    if annotation is int:
        try:
            return int(text)
        except ValueError:
            raise UsageError(f"{what}: expected a whole number") from None
    if annotation is float:
        try:
            return float(text)
        except ValueError:
            raise UsageError(f"{what}: expected a number") from None
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        for member in annotation:
            if text in (member.name, str(member.value)):
                return member
        raise UsageError(f"{what}: must be one of {', '.join(m.name for m in annotation)}")
    if isinstance(annotation, type):
        try:
            return annotation(text)
        except Exception:
            raise UsageError(f"{what}: cannot convert to {annotation.__name__}") from None
    return text
