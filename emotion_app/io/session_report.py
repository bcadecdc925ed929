"""A session's timeline as files: a PNG plot and a CSV of seconds and shares per person per
emotion. The app's timeline panel exports these and ``analyze --report`` writes the same.

Each file goes through ``io.atomic`` (a temporary file beside it, renamed into place), and
both are written before either is put in place, so a failed write never leaves half a
file, or half a report, where a good one was. Two files cannot be renamed in one step:
the table (the data) goes in place first and the plot last, the files they replace kept
(the plot's set aside) until both are in place and put back if either rename fails, so a
plot in the folder is always beside its own table (:func:`commit_report`, with analyze's
CSV and video in the same group); what a writer killed between the renames left is
finished or undone by the next (:func:`stage_report`), in every folder of its group.
"""

from __future__ import annotations

import csv
import io
import logging
import math
import os
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from ..names import cut_after, cut_before, is_bidi_control, isolated
from ..spreadsheet import spreadsheet_text
from ..timeline import LONGEST_KEPT, PersonSummary, SessionTimeline, seen_longest_key
from .atomic import AtomicOutput, OutputError, resolved, stage_bytes
from .font_fallback import fallback_font, undrawable
from .output_group import commit_together
from .output_recovery import recover_stopped, tagged_unfinished
from .overlay import overlay_font_path
from .overlay_layout import palette_for
from .path_lookup import folder_in_the_way

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.text import Text

log = logging.getLogger(__name__)

CSV_NAME = "emotion-summary.csv"
PNG_NAME = "emotion-timeline.png"
CSV_COLUMNS = ("person", "emotion", "seconds", "share")
# The plot has a row for this many people at most, those seen longest (the CSV has everyone):
# those the timeline's rows never fold, so each has its strip and portrait.
MAX_PLOT_PEOPLE = LONGEST_KEPT
# A row's name in the plot is cut to this many characters (the CSV has it whole).
MAX_LABEL_CHARS = 40
# The two plots' least width together (inches of the figure's 10): a little under what
# they have beside short names ("#12", "everyone (19 s of faces)"), so only long ones widen it.
MIN_PLOTS_WIDTH_IN = 7.0
# tight_layout's padding at the figure's edges and between the plots (its default, in font sizes).
_LAYOUT_PAD = 1.08
# Each person's portrait beside their row, this tall (pixels of the PNG).
PORTRAIT_PIXELS = 36
# Between a portrait and the tick left of it, and the name left of that (points).
_PORTRAIT_GAP_PT = 4.0


class ReportError(OutputError):
    """A report that cannot be written; the message names the path and the reason."""


class ReportFolderError(ReportError):
    """A report's folder that cannot take it: "FOLDER: PROBLEM", ``problem`` in the output
    folder's words ("it is a file, not a folder"), kept apart so that the window can say
    "into the folder FOLDER: PROBLEM" as it does of the output folder."""

    def __init__(self, folder: Path, problem: str) -> None:
        super().__init__(f"{folder}: {problem}")
        self.folder = folder
        self.problem = problem


def summary_rows(timeline: SessionTimeline) -> list[tuple[str, str, float, float]]:
    """(person, emotion, seconds, share) for every person the timeline keeps (a row, or with
    ``keep_folded`` folded away too), then everyone."""
    rows: list[tuple[str, str, float, float]] = []
    for person in [*timeline.everyone(), timeline.overall()]:
        for label, seconds, share in zip(timeline.labels, person.seconds, person.shares):
            rows.append((person.name, label, round(seconds, 3), round(share, 4)))
    return rows


def summary_csv(timeline: SessionTimeline) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    # A name typed like a formula ("=cmd|...") is text here, as in a recording's CSV.
    writer.writerows((spreadsheet_text(person), *rest) for person, *rest in summary_rows(timeline))
    return buffer.getvalue().encode("utf-8")


def timeline_png(timeline: SessionTimeline, dpi: int = 110) -> bytes:
    """The timeline plot (:func:`timeline_figure`) as a PNG."""
    buffer = io.BytesIO()
    figure = timeline_figure(timeline, dpi)
    with _no_glyph_warnings():
        figure.savefig(buffer, format="png")
    return buffer.getvalue()


def timeline_figure(timeline: SessionTimeline, dpi: int = 110) -> Figure:
    """The timeline plot: a strip per person over the last minutes (the overlay's colours),
    and each person's and everyone's share of time per emotion; a row each for the people
    seen longest (:func:`plotted_people`)."""
    # The object API with the Agg canvas: no pyplot state, safe off the main thread.
    from matplotlib import rcParams
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.offsetbox import AnnotationBbox, OffsetImage
    from matplotlib.patches import Patch

    palette = palette_for(timeline.labels)
    colors = [_rgb(palette[label]) for label in timeline.labels]
    people = plotted_people(timeline)
    rows = max(1, len(people))
    figure = Figure(figsize=(10, 2.2 + 0.75 * rows), dpi=dpi)
    canvas = FigureCanvasAgg(figure)
    strips, shares = figure.subplots(1, 2, gridspec_kw={"width_ratios": [3, 1.3]})
    end = timeline.now_s
    start = max(0.0, end - timeline.window_s)
    for row, person in enumerate(people):
        assert person.track_id is not None
        # Each second's label over the parts of it the person was seen in: a whole second's
        # block for a face seen 0.3 s of it drew them where they were not.
        # One collection per label of a row, not one per block: a face found on every other
        # frame has a block per frame (4,500 in 5 min at 30 fps), each a collection, slow to draw.
        blocks: dict[int, list[tuple[float, float]]] = {}
        for begin, finish, label_index in timeline.seen_strip(person.track_id):
            blocks.setdefault(label_index, []).append((begin, finish - begin))
        for label_index, ranges in blocks.items():
            strips.broken_barh(ranges, (row - 0.35, 0.7), facecolors=colors[label_index])
    strips.set_xlim(start, max(end, start + timeline.bucket_s))
    strips.set_ylim(-0.6, rows - 0.4)
    strips.set_yticks(range(len(people)), [plot_label(person) for person in people])
    strips.invert_yaxis()
    portraits = [timeline.portrait(person.track_id) if person.track_id is not None else None for person in people]
    # Each portrait goes between its row's name and the strip, the names moved left to
    # make room: at a fixed place left of the strips, a name given (not just "#N") ran under it.
    portrait_pt = PORTRAIT_PIXELS * 72 / dpi  # its height in points (OffsetImage scales zoom by dpi / 72)
    tick_pt = float(rcParams["ytick.major.size"])
    if any(portrait is not None for portrait in portraits):
        strips.tick_params(axis="y", pad=portrait_pt + 2 * _PORTRAIT_GAP_PT)
    for row, portrait in enumerate(portraits):
        if portrait is not None:  # who "#N" is, beside the name
            picture = OffsetImage(portrait[:, :, ::-1], zoom=portrait_pt / portrait.shape[0])
            box = AnnotationBbox(
                picture,
                (0.0, row),
                xycoords=("axes fraction", "data"),
                xybox=(-(tick_pt + _PORTRAIT_GAP_PT), 0.0),
                boxcoords="offset points",
                box_alignment=(1.0, 0.5),
                frameon=False,
                pad=0.0,
                annotation_clip=False,
            )
            box.set_clip_on(False)  # it sits left of the axes, beside the name
            strips.add_artist(box)
    if not people:  # analyze of a faceless input: say why the plots are empty
        strips.text(0.5, 0.5, "No face was found", transform=strips.transAxes, ha="center", va="center")
    strips.set_xlabel("session time (s)")
    # A few frames' session is no "last 0 s"; the panel's caption keeps "0 s" beside "0:00".
    # Whole seconds as session_length_text counts them: a second of 24 frames, whose last
    # one's end adds up to 0.9999999999999999 s, is "1 s", beside its row's "(1.0 s)".
    span = end - start
    length = "<1 s" if span > 0.0 and _whole(span) == 0 else session_length_text(span)
    title = f"Shown emotion over the last {length}"
    left_out = _left_out_text(timeline, len(people))
    strips.set_title(f"{title}\n{left_out}" if left_out else title)

    summaries: list[PersonSummary] = [*people, timeline.overall()]
    for row, person in enumerate(summaries):
        left = 0.0
        for share, color in zip(person.shares, colors):
            if share > 0:
                shares.barh(row, share, left=left, color=color, height=0.7)
            left += share
    shares.set_xlim(0, 1)
    # Rows where the bars would be: with no bars (no face) matplotlib's autoscale put the
    # lone "everyone" row at the plot's top edge.
    shares.set_ylim(-0.6, len(summaries) - 0.4)
    shares.set_yticks(range(len(summaries)), [share_label(p) for p in summaries])
    shares.invert_yaxis()
    shares.set_xlabel("share of time")
    shares.set_title("Share per emotion")
    texts = [*strips.get_yticklabels(), *shares.get_yticklabels()]
    if colors:  # none before a model has given the timeline its classes
        legend = figure.legend(
            handles=[Patch(color=color, label=label) for label, color in zip(timeline.labels, colors)],
            loc="lower center",
            ncol=min(len(colors), 8),
            frameon=False,
        )
        texts += legend.get_texts()  # a model's own classes may be named in any script
    undrawn: dict[str, None] = {}
    for text in texts:
        undrawn.update(dict.fromkeys(_add_fallback_fonts(text)))
    if undrawn:  # one line, where matplotlib warned of each glyph at each drawing
        log.warning(
            "no installed font draws %s: the plot shows %s as empty boxes (the summary CSV has the text whole)",
            ", ".join(char if char.isprintable() else _escaped(char) for char in undrawn),
            "it" if len(undrawn) == 1 else "them",
        )
    # Long names (a folder's file names) took their width from the two plots, the shares'
    # squeezed to a sliver and its title cut at the edge: the figure widens for them instead.
    # Measured before the layout: names wider than the figure (40 capitals, a Japanese file
    # name) made tight_layout give up, leaving them over the plots and past the PNG's edge.
    with _no_glyph_warnings():
        needed_in = MIN_PLOTS_WIDTH_IN + _beside_plots_in(canvas, (strips, shares))
        if needed_in > figure.get_figwidth():
            figure.set_figwidth(needed_in)
        figure.tight_layout(rect=(0, 0.08, 1, 1))
    return figure


def _beside_plots_in(canvas: FigureCanvasAgg, plots: Sequence[Axes]) -> float:
    """The width the ``plots``' names, ticks and titles take beside them, with tight_layout's
    padding at the figure's edges and between the plots (inches)."""
    from matplotlib import rcParams

    renderer = canvas.get_renderer()
    beside_px = 0.0
    for axes in plots:
        drawn = axes.get_tightbbox(renderer)
        if drawn is not None:
            beside_px += drawn.width - axes.get_window_extent(renderer).width
    pad_in = _LAYOUT_PAD * float(rcParams["font.size"]) / 72.0
    return beside_px / canvas.figure.dpi + (len(plots) + 1) * pad_in


def plotted_people(timeline: SessionTimeline) -> list[PersonSummary]:
    """The people the plot has a row for, by track id: the :data:`MAX_PLOT_PEOPLE` seen
    longest in the session, of equal time the later found (a folder's faces, a second
    each: its last pictures'). The 12 found last left out a long video's main person, #1,
    beside people seen a moment each. Ranked as the timeline's rows keep them, so each has
    its row (:data:`.timeline.LONGEST_KEPT`)."""
    people = timeline.everyone()
    longest = sorted(people, key=lambda person: seen_longest_key(person.track_id or 0, person.seconds))
    return sorted(longest[-MAX_PLOT_PEOPLE:], key=lambda person: person.track_id or 0)


def _left_out_text(timeline: SessionTimeline, rows: int) -> str:
    """The title's line on the people the plot has no row for ("" for none), as the panel's
    "+N" says its own: a report of 70 faces drew 12 rows and told nothing of the other 58."""
    listed = len(timeline.everyone())
    if timeline.folded_people and not timeline.keep_folded:
        # The panel's session: its rows forget those seen longest ago (the 12 seen longest
        # aside), and so does its CSV. "The last 64" they are not, those 12 being kept.
        return f"{rows} of the {listed} people kept: those seen longest (the CSV has the {listed})"
    if listed > rows:
        return f"{rows} of {listed} people: those seen longest (the CSV has everyone)"
    return ""


@contextmanager
def _no_glyph_warnings() -> Iterator[None]:
    """Drawing with matplotlib's warnings of missing glyphs ignored: :func:`timeline_figure`
    says once which characters no font draws."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"Glyph \d+ .* missing from font", category=UserWarning)
        yield


def _escaped(char: str) -> str:
    """``char`` as Python writes it in a string: "\\U000f0000" for one that prints as nothing."""
    return f"\\u{ord(char):04x}" if ord(char) <= 0xFFFF else f"\\U{ord(char):08x}"


def _add_fallback_fonts(text: Text) -> list[str]:
    """Let ``text`` draw the characters DejaVu Sans lacks (a Chinese name, a picture's
    Japanese file name) in the installed fonts that have them, as the overlay does: in
    DejaVu alone they were empty boxes. Returns those no installed font has."""
    label = text.get_text()
    primary = overlay_font_path()
    # Plain ASCII is all in DejaVu; a control character (a file name's \x01) is in no font.
    if primary is None or (label.isascii() and label.isprintable()):
        return []
    from matplotlib.font_manager import FontProperties, fontManager

    families: list[str] = []
    undrawn: list[str] = []
    for char in dict.fromkeys(label):
        if is_bidi_control(char) and _lays_out_bidi():  # steers, never drawn: a name's isolate (plot_label)
            continue
        if undrawable(char, primary):
            undrawn.append(char)
            continue
        path = fallback_font(char, primary)
        if path is not None:
            if str(path) not in {entry.fname for entry in fontManager.ttflist}:
                fontManager.addfont(path)  # matplotlib's cache may not know the system's fonts
            family = FontProperties(fname=path).get_name()
            if family not in families:
                families.append(family)
    if families:
        text.set_fontfamily(["DejaVu Sans", *families])
    return undrawn


def share_label(person: PersonSummary) -> str:
    """A share bar's name and time: "#3 (4.2 s)"; everyone's time is each face's added up,
    said so, as it is no session length ("everyone (5.0 s)" read so beside a 1 s photo)."""
    return plot_label(person, share_time(person))


def share_time(person: PersonSummary) -> str:
    """What a share bar's name is followed by: " (4.2 s)", everyone's " (5.0 s of faces)"."""
    what = " of faces" if person.track_id is None else ""
    return f" ({duration_text(person.total_s)}{what})"


def plot_label(person: PersonSummary, more: str = "") -> str:
    """``person``'s row name as one line of the plot, then ``more`` (the app's own text: a
    share's time). The name given to them (a picture's file name, for analyze) has line
    breaks and runs of spaces made one space, a long one is shortened in its middle (never
    the "(#3)" after it, nor between a letter and its accent), and it is kept to its own
    direction where matplotlib lays text out by the bidi algorithm (see .names.isolated):
    a Hebrew name, or one holding U+202E, turned "(#1) (0.9 s)" around. A "$" is shown as
    itself: matplotlib reads text between two as mathematics, and a name like
    "$\\frac$.png" made drawing the plot fail."""
    if person.track_id is None:
        name, after = "", "everyone"
    elif person.given_name:
        name, after = " ".join(person.given_name.split()), f" (#{person.track_id})"
    else:
        name, after = "", f"#{person.track_id}"
    after += more
    room = max(2, MAX_LABEL_CHARS - len(after))
    if len(name) > room:
        keep = room - 1
        head, tail = cut_before(name, keep - keep // 2), cut_after(name, len(name) - keep // 2)
        name = name[:head] + "…" + name[tail:]
    if name and _lays_out_bidi():
        name = isolated(name)
    return (name + after).replace("$", r"\$")


@lru_cache(maxsize=1)
def _lays_out_bidi() -> bool:
    """Whether matplotlib lays text out by the bidi algorithm (with libraqm, from 3.11): an
    older one draws the characters in their order, and the isolate's marks as boxes."""
    from matplotlib import ft2font

    return hasattr(ft2font, "__libraqm_version__")


def check_folder(folder: Path) -> None:
    """ReportError when ``folder`` exists and is not a folder; nothing is created."""
    # The output folder's own check (io/output_folder), which the window shows too.
    in_the_way = folder_in_the_way(Path(folder))
    if in_the_way:
        raise ReportFolderError(folder, f"it {in_the_way}")


def prepare_folder(folder: Path) -> Path:
    """``folder`` created if missing; ReportError when it cannot be, or is not writable."""
    folder = Path(folder)
    check_folder(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ReportFolderError(folder, f"it cannot be created ({exc.strerror or exc})") from exc
    if not os.access(folder, os.W_OK):
        raise ReportFolderError(folder, "it is not writable")
    return folder


def report_paths(folder: Path, number: int = 1) -> tuple[Path, Path]:
    """Where a report in ``folder`` puts its plot and its table (numbered from 2 on:
    ``emotion-timeline-2.png``, ``emotion-summary-2.csv``)."""
    mark = f"-{number}" if number > 1 else ""
    png, csv_name = Path(PNG_NAME), Path(CSV_NAME)
    return (
        Path(folder) / f"{png.stem}{mark}{png.suffix}",
        Path(folder) / f"{csv_name.stem}{mark}{csv_name.suffix}",
    )


def free_report_paths(folder: Path) -> tuple[Path, Path]:
    """The first numbered pair of :func:`report_paths` in ``folder`` with neither file there
    yet: an export beside an earlier one keeps it."""
    number = 1
    while any(path.exists() for path in report_paths(folder, number)):
        number += 1
    return report_paths(folder, number)


def stage_report(
    timeline: SessionTimeline, folder: Path, keep_existing: bool = False, tag: str = ""
) -> list[AtomicOutput]:
    """Both files of the report written beside their places in ``folder`` (created), not yet
    in place: :func:`commit_report` puts them there, or each is discarded. Staging both
    first means a failure leaves neither half of a report behind. ``keep_existing``: numbered
    names beside an earlier report's files instead of replacing them. ``tag`` goes in the
    temporary files' names (:func:`unfinished_report_files` finds them)."""
    folder = prepare_folder(folder)
    recover_stopped_report(folder)
    png_path, csv_path = free_report_paths(folder) if keep_existing else report_paths(folder)
    staged = [_stage(png_path, timeline_png(timeline), tag)]
    try:
        staged.append(_stage(csv_path, summary_csv(timeline), tag))
    except BaseException:
        staged[0].discard()
        raise
    return staged


def recover_stopped_report(folder: Path, tag: str = "") -> None:
    """What a report writer killed midway in ``folder`` (analyze, or an export left to finish
    when the window closed) left there: its pair made whole, or put back as it was, with
    the other outputs of its group (analyze's CSV and video, in their folders too), and its
    hidden files removed. A warning for each earlier file put back. ``tag``: only the
    files of the writer of the report tagged so, which is known to have stopped."""
    for line in recover_stopped(report_folders(folder), _REPORT_STEMS, tag=tag, owner_gone=bool(tag)):
        log.warning("%s", line)


# Told the renames that put a report in place, (temporary file, target) in their order,
# before the first: whoever watches the writer can finish them if it is killed midway.
Announce = Callable[[list[tuple[Path, Path]]], None]


def commit_report(
    staged: list[AtomicOutput], announce: Announce | None = None, others: Sequence[AtomicOutput] = ()
) -> None:
    """Put :func:`stage_report`'s files (plot, table; or none) in place, both or neither
    (:func:`.output_group.commit_together`): the earlier table kept (a hard link) and the earlier
    plot set aside, then the table (the data), then the plot. A failed rename puts both
    earlier files back; a stop between the renames (a kill) leaves the new table and no
    plot, never a plot beside a table it was not drawn from, and the next report written
    there puts the earlier pair back (:func:`stage_report`); a writer's watcher told by
    ``announce`` can finish them instead (the temporary files are complete and already
    have their permissions). ``others``: outputs of the same job (analyze's CSV and video,
    finished), put in place first, in the same group: all of them or none. ReportError in
    one line, no temporary file left, when a file cannot be put in place: a folder in its
    way is found before anything is renamed."""
    report: list[AtomicOutput] = []
    if staged:  # none: analyze without --report
        plot, table = staged
        report = [table, plot]
    if not report and not others:
        return

    def tell() -> None:
        if announce is not None:
            announce([(output.temp, output.target) for output in report if output.temp is not None])

    try:
        commit_together([*others, *report], set_aside=report[1:], before_renames=tell)
    except OutputError as exc:
        raise _report_error(exc) from exc


def _report_error(exc: OutputError) -> ReportError:
    """``exc`` as a report's error, the file it is about kept (see OutputError)."""
    return ReportError(str(exc), about=exc.about, problem=exc.problem)


def discard_report(staged: list[AtomicOutput]) -> None:
    for output in staged:
        output.discard()


def write_report(timeline: SessionTimeline, folder: Path, keep_existing: bool = False) -> tuple[Path, Path]:
    """``emotion-timeline.png`` and ``emotion-summary.csv`` in ``folder`` (created); with
    ``keep_existing``, numbered names where those are taken. Returns the two paths."""
    staged = stage_report(timeline, folder, keep_existing)
    commit_report(staged)
    return staged[0].path, staged[1].path


# The start of every report file's name (numbered ones too).
_REPORT_STEMS = (Path(PNG_NAME).stem, Path(CSV_NAME).stem)


def report_folders(folder: Path) -> set[Path]:
    """Where a report written into ``folder`` has its hidden files: ``folder`` and, for a
    report name that is a symbolic link, the folder of the link's target."""
    folder = Path(folder)
    places = [folder]
    try:
        places += [entry for entry in folder.iterdir() if entry.name.startswith(_REPORT_STEMS) and entry.is_symlink()]
    except OSError:  # gone, or not a folder: nothing was written in it
        pass
    folders: set[Path] = set()
    for place in places:
        try:
            folders.add(resolved(place) if place == folder else resolved(place).parent)
        except OutputError:  # a loop of links: nothing can have been written through it
            pass
    return folders


def unfinished_report_files(folder: Path, tag: str) -> list[Path]:
    """The temporary files a report written into ``folder`` with ``tag`` left behind: a
    writer killed midway cannot remove them itself (:func:`report_folders`)."""
    return [path for place in report_folders(folder) for path in tagged_unfinished(place, tag)]


def _stage(path: Path, data: bytes, tag: str = "") -> AtomicOutput:
    try:
        return stage_bytes(path, data, tag)
    except OutputError as exc:
        raise _report_error(exc) from exc
    except OSError as exc:
        problem = f"could not be written ({exc.strerror or exc})"
        raise ReportError(f"{path}: {problem}", about=path, problem=problem) from exc


def _rgb(bgr: tuple[int, int, int]) -> tuple[float, float, float]:
    b, g, r = bgr
    return r / 255.0, g / 255.0, b / 255.0


def session_length_text(seconds: float) -> str:
    """A session's length as the timeline panel's caption and the plot's title say it: whole
    seconds gone, cut down as the seek bar's clock counts them (19.7 s reads "19 s" beside
    "0:19", where rounding read "20 s"), then tenths of a minute, cut down, from a minute on."""
    whole = _whole(max(0.0, seconds))
    return f"{whole} s" if whole < 60 else f"{_whole(seconds / 6.0) / 10.0:.1f} min"


def tenths_text(seconds: float) -> str:
    """Seconds cut down to tenths, as the plot cuts its times down: a session of 3.96 s
    reads "3.9 s" beside the plot's "over the last 3 s", where rounding read "4.0 s"; one of
    a frame or two "<0.1 s", as :func:`duration_text` says a face's, not "0.0 s"."""
    tenths = _whole(max(0.0, seconds) * 10.0)
    return "<0.1 s" if tenths == 0 and seconds > 0.0 else f"{tenths / 10.0:.1f} s"


def duration_text(seconds: float) -> str:
    """A face's time as the plot labels it: cut down as :func:`session_length_text` says the
    session's, so no face reads longer than the session it was seen in, but in tenths under
    10 s, so a face seen half a second reads "0.4 s", not "0 s", and one seen for less than a
    tenth (a frame or two) "<0.1 s", not "0.0 s"."""
    tenths = _whole(max(0.0, seconds) * 10.0)
    if tenths == 0 and seconds > 0.0:
        return "<0.1 s"
    return f"{tenths / 10.0:.1f} s" if tenths < 100 else session_length_text(seconds)


def _whole(units: float) -> int:
    """``units`` cut down to a whole number, with a millionth to spare: a face's time added up
    from frames (15 of 1/15 s) falls just short of the second it is."""
    return math.floor(units + 1e-6)
