"""Start and watch `deploy/serve` for the deploy tests: its output, the balancer's URL, each replica's port and pid."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.store.pgcluster import free_port

ROOT = Path(__file__).resolve().parents[2]
SERVE = ROOT / "deploy" / "serve"
HAPROXY = "/usr/sbin/haproxy"
REPLICA_PORTS = ("--replica-base-port", "0")  # any free loopback ports
REPLICA_LINE = re.compile(r"\[serve\] replica (r\d+): (?:127\.0\.0\.1:(\d+) )?.*\(pid (\d+)\)")


@dataclass
class Served:
    """A running `deploy/serve`: its process, its output so far, the balancer's URL and each replica's port and pids."""

    proc: subprocess.Popen[str]
    url: str
    lines: list[str] = field(default_factory=list)
    changed: threading.Condition = field(default_factory=threading.Condition)
    reader: threading.Thread | None = None

    @classmethod
    def start(cls, *, replicas: int, env: dict[str, str], argv0: list[str] | None = None) -> Served:
        """Start `deploy/serve --replicas N` on a free port (replicas on any free ports); return once it serves."""
        port = free_port()
        proc = subprocess.Popen(
            [*(argv0 or [sys.executable, str(SERVE)]), *("--replicas", str(replicas), "--port", str(port)), *REPLICA_PORTS],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        served = cls(proc=proc, url=f"http://127.0.0.1:{port}")
        served.reader = threading.Thread(target=served._read, daemon=True)
        served.reader.start()
        try:
            served.wait_for("[serve] serving ", timeout=90)
        except BaseException:
            served.stop()
            raise
        return served

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            with self.changed:
                self.lines.append(line.rstrip("\n"))
                self.changed.notify_all()

    def output(self) -> str:
        with self.changed:
            return "\n".join(self.lines)

    def wait_for(self, text: str, *, timeout: float, after: int = 0) -> str:
        """The first output line (from line `after` on) containing `text`; fails on timeout or exit."""
        deadline = time.monotonic() + timeout
        with self.changed:
            while True:
                for line in self.lines[after:]:
                    if text in line:
                        return line
                if self.proc.poll() is not None:  # exited: give the reader a moment for its last lines
                    deadline = min(deadline, time.monotonic() + 1)
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    tail = "\n".join(self.lines[-40:])
                    raise AssertionError(f"deploy/serve printed no line with {text!r} within {timeout} s:\n{tail}")
                self.changed.wait(min(remaining, 0.5))

    def replicas(self) -> dict[str, tuple[int, int]]:
        """Each replica's name → (port, current pid), from the output."""
        ports: dict[str, int] = {}
        current: dict[str, tuple[int, int]] = {}
        with self.changed:
            for line in self.lines:
                match = REPLICA_LINE.search(line)
                if match:
                    name, port, pid = match.group(1), match.group(2), int(match.group(3))
                    if port:
                        ports[name] = int(port)
                    current[name] = (ports[name], pid)
        return current

    def pids(self) -> set[int]:
        """Every pid the server started (replicas, restarted replicas, the balancer)."""
        found = {int(m) for m in re.findall(r"\(pid (\d+)\)", self.output())}
        found |= {int(m) for m in re.findall(r"\(haproxy pid (\d+)\)", self.output())}
        return found

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = self.proc.wait()
        if self.reader is not None:
            self.reader.join(timeout=10)
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        return code
