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

_counter = 0


@contextlib.contextmanager
def _user_code() -> Iterator[None]:
    """Run the user's code with its prints on stderr (stdout carries only the manifests);
    its builders collect their errors, so that one run reports them all; an exit it
    attempts (``sys.exit``, any ``BaseException`` but Ctrl-C) is an error."""
    with contextlib.redirect_stdout(sys.stderr):
        try:
            with collect_errors():
                yield
        except (Exception, KeyboardInterrupt):
            raise
        except BaseException as exc:
            raise app_exit_error(exc).with_traceback(exc.__traceback__) from None


def app_exit_error(exc: BaseException) -> AppLoadError:
    """The error for an app that tried to end the process (``sys.exit(0)`` included)."""
    if isinstance(exc, SystemExit):
        what = f"called sys.exit({exc.code!r})" if exc.code is not None else "called sys.exit()"
    else:
        what = f"raised {type(exc).__name__}" + (f": {exc}" if str(exc) else "")
    loc = _user_frame(exc)
    place = f"{loc}: " if loc is not None else ""
    return AppLoadError(
        f"{place}the app {what} while kubegen was building the stack; an app must not end the "
        "process: return the Stack, or raise an exception to report a problem"
    )


def load_stacks(spec: str, sets: Mapping[str, str] | None = None) -> list[Stack]:
    """The Stack(s) named by ``spec``, calling a factory with ``sets`` converted by annotation."""
    module, attr, where = _load_module(spec)
    sets = dict(sets or {})
    if attr is not None:
        if not hasattr(module, attr):
            names = sorted(n for n in vars(module) if not n.startswith("_"))
            raise AppLoadError(f"{where}: attribute {attr!r} not found (it defines: {', '.join(names) or 'nothing'})")
        target = getattr(module, attr)
        label = f"{where}:{attr}"
    else:
        label, target = _find_target(module, where)
    return _resolve(target, label, sets, where)


def _load_module(spec: str) -> tuple[types.ModuleType, str | None, str]:
    path, sep, attr = spec.rpartition(":")
    if not sep or os.sep in attr or attr.endswith(".py"):
        path, attr = spec, ""
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
    text = exc.message if isinstance(exc, KubegenError) else str(exc)
    return AppLoadError(f"{place}: error while building the stack: {kind}{text}", original=exc)


def _returns_stack(fn: Callable[..., Any]) -> bool:
    annotation = inspect.signature(fn).return_annotation if callable(fn) else None
    if annotation is inspect.Signature.empty:
        return False
    if isinstance(annotation, str):
        return annotation.replace(" ", "") in ("Stack", "kubegen.Stack", "list[Stack]", "list[kubegen.Stack]")
    return annotation is Stack or typing.get_args(annotation) == (Stack,)


def _find_target(module: types.ModuleType, where: str) -> tuple[str, Any]:
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
    name, value = next(iter(found.values()))
    return f"{where}:{name}", value


def _resolve(target: Any, label: str, sets: dict[str, str], where: str) -> list[Stack]:
    if callable(target) and not isinstance(target, Stack):
        kwargs = convert_sets(target, sets, label)
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


def convert_sets(fn: Callable[..., Any], sets: Mapping[str, str], label: str) -> dict[str, Any]:
    """``--set name=value`` strings to keyword arguments, by ``fn``'s annotations."""
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
        if name not in params:
            known = ", ".join(f"{n}" for n in params) or "none"
            raise UsageError(f"--set {name}={text}: {label} has no parameter {name!r} (parameters: {known})")
        kwargs[name] = _convert(text, hints.get(name, params[name].annotation), f"--set {name}={text}")
    missing = [n for n, p in params.items() if p.default is p.empty and n not in kwargs]
    if missing:
        raise UsageError(f"{label} needs a value for {', '.join(missing)}: pass --set {missing[0]}=...")
    return kwargs


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
