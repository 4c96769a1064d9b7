"""schema.graphql in the repository is the schema the code builds."""

from __future__ import annotations

from click.testing import CliRunner

from api.cli import main
from api.cli.graphql_schema import DEFAULT_PATH, sdl


def test_exported_sdl_is_current() -> None:
    assert DEFAULT_PATH.read_text("utf-8") == sdl(), (
        "schema.graphql ist veraltet: `verbund schema export` ausführen und einchecken."
    )


def test_export_command_checks_and_writes(tmp_path: object) -> None:
    from pathlib import Path

    target = Path(str(tmp_path)) / "schema.graphql"
    runner = CliRunner()
    stale = runner.invoke(main, ["schema", "export", "--check", "-o", str(target)])
    assert stale.exit_code == 1
    assert "veraltet" in stale.output
    written = runner.invoke(main, ["schema", "export", "-o", str(target)])
    assert written.exit_code == 0
    assert target.read_text("utf-8") == sdl()
    assert runner.invoke(main, ["schema", "export", "--check", "-o", str(target)]).exit_code == 0
