"""The project as a new user meets it: cloned onto a machine with nothing else.

What it prints as the next command runs from where the user stands, the README's commands
follow one another, nothing points outside the repository, and a machine without Chromium
skips the browser tests (CI, which installs it, does not).
"""

from __future__ import annotations

import os
import re
import shlex
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from portal import ROOT

SCRIPT = Path(sys.executable).parent / "govreports"  # the console script the README's install makes


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _path_without_venv() -> str:
    """PATH as on a fresh shell: the virtual environment's bin is not on it."""
    return os.pathsep.join(p for p in os.environ.get("PATH", "").split(os.pathsep)
                           if p and Path(p).resolve() != SCRIPT.parent.resolve())


@pytest.mark.skipif(not SCRIPT.exists(), reason="the govreports console script is not installed beside this Python")
def test_the_demos_closing_command_runs_as_printed(tmp_path):
    """`govreports demo` ends with the command to browse the archive: typed as printed, from the
    same directory and with the same PATH, it serves the archive."""
    env = dict(os.environ, PATH=_path_without_venv())
    env.pop("PYTHONPATH", None)
    db = tmp_path / "demo.db"
    demo = subprocess.run([os.path.relpath(SCRIPT, ROOT), "demo", "--db", str(db), "--port", str(_free_port())],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert demo.returncode == 0, demo.stderr[-2000:]
    printed = re.search(r"browse it with:\s+(.+)$", demo.stdout.strip(), re.M)
    assert printed, demo.stdout
    argv = shlex.split(printed.group(1))
    assert argv[1:] == ["serve", "--db", str(db)]
    assert "/" in argv[0] and not os.path.isabs(argv[0])  # not on PATH: its path, relative to where we stand
    assert (ROOT / argv[0]).resolve() == SCRIPT.resolve()

    port = _free_port()
    process = subprocess.Popen([*argv, "--port", str(port)], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, process.stderr.read().decode()[-2000:]
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/-/versions.json", timeout=5) as answer:
                    assert answer.status == 200
                    break
            except OSError:
                assert time.monotonic() < deadline, "the printed command did not serve the archive"
                time.sleep(0.3)
    finally:
        process.terminate()
        process.wait(timeout=15)


def test_next_command_names_govreports_when_it_is_on_path(tmp_path):
    """With the venv's bin on PATH (an activated venv), the hint is the plain name; from another
    directory without it, a path that resolves from there."""
    code = "from archive.next_command import next_command; print(next_command('serve', '--db', 'a b.db'))"
    on_path = dict(os.environ, PATH=f"{SCRIPT.parent}{os.pathsep}{_path_without_venv()}", PYTHONPATH=str(ROOT))
    plain = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=on_path, capture_output=True, text=True)
    assert plain.stdout.strip() == "govreports serve --db 'a b.db'", plain.stderr
    off_path = dict(os.environ, PATH=_path_without_venv(), PYTHONPATH=str(ROOT))
    elsewhere = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=off_path, capture_output=True, text=True)
    first = shlex.split(elsewhere.stdout)[0]
    assert (tmp_path / first).resolve() in (SCRIPT.resolve(), Path(sys.executable).resolve()), elsewhere.stdout


def test_readme_commands_run_from_a_fresh_clone():
    """Every command in the README's code blocks can be typed after the README's first command:
    govreports and Python through the virtual environment it creates, never a bare `govreports`."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```[^\n]*\n(.*?)```", readme, re.S)
    assert blocks[0].strip().startswith("python3 -m venv .venv && .venv/bin/pip install -e")
    lines = [line.strip() for block in blocks for line in block.splitlines() if line.strip()]
    assert not [line for line in lines if re.match(r"(python3? |govreports )", line) and "venv" not in line]
    for used in set(re.findall(r"\.venv/bin/(\w+)", readme)):
        assert (SCRIPT.parent / used).exists(), f".venv/bin/{used} is not made by the README's install"
    inline = re.findall(r"`((?:\.venv/bin/)?govreports [^`]+)`", readme)
    runnable = [c for c in inline if c.startswith(".venv/bin/")]
    assert runnable, "the README gives no govreports command to type"


def test_nothing_points_outside_the_repository():
    """No path of a development machine, no file outside the repository: a clone stands alone."""
    outside = re.compile("|".join([
        "/" + "work/", r"\.\./" + "shared", r"\.\./" + "seeds/", r"\.\./" + "real/",
        r"\.\./" + "(?:FORMAT|PORTALS|CONTRACT|SOURCES)\\.md",
    ]))
    suffixes = {".py", ".md", ".toml", ".yml", ".yaml", ".cfg", ".sh", ".txt", ".json"}
    found = []
    for path in sorted(ROOT.rglob("*")):
        parts = path.relative_to(ROOT).parts
        if any(p.startswith(".") and p not in (".ci",) or p in ("__pycache__", "govreports.egg-info") for p in parts):
            continue
        if not path.is_file() or (path.suffix not in suffixes and path.name != "run"):
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        found += [f"{path.relative_to(ROOT)}: {m.group(0)}" for m in outside.finditer(text)]
    assert not found, found
    for name in ("CONTRACT.md", "FORMAT.md", "PORTALS.md"):  # the documents the code cites are here
        assert (ROOT / "docs" / name).exists()


def test_browser_tests_skip_without_a_browser_unless_ci_asks_for_them():
    env = dict(os.environ, GOVREPORTS_CHROMIUM=str(ROOT / "no-such-chromium"), PYTHONPATH=str(ROOT))
    env.pop("GOVREPORTS_BROWSER_TESTS", None)
    args = [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", "tests/test_browser.py"]
    skipped = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert skipped.returncode == 0, skipped.stdout[-2000:]
    assert re.search(r"\b5 skipped\b", skipped.stdout) and " passed" not in skipped.stdout
    reasons = [line for line in skipped.stdout.splitlines() if line.startswith("SKIPPED")]
    assert reasons and all("headless Chromium not installed" in line for line in reasons)
    ci = subprocess.run(args, cwd=ROOT, env=dict(env, GOVREPORTS_BROWSER_TESTS="1"),
                        capture_output=True, text=True, timeout=300)
    assert ci.returncode != 0
    assert "GOVREPORTS_BROWSER_TESTS=1 but headless Chromium not installed" in ci.stdout
