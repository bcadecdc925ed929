"""``--set NAME=VALUE``: a tracker constant changed for one measuring run.

To compare a choice with the default in the same conditions, a script overrides a module
constant of the tracker's modules before it builds a tracker.
"""

from __future__ import annotations

import ast
from types import ModuleType
from typing import Any

from emotion_app.faces import (
    face_parts,
    identities,
    leaning_search,
    local_search,
    network_detector,
    newcomer_scan,
    scan_plan,
    scene_gate,
    tracker,
)
from scripts.support.errors import refuse

# The modules whose constants --set may override.
TUNABLE_MODULES: tuple[ModuleType, ...] = (
    tracker,
    scan_plan,
    local_search,
    identities,
    newcomer_scan,
    scene_gate,
    network_detector,
    leaning_search,
    face_parts,
)


def apply_overrides(pairs: list[str]) -> dict[str, Any]:
    """Set each ``NAME=VALUE`` (a Python literal) on the tuned module that has ``NAME``.

    Returns what was set; exits 2 with a one-line error for an unknown name or a value that
    is not a literal.
    """
    applied: dict[str, Any] = {}
    for pair in pairs:
        name, _, text = pair.partition("=")
        module = next((m for m in TUNABLE_MODULES if name.isupper() and hasattr(m, name)), None)
        if module is None:
            refuse(f"no constant {name!r} in {', '.join(m.__name__ for m in TUNABLE_MODULES)}")
        try:
            value = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            refuse(f"--set {name}: {text!r} is not a Python literal such as 3, 0.5 or True")
        setattr(module, name, value)
        applied[name] = value
    return applied
