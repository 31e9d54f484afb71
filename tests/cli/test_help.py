"""Every command and sub-command has help text, and --help works on each."""

import click
import typer.main
from typer.testing import CliRunner

from carlzon.cli import app

runner = CliRunner()


def _walk(cmd: click.Command, path: list[str]):
    yield path, cmd
    if isinstance(cmd, click.Group):
        for name, sub in cmd.commands.items():
            yield from _walk(sub, path + [name])


def test_every_command_has_help():
    root = typer.main.get_command(app)
    missing = [" ".join(p) for p, c in _walk(root, []) if p and not (c.help or c.short_help)]
    assert not missing, f"commands without help: {missing}"


def test_help_runs_for_every_command():
    root = typer.main.get_command(app)
    for path, _ in _walk(root, []):
        result = runner.invoke(app, path + ["--help"])
        assert result.exit_code == 0, (path, result.output)
        assert "Usage" in result.output


def test_version():
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.startswith("carlzon ")
