"""Scrapyd nodes through their HTTP API: deploy the project as an egg, one job per source.

Deploying is what scrapyd-client's `scrapyd-deploy` does: build an egg of the Scrapy project
(setuptools bdist_egg with the entry point ``scrapy: settings = crawler.settings``) and POST it
to each node's ``addversion.json``. The egg carries this project's own packages (archive/,
crawler/, spiders/; their data files are read through importlib.resources, so they work from
inside the zipped egg); the libraries they use must be installed on each node beside Scrapyd
(``pip install govreports`` or its dependencies). Scrapyd puts an egg *after* the installed
packages on sys.path, so a node with govreports installed runs its installed copy: keep nodes
and the writer on one version.

Scheduling posts one ``schedule.json`` per source (spider ``reports``, the source as JSON in
``-a source``, the queue in ``GOVREPORTS_QUEUE``), each to the node with the fewest jobs
running, pending and just given.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PROJECT = "govreports"
SPIDER = "reports"
PACKAGES = ("archive", "crawler", "spiders")
PACKAGE_DATA = ["*.tsv", "*.json", "*.yml", "*.yaml", "*.toml", "*.html", "*.txt", "templates/*.html"]

_SETUP_PY = """\
# Written by govreports schedule, as scrapyd-deploy writes one.
from setuptools import find_packages, setup

setup(
    name={name!r},
    version={version!r},
    packages=find_packages(include={include!r}),
    package_data={{"": {data!r}}},
    entry_points={{"scrapy": ["settings = crawler.settings"]}},
    zip_safe=True,
)
"""


class ScrapydError(RuntimeError):
    """A Scrapyd node cannot be reached or refused a request."""


def package_root() -> Path:
    """The folder holding the archive/, crawler/ and spiders/ packages this program runs."""
    import archive

    return Path(archive.__file__).resolve().parent.parent


def build_egg(version: str, out_dir: Path | None = None) -> Path:
    """An egg of the project's packages (in a temporary copy: the source tree gets no build/)."""
    root = package_root()
    out_dir = Path(out_dir or tempfile.mkdtemp(prefix="govreports-egg-"))
    with tempfile.TemporaryDirectory(prefix="govreports-build-") as tmp:
        for package in PACKAGES:
            shutil.copytree(root / package, Path(tmp) / package,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.db", "*.db-*"))
        include = [f"{p}*" for p in PACKAGES]
        (Path(tmp) / "setup.py").write_text(
            _SETUP_PY.format(name=PROJECT, version=version, include=include, data=PACKAGE_DATA), encoding="utf-8"
        )
        done = subprocess.run(
            [sys.executable, "setup.py", "-q", "bdist_egg", "-d", str(out_dir)],
            cwd=tmp, capture_output=True, text=True,
        )
        if done.returncode != 0:
            raise ScrapydError(f"building the egg failed: {done.stderr[-2000:]}")
    eggs = sorted(out_dir.glob("*.egg"))
    if not eggs:
        raise ScrapydError("building the egg produced no .egg file")
    return eggs[-1]


@dataclass
class Node:
    """One Scrapyd node: ``http://host:6800``."""

    url: str
    assigned: int = 0
    status: dict[str, Any] = field(default_factory=dict)

    def _call(self, endpoint: str, data: dict[str, Any] | list[tuple[str, str]] | None = None,
              body: bytes | None = None, content_type: str | None = None, timeout: float = 30) -> dict[str, Any]:
        url = f"{self.url.rstrip('/')}/{endpoint}"
        headers = {}
        if data is not None and body is None:
            body = urllib.parse.urlencode(data, doseq=True).encode()
            content_type = "application/x-www-form-urlencoded"
        if content_type:
            headers["Content-Type"] = content_type
        request = urllib.request.Request(url, data=body, headers=headers, method="POST" if body is not None else "GET")
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                answer = json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as exc:
            raise ScrapydError(f"{url}: HTTP {exc.code}: {exc.read()[:300]!r}") from exc
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise ScrapydError(f"{url}: {exc}") from exc
        if answer.get("status") != "ok":
            raise ScrapydError(f"{url}: {answer.get('message') or answer}")
        return answer

    def daemonstatus(self) -> dict[str, Any]:
        self.status = self._call("daemonstatus.json")
        return self.status

    @property
    def load(self) -> int:
        return int(self.status.get("running", 0)) + int(self.status.get("pending", 0)) + self.assigned

    def addversion(self, egg: Path, version: str) -> dict[str, Any]:
        boundary = uuid.uuid4().hex
        parts = []
        for name, value in (("project", PROJECT), ("version", version)):
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="egg"; filename="{egg.name}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n".encode() + egg.read_bytes() + b"\r\n"
        )
        parts.append(f"--{boundary}--\r\n".encode())
        return self._call("addversion.json", body=b"".join(parts),
                          content_type=f"multipart/form-data; boundary={boundary}", timeout=120)

    def schedule(self, source_json: str, job: str, settings: dict[str, str], version: str | None = None) -> str:
        data: list[tuple[str, str]] = [("project", PROJECT), ("spider", SPIDER), ("jobid", job), ("source", source_json)]
        data += [("setting", f"{k}={v}") for k, v in settings.items()]
        if version:
            data.append(("_version", version))
        return self._call("schedule.json", data)["jobid"]

    def listjobs(self) -> dict[str, Any]:
        return self._call(f"listjobs.json?project={PROJECT}")

    def cancel(self, job: str) -> dict[str, Any]:
        return self._call("cancel.json", [("project", PROJECT), ("job", job)])


@dataclass
class Scheduled:
    source: str
    node: str
    job: str


def deploy(nodes: list[Node], version: str | None = None) -> str:
    """Build the egg once and add it to every node; returns the version deployed."""
    version = version or time.strftime("%Y%m%dT%H%M%S", time.gmtime()) + f"-{uuid.uuid4().hex[:6]}"
    with tempfile.TemporaryDirectory(prefix="govreports-egg-") as out:
        egg = build_egg(_package_version(), Path(out))  # records name the reader by this version
        for node in nodes:
            node.addversion(egg, version)
    return version


def schedule_sources(nodes: list[Node], sources: list[tuple[str, str]], settings: dict[str, str],
                     version: str | None = None) -> list[Scheduled]:
    """One job per (name, source JSON), each on the node with the least work."""
    for node in nodes:
        node.daemonstatus()
    out = []
    for name, source_json in sources:
        node = min(nodes, key=lambda n: n.load)
        job = f"{_slug(name)}-{uuid.uuid4().hex[:10]}"
        node.schedule(source_json, job, settings, version)
        node.assigned += 1
        out.append(Scheduled(name, node.url, job))
    return out


def _package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(PROJECT)
    except PackageNotFoundError:
        return "0"


def _slug(name: str) -> str:
    text = "".join(c if c.isalnum() and c.isascii() else "-" for c in name).strip("-")
    return text[:40] or "source"
