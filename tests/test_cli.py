"""The command line: every command has --help, the README names every command, errors are one line."""

import re
from pathlib import Path

from click.testing import CliRunner

from archive.cli import main

ROOT = Path(__file__).resolve().parent.parent
COMMANDS = sorted(main.commands)  # every command the CLI has


def test_every_command_has_help():
    runner = CliRunner()
    assert {"parse", "crawl", "export", "import", "reparse", "alerts", "serve", "demo"} <= set(COMMANDS)
    for name in COMMANDS:
        result = runner.invoke(main, [name, "--help"])
        assert result.exit_code == 0 and "Usage" in result.output


def test_readme_opens_with_the_two_commands_and_names_every_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```\n(.*?)\n```", readme, re.S)
    assert "govreports demo" in blocks[0] and "pip install" in blocks[0]
    assert "pytest" in blocks[1]
    ci = (ROOT / ".ci" / "run").read_text()
    assert blocks[1].strip() in ci
    for name in COMMANDS:
        assert f"govreports {name}" in readme


def test_parse_prints_the_record(files_dir):
    result = CliRunner().invoke(main, ["parse", str(files_dir / "003_c261cf9df1aa1cd4.txt")])
    assert result.exit_code == 0
    assert '"agency": "阜新市海州区"' in result.output  # Chinese unescaped


def test_unreadable_input_is_one_line_and_non_zero(tmp_path):
    missing = CliRunner().invoke(main, ["parse", str(tmp_path / "nope.html")])
    assert missing.exit_code != 0 and "cannot read" in missing.output
    garbage = tmp_path / "garbage.bin"
    garbage.write_bytes(bytes(range(256)) * 20)
    result = CliRunner().invoke(main, ["parse", str(garbage)])
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1
