"""The faces besides the HTML report: the command group every command shares (-q/-v, Ctrl-C, shell
completion), Result.to_frame, the matplotlib plots and the notebook summaries."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import matchmaker as mm
from matchmaker._cli import cli
from matchmaker._cli.console import EXIT_INTERRUPTED, CommandGroup, is_quiet, say, verbosity
from matchmaker.report._charts import all_charts

ROOT = Path(__file__).resolve().parents[1]
SODERTALJE = ROOT / "examples" / "sodertalje" / "problem.json"


@pytest.fixture(scope="module")
def solved() -> tuple[mm.Problem, mm.Result]:
    problem = mm.load_problem(SODERTALJE)
    return problem, mm.solve(problem)


def test_every_command_takes_quiet_and_verbose() -> None:
    for name, command in cli.commands.items():
        options = {opt for p in command.params for opt in getattr(p, "opts", [])}
        assert {"-q", "--quiet", "-v", "--verbose"} <= options, name


def test_a_command_added_later_gets_the_shared_options_and_ctrl_c() -> None:
    group = CommandGroup()
    seen: list[tuple[bool, int]] = []

    @group.command("hello")
    def hello() -> None:
        seen.append((is_quiet(), verbosity()))
        say("hello")

    @group.command("stop")
    def stop() -> None:
        raise KeyboardInterrupt

    runner = CliRunner()
    assert runner.invoke(group, ["hello"]).output == "hello\n"
    assert runner.invoke(group, ["hello", "-q"]).output == ""
    assert runner.invoke(group, ["hello", "-vv"]).exit_code == 0
    assert seen == [(False, 0), (True, 0), (False, 2)]
    stopped = runner.invoke(group, ["stop"])
    assert stopped.exit_code == EXIT_INTERRUPTED
    assert "interrupted" in stopped.output


def test_quiet_silences_the_summaries() -> None:
    runner = CliRunner()
    loud = runner.invoke(cli, ["validate", str(SODERTALJE)])
    assert loud.exit_code == 0
    assert "valid." in loud.output
    quiet = runner.invoke(cli, ["validate", str(SODERTALJE), "-q"])
    assert quiet.exit_code == 0
    assert quiet.output == ""
    bad = runner.invoke(cli, ["validate", str(ROOT / "nope.json"), "-q"])
    assert bad.exit_code == 2  # errors still show
    assert "error:" in bad.output


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_shell_completion(shell: str) -> None:
    run = CliRunner().invoke(cli, ["completion", shell])
    assert run.exit_code == 0
    assert "_MATCHMAKER_COMPLETE" in run.output
    assert CliRunner().invoke(cli, ["completion", "tcsh"]).exit_code == 2


def _complete(words: str) -> list[str]:
    """What click's bash completion offers for the last of ``words`` (as the shell would ask)."""
    env = {"_MATCHMAKER_COMPLETE": "bash_complete", "COMP_WORDS": words, "COMP_CWORD": str(len(words.split()) - 1)}
    done = subprocess.run(
        [sys.executable, "-c", "from matchmaker._cli import cli; cli(prog_name='matchmaker')"],
        env={**env, "PATH": ""},
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    return done.stdout.splitlines()


def test_completion_completes_commands_and_options() -> None:
    assert "plain,report" in _complete("matchmaker rep")
    assert "plain,--progress-after" in _complete("matchmaker solve --progress")
    assert "plain,--explain" in _complete("matchmaker report --ex")


def test_to_frame_has_one_row_per_applicant(solved: tuple[mm.Problem, mm.Result]) -> None:
    problem, result = solved
    frame = result.to_frame()
    assert list(frame["applicant"]) == sorted(a.id for a in problem.applicants)
    assert int(frame["placed"].sum()) == len(result.assignments)
    placed = frame[frame["placed"]].set_index("applicant")
    for a in result.assignments:
        row = placed.loc[a.applicant]
        assert (row["unit"], row["supervisor"], row["municipality"], row["rank"], row["fit"]) == (
            a.unit,
            a.supervisor,
            a.municipality,
            a.rank,
            a.fit,
        )
    unplaced = frame[~frame["placed"]].set_index("applicant")
    for u in result.unplaced:
        assert unplaced.loc[u.applicant, "reason"] == u.reason.value
    assert str(frame["rank"].dtype) == "Int64"


def test_plots_show_the_chart_numbers(solved: tuple[mm.Problem, mm.Result]) -> None:
    pytest.importorskip("matplotlib")
    from matplotlib.patches import Rectangle

    _, result = solved
    figure = mm.plot_result(result)
    axes = figure.axes
    assert len(axes) == 4
    for ax, chart in zip(axes, all_charts(result), strict=True):
        rects = [p for p in ax.patches if isinstance(p, Rectangle)]
        heights = [p.get_width() if chart.key.startswith("fill_") else p.get_height() for p in rects]
        values = [float(b.value) for b in chart.bars]
        assert heights[-len(values) :] == values  # the placed bars (the fill charts draw capacity first)
    one = mm.plot_result(result, charts=["fit_distribution"])
    assert len([ax for ax in one.axes if ax.get_visible()]) == 1
    with pytest.raises(ValueError, match="unknown charts"):
        mm.plot_result(result, charts=["pie"])
    with pytest.raises(ValueError, match="need as many axes"):
        mm.plot_result(result, axes=[one.axes[0]])


def test_notebook_summaries(solved: tuple[mm.Problem, mm.Result]) -> None:
    problem, result = solved
    assert "matchmaker Problem" in problem._repr_html_()
    summary = result._repr_html_()
    assert "matchmaker Result" in summary
    assert f"{len(result.assignments)} placed" in summary
