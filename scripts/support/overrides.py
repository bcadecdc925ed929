"""``--set NAME=VALUE``: a tracker constant changed for one measuring run.

To compare a choice with the default in the same conditions, a script overrides a module
constant of the tracker's modules before it builds a tracker: every copy of it, the
module attributes and the default arguments that name it.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from pathlib import Path, PurePath
from types import FunctionType, ModuleType
from typing import Any

import emotion_app.faces
from scripts.support.errors import refuse


def tunable_modules() -> list[ModuleType]:
    """Every module of the face tracking (``emotion_app.faces``), whose constants --set may
    override: all of them, so that a constant imported by name into another module (``from
    .geometry import DUPLICATE_IOU``) is changed in every copy the code reads."""
    package = emotion_app.faces
    return [
        importlib.import_module(f"{package.__name__}.{info.name}") for info in pkgutil.iter_modules(package.__path__)
    ]


def apply_overrides(pairs: list[str]) -> dict[str, Any]:
    """Set each ``NAME=VALUE`` in every face-tracking module that has ``NAME``, and as the
    default of every parameter written ``=NAME`` in their functions and methods (see
    :func:`defaults_named`). VALUE is a Python literal of the constant's type (an int for
    a float too); for a path constant, the path as written (quoted or not), made a Path.

    Returns what was set (a path as its text, so a report can write it as JSON); exits 2
    with a one-line error for an unknown name, a value that is not a literal, or one of
    another type than the constant's.
    """
    modules = tunable_modules()
    applied: dict[str, Any] = {}
    for pair in pairs:
        name, _, text = pair.partition("=")
        holders = [m for m in modules if name.isupper() and hasattr(m, name)]
        if not holders:
            refuse(f"no constant {name!r} in the modules of {emotion_app.faces.__name__}")
        # Per module: a name may be an int in one module and a float in another.
        values = {module.__name__: fitted_value(name, text, getattr(module, name)) for module in holders}
        for module in holders:
            setattr(module, name, values[module.__name__])
        for function, parameter in defaults_named(name, modules):
            # A default written =NAME is read in its function's own module.
            _set_default(function, parameter, values.get(function.__module__, values[holders[0].__name__]))
        value = values[holders[0].__name__]
        applied[name] = str(value) if isinstance(value, PurePath) else value
    return applied


def fitted_value(name: str, text: str, current: object) -> object:
    """``text`` as a value of ``current``'s type, the constant ``name`` holds now; exits 2
    (one line) where it is none. A literal string where code expects a Path, or a bool
    where it counts, broke the run only later, far from the --set that caused it."""
    if isinstance(current, PurePath):
        path_text = _path_text(text)
        if not path_text:
            refuse(f"--set {name}: an empty path")
        return Path(path_text)
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        # TypeError: an unhashable key ({[1]: 2}); the other two: nesting too deep to parse.
        refuse(f"--set {name}: {text!r} is not a Python literal such as 3, 0.5 or True")
    if isinstance(current, float) and type(value) is int:
        return float(value)
    if type(value) is not type(current):
        refuse(f"--set {name}: {text!r} is {_kind(value)}; {name} is {_kind(current)}")
    return value


def _path_text(text: str) -> str:
    """A path given to --set: as written, or the text of a string literal (a quoted path)."""
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return text
    return value if isinstance(value, str) else text


def _kind(value: object) -> str:
    """``value``'s type in words: "an int", "a float", "a module"."""
    kind = type(value).__name__
    return f"{'an' if kind[:1].lower() in 'aeiou' else 'a'} {kind}"


def defaults_named(name: str, modules: list[ModuleType]) -> list[tuple[FunctionType, str]]:
    """The functions and methods defined in ``modules`` with a parameter whose default is
    written ``=NAME``, each with that parameter: a default is bound when its function is
    defined, so the module attribute set later never reaches it."""
    found: list[tuple[FunctionType, str]] = []
    for module in modules:
        for owner, definition in _definitions(ast.parse(inspect.getsource(module)).body, module):
            arguments = definition.args
            positional = arguments.posonlyargs + arguments.args
            with_defaults = list(zip(positional[len(positional) - len(arguments.defaults) :], arguments.defaults))
            with_defaults += [(arg, d) for arg, d in zip(arguments.kwonlyargs, arguments.kw_defaults) if d is not None]
            for argument, default in with_defaults:
                if isinstance(default, ast.Name) and default.id == name:
                    found.append((_function(owner, definition.name), argument.arg))
    return found


def _definitions(body: list[ast.stmt], owner: object) -> list[tuple[object, ast.FunctionDef]]:
    """The functions defined at the top of ``body`` (a module's, or a class's: its methods,
    and those of the classes in it), each with the object it is an attribute of."""
    definitions: list[tuple[object, ast.FunctionDef]] = []
    for statement in body:
        if isinstance(statement, ast.FunctionDef):
            definitions.append((owner, statement))
        elif isinstance(statement, ast.ClassDef) and isinstance(getattr(owner, statement.name, None), type):
            definitions += _definitions(statement.body, getattr(owner, statement.name))
    return definitions


def _function(owner: object, name: str) -> FunctionType:
    """The plain function ``owner.name`` runs (a static or class method's, a decorated one's)."""
    attribute = vars(owner)[name]
    function = inspect.unwrap(getattr(attribute, "__func__", attribute))
    if not isinstance(function, FunctionType):
        raise TypeError(f"{name} of {owner!r} is no function: {function!r}")
    return function


def _set_default(function: FunctionType, parameter: str, value: object) -> None:
    """Make ``value`` the default of ``function``'s ``parameter`` (one that has a default)."""
    code = function.__code__
    positional = code.co_varnames[: code.co_argcount]  # the positional-only ones among them
    if parameter in positional:
        defaults = list(function.__defaults__ or ())
        defaults[positional.index(parameter) - (len(positional) - len(defaults))] = value
        function.__defaults__ = tuple(defaults)
    else:
        function.__kwdefaults__ = {**(function.__kwdefaults__ or {}), parameter: value}
