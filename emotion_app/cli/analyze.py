"""``analyze``: emotions per face per frame of a video, an image or a folder of images."""

from __future__ import annotations

import argparse
import logging
import sys
import textwrap
import time
from collections import Counter
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..arguments import file_path_argument, path_argument, stdout_failed
from ..faces.detector import DEFAULT_MIN_FACE, LOWEST_MIN_FACE, MAX_SEARCHED_SIDE
from ..inference.steadiness import DEFAULT_STEADINESS_LEVEL, STEADINESS_LEVELS
from ..io.atomic import AtomicOutput, check_outputs, resolved, same_file
from ..io.csv_export import FaceCsvWriter, file_text
from ..io.output_recovery import recover_stopped
from ..io.overlay import ChartPlaces, draw_results
from ..io.retime import output_rate
from ..io.session_report import (
    ReportError,
    check_folder,
    commit_report,
    discard_report,
    recover_stopped_report,
    report_paths,
    stage_report,
    tenths_text,
)
from ..io.video import (
    FOLDER_VIDEO_MIN_SIDE,
    IMAGE_SUFFIXES,
    PICTURE_VIDEO_FPS,
    AnnotatedVideoWriter,
    InputError,
    MediaInput,
    OutputError,
    no_name_problem,
)
from ..percents import share_text, share_texts
from ..shipped import shipped_files
from ..timeline import SessionTimeline
from ..wording import count_text
from .common import (
    CommandError,
    Interrupted,
    MinFaceCheck,
    SignalGuard,
    add_threads_argument,
    add_verbose_argument,
    add_weights_argument,
    apply_threads,
    check_min_face,
    check_threads,
    fail,
    flush_stdout,
    input_argument,
    interrupt_signals,
    load_classifier,
    make_detector,
    open_command_input,
)

if TYPE_CHECKING:
    from ..inference.classifier import EmotionClassifier
    from ..pipeline import EmotionPipeline
    from ..results import FaceResult

# analyze --help's text is laid out here (argparse keeps the CSV table's columns only in
# raw text): wrapped to fit an 80-column terminal, which would otherwise cut words apart.
HELP_WIDTH = 79
_CSV_COLUMN_HELP = (
    ("frame", "frame index in INPUT (image index for a folder, page for a TIFF)"),
    (
        "file",
        "(a folder only) the picture's file name in the folder; bytes that are not UTF-8 written as \\xe9, "
        "and one starting =, +, - or @ (or its full-width form, a tab or a line break) or ' has a ' first, "
        "so a spreadsheet never runs it as a formula and '=x stays apart from =x (a video's or one "
        "picture's CSV has no such column)",
    ),
    ("time_s", "seconds into the video, by its frame timestamps (empty for images)"),
    ("track_id", "the face's id, stable while it is tracked (in a folder, each face its own)"),
    (
        "x, y, w, h",
        "the face box in frame pixels; it may reach past the frame's edge, as a face cut by the edge does "
        "(clamp before cropping)",
    ),
    (
        "roll",
        "the face's tilt in degrees, counter-clockwise as shown (0: upright); the model saw the face turned "
        "upright by it",
    ),
    ("label", "the label shown for the face (after --steadiness)"),
    ("confidence", "the shown probability of that label"),
    ("uncertain", '1 when the evidence is weak (the app draws the tag muted, with "?"), else 0'),
    (
        "<class>...",
        "one column per class, in the model's label order: the shown (smoothed) probability (p_<class> if a "
        "class name collides with another column)",
    ),
    ("raw_<class>...", "one column per class: the model's own probability for this frame alone"),
)


def _help_table(rows: tuple[tuple[str, str], ...], indent: int = 2, name_width: int = 15) -> str:
    """``rows`` of (name, text) as a table: each text wrapped beside its name."""
    lines: list[str] = []
    for name, text in rows:
        first = " " * indent + name.ljust(name_width)
        lines.append(
            textwrap.fill(text, HELP_WIDTH, initial_indent=first, subsequent_indent=" " * (indent + name_width))
        )
    return "\n".join(lines) + "\n"


CSV_HELP = "CSV columns (--csv), one row per face per frame:\n" + _help_table(_CSV_COLUMN_HELP)

# Inputs with more frames than this get a progress bar (when stderr is a terminal).
PROGRESS_MIN_FRAMES = 25
# Faces classified by eager fp32 before the fast (int8) runner is built: its build takes
# seconds, about what it saves over this many faces (docs/measurements.md), so a photo or
# a short clip is not kept waiting for it and a long video still gets it.
FAST_RUNNER_AFTER_FACES = 1500
# The same when the runner's graphs are cached: its build is then the agreement check.
FAST_RUNNER_AFTER_FACES_CACHED = 500

log = logging.getLogger(__name__)
_NOTHING_CHANGED = "the partial outputs were removed and existing files left as they were"


def add_parser(commands: Any, prog: str | None = None) -> None:
    """``prog``: the name an entry point gives the command (default: derived from the parent's)."""
    parser = commands.add_parser(
        "analyze",
        prog=prog,
        help="find faces and their emotions in a video, image or folder of images",
        description=textwrap.fill(
            "Find every face in INPUT (a video file, an image, or a folder of images) and classify its "
            "emotion. Writes a CSV with one row per face per frame and/or an annotated video, and prints "
            "a summary. Images of a folder (not of its subfolders) are analysed independently, in natural name "
            "order. By default "
            "its labels are the ones the desktop app would show (same steadiness, same uncertainty rule).",
            HELP_WIDTH,
        ),
        epilog=CSV_HELP
        + "\n"
        + textwrap.fill(
            "Outputs (the CSV, the video, the report's two files) appear under their names only when all are "
            "complete and verified, renamed into place together: a failed rename puts every earlier file back, "
            "and a run killed between the renames is undone by the next run writing any of its outputs. An "
            "output that is an input (also through a link) or another output is refused, and an error leaves "
            "existing files as they were (exit 2). A frame that cannot be decoded is skipped with a warning. "
            "SIGINT, SIGTERM and SIGHUP keep the frames done so far and exit 128+signal.",
            HELP_WIDTH,
        )
        + "\n",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("input", type=input_argument, metavar="INPUT", help="video file, image, or folder of images")
    parser.add_argument(
        "--csv", type=file_path_argument, metavar="OUT.csv", help="write one row per face per frame here"
    )
    parser.add_argument(
        "--report",
        type=path_argument,
        metavar="DIR",
        help="write the session timeline (emotion-timeline.png) and the seconds and share of time per "
        "person per emotion (emotion-summary.csv) into DIR, as the app's timeline panel exports them (a "
        "folder's faces named by their picture)",
    )
    parser.add_argument(
        "--output",
        "-o",
        type=file_path_argument,
        metavar="annotated.mp4",
        help="write the frames with boxes, labels and probability bars (.mp4/.m4v/.mov/.avi/.mkv, or an image "
        "suffix for one image); a video keeps the input's timing at one frame rate, its frames repeated or "
        "dropped where the input's rate changes (the summary says how many; a jump of over 10 s in its "
        "timestamps is written as one frame, and said); pictures (a folder's, a TIFF's pages, a file of one frame) "
        "a second each",
    )
    add_weights_argument(parser)
    add_threads_argument(parser)
    add_verbose_argument(parser)
    parser.add_argument(
        "--bars",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="draw a probability bar chart beside each face in --output (default: on)",
    )
    parser.add_argument(
        "--steadiness",
        default=DEFAULT_STEADINESS_LEVEL,
        metavar="{" + ",".join(STEADINESS_LEVELS) + "}",
        help=f"how calm each face's label is over time, as in the app (default {DEFAULT_STEADINESS_LEVEL}; "
        "off = every frame's own result)",
    )
    parser.add_argument(
        "--min-face",
        type=int,
        default=DEFAULT_MIN_FACE,
        metavar="PX",
        help=f"smallest face side to find, {LOWEST_MIN_FACE} to {MAX_SEARCHED_SIDE} pixels "
        f"(default {DEFAULT_MIN_FACE}; a warning says where it is larger than the frames as searched, which then "
        "hold no face)",
    )
    parser.add_argument(
        "--cnn-faces",
        action="store_true",
        help="also scan for faces the cascade misses (sunglasses, tiny faces in a gallery) with a small "
        "CNN every 30 frames, as the live app does; slower (a scan costs about a tenth of a second, as much "
        "as the rest of the face finding over dozens of frames)",
    )
    parser.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help=f"progress bar (default: on a terminal, for inputs over {PROGRESS_MIN_FRAMES} frames)",
    )
    parser.set_defaults(run=run, command_parser=parser)


def run(args: argparse.Namespace) -> int:
    with interrupt_signals() as guard:
        made = folders_to_make(args)
        try:
            try:
                return analyze(args, guard)
            except BaseException:
                remove_empty_folders(made)  # an error or a stop leaves no trace, new folders neither
                raise
        except (CommandError, InputError, OutputError) as exc:
            return fail(str(exc))
        except OSError as exc:
            return fail(str(exc))
        except Interrupted as exc:  # before the first frame: nothing was written
            print(f"{exc}; nothing was written", file=sys.stderr)
            return exc.exit_code


def analyze(args: argparse.Namespace, guard: SignalGuard | None = None) -> int:
    # Every argument is checked, and the input opened, before any output is touched.
    if args.steadiness not in STEADINESS_LEVELS:
        raise CommandError(f"--steadiness must be one of {', '.join(STEADINESS_LEVELS)}, got {args.steadiness!r}")
    check_min_face(args.min_face)
    check_threads(args.threads)
    for option, path in (("--csv", args.csv), ("--output", args.output), ("--report", args.report)):
        if path is not None and str(path) == "-":
            # Not made into a file or folder named "-": that is no one's meaning of it.
            kind = "folder" if option == "--report" else "file"
            raise CommandError(f"{option} -: analyze writes files, not to standard output; give {option} a {kind} name")
    for option, path in (("--csv", args.csv), ("--output", args.output)):
        nameless = no_name_problem(path.name) if path is not None else ""
        if nameless:  # before the input is opened, and its "is one picture" for a "..png"
            raise CommandError(f"{option} {path} {nameless}")
    outputs = [(name, path) for name, path in (("--csv", args.csv), ("--output", args.output)) if path is not None]
    if args.report:
        try:
            check_folder(args.report)
        except ReportError as exc:  # worded for the window, which has no options: name it here
            raise ReportError(f"--report {exc}") from None
        outputs += [("--report", path) for path in report_paths(args.report)]
    media = open_command_input(args.input)
    check_outputs(outputs, [media.path, *media.images, *([args.weights] if args.weights else [])], shipped_files())
    if media.kind == "folder":
        _check_no_picture_into(media.path, outputs)
    one_picture = (media.frame_count or 2) == 1  # an output with a picture's suffix is one frame
    if args.output and args.output.suffix.lower() in IMAGE_SUFFIXES and not one_picture:
        what = "a video" if media.kind == "video" else f"{media.frame_count} images"
        raise CommandError(
            f"--output {args.output} is one picture and {args.input} is {what}: use a video suffix (.mp4, .m4v, .mov, "
            ".avi or .mkv)"
        )
    video_writer = (  # opens nothing yet
        AnnotatedVideoWriter(
            args.output,
            _video_rate(args.output, media),
            FOLDER_VIDEO_MIN_SIDE if media.kind == "folder" else 0,
            name="--output",
            one_picture=one_picture,
        )
        if args.output
        else None
    )
    # The engine (torch) loads only now: help and a bad argument or input answer at once.
    from ..pipeline import EmotionPipeline

    apply_threads(args.threads)
    classifier = load_classifier(args.weights, optimize=False)
    pipeline = EmotionPipeline(
        make_detector(args.min_face),
        classifier,
        steadiness=args.steadiness,
        optimize_after_faces=fast_runner_after_faces(classifier),
        network="shipped" if args.cnn_faces else None,
    )
    # Once every argument is checked, before any output is opened: a run killed between
    # its renames (its outputs half new, half old) is made whole or undone first.
    recover_stopped_outputs(args)
    # A run cut short never replaces an output that was already there (below, after the frames).
    existing = [path for _, path in outputs if path.exists()]
    # Every person's seconds go into the report's CSV, however many faces the input holds.
    timeline = SessionTimeline(classifier.labels, keep_folded=True) if args.report else None
    tally = _Tally()
    interrupted: Interrupted | None = None
    progress = _progress_bar(media, args.progress)
    started = time.perf_counter()
    csv_writer: FaceCsvWriter | None = None
    held = guard.held if guard is not None else nullcontext
    # The outer try catches a stop signal wherever it lands, the inner one's cleanup
    # included (until it defers the signals): the outputs are then finished or dropped,
    # never left behind as hidden part files.
    try:
        try:
            with held():  # a signal while the CSV's part file is made waits until it exists
                csv_writer = (
                    FaceCsvWriter(args.csv, classifier.labels, file_column=media.kind == "folder") if args.csv else None
                )
            with _logs_above(progress):
                _analyse_frames(args, media, pipeline, csv_writer, video_writer, timeline, tally, held, progress)
        finally:
            if guard is not None:
                guard.defer()  # from here on a signal is only noted: the outputs are finished below
            _close_progress(progress)
    except Interrupted as exc:
        interrupted = exc  # finish the outputs with the frames done so far
    except BaseException as exc:
        # An error leaves every existing file as it was: the partial outputs go.
        for writer in (csv_writer, video_writer):
            if writer is not None:
                writer.discard()
        if isinstance(exc, OutputError):
            writing = tally.index if tally.writing is None else tally.writing
            raise OutputError(f"{exc} while writing frame {writing}; {_NOTHING_CHANGED}") from exc
        raise
    frames = tally.frames
    if frames == 0:
        for writer in (csv_writer, video_writer):
            if writer is not None:
                writer.discard()
        if interrupted is not None:
            raise interrupted
        raise InputError(f"{args.input}: no frame could be read")
    if interrupted is None and guard is not None and guard.received is not None:
        interrupted = Interrupted(guard.received)  # arrived while the frames' loop was closing
    left_alone: list[Path] = []
    # A signal during the last frame still leaves every frame done: the outputs are whole.
    whole = media.frame_count is not None and tally.index + 1 >= media.frame_count
    if interrupted is not None and not whole:
        left_alone = existing
        if args.output is not None and args.output in left_alone and video_writer is not None:
            video_writer.discard()
            video_writer = None
        if args.csv is not None and args.csv in left_alone and csv_writer is not None:
            csv_writer.discard()
            csv_writer = None
        if args.report is not None and any(path in left_alone for path in report_paths(args.report)):
            timeline = None  # the report's two files go together
    _end_outputs(media, tally, video_writer, timeline)
    _finish_outputs(video_writer, csv_writer, timeline, args.report)
    if interrupted is None and guard is not None and guard.received is not None:
        interrupted = Interrupted(guard.received)
    elapsed = time.perf_counter() - started
    if interrupted is not None:
        written = any(writer is not None for writer in (video_writer, csv_writer, timeline))
        unit = "image" if media.kind != "video" else "frame"
        told = [f"{interrupted} after {frames_done(frames, media.frame_count, unit)}"]
        if written:
            told.append("outputs written so far are kept")
        if left_alone:
            told.append(
                f"{' and '.join(map(str, left_alone))} existed and {'was' if len(left_alone) == 1 else 'were'} left "
                "as before (a run cut short never replaces a file)"
            )
        print("; ".join(told), file=sys.stderr)
    try:
        _print_summary(args, media, tally, elapsed, classifier.labels)
        if csv_writer is not None:
            print(f"CSV: {args.csv} ({count_text(csv_writer.rows_written, 'row')})")
        if timeline is not None:
            png, summary = report_paths(args.report)
            people = count_text(len(timeline.everyone()), "person", "people")
            print(f"report: {png} and {summary.name} ({tenths_text(timeline.now_s)}, {people})")
        if video_writer is not None and video_writer.frames_written:
            if video_writer.still:
                print(f"annotated image: {args.output}")
            else:
                print(f"annotated video: {args.output} ({_video_text(video_writer)})")
        flush_stdout()
    except OSError as exc:  # standard output is a full disk, a closed pipe, ...
        return stdout_failed(exc, "the outputs are written, but their summary")
    return interrupted.exit_code if interrupted is not None else 0


def _video_rate(output: Path, media: MediaInput) -> float | None:
    """The annotated video's frame rate: from the input's frame times for a video (its
    first ones: read now, before any output is made), a picture a second for pictures."""
    if media.kind != "video":
        return PICTURE_VIDEO_FPS
    if output.suffix.lower() in IMAGE_SUFFIXES:
        return media.fps
    return output_rate(media.first_times(), media.fps)


def _video_text(writer: AnnotatedVideoWriter) -> str:
    """The annotated video's frames, and where they are not the input's one for one, its
    rate and the frames repeated and dropped to keep the input's timing."""
    frames = count_text(writer.frames_written, "frame")
    jump = ""
    if writer.jumps:
        index, step_s = writer.jumps[0]
        more = f" (and {writer.jump_count - 1} more)" if writer.jump_count > 1 else ""
        jump = f"; a jump of {step_s:.1f} s in the input's timestamps at frame {index} was not held{more}"
    if not writer.repeated and not writer.dropped:
        return frames + jump
    return (
        f"{frames} at {writer.fps:.2f} fps, keeping the input's timing: {writer.repeated} repeated, "
        f"{writer.dropped} dropped{jump}"
    )


def folders_to_make(args: argparse.Namespace) -> list[Path]:
    """The folders the outputs would be written into that do not exist yet, deepest first."""
    wanted = [path.parent for path in (args.csv, args.output) if path is not None]
    wanted += [args.report] if args.report is not None else []
    missing: list[Path] = []
    try:
        for folder in wanted:
            folder = folder.absolute()
            while not folder.exists() and folder not in missing:
                missing.append(folder)
                folder = folder.parent
    except OSError:  # a name too long, say: the checks of the outputs tell it
        pass
    return sorted(missing, key=lambda folder: len(folder.parts), reverse=True)


def remove_empty_folders(folders: list[Path]) -> None:
    """Remove those of ``folders`` (deepest first) that are empty; the others stay."""
    for folder in folders:
        with suppress(OSError):  # holds something (kept), or was never made
            folder.rmdir()


@dataclass
class _Tally:
    """What the frames analysed so far hold (the summary's figures)."""

    index: int = 0  # the input's index of the frame being analysed
    # The input's index of the frame being written, where that is another: the annotated
    # video holds each frame of a video until the next one's time says how long it lasts.
    writing: int | None = None
    frames: int = 0
    frames_with_face: int = 0
    faces: int = 0
    label_counts: Counter[str] = field(default_factory=Counter)
    tracks: set[int] = field(default_factory=set)
    # The frame analysed last, in every output: its index, time and faces (its end is
    # counted once no frame follows).
    last: tuple[int, float | None, list[FaceResult]] | None = None


def frames_done(frames: int, total: int | None, unit: str = "frame") -> str:
    """How far an interrupted run got: "12 of 300 frames", or "1 frame" with no known total
    (``unit``: "image" for a folder or a picture's pages, as the summary counts them)."""
    return f"{frames} of {total} {unit}s" if total else count_text(frames, unit)


def _analyse_frames(
    args: argparse.Namespace,
    media: MediaInput,
    pipeline: EmotionPipeline,
    csv_writer: FaceCsvWriter | None,
    video_writer: AnnotatedVideoWriter | None,
    timeline: SessionTimeline | None,
    tally: _Tally,
    held: Callable[[], AbstractContextManager[None]],
    progress: Any,
) -> None:
    """Every frame of ``media`` through the pipeline into the outputs, counted in ``tally``."""
    labels = pipeline.classifier.labels
    in_video: int | None = None  # the frame the annotated video holds
    min_face = MinFaceCheck(args.min_face, media)
    # A video's charts keep their places from frame to frame; a still's are its own.
    chart_places = ChartPlaces() if media.kind == "video" else None
    for tally.index, time_s, frame in media.frames():
        min_face.check(tally.index, frame)
        with held():  # a stop signal waits for the frame to be in every output
            # A still starts afresh by itself (no tracking across images) while ids count on,
            # so each face of a folder is one person in the CSV and the report (restarting at
            # 1, the report added up the first faces of every picture as one "#1").
            # A video's frame shows until its own end (a GIF's slide held seconds shows its
            # faces at once, as the window shows them).
            end_s = media.end_s(tally.index, time_s)
            shown_s = end_s - time_s if end_s is not None and time_s is not None else None
            still = media.kind != "video"
            results = pipeline.process(frame, time_s if time_s is not None else 0.0, still=still, shown_s=shown_s)
            tally.frames += 1
            tally.faces += len(results)
            tally.frames_with_face += bool(results)
            tally.label_counts.update(result.label for result in results)
            tally.tracks.update(result.track_id for result in results)
            picture = _picture_name(media, tally.index)
            if csv_writer is not None:
                csv_writer.write_frame(tally.index, time_s, results, picture)
            if timeline is not None:
                if picture is not None:
                    # Each face of a folder is a person of its own: the report names them
                    # by their picture, "photo.jpg (#3)", not by an id alone.
                    for result in results:
                        timeline.set_name(result.track_id, file_text(picture))
                # A video's frame counts its time in the file, as its annotated video holds it.
                timeline.add(time_s, results, frame, in_file=media.kind == "video")
            if video_writer is not None:
                annotated = draw_results(
                    frame, results, labels, show_bars=args.bars, in_place=True, chart_places=chart_places
                )
                if media.kind == "video":  # at its own time: repeated or dropped at a change of rate
                    tally.writing = in_video
                    video_writer.write_at(annotated, time_s, tally.index)
                    tally.writing, in_video = None, tally.index
                else:
                    video_writer.write(annotated)
            tally.last = (tally.index, time_s, results)
        if progress is not None:
            try:
                progress.update(1)
                progress.set_postfix(faces=tally.faces, refresh=False)
            except OSError:  # the terminal went away (stderr piped into `head`): analyse on
                progress.disable = True  # nor a last line at its close
                progress = None


def _end_outputs(
    media: MediaInput, tally: _Tally, video_writer: AnnotatedVideoWriter | None, timeline: SessionTimeline | None
) -> None:
    """The frame analysed last shown until its own end (:meth:`.MediaInput.end_s`: an
    animated GIF's last delay, a video's frame interval) in the annotated video and the
    report: each frame lasts until the next one's time, and after the last none comes."""
    if tally.last is None or media.kind != "video":
        return
    index, time_s, results = tally.last
    end_s = media.end_s(index, time_s)
    if video_writer is not None:
        video_writer.end_at(end_s)
    if timeline is not None:
        timeline.end(end_s, results, in_file=True)


def _picture_name(media: MediaInput, index: int) -> str | None:
    """A folder's picture ``index``: its name in the folder (None for other inputs)."""
    if media.kind != "folder":
        return None
    return str(media.images[index].relative_to(media.path))


def _logs_above(progress: Any) -> AbstractContextManager[None]:
    """While the bar is up, a warning (--min-face too large, a page skipped) goes on a line
    of its own above it, not onto the bar's line."""
    if progress is None:
        return nullcontext()
    from tqdm.contrib.logging import logging_redirect_tqdm

    return logging_redirect_tqdm()


def _close_progress(progress: Any) -> None:
    if progress is not None:
        with suppress(OSError):
            progress.close()


def _check_no_picture_into(folder: Path, outputs: list[tuple[str, Path]]) -> None:
    """Refuse a picture written into the input ``folder``: the next run would take it for
    one of the folder's pictures (the report's PNG too)."""
    for name, path in outputs:
        if path.suffix.lower() in IMAGE_SUFFIXES and same_file(path.absolute().parent, folder):
            raise OutputError(
                f"{name} {path} is a picture in the input folder {folder}; the next run would analyse it as one of "
                "its pictures: write it elsewhere"
            )


def fast_runner_after_faces(classifier: EmotionClassifier) -> int:
    """Faces to classify with eager fp32 before building the fast runner."""
    from ..inference.runner_cache import has_entry_for_model  # imports torch: only once it is needed

    cached = has_entry_for_model(classifier.model.state_dict(), classifier.preprocessing)
    return FAST_RUNNER_AFTER_FACES_CACHED if cached else FAST_RUNNER_AFTER_FACES


def _finish_outputs(
    video_writer: AnnotatedVideoWriter | None,
    csv_writer: FaceCsvWriter | None,
    timeline: SessionTimeline | None,
    report_folder: Path | None,
) -> None:
    """Verify every output, then put them all in place as one group: the CSV, the video,
    the report's table and plot (:func:`.session_report.commit_report`). A failure at any
    step, a failed rename included, leaves every existing file as it was; a kill between
    the renames is finished or undone by the next run writing any of them."""
    writers = [writer for writer in (video_writer, csv_writer) if writer is not None]
    staged: list[AtomicOutput] = []
    if timeline is not None and report_folder is not None:
        try:
            staged = stage_report(timeline, report_folder)
        except OutputError as exc:
            for writer in writers:
                writer.discard()
            raise OutputError(f"{exc}; {_NOTHING_CHANGED}") from exc
    finished: list[AtomicOutput] = []
    for finishing in (csv_writer, video_writer):
        if finishing is None:
            continue
        try:
            output = finishing.finish()
        except OutputError as exc:
            for writer in writers:
                writer.discard()
            for done in finished:
                done.discard()
            discard_report(staged)
            raise OutputError(f"{exc}; {_NOTHING_CHANGED}") from exc
        if output is not None:
            finished.append(output)
    # Its message says what became of the existing files ("nothing was changed").
    commit_report(staged, others=finished)


def recover_stopped_outputs(args: argparse.Namespace) -> None:
    """What an earlier run killed between its renames left for these outputs: its group
    finished or undone (in every folder it had outputs in), a warning for each earlier
    file put back. Unfinished data of a run killed before its renames stays."""
    files = [resolved(path) for path in (args.csv, args.output) if path is not None]
    for line in recover_stopped({path.parent for path in files}, [path.name for path in files], temporaries=False):
        log.warning("%s", line)
    if args.report is not None:
        recover_stopped_report(args.report)


def _progress_bar(media: MediaInput, wanted: bool | None) -> Any:
    long_input = media.frame_count is None or media.frame_count > PROGRESS_MIN_FRAMES
    if sys.stderr is None:  # started with standard error closed (`2>&-`): nowhere to show it
        return None
    show = wanted if wanted is not None else (long_input and sys.stderr.isatty())
    if not show:
        return None
    from tqdm import tqdm

    return tqdm(total=media.frame_count, unit="frame", desc="analyze", file=sys.stderr, dynamic_ncols=True)


def _print_summary(
    args: argparse.Namespace, media: MediaInput, tally: _Tally, elapsed: float, labels: tuple[str, ...]
) -> None:
    frames, faces, label_counts = tally.frames, tally.faces, tally.label_counts
    unit = "image" if media.kind != "video" else "frame"
    rate = frames / elapsed if elapsed > 0 else float("inf")
    print(f"{args.input}: {count_text(frames, unit)} analysed in {elapsed:.1f} s ({rate:.1f} per second)")
    # "0%" and "100%" only for none and all: 249 frames of 250 read ">99%", not "100%".
    share = share_text(tally.frames_with_face / frames if frames else 0.0)
    tracked = f", {count_text(len(tally.tracks), 'track')}" if media.kind == "video" else ""
    print(f"faces: {faces} in {tally.frames_with_face} of {count_text(frames, unit)} ({share}){tracked}")
    if faces:
        # Whole percents that add up to 100, as the shares do (each rounded alone, three
        # could read 51%, 40% and 10%); 1 box of 250 reads "<1%", not "0%".
        by_count = sorted(labels, key=lambda name: -label_counts[name])
        texts = share_texts([label_counts[label] / faces for label in by_count])
        shares = ", ".join(f"{label} {text}" for label, text in zip(by_count, texts) if label_counts[label])
        print(f"emotions: {shares}")
    else:
        print("emotions: no face found")
