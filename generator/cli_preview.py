"""The preview and watch commands; generator.cli registers them on its command group.

The preview and watch modules are imported when their command runs, so that `build` starts fast.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from generator.errors import Diagnostic
from generator.pipeline import DEFAULT_PREVIEW_DIR, BuildResult, compile_content
from generator.sources import display_name

if TYPE_CHECKING:
    from generator.preview import PreviewResult
    from generator.watch import Rebuild

F = TypeVar("F", bound=Callable[..., Any])

content_argument = click.argument(
    "content_dir", default="content", required=False,
    type=click.Path(file_okay=False, path_type=Path))


def library_errors(command: F) -> F:
    """generator.cli's mapping of library errors to exit codes, looked up when the command runs
    (generator.cli imports this module at its end, so it cannot be imported here at load time)."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from generator.cli import library_errors as mapped

        return mapped(command)(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def report(diagnostics: Iterable[Diagnostic]) -> None:
    from generator.cli import report as cli_report

    cli_report(diagnostics)


@click.command()
@content_argument
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path),
              default=DEFAULT_PREVIEW_DIR, show_default=True,
              help="Folder for index.html and the deck's images.")
@library_errors
def preview(content_dir: Path, output: Path) -> None:
    """Write an HTML preview of every card, front and back, that prints as the handout.

    Open OUTPUT/index.html in a browser (works offline from disk); nothing is imported into Anki.
    """
    from generator.preview import write_preview

    compiled = compile_content(content_dir)
    report(compiled.warnings)
    echo_preview(write_preview(compiled, output))


def echo_preview(result: PreviewResult) -> None:
    click.echo(f"wrote preview {display_name(result.index)} ({len(result.cards)} cards)")


def write_build_preview(result: BuildResult) -> None:
    """`build --preview`: the preview beside the package, from the same compiled deck."""
    from generator.preview import write_preview

    echo_preview(write_preview(result.compiled, result.output.parent / "preview"))


@click.command()
@content_argument
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Package to write (default: build/<deck key>.apkg).")
@click.option("--preview-dir", type=click.Path(file_okay=False, path_type=Path),
              default=DEFAULT_PREVIEW_DIR, show_default=True, help="Folder for the preview.")
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
