"""The command line: thin over the library; the only place that prints or sets exit codes."""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable, Iterable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

import generator
from generator import pipeline
from generator.errors import ContentError, Diagnostic, GeneratorError, UsageError
from generator.progress import terminal_progress

EXIT_CONTENT = 1
EXIT_USAGE = 2
kept_until_exit: list[object] | None = None  # a list while `run` runs: see there
F = TypeVar("F", bound=Callable[..., Any])

content_argument = click.argument(
    "content_dir", default="content", required=False,
    type=click.Path(file_okay=False, path_type=Path))
strict_option = click.option("--strict", is_flag=True, help="Treat warnings as errors.")


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


def show_version(context: click.Context, _: click.Parameter, value: bool) -> None:
    """--version, as click.version_option shows it, with the version read only when asked for."""
    if value and not context.resilient_parsing:
        click.echo(f"wahrheiten-deck, version {generator.__version__}")
        context.exit()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--version", is_flag=True, expose_value=False, is_eager=True, callback=show_version,
              help="Show the version and exit.")
def main() -> None:
    """Compile Markdown training content into an Anki deck (.apkg).

    CONTENT_DIR defaults to ./content. Exit codes: 0 ok, 1 content errors, 2 usage errors.
    """


@main.command()
@content_argument
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Package to write (default: build/<deck key>.apkg).")
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
    if kept_until_exit is not None:
        kept_until_exit.append(result)
    report(result.compiled.warnings)
    lock = result.compiled.lock
    summary = (f"{len(lock.changes.added)} added, {len(lock.changes.changed)} changed, "
               f"{len(lock.changes.retired)} retired" if result.compiled.new_release
               else "no changes since the last release")
    click.echo(f"wrote {result.output} ({result.notes} notes, version {lock.release}: {summary}); "
               f"release notes in {result.changes}")
    if preview:
        write_build_preview(result)


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
    from generator.ids import write_missing_keys  # only this command needs it

    changed = write_missing_keys(content_dir)
    for path in changed:
        click.echo(f"added keys to {path}")
    if not changed:
        click.echo("every note already has a key")


from generator.cli_preview import preview, watch, write_build_preview  # noqa: E402

main.add_command(preview)
main.add_command(watch)

def run() -> None:
    """The console script (and `python -m generator`): `main`, then the process ends at once.

    Python would otherwise free every object a build made one by one before exiting (measured: 90 ms
    after a 50,000-note build), and the build command its result when it returns (12 ms at 10,000
    notes): it is kept here instead. Everything is written and closed by then; the output streams are
    flushed here. `main` itself, as tests call it, exits normally and frees everything.
    """
    global kept_until_exit
    kept_until_exit = []
    try:
        main()
        code: object = 0
    except SystemExit as done:
        code = 0 if done.code is None else done.code
    if not isinstance(code, int):
        click.echo(code, err=True)
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


# Everything imported so far lives until the process ends: the collector's full passes need not walk it
# again and again while a build makes its many objects (measured: 60-90 ms of a 10,000-note build).
gc.freeze()
