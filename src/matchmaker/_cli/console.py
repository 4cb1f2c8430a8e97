"""What every ``matchmaker`` command shares: ``-q``/``-v``, logging, Ctrl-C, and the live progress display.

* :class:`CommandGroup` gives every command ``-q/--quiet``, ``-v/--verbose`` and ``--lang`` (a command
  added later gets them too) and turns Ctrl-C outside a solve into exit code 130;
* :func:`lang_option` is the one ``--lang`` option: ``en`` or ``sv``, by default ``MATCHMAKER_LANG`` (the
  command line reads that variable, the library never does), then English; :func:`current_lang` is the
  running command's language;
* :func:`solve_interruptibly` runs :func:`matchmaker.solve` in a worker thread so that the first Ctrl-C
  cancels the search through a :class:`~matchmaker.CancelToken` and keeps the best plan so far, and a
  second one aborts at once;
* :class:`ProgressDisplay` draws elapsed time, the phase (load, validate, score, build, solve, decode,
  check, write), stage, engine, best objective, bound and gap on standard error with ``rich``, from
  the second second of a command on until it ends, and only on a terminal.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click
from click.core import ParameterSource

from matchmaker._cli.interrupt import run_interruptible
from matchmaker._i18n import LANGS, Lang, Message, msg, tr
from matchmaker._models import Problem
from matchmaker._options import SolveOptions
from matchmaker._pipeline import solve
from matchmaker._progress import Phase, ProgressCallback, ProgressEvent, Reporter
from matchmaker._result import Result

if TYPE_CHECKING:
    from rich.console import Console  # rich (the cli extra): only when a terminal shows progress
    from rich.live import Live  # rich (the cli extra): only when a terminal shows progress

__all__ = [
    "EXIT_INTERRUPTED",
    "LANG_ENV",
    "CommandGroup",
    "Phases",
    "ProgressDisplay",
    "configure_logging",
    "current_lang",
    "is_quiet",
    "lang_option",
    "say",
    "solve_interruptibly",
    "verbosity",
]

#: Exit code after Ctrl-C (128 + SIGINT, the shell's convention).
EXIT_INTERRUPTED = 130
_QUIET = "matchmaker.quiet"
_VERBOSE = "matchmaker.verbose"
_LANG = "matchmaker.lang"
#: The environment variable that gives ``--lang`` its default (on the command line only).
LANG_ENV = "MATCHMAKER_LANG"


class _EchoHandler(logging.Handler):
    """Log records to standard error as it is when they are written (a live display may have replaced it)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            click.echo(self.format(record), err=True)
        except Exception:  # noqa: BLE001 - logging must never break a command
            self.handleError(record)


def configure_logging(verbose: int, quiet: bool) -> None:
    """Warnings by default; ``-q`` errors only, ``-v`` info, ``-vv`` debug (with the engine's search log)."""
    level = logging.WARNING
    if quiet:
        level = logging.ERROR
    elif verbose >= 2:
        level = logging.DEBUG
    elif verbose == 1:
        level = logging.INFO
    root = logging.getLogger()
    handler = next((h for h in root.handlers if isinstance(h, _EchoHandler)), None)
    if handler is None:
        handler = _EchoHandler()
        handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
    handler.setLevel(level)
    logging.getLogger("matchmaker").setLevel(level)


def _context() -> click.Context | None:
    return click.get_current_context(silent=True)


def is_quiet() -> bool:
    """Whether the running command was given ``-q``."""
    ctx = _context()
    return bool(ctx is not None and ctx.meta.get(_QUIET, False))


def verbosity() -> int:
    """How many ``-v`` the running command was given."""
    ctx = _context()
    return int(ctx.meta.get(_VERBOSE, 0)) if ctx is not None else 0


def current_lang() -> Lang:
    """The running command's language (``--lang``, else ``MATCHMAKER_LANG``, else English)."""
    ctx = _context()
    value = None if ctx is None else ctx.meta.get(_LANG, ctx.params.get("lang"))
    if value is None:  # before the command's options are read (the group's own --limit), or outside one
        value = _default_lang()
    return value if value in LANGS else "en"


def _default_lang() -> str:
    return os.environ.get(LANG_ENV, "").strip() or "en"


def _check_lang(ctx: click.Context, param: click.Parameter, value: str) -> Lang:
    for lang in LANGS:
        if value == lang:
            ctx.meta[_LANG] = lang
            return lang
    # No language is known yet, so these two say it in English.
    choices = ", ".join(LANGS)
    if param.name is not None and ctx.get_parameter_source(param.name) is ParameterSource.DEFAULT:
        raise click.UsageError(f"the environment variable {LANG_ENV} is {value!r}: set it to one of {choices}", ctx)
    raise click.BadParameter(f"{value!r} is not a language: use one of {choices}", ctx, param)


def _complete_lang(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[str]:
    return [lang for lang in LANGS if lang.startswith(incomplete)]


def _lang_attrs(*, expose: bool) -> dict[str, Any]:
    return {
        "default": _default_lang,
        "show_default": f"{LANG_ENV} or en",
        "metavar": "[en|sv]",
        "is_eager": True,  # first, so that errors about the other options are in this language
        "expose_value": expose,
        "callback": _check_lang,
        "shell_complete": _complete_lang,
        "help": "Language of everything the command prints and writes: en or sv.",
    }


#: The shared ``--lang`` option (a decorator), passed to the command as ``lang``.
lang_option = click.option("--lang", **_lang_attrs(expose=True))


def say(message: str) -> None:
    """Print an informational line on standard output, unless ``-q`` was given."""
    if not is_quiet():
        click.echo(message)


def _remember(key: str) -> Callable[[click.Context, click.Parameter, Any], None]:
    def callback(ctx: click.Context, _param: click.Parameter, value: Any) -> None:
        ctx.meta[key] = value
        configure_logging(int(ctx.meta.get(_VERBOSE, 0)), bool(ctx.meta.get(_QUIET, False)))

    return callback


def _output_options() -> list[click.Parameter]:
    # A command without its own --lang still speaks its errors and notices in the chosen language.
    quiet = "Print only errors and the output asked for (no summaries, notices or progress)."
    verbose = "More log output on standard error (-vv adds the engine's search log)."
    return [
        click.Option(["--lang"], **_lang_attrs(expose=False)),
        click.Option(["-q", "--quiet"], is_flag=True, expose_value=False, callback=_remember(_QUIET), help=quiet),
        click.Option(["-v", "--verbose"], count=True, expose_value=False, callback=_remember(_VERBOSE), help=verbose),
    ]


class CommandGroup(click.Group):
    """A click group whose commands all take ``-q``, ``-v`` and ``--lang``, and which exits with 130 on Ctrl-C."""

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        """Register ``cmd``, adding ``-q/--quiet``, ``-v/--verbose`` and ``--lang`` unless it has its own."""
        taken = {opt for param in cmd.params for opt in getattr(param, "opts", [])}
        cmd.params.extend(p for p in _output_options() if not set(p.opts) & taken)
        super().add_command(cmd, name)

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; Ctrl-C ends it with exit code 130 instead of click's 1."""
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            click.echo("\n" + tr("interrupted", current_lang()), err=True)
            ctx.exit(EXIT_INTERRUPTED)


#: What Ctrl-C does now, by phase (``None``: the search).
_CTRL_C: dict[Phase | None, Message] = {
    None: msg("Ctrl-C stops the search and keeps the best plan so far"),
    "load": msg("Ctrl-C stops; there is no plan yet, nothing is written"),
    "validate": msg("Ctrl-C stops; there is no plan yet, nothing is written"),
    "score": msg("Ctrl-C stops; there is no plan yet, nothing is written"),
    "build": msg("Ctrl-C stops; there is no plan yet, nothing is written"),
    "solve": msg("Ctrl-C stops the search and keeps the best plan so far"),
    "decode": msg("Ctrl-C stops the search and keeps the best plan so far"),
    "check": msg("Ctrl-C stops the check and writes the plan marked unchecked"),
    "write": msg("writing the plan; Ctrl-C waits until it is written"),
}
#: What the display says the command is doing in each phase.
_DOING: dict[Phase, Message] = {
    "load": msg("loading"),
    "validate": msg("validating"),
    "score": msg("scoring"),
    "build": msg("building the model"),
    "solve": msg("solving"),
    "decode": msg("decoding"),
    "check": msg("checking"),
    "write": msg("writing"),
}


def _format(value: float | None) -> str:
    if value is None:
        return "-"
    if abs(value) < 1e7:
        return f"{value:,.0f}".replace(",", " ")
    return f"{value:.6g}"


class ProgressDisplay:
    """A live line on standard error: elapsed time, stage, engine, best objective, bound and gap.

    Call it with :class:`~matchmaker.ProgressEvent` s (it is a progress callback). It appears once a
    command has run for ``delay`` seconds, follows it through every phase, and disappears when
    :meth:`close` is called, at the command's end. Use
    :meth:`for_terminal`, which gives ``None`` when standard error is not a terminal or ``rich`` is
    missing.
    """

    def __init__(self, console: Console, delay: float = 1.0, lang: Lang = "en") -> None:
        self._console = console
        self._lang = lang
        self._delay = delay
        self._lock = threading.Lock()
        self._live: Live | None = None
        self._last: ProgressEvent | None = None
        self._note: str | None = None
        self._closed = False
        self.shown = False

    @classmethod
    def for_terminal(cls, *, delay: float = 1.0, lang: Lang = "en") -> ProgressDisplay | None:
        """A display on standard error if both it and standard output are terminals (not when the plan
        goes to a file or a pager) and ``rich`` is installed, else ``None``."""
        if is_quiet() or not (_isatty(sys.stderr) and _isatty(sys.stdout)):
            return None
        try:
            from rich.console import Console  # rich (the cli extra): only when a terminal shows progress
        except ImportError:  # the cli extra brings rich; without it, solve without a display
            return None
        console = Console(stderr=True)
        if not console.is_terminal or console.is_dumb_terminal:
            return None
        return cls(console, delay, lang)

    def note(self, text: str) -> None:
        """Show ``text`` under the progress line (e.g. that Ctrl-C was heard)."""
        with self._lock:
            self._note = text
            self._refresh()

    def __call__(self, event: ProgressEvent) -> None:
        """Take an event; draw it once the solve has run for ``delay`` seconds."""
        if event.kind == "log":
            return
        with self._lock:
            self._last = event
            if self._closed:
                return
            if self._live is None and event.elapsed >= self._delay and event.kind != "done":
                from rich.live import Live  # rich (the cli extra): only when a terminal shows progress

                self._live = Live(console=self._console, auto_refresh=False, transient=True)
                self._live.start()
                self.shown = True
            self._refresh()

    def _render(self) -> Any:
        from rich.text import Text  # rich (the cli extra): only when a terminal shows progress

        e = self._last
        text = Text()
        if e is None:
            return text
        lang = self._lang
        searching = e.phase in (None, "solve")
        text.append(_DOING[e.phase or "solve"].text(lang), style="bold")
        text.append(f"  {e.elapsed:.1f} s")
        if searching:
            stage = (
                tr("stage {stage}/{stages}", lang, stage=e.stage, stages=e.stages) if e.stage else tr("preparing", lang)
            )
            levels = ", ".join(e.levels[:3]) + (f" +{len(e.levels) - 3}" if len(e.levels) > 3 else "")
            gap = "-" if e.gap is None else f"{e.gap:.2%}"
            text.append(f"  {stage}  ")
            text.append(levels, style="cyan")
            if e.engine:
                text.append(f"  ({e.engine})", style="dim")
            best, bound = (
                tr("best {best}", lang, best=_format(e.objective)),
                tr("bound {bound}", lang, bound=_format(e.bound)),
            )
            text.append(f"\n{best}  {bound}  ")
            text.append(tr("gap {gap}", lang, gap=gap), style="bold")
        note = self._note or _CTRL_C.get(e.phase, _CTRL_C[None]).text(lang)
        text.append("\n" + note, style="dim")
        return text

    def _refresh(self) -> None:
        if self._live is not None:
            self._live.update(self._render(), refresh=True)

    def close(self) -> None:
        """Remove the display (idempotent)."""
        with self._lock:
            self._closed = True
            live, self._live = self._live, None
        if live is not None:
            live.stop()


class Phases:
    """The phases of one command (load, validate, ..., write) on one clock, shown on ``display`` if there
    is one (with a tick at least every quarter second while Python runs), until :meth:`close`."""

    def __init__(self, display: ProgressDisplay | None) -> None:
        self.display = display
        self._reporter = Reporter(display if display is not None else _ignore)
        if display is not None:
            self._reporter.start()

    def phase(self, name: Phase) -> None:
        """The command enters phase ``name``."""
        self._reporter.phase(name)

    @property
    def current(self) -> Phase | None:
        """The phase the command is in."""
        return self._reporter.state.phase

    def relay(self, event: ProgressEvent) -> None:
        """An event of the solve, passed on (a progress callback for :func:`matchmaker.solve`)."""
        self._reporter.relay(event)

    def preparing(self) -> bool:
        """Whether the solve is scoring or building its model (no plan can exist yet)."""
        return self.current in ("score", "build")

    def close(self) -> None:
        """Stop the clock and take the display away (idempotent)."""
        self._reporter.finish()
        if self.display is not None:
            self.display.close()


def _ignore(event: ProgressEvent) -> None:
    """A progress callback that drops every event (no display)."""


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def solve_interruptibly(
    problem: Problem,
    options: SolveOptions,
    *,
    progress: ProgressDisplay | None = None,
    lang: Lang = "en",
    events: ProgressCallback | None = None,
    preparing: Callable[[], bool] | None = None,
) -> tuple[Result, bool]:
    """Solve with Ctrl-C as cancellation (:func:`matchmaker._cli.interrupt.run_interruptible`): the first
    Ctrl-C stops the search and keeps the best plan so far, a second one aborts with exit code 130.
    Returns the result and whether Ctrl-C was pressed. Only the main thread catches Ctrl-C. The notices
    are in ``lang``.

    ``events`` receives the solve's progress events (default: ``progress``). ``preparing`` says whether
    the solve is still scoring or building: a Ctrl-C then (when there is no plan to keep) aborts at once.
    """
    interrupted = False

    def on_interrupt() -> None:
        nonlocal interrupted
        if preparing is not None and preparing():
            raise KeyboardInterrupt  # no plan can exist yet: stop now rather than after the build
        interrupted = True
        message = tr("interrupted: stopping the solve, keeping the best plan found so far (Ctrl-C again aborts)", lang)
        if progress is not None and progress.shown:
            progress.note(message)
        else:
            click.echo(f"\n{message}", err=True)

    callback = events if events is not None else progress
    try:
        result = run_interruptible(lambda token: solve(problem, options, cancel=token, progress=callback), on_interrupt)
    except KeyboardInterrupt:
        if progress is not None:
            progress.close()
        sys.stdout.flush()
        sys.stderr.write("\n" + tr("interrupted before a plan was found: nothing written", lang) + "\n")
        sys.stderr.flush()
        os._exit(EXIT_INTERRUPTED)  # the search thread is still inside the engine: do not wait for it
    return result, interrupted
