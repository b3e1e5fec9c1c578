"""The servers a benchmark runs against, started and stopped by it on loopback: userpool itself, moto's server
and cognito-local. Each knows how to read a confirmation code the way that server makes it available."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil

from userpool.testing import ServerProcess, free_port

CACHE = Path(__file__).resolve().parent / ".cache"


class Unavailable(Exception):
    """A peer could not be installed or started; the message says why."""


def rss_bytes(pid: int) -> int:
    """Resident memory of a process and all its children (worker processes)."""
    try:
        process = psutil.Process(pid)
        return sum(p.memory_info().rss for p in [process, *process.children(recursive=True)])
    except psutil.Error:
        return 0


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) used so far by a process and its children."""
    try:
        process = psutil.Process(pid)
        total = 0.0
        for p in [process, *process.children(recursive=True)]:
            times = p.cpu_times()
            total += times.user + times.system
        return total
    except psutil.Error:
        return 0.0


def wait_for(url: str, process: subprocess.Popen[bytes], timeout: float, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise Unavailable(f"exited with {process.returncode}: {log.read_text(errors='replace')[-2000:]}")
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            time.sleep(0.02)
    raise Unavailable(f"did not answer within {timeout:.0f} s: {log.read_text(errors='replace')[-2000:]}")


class Userpool:
    """``userpool serve`` with its own store (``--workers`` as given)."""

    name = "userpool"

    def __init__(self, workdir: Path, workers: int = 1, database_url: str | None = None) -> None:
        args = ["--workers", str(workers)] if workers > 1 else []
        # Cognito's UserCreation quota (SignUp + ConfirmSignUp, 50/s per pool) is off: it would cap the throughput
        # being measured, and the peers have none.
        env = {"USERPOOL_LOG_LEVEL": "warning", "USERPOOL_CLOCK_CONTROL": "false", "USERPOOL_USER_CREATION_RATE": "0"}
        self.server = ServerProcess(workdir / "data", env=env, database_url=database_url, args=args)

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def pid(self) -> int:
        assert self.server.process is not None
        return self.server.process.pid

    def start(self) -> Userpool:
        self.server.start(timeout=60)
        return self

    def stop(self) -> None:
        self.server.stop()

    def codes(self, pool_id: str, usernames: list[str]) -> dict[str, str]:
        """The latest code of each user, from the outbox."""
        found: dict[str, str] = {}
        for name in usernames:
            query = urllib.parse.urlencode({"userPoolId": pool_id, "username": name})
            with urllib.request.urlopen(f"{self.url}/_userpool/outbox?{query}") as response:
                messages = json.load(response)["messages"]
            if messages:
                found[name] = messages[-1]["code"]
        return found


@contextlib.contextmanager
def userpool(
    workdir: Path, workers: int = 1, database_url: str | None = None, shared: Userpool | None = None
) -> Iterator[Userpool]:
    """A started ``Userpool`` for one part, stopped after it; or ``shared`` (the smoke run's one server for the
    parts that need no server of their own) when it fits: one process, its own SQLite store."""
    if shared is not None and workers == 1 and database_url is None:
        yield shared
        return
    target = Userpool(workdir, workers=workers, database_url=database_url).start()
    try:
        yield target
    finally:
        target.stop()


class Moto:
    """moto's server (``moto_server``), installed with pip into a virtual environment of its own under
    ``bench/.cache`` (so its pinned boto versions never meet the project's). Its ConfirmSignUp accepts any code."""

    name = "moto"

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.log = workdir / "moto.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def _install(self) -> Path:
        venv = CACHE / "moto-venv"
        executable = venv / "bin" / "moto_server"
        if executable.exists():
            return executable
        CACHE.mkdir(parents=True, exist_ok=True)
        try:
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True, timeout=120)
            subprocess.run(
                [str(venv / "bin" / "pip"), "install", "-q", "moto[server]"],
                check=True,
                capture_output=True,
                timeout=600,
            )
        except (subprocess.SubprocessError, OSError) as exc:
            shutil.rmtree(venv, ignore_errors=True)
            detail = getattr(exc, "stderr", b"") or b""
            message = f"pip install 'moto[server]' failed: {exc} {detail.decode(errors='replace')[-500:]}"
            raise Unavailable(message) from None
        return executable

    def version(self) -> str:
        pip = CACHE / "moto-venv" / "bin" / "pip"
        shown = subprocess.run([str(pip), "show", "moto"], capture_output=True, text=True, check=False).stdout
        return next((line.split(":", 1)[1].strip() for line in shown.splitlines() if line.startswith("Version")), "?")

    def start(self) -> Moto:
        executable = self._install()
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [str(executable), "-H", "127.0.0.1", "-p", str(self.port)], stdout=log, stderr=subprocess.STDOUT
            )
        try:
            wait_for(f"{self.url}/moto-api/", self.process, 60, self.log)
        except Unavailable:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        _stop(self.process)

    def codes(self, pool_id: str, usernames: list[str]) -> dict[str, str]:
        return dict.fromkeys(usernames, "123456")  # moto confirms with any code


class CognitoLocal:
    """cognito-local (``npx --yes cognito-local@latest``), on a free port (its ``PORT`` variable) with its data in a
    temporary folder (``.cognito/`` under its working directory), configured so new pools are username pools as in
    Cognito (its own default is email as the username). It checks codes: each user's code is read from
    its JSON database (``.cognito/db/<poolId>.json``, ``Users.<name>.ConfirmationCode``)."""

    name = "cognito-local"

    def __init__(self, workdir: Path, package: str = "cognito-local@latest") -> None:
        self.workdir = workdir / "cognito-local"
        self.package = package
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.log = workdir / "cognito-local.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def version(self) -> str:
        found = sorted(Path.home().glob(".npm/_npx/*/node_modules/cognito-local/package.json"))
        versions = [json.loads(p.read_text()).get("version", "?") for p in found]
        return max(versions, default="?")

    def start(self) -> CognitoLocal:
        npx = shutil.which("npx")
        if npx is None:
            raise Unavailable("npx (Node.js) is not installed")
        # Its default configuration makes every new pool an email-as-username pool; Cognito's default (and the
        # workload's) is a username pool.
        (self.workdir / ".cognito").mkdir(parents=True, exist_ok=True)
        config = {"UserPoolDefaults": {"UsernameAttributes": []}}
        (self.workdir / ".cognito" / "config.json").write_text(json.dumps(config))
        env = {**os.environ, "PORT": str(self.port), "HOST": "127.0.0.1"}
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [npx, "--yes", self.package],
                cwd=self.workdir,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # npx runs node as a child: stop the whole group
            )
        try:
            wait_for(f"{self.url}/health", self.process, 300, self.log)  # the first run downloads the package
        except Unavailable:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        _stop(self.process)

    def codes(self, pool_id: str, usernames: list[str]) -> dict[str, str]:
        data: dict[str, Any] = json.loads((self.workdir / ".cognito" / "db" / f"{pool_id}.json").read_text())
        users = data.get("Users", {})
        return {n: users[n]["ConfirmationCode"] for n in usernames if users.get(n, {}).get("ConfirmationCode")}


def _stop(process: subprocess.Popen[bytes] | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def scratch_dir() -> Path:
    return Path(tempfile.mkdtemp(prefix="userpool-bench-"))
