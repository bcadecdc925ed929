"""The names of the hidden temporary files outputs are written to: what each says of the
process and machine that made it and of the file it was to become.

Every output (:mod:`.atomic`), every record and list of a group of outputs
(:mod:`.output_group`) is a hidden file beside its target named
``.NAME.PID-HOST.[KIND.][TAG.]RANDOM.part[SUFFIX]``: made here (:func:`make_hidden`) and
read back here (:data:`OWNED_NAME`), so that a later run can tell a stopped writer's files
from a live one's (:mod:`.output_recovery`) and what each was to become
(:mod:`.unfinished`). Kept apart from those modules, which all need it, so none imports
another only for a name.
"""

from __future__ import annotations

import hashlib
import os
import re
import socket
import tempfile
from pathlib import Path

# In the name of the temporary file an output is written to until it is complete.
PART_MARK = ".part"
# The longest file name most file systems take, and what a temporary name adds to the
# target's (two dots and mkstemp's 8 random characters, with a spare).
NAME_MAX = 255
TEMP_NAME_EXTRA = 12


# The inode of the machine's own PID namespace (the kernel's PROC_PID_INIT_INO): the same
# on every boot, so a temporary's name made outside any container reads alike after one.
_MACHINE_PID_NAMESPACE = 0xEFFFFFFC


def owner_mark(pid: int | None = None) -> str:
    """What a temporary file's name says of the process that made it: its id and this
    machine's (a shared folder's files from another machine are never taken for ours).
    In a PID namespace of its own (a container, a Flatpak sandbox) the namespace is part
    of the machine's mark: the ids seen there are not the machine's, so a live writer
    outside it looks gone from in it, and one in it from outside."""
    host = socket.gethostname()
    try:
        namespace = os.stat("/proc/self/ns/pid").st_ino
    except OSError:  # no /proc (not Linux): the ids are the machine's
        namespace = _MACHINE_PID_NAMESPACE
    if namespace != _MACHINE_PID_NAMESPACE:
        host += f"\0pid:[{namespace}]"
    return f"{os.getpid() if pid is None else pid}-{hashlib.sha1(host.encode('utf-8', 'replace')).hexdigest()[:8]}"


# A temporary file of ours: ``.NAME.PID-HOST.[old|newINODE.|group.][TAG.]RANDOM.part[SUFFIX]``.
# "old": the file NAME held before a group of outputs replaced it (NAME's new file has
# inode INODE); "new": an empty mark that NAME had no file before and gets INODE; "group":
# the list of every record of NAME's group, in each folder the group has outputs in
# ("groupw": that list while it is written, before it is renamed to its "group" name).
OWNED_NAME = re.compile(
    r"\.(?P<name>.+)\.(?P<pid>\d+)-(?P<host>[0-9a-f]{8})\."
    r"(?:(?P<kind>old|new)(?P<inode>\d+)\.|(?P<group>group)(?P<writing>w?)\.)?"
    r"(?:[^.]+\.)?[a-z0-9_]{8}\.part(?:\.[^.]*)?",
    re.DOTALL,
)


def is_unfinished(path: Path) -> bool:
    """Whether ``path`` is an output's temporary file: still being written, or left half
    written by a crash (never by a finished or failed write)."""
    return PART_MARK in Path(path).name


def target_name(record: Path) -> str:
    """The name of the file ``record`` (a temporary file of ours) was to become, or stood for."""
    found = OWNED_NAME.fullmatch(record.name)
    return found["name"] if found else record.name


def make_hidden(target: Path, tag: str = "", kind: str = "") -> tuple[int, str]:
    """A new hidden file beside ``target``, named as :data:`OWNED_NAME` reads it (``kind``:
    "" for the data, or "oldINODE"/"newINODE"); its handle and name."""
    suffix = f"{PART_MARK}{target.suffix}"
    marks = f"{owner_mark()}.{kind + '.' if kind else ''}{tag + '.' if tag else ''}"
    # The hidden name adds characters: a target name near the folder's limit is cut.
    room = max(1, NAME_MAX - len(suffix) - len(marks) - TEMP_NAME_EXTRA)
    return tempfile.mkstemp(prefix=f".{target.name[:room]}.{marks}", suffix=suffix, dir=target.parent)
