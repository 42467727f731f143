"""A separate app process for the board's multi-process and kill -9 tests: saves into a room and reports each save.

The child side is ``main`` (this file run as a script); the parent side is ``Worker``.

Run as ``python tests/store/boardworker.py URL ROOM PREFIX COUNT [--gate] [--pause=SECONDS]`` with
the repository root on PYTHONPATH. It prints one line per event, flushed at
once, so a parent that kills it with SIGKILL knows exactly which saves were
acknowledged:

    ready                  imported; with --gate it now waits for "go" on stdin
    saved <id>             board.save returned: the entry is committed
    failed <code> <reason> board.save raised a BoardError
    done                   COUNT saves attempted; with --gate it waits for "list" on stdin
    listed <json>          [[id, name], ...] of the room, as this process lists it

--pause waits between saves (participants do not save back to back; it also lets
two workers' saves interleave instead of one finishing before the other starts).
With --gate, the first connection to the database happens only after "go", so
processes released together also open a fresh database together.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from model.plan import load_plan
from model.scenario import to_json, validate
from store import Board, BoardError, Limits, new_owner_token

ROOT = Path(__file__).resolve().parents[2]


def generous_limits() -> Limits:
    """The board's limits with every count and rate these tests could reach lifted far above what they do:
    they are about losing nothing, not about limits (test_board.py and test_limits.py test those)."""
    big = 1_000_000
    return Limits(entries_per_room=big, entries_per_session=big, entries=big, saves_per_minute=big)


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def wait_for(word: str) -> None:
    line = sys.stdin.readline().strip()
    if line != word:
        raise SystemExit(f"expected {word!r} on stdin, got {line!r}")


def main(argv: list[str]) -> int:
    url, room, prefix, count = argv[0], argv[1], argv[2], int(argv[3])
    gated = "--gate" in argv[4:]
    pause = next((float(arg.removeprefix("--pause=")) for arg in argv[4:] if arg.startswith("--pause=")), 0.0)
    plan = load_plan()
    scenario, _ = validate(plan, {"new_coops": 110})
    scenario_json = to_json(plan, scenario)
    board = Board(url, plan=plan, limits=generous_limits())
    token = new_owner_token()
    say("ready")
    if gated:
        wait_for("go")
    for i in range(count):
        try:
            entry = board.save(room, name=f"{prefix}-{i}", group=prefix, scenario_json=scenario_json, owner_token=token)
        except BoardError as err:
            say(f"failed {err.code} {err.reason}")
        else:
            say(f"saved {entry.id}")
        time.sleep(pause)
    say("done")
    if gated:
        wait_for("list")
        say("listed " + json.dumps([[e.id, e.name] for e in board.list_entries(room)], ensure_ascii=False))
    return 0


# ------------------------------------------------------------ parent side


class Worker:
    """A running boardworker process; its stdout lines are read by a thread, so every wait has a deadline."""

    def __init__(self, url: str, room: str, prefix: str, count: int, *, gate: bool = False, pause: float = 0.0) -> None:
        args = [sys.executable, str(Path(__file__).resolve()), url, room, prefix, str(count), f"--pause={pause}"]
        args += ["--gate"] if gate else []
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        self.process = subprocess.Popen(
            args, cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.saved: list[int] = []
        self.failed: list[str] = []

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._lines.put(line.rstrip("\n"))
        self._lines.put(None)  # end of output: the process closed stdout (exited or was killed)

    def _note(self, line: str) -> str:
        if line.startswith("saved "):
            self.saved.append(int(line.split()[1]))
        elif line.startswith("failed "):
            self.failed.append(line.removeprefix("failed "))
        return line

    def next_line(self, timeout: float = 30) -> str | None:
        """The next line (saves and failures are noted as they pass); None at the end of the output."""
        try:
            line = self._lines.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"no output from the worker within {timeout} s; stderr so far is unknown") from None
        return None if line is None else self._note(line)

    def expect(self, prefix: str, timeout: float = 30) -> str:
        """Read up to the first line starting with ``prefix`` (within ``timeout`` seconds in all)."""
        deadline = time.monotonic() + timeout
        while True:
            line = self.next_line(timeout=max(0.01, deadline - time.monotonic()))
            if line is None:
                raise AssertionError(f"the worker ended before {prefix!r}: {self.stderr()}")
            if line.startswith(prefix):
                return line

    def send(self, word: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(word + "\n")
        self.process.stdin.flush()

    def kill(self) -> None:
        """SIGKILL (kill -9), then read what it printed before it died."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)
        while self.next_line(timeout=30) is not None:
            pass

    def finish(self, timeout: float = 60) -> int:
        """Wait for a normal exit; the exit code."""
        code = self.process.wait(timeout=timeout)
        while self.next_line(timeout=timeout) is not None:
            pass
        return code

    def stderr(self) -> str:
        """What the worker wrote to stderr (only once it has exited)."""
        if self.process.poll() is None or self.process.stderr is None:
            return "(still running)"
        return self.process.stderr.read()[-2000:]

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=30)
        self._reader.join(timeout=30)  # it ends at end of output; closing stdout under it would raise in the thread
        for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
