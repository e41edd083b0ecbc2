"""The command line: thin over the library; the only place that prints, handles signals or sets exit codes."""

from __future__ import annotations

import os
import signal
import sys
import time
from collections.abc import Callable, Iterable
from functools import wraps
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any, TypeVar

import click

from generator import pipeline
from generator.errors import ContentError, Diagnostic, GeneratorError, UsageError
from generator.files import display_name
from generator.progress import terminal_progress

if TYPE_CHECKING:
    from generator.preview.site import PreviewResult
    from generator.watch import Rebuild

EXIT_CONTENT = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 128 + signal.SIGINT  # 130, as shells report a command stopped by Ctrl-C
EXIT_TERMINATED = 128 + signal.SIGTERM  # 143
F = TypeVar("F", bound=Callable[..., Any])
# A build stopped before it puts its outputs in place changes none; one stopped after has written all.
STOPPED = "no output is left half-written"

content_argument = click.argument(
    "content_dir", default="content", required=False,
    type=click.Path(file_okay=False, path_type=Path))
strict_option = click.option("--strict", is_flag=True, help="Treat warnings as errors.")


def package_path(context: click.Context, parameter: click.Parameter, value: str | None) -> Path | None:
    """-o names a file: `-o build/` (a folder) is refused rather than written as a file called `build`."""
    if value is not None and value.endswith(("/", os.sep)):
        raise click.BadParameter(f"{value!r} is a folder; give a file name such as {value}deck.apkg")
    return Path(value) if value is not None else None


package_option = click.option("-o", "--output", type=click.Path(dir_okay=False), callback=package_path,
                              help="Package to write (default: build/<deck key>.apkg).")


def report(diagnostics: Iterable[Diagnostic]) -> None:
    diagnostics = list(diagnostics)
    for diagnostic in sorted(diagnostics, key=lambda d: (d.location.path, d.location.line)):
        click.echo(diagnostic.format(), err=True)
    errors = sum(d.is_error for d in diagnostics)
    warnings = len(diagnostics) - errors
    if diagnostics:
        click.echo(f"{errors} error(s), {warnings} warning(s)", err=True)


def library_errors(command: F) -> F:
    """Map the library's exceptions to messages and exit codes, once, at the boundary."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except ContentError as failure:
            report(failure.diagnostics)
            click.echo("build failed: no output was changed", err=True)
            sys.exit(EXIT_CONTENT)
        except UsageError as failure:
            click.echo(f"error: {failure}", err=True)
            sys.exit(EXIT_USAGE)
        except OSError as failure:  # e.g. an output folder that cannot be created
            where = f" {failure.filename}" if failure.filename else ""
            click.echo(f"error: cannot access{where}: {failure.strerror or failure}", err=True)
            sys.exit(EXIT_USAGE)
        except GeneratorError as failure:
            click.echo(f"error: {failure}", err=True)
            sys.exit(EXIT_CONTENT)

    return wrapper  # type: ignore[return-value]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="wahrheiten-deck", prog_name="wahrheiten-deck")
def main() -> None:
    """Compile Markdown training content into an Anki deck (.apkg).

    CONTENT_DIR defaults to ./content. Exit codes: 0 ok, 1 content errors, 2 usage errors,
    130 interrupted (Ctrl-C), 143 terminated.
    """


@main.command()
@content_argument
@package_option
@strict_option
@click.option("--preview", is_flag=True, help="Also write the HTML preview to <package folder>/preview.")
@click.option("-q", "--quiet", is_flag=True, help="Show no progress bar (it shows only on a terminal).")
@library_errors
def build(content_dir: Path, output: Path | None, strict: bool, preview: bool, quiet: bool) -> None:
    """Build the Anki package, the release notes (CHANGES.md) and update the lock file.

    Parsed and rendered files are cached in .cache beside the package: rebuilds redo only changed files.
    """
    with terminal_progress(sys.stderr, quiet) as progress:
        result = pipeline.build(content_dir, output, strict=strict, cache=True, progress=progress)
    report(result.compiled.warnings)
    lock = result.compiled.lock
    summary = (f"{len(lock.changes.added)} added, {len(lock.changes.changed)} changed, "
               f"{len(lock.changes.retired)} retired" if result.compiled.new_release
               else "no changes since the last release")
    click.echo(f"wrote {result.output} ({result.notes} notes, version {lock.release}: {summary}); "
               f"release notes in {result.changes}")
    if preview:
        from generator.preview.site import write_preview

        echo_preview(write_preview(result.compiled, result.output.parent / "preview"))


@main.command()
@content_argument
@strict_option
@library_errors
def check(content_dir: Path, strict: bool) -> None:
    """Validate the content and report every problem, without writing anything."""
    diagnostics = pipeline.check(content_dir, strict=strict)
    report(diagnostics)
    if any(d.is_error or strict for d in diagnostics):
        sys.exit(EXIT_CONTENT)
    click.echo("content is valid")


@main.command()
@content_argument
@library_errors
def ids(content_dir: Path) -> None:
    """Write missing keys into the content files (in place; nothing else changes)."""
    from generator.ids import write_missing_keys

    changed = write_missing_keys(content_dir)
    for path in changed:
        click.echo(f"added keys to {path}")
    if not changed:
        click.echo("every note already has a key")


@main.command()
@content_argument
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path),
              default=pipeline.DEFAULT_PREVIEW_DIR, show_default=True,
              help="Folder for index.html and the deck's images.")
@library_errors
def preview(content_dir: Path, output: Path) -> None:
    """Write an HTML preview of every card, front and back, that prints as the handout.

    Open OUTPUT/index.html in a browser (works offline from disk); nothing is imported into Anki.
    """
    from generator.preview.site import write_preview

    compiled = pipeline.compile_content(content_dir)
    report(compiled.warnings)
    echo_preview(write_preview(compiled, output))


def echo_preview(result: PreviewResult) -> None:
    click.echo(f"wrote preview {display_name(result.index)} ({len(result.cards)} cards)")


@main.command()
@content_argument
@package_option
@click.option("--preview-dir", type=click.Path(file_okay=False, path_type=Path),
              default=pipeline.DEFAULT_PREVIEW_DIR, show_default=True, help="Folder for the preview.")
@library_errors
def watch(content_dir: Path, output: Path | None, preview_dir: Path) -> None:
    """Rebuild the package and the preview whenever a content file is saved (Ctrl+C stops).

    Problems are printed and the last good output is kept. The lock file and CHANGES.md are
    not written: run `build` to cut a release.
    """
    from generator.watch import watch as watch_content

    click.echo(f"watching {display_name(content_dir)} for changes (Ctrl+C stops)")
    try:
        watch_content(content_dir, echo_rebuild, output, preview_dir)
    except KeyboardInterrupt:
        click.echo("stopped watching")


def echo_rebuild(rebuild: Rebuild) -> None:
    clock = time.strftime("%H:%M:%S")
    trigger = f" after changes to {', '.join(display_name(p) for p in rebuild.changed)}" \
        if rebuild.changed else ""
    report(rebuild.diagnostics)
    if rebuild.problem:
        click.echo(f"error: {rebuild.problem}", err=True)
    if rebuild.ok and rebuild.package and rebuild.preview:
        click.echo(f"[{clock}] rebuilt {display_name(rebuild.package)} and {display_name(rebuild.preview)}"
                   f" ({rebuild.cards} cards) in {rebuild.seconds:.2f} s{trigger}")
    else:
        click.echo(f"[{clock}] build failed{trigger}: kept the last good output", err=True)


class Terminated(BaseException):
    """SIGTERM arrived: raised where the program is, so that every cleanup on the way out runs (a
    BaseException, as KeyboardInterrupt: no `except Exception` on the way may take it for an error)."""


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise Terminated


def run() -> None:
    """The console script and `python -m generator`: `main`, with Ctrl-C and SIGTERM ending it cleanly.

    Both arrive as exceptions wherever the build is, so staged files are removed on the way out; the
    process then exits with the shell's code for the signal (130, 143) and a one-line message.
    """
    signal.signal(signal.SIGTERM, _terminate)
    try:
        code = main(standalone_mode=False)
    except click.Abort as abort:  # click turns Ctrl-C into Abort
        interrupted = isinstance(abort.__cause__, KeyboardInterrupt)
        click.echo(f"{'interrupted' if interrupted else 'aborted'}: {STOPPED}", err=True)
        sys.exit(EXIT_INTERRUPTED if interrupted else EXIT_CONTENT)
    except click.ClickException as failure:
        failure.show()
        sys.exit(failure.exit_code)
    except KeyboardInterrupt:
        click.echo(f"interrupted: {STOPPED}", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except Terminated:
        click.echo(f"terminated: {STOPPED}", err=True)
        sys.exit(EXIT_TERMINATED)
    sys.exit(code if isinstance(code, int) else 0)
