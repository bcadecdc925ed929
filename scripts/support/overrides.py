"""``--set NAME=VALUE``: a tracker constant changed for one measuring run.

To compare a choice with the default in the same conditions, a script overrides a module
constant of the tracker's modules before it builds a tracker.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
from types import ModuleType
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
    """Set each ``NAME=VALUE`` (a Python literal) in every face-tracking module that has ``NAME``.

    A constant read only as a function's default argument keeps the default it had when the
    module was imported. Returns what was set; exits 2 with a one-line error for an unknown
    name or a value that is not a literal.
    """
    modules = tunable_modules()
    applied: dict[str, Any] = {}
    for pair in pairs:
        name, _, text = pair.partition("=")
        holders = [m for m in modules if name.isupper() and hasattr(m, name)]
        if not holders:
            refuse(f"no constant {name!r} in the modules of {emotion_app.faces.__name__}")
        try:
            value = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            refuse(f"--set {name}: {text!r} is not a Python literal such as 3, 0.5 or True")
        for module in holders:
            setattr(module, name, value)
        applied[name] = value
    return applied
