"""The app's own reading of an INI settings file's text, without Qt.

Qt's INI reader takes a hand edit otherwise than the hand meant, and leaves no trace of it
in the values it returns: a quote left open, or a backslash ending a line, runs the value
on over the lines after it (which are then read as no settings at all), and a Windows path
written by hand (``C:\\videos``, ``\\\\host\\share``) loses its backslashes, which Qt reads
as escapes. So :class:`~emotion_app.gui.settings.AppSettings` goes over the file's text
itself: :func:`ini_scan` finds the run-on lines as Qt's reader goes over them, and
:func:`literal_paths` doubles the backslashes of the path settings' Windows paths; Qt then
reads the text so rewritten (``settings_writer.read_ini_text``), so every other value is
read exactly as Qt reads it.
"""

from __future__ import annotations

import re

from .settings_keys import PATH_KEYS

#: How a run-on line of :func:`ini_scan` ran on: a quote left open, or a backslash ending it.
QUOTE, BACKSLASH = "quote", "backslash"


def ini_scan(text: str, close_quotes: bool) -> tuple[str, list[tuple[int, int, str]]]:
    """Go over an INI file's ``text`` as Qt's reader does (QConfFileSettingsPrivate::
    readIniLine): a line break inside quotes does not end the line, a backslash escapes
    the next character (a line break too: the line goes on), ";" starts a comment at a
    line's start or outside quotes.

    Returns the text (with ``close_quotes``, a quote closed before each line break found
    inside quotes, and each backslash before a line break doubled: one of the value) and,
    for each line a quote was left open in or a backslash joined a line holding more
    than blanks or a comment to, (that line, the last line Qt read into its value,
    :data:`QUOTE` or :data:`BACKSLASH`), numbered from 1.
    """
    out: list[str] = []
    runs: list[tuple[int, int, str]] = []
    in_quotes, line_start, open_line, line, i = False, True, 0, 1, 0
    # A backslash's line, while the line it joined holds nothing yet (Qt then loses
    # nothing but the backslash: not told), then once it does.
    joining, joined = 0, 0

    def end_runs() -> None:
        nonlocal open_line, joining, joined
        if open_line:
            runs.append((open_line, line, QUOTE))
        if joined:
            runs.append((joined, line, BACKSLASH))
        open_line = joining = joined = 0

    def to_line_end(start: int) -> int:
        ends = [at for at in (text.find("\n", start), text.find("\r", start)) if at >= 0]
        return min(ends, default=len(text))

    while i < len(text):
        ch = text[i]
        if ch in "\n\r" and in_quotes and not close_quotes:
            open_line = open_line or line
        elif ch in "\n\r":
            if in_quotes:  # close_quotes: closed at the line's end
                out.append('"')
                runs.append((line, line, QUOTE))
                in_quotes = False
            end_runs()
            line_start = True
        elif ch in " \t\f\v" and line_start:
            pass
        elif ch == ";" and (line_start or not in_quotes):  # a comment, to the line's end
            end_runs()
            end = to_line_end(i)
            out.append(text[i:end])
            i = end
            continue
        else:
            line_start = False
            if joining and ch not in " \t\f\v":
                joined, joining = joined or joining, 0
            if ch == "\\":
                if text[i + 1 : i + 2] in ("\n", "\r"):
                    if close_quotes:
                        out.append("\\\\")  # a backslash of the value; the line ends here
                        i += 1
                        continue
                    joining = joining or line
                escaped = text[i : i + 2] + ("\n" if text[i + 1 : i + 3] == "\r\n" else "")
                out.append(escaped)
                line += escaped.count("\n")
                i += len(escaped)
                continue
            if ch == '"':
                in_quotes = not in_quotes
        out.append(ch)
        line += ch == "\n"
        i += 1
    line -= text.endswith("\n")
    end_runs()
    return "".join(out), runs


# A path setting's value (or list item) that is plainly a Windows path written by hand:
# a drive and one backslash, or \\host\share. Qt writes every backslash of a value twice,
# so it writes no such value for a path (only for one holding a control character or a
# quote right there, which no Windows name holds). ASCII blanks only: the text is bytes as
# Latin-1, where a UTF-8 letter's byte A0 or 85 is no blank.
_WINDOWS_PATH = re.compile(r'[A-Za-z]:\\(?!\\)|\\\\[^\\/"\s]+\\[^\\"]', re.ASCII)


def literal_paths(text: str) -> tuple[str, set[str]]:
    """An INI file's ``text`` with the backslashes doubled in each path setting's value
    (each item of a list) that :data:`_WINDOWS_PATH` matches, after blanks and an opening
    quote, and that holds no other quote than a closing one; so Qt reads it as written.
    Returns that text and the keys changed. Each line is a setting of its own, as the
    repair of run-on lines reads them (see :func:`ini_scan`).
    """
    out: list[str] = []
    keys: set[str] = set()
    section = ""
    for line in re.findall(r"[^\r\n]*(?:\r\n|\r|\n)?", text):
        body = line.rstrip("\r\n")
        start = body.lstrip(" \t")
        if start.startswith("[") and "]" in start:
            section = start[1 : start.index("]")].strip()
        elif "=" in body and not start.startswith(";"):
            name = body[: body.index("=")].strip().replace("\\", "/")
            # Qt takes a section named "General" in any case for the file's top.
            key = name if section.lower() in ("", "general") else f"{section}/{name}"
            value, changed = _as_written(body[body.index("=") + 1 :]) if key in PATH_KEYS else ("", False)
            if changed:
                keys.add(key)
                line = body[: body.index("=") + 1] + value + line[len(body) :]
        out.append(line)
    return "".join(out), keys


def _as_written(value: str) -> tuple[str, bool]:
    """A value's text (see :func:`literal_paths`) with the backslashes of each Windows path
    item doubled, and whether there was one."""
    out: list[str] = []
    changed, i = False, 0
    while i <= len(value):
        # Positions, not slices of the rest: a list of many items stays one pass.
        start = i
        while start < len(value) and value[start] in " \t":
            start += 1
        literal = _WINDOWS_PATH.match(value, start + value.startswith('"', start)) is not None
        end = _item_end(value, start, literal)
        item = value[i:end]
        inner = item.strip(" \t").removeprefix('"')
        if literal and '"' in (inner[:-1] if item.strip(" \t").startswith('"') else inner):
            literal, end = False, _item_end(value, start, False)
            item = value[i:end]
        out.append(item.replace("\\", "\\\\") if literal else item)
        changed = changed or literal
        if end >= len(value) or value[end] == ";":  # the rest is a comment
            out.append(value[end:])
            break
        out.append(",")
        i = end + 1
    return "".join(out), changed


def _item_end(value: str, start: int, literal: bool) -> int:
    """Where the list item starting at ``start`` ends: at a comma or ";" outside quotes, or
    the value's end; ``literal``: a backslash is a character, not Qt's escape."""
    at, in_quotes = start, False
    while at < len(value) and (in_quotes or value[at] not in ",;"):
        if value[at] == "\\" and not literal:
            at += 2
            continue
        in_quotes ^= value[at] == '"'
        at += 1
    return min(at, len(value))
