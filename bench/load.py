"""Load benchmark: simulated workshop participants over Streamlit's websocket protocol (a report, not a test; exits 0).

    .venv/bin/python bench/load.py                               # app, workshop, bare, room at 10/20/40; idle workshop
    .venv/bin/python bench/load.py --only app --participants 20  # one scenario (repeatable), one size
    .venv/bin/python bench/load.py --quick                       # shorter windows, for a quick look (~2 min)

It serves the files of the tree it sits in. To measure committed code while others edit the
checkout, run it from an export: `git archive HEAD | tar -x -C /tmp/snap` and
`.venv/bin/python /tmp/snap/bench/load.py`.

The server (`streamlit run deploy/asgi.py`, the app as served, with .streamlit/config.toml) is pinned to
core 0 and this driver to core 1 where the machine allows. Each participant is one browser tab,
reproduced from what Streamlit 1.67's frontend sends:

- GET the page and /_stcore/health (they set the XSRF cookie ``_streamlit_xsrf``), then open
  ws://127.0.0.1:P/_stcore/stream offering the subprotocols ["streamlit", <the XSRF cookie>], with the
  page's Origin and the cookie, and permessage-deflate as browsers negotiate it.
- BackMsg.rerun_script with a ClientState: the URL's query string; on the first run the URL's page
  name, then the page's script hash (from the server's `navigation`/`new_session`); the widget
  states it changed; the hashes of cached messages; context info (time zone, locale, URL, theme).
- Every `interval` seconds it moves the sidebar's first main lever (a select_slider: the new
  option's label in ``string_array_value``) one to three steps, and waits for that rerun to end
  before the next move (a person looks at the result).
- A fragment with ``run_every`` is timed by the frontend, not the server: the server sends
  ForwardMsg.auto_rerun (fragment id, interval) and the browser sends rerun_script with that
  fragment id and ``is_auto_rerun`` every interval until stop_auto_rerun or the next full run.

A rerun's time runs from sending the BackMsg to that run's ForwardMsg.script_finished. Errors are
connection failures, timeouts, cache misses and runs that did not finish; exceptions are Exception
elements in the deltas.

The room scenario is a workshop with live sharing: every participant opens /workshop?room=CODE (so the
app shares their current scenario live in the room, one row per tab, rewritten on every move) and one
more tab, the facilitator's projector, opens /projector?room=CODE. The projector's watcher fragment
(run_every 2 s) reads the room's change marker and, when it changed, reruns the whole app
(st.rerun(scope="app")): the server ends the fragment run early for the rerun and runs the full page.
Its *data age*, per participant move: from the end of that participant's rerun (its live row was
written before: the app shares at the start of a run) to the end of the first full projector redraw
that started after it (new_session received). At the end the board is read: one live row per
participant, each holding that participant's last lever value.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import contextlib
import dataclasses
import http.cookiejar
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for _folder in (ROOT, ROOT / "bench", ROOT / "tests" / "e2e"):  # the project; common; appserver
    if str(_folder) not in sys.path:
        sys.path.insert(0, str(_folder))

from appserver import start_app  # noqa: E402
from common import percentile  # noqa: E402
from streamlit.proto.BackMsg_pb2 import BackMsg  # noqa: E402
from streamlit.proto.Element_pb2 import Element  # noqa: E402
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: E402
from streamlit.proto.WidgetStates_pb2 import WidgetState  # noqa: E402
from websockets.asyncio.client import ClientConnection, connect  # noqa: E402
from websockets.exceptions import ConnectionClosed, WebSocketException  # noqa: E402
from websockets.typing import Origin, Subprotocol  # noqa: E402

APP_SCRIPT = ROOT / "deploy" / "asgi.py"
BARE_SCRIPT = ROOT / "bench" / "bare_page.py"
XSRF_COOKIE = "_streamlit_xsrf"
SERVER_CORE, DRIVER_CORE = 0, 1
RUN_TIMEOUT = 60.0  # s: a rerun that has not finished by then counts as an error
FINISHED = ForwardMsg.ScriptFinishedStatus
# What a phone in Sơn La reports (JavaScript's getTimezoneOffset is minutes *behind* UTC).
CONTEXT = {"timezone": "Asia/Ho_Chi_Minh", "timezone_offset": -420, "locale": "vi-VN", "color_scheme": "light"}

# Budgets of issue 7 (seconds, fractions of one core, a ratio).
P95_AT_40 = 1.0
P95_AT_20 = 0.5
IDLE_CPU_AT_40 = 0.10
RATIO_TO_BARE = 1.5
IDLE_PARTICIPANTS = 40  # the idle scenario's size: the budget is for 40
# The live room (issue: "40 participants in one room sharing live, each moving a slider every 2 s, and one
# projector view open"): the projector's data is at most 5 s old.
DATA_AGE_P95 = 5.0
ROOM_LEVER = "new_coops"  # the lever the room's participants move (the sidebar's select_slider)
SETTLE = 20.0  # s: after the last move, how long the projector may take to show it before it counts as never shown
QUIET_REDRAWS = 5  # full reruns of the projector page after the window, the participants idle: its own cost


@dataclass(frozen=True)
class Target:
    """What participants open: the URL path and query of a page, and the key of the lever they move."""

    name: str
    path: str  # "" is the default page
    query: str
    lever_key: str  # a widget id ends with "-<user key>"


@dataclass
class Tally:
    """What one participant (or, merged, a whole run) saw."""

    moves: list[float] = field(default_factory=list)  # s, lever change → script_finished
    move_ends: list[float] = field(default_factory=list)  # perf_counter when each measured move's run ended
    fragments: list[float] = field(default_factory=list)  # s, auto rerun → script_finished
    first_loads: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    exceptions: list[str] = field(default_factory=list)

    def merge(self, other: Tally) -> None:
        self.moves += other.moves
        self.move_ends += other.move_ends
        self.fragments += other.fragments
        self.first_loads += other.first_loads
        self.errors += other.errors
        self.exceptions += other.exceptions


@dataclass(frozen=True)
class Result:
    """One row of the report: a scenario at a number of participants."""

    scenario: str
    participants: int
    tally: Tally
    server_cpu: float  # fraction of one core over the measuring window
    driver_cpu: float
    core_busy: float  # how busy the server's core was, by anyone (all cores when unpinned): others' load shows here
    projector: ProjectorStats | None = None  # the room scenario: what the projector tab saw
    levers: tuple[str, ...] = ()  # the room scenario: each participant's lever label at the end
    live: LiveCheck | None = None  # the room scenario: the room's live rows on the board at the end


@dataclass(frozen=True)
class ProjectorStats:
    """What the projector tab saw while the participants moved (and until it showed their last move)."""

    redraws: list[float]  # s, full-app redraws that finished, started in the window: the watcher's run
    #   ending for the rerun (received) → the redraw's script_finished (received), restarts included
    restarts: int  # full runs in the window that ended early for a rerun (the page asked again while drawing)
    polls: list[float]  # s, watcher runs that found nothing new: auto rerun sent → script_finished
    asked: int  # watcher runs that ended early for a full-app rerun (the room had changed)
    ages: list[float]  # s, per participant move: its run's end → the end of the first redraw started after it
    undrawn: int  # moves no redraw started after within SETTLE seconds of the last move
    shown: int | None  # "N people sharing live" on its last redraw (None: no such line)
    quiet: list[float]  # s, full reruns of the projector page afterwards, the participants idle: its own cost


@dataclass(frozen=True)
class LiveCheck:
    """The room's live rows read from the board after the run."""

    rows: int
    tabs: int  # distinct tabs (owner digests) among them
    matching: bool  # the rows' lever values are the participants' last values (as multisets)


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


# ------------------------------------------------------------------ the server


def _two_cores() -> bool:
    return hasattr(os, "sched_getaffinity") and {SERVER_CORE, DRIVER_CORE} <= os.sched_getaffinity(0)


@dataclass
class Server:
    """`streamlit run` on a free loopback port, from the project folder (so .streamlit/config.toml applies)."""

    proc: subprocess.Popen[bytes]
    url: str
    log: Path
    pinned: bool

    @classmethod
    def start(cls, script: Path, *, workdir: Path, pin: bool, board_db: Path) -> Server:
        """Start and wait until it answers (tests/e2e/appserver.start_app). `pin`: run it under
        `taskset -c 0` (when taskset exists; taskset execs, so the pid is the server's)."""
        taskset = shutil.which("taskset")
        pinned = pin and taskset is not None
        prefix = [str(taskset), "-c", str(SERVER_CORE)] if pinned else []
        proc, url = start_app(workdir, script=script, env_extra={"SONLA_BOARD_DB": str(board_db)}, prefix=prefix)
        port = url.rsplit(":", 1)[1]
        return cls(proc, url, workdir / f"streamlit-{port}.log", pinned)  # where start_app writes the log

    def cpu_seconds(self) -> float:
        """User + system CPU time of the server process so far (Linux /proc)."""
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def tracebacks(self) -> list[str]:
        """The tracebacks in the server's log (the page shows none: client.showErrorDetails is "none")."""
        text = self.log.read_text(errors="replace")
        return ["Traceback" + chunk.split("\n\n", 1)[0] for chunk in text.split("Traceback")[1:]]

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def core_ticks(core: int | None) -> tuple[int, int]:
    """(busy, total) clock ticks of one core (None: all) so far, from /proc/stat."""
    name = "cpu" if core is None else f"cpu{core}"
    for line in Path("/proc/stat").read_text().splitlines():
        fields = line.split()
        if fields[0] == name:
            ticks = [int(x) for x in fields[1:]]
            return sum(ticks) - ticks[3] - ticks[4], sum(ticks)  # less idle and iowait
    return 0, 0


def _opener(jar: http.cookiejar.CookieJar | None = None) -> urllib.request.OpenerDirector:
    """An HTTP opener that ignores proxy settings: every request stays on the loopback address."""
    handlers: list[urllib.request.BaseHandler] = [urllib.request.ProxyHandler({})]
    if jar is not None:
        handlers.append(urllib.request.HTTPCookieProcessor(jar))
    return urllib.request.build_opener(*handlers)


def xsrf_cookie(base_url: str, path: str) -> str | None:
    """What a browser does before the websocket: load the page and ping the health endpoint; the XSRF cookie they set."""
    jar = http.cookiejar.CookieJar()
    opener = _opener(jar)
    for url in (f"{base_url}/{path}", f"{base_url}/_stcore/health"):
        with opener.open(url, timeout=30) as response:
            response.read()
    return next((c.value for c in jar if c.name == XSRF_COOKIE), None)


def seed_room(board_db: Path, *, entries: int = 6) -> str:
    """A workshop room in the benchmark's own database, with a few groups' scenarios saved (as in a workshop)."""
    from model.plan import load_plan
    from model.scenario import Scenario, to_json
    from store import Board, dispose_engines, new_owner_token

    plan = load_plan()
    board = Board(None, plan=plan, environ={"SONLA_BOARD_DB": str(board_db)})
    room = board.new_room(owner_token=new_owner_token())
    presets = list(plan.presets)
    for i in range(entries):
        preset = presets[i % len(presets)]
        scenario = Scenario(plan_id=plan.id, plan_version=plan.version, levers=plan.preset_levers(preset.id))
        board.save(
            room,
            name=f"{preset.label('vi')} {i + 1}",
            group=f"Nhóm {i + 1}",
            scenario_json=to_json(plan, scenario),
            owner_token=new_owner_token(),  # one token per group: the per-token save limit is not what we measure
        )
    dispose_engines()
    return room


# ------------------------------------------------------------------ a participant


class Participant:
    """One browser tab on one page: connects, runs the page, moves a lever, answers fragment timers."""

    def __init__(self, base_url: str, target: Target, *, seed: int) -> None:
        self.base_url = base_url
        self.target = target
        self.random = random.Random(seed)
        self.tally = Tally()
        self.query = target.query  # the URL's query string, as the server last set it (page_info_changed)
        self.page_hash = ""  # the current page's script hash; "" until the server names it
        self.widget_states: dict[str, WidgetState] = {}  # what this tab changed; the server keeps the rest
        self.lever_id: str | None = None
        self.lever_options: list[str] = []
        self.lever_index = 0
        # Elements of the last full run by delta path (the test reads the scorecard from them).
        self.elements: dict[tuple[int, ...], Element] = {}
        self._cache: dict[str, tuple[bytes, int]] = {}  # ForwardMsg cache: hash → (message, run count when last used)
        self._runs = 0
        self._timers: dict[str, tuple[float, asyncio.Task[None]]] = {}  # fragment id → (interval, timer)
        self._full_run_done = asyncio.Event()
        self._fragment_sent: float | None = None
        self._full_started: float | None = None  # when the running full run's new_session arrived
        self._asked: float | None = None  # when a fragment run that ended for a rerun was last seen to end
        # (new_session received, script_finished received, the fragment run that asked for it ended or
        # None) of every full run that finished, in order; the full runs that ended early for a rerun.
        self.full_runs: list[tuple[float, float, float | None]] = []
        self.full_restarts: list[float] = []
        self.fragment_to_app = 0  # fragment runs that ended early for a rerun (st.rerun(scope="app"), or a move)
        self._ws: ClientConnection | None = None
        self._reader: asyncio.Task[None] | None = None
        self._closing = False
        self._broken = False

    # ---- connection

    async def open(self) -> bool:
        """Connect and run the page once (the first load); False (and an error counted) if that failed."""
        try:
            cookie = await asyncio.to_thread(xsrf_cookie, self.base_url, self.target.path)
            ws_url = self.base_url.replace("http://", "ws://", 1) + "/_stcore/stream"
            self._ws = await connect(
                ws_url,
                origin=Origin(self.base_url),
                subprotocols=[Subprotocol("streamlit"), Subprotocol(cookie or "PLACEHOLDER_AUTH_TOKEN")],
                additional_headers={"Cookie": f"{XSRF_COOKIE}={cookie}"} if cookie else None,
                user_agent_header="Mozilla/5.0 (bench/load.py)",
                proxy=None,
                max_size=None,
                ping_interval=None,  # browsers answer the server's pings but send none of their own
                open_timeout=RUN_TIMEOUT,
            )
        except (OSError, WebSocketException, TimeoutError) as err:
            self.tally.errors.append(f"connect: {type(err).__name__}: {err}")
            return False
        self._reader = asyncio.create_task(self._read())
        start = time.perf_counter()
        self._full_run_done.clear()
        await self._send_rerun(first=True)
        if not await self._wait_full_run():
            self.tally.errors.append("first load did not finish")
            return False
        self.tally.first_loads.append(time.perf_counter() - start)
        if self.target.lever_key and self.lever_id is None:
            self.tally.errors.append(f"no widget with key {self.target.lever_key!r} on the page")
            return False
        return True

    async def close(self) -> None:
        self._closing = True
        for _, timer in self._timers.values():
            timer.cancel()
        self._timers.clear()
        if self._ws is not None:
            with contextlib.suppress(OSError, WebSocketException, TimeoutError):
                await self._ws.close()
        if self._reader is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader

    # ---- what a person does

    async def move_lever(self, *, count: bool = True) -> float | None:
        """Move the lever one to three steps (turning at the ends) and wait for the rerun; its time, or None.
        `count`: add the move to the tally (False: a move that is not measured)."""
        steps = self.random.choice((-3, -2, -1, 1, 2, 3))
        index = self.lever_index + steps
        if not 0 <= index < len(self.lever_options):
            index = self.lever_index - steps
        return await self.set_lever(index, count=count)

    async def rerun(self) -> float | None:
        """Run the page again as it is (what a browser's "Rerun" does); its time, or None."""
        self._full_run_done.clear()
        start = time.perf_counter()
        await self._send_rerun()
        if not await self._wait_full_run():
            if not self._broken:
                self.tally.errors.append(f"rerun did not finish within {RUN_TIMEOUT:.0f} s")
            return None
        return time.perf_counter() - start

    async def set_lever(self, index: int, *, count: bool = True) -> float | None:
        assert self.lever_id is not None
        self.lever_index = index
        state = WidgetState(id=self.lever_id)
        state.string_array_value.data.append(self.lever_options[index])  # a select_slider's state is its label
        self.widget_states[self.lever_id] = state
        self._full_run_done.clear()
        start = time.perf_counter()
        await self._send_rerun()
        if not await self._wait_full_run():
            if not self._broken:  # a broken connection was counted when it broke
                self.tally.errors.append(f"rerun did not finish within {RUN_TIMEOUT:.0f} s")
            return None
        end = time.perf_counter()
        if count:
            self.tally.moves.append(end - start)
            self.tally.move_ends.append(end)
        return end - start

    @property
    def broken(self) -> bool:
        return self._broken

    # ---- the protocol

    async def _send_rerun(self, *, first: bool = False, fragment_id: str = "") -> None:
        path_and_query = self.target.path + (f"?{self.query}" if self.query else "")
        msg = BackMsg()
        rerun = msg.rerun_script
        rerun.query_string = self.query
        rerun.widget_states.widgets.extend(self.widget_states.values())
        if first or not self.page_hash:
            rerun.page_name = self.target.path  # the frontend sends the URL's page name until it knows the hash
        else:
            rerun.page_script_hash = self.page_hash
        rerun.fragment_id = fragment_id
        rerun.is_auto_rerun = bool(fragment_id)
        rerun.cached_message_hashes.extend(self._cache)
        rerun.context_info.url = f"{self.base_url}/{path_and_query}"
        rerun.context_info.is_embedded = False
        for name, value in CONTEXT.items():
            setattr(rerun.context_info, name, value)
        if self._ws is None or self._broken:
            return
        try:
            await self._ws.send(msg.SerializeToString())
        except (ConnectionClosed, OSError) as err:
            self._fail(f"send: {type(err).__name__}: {err}")

    async def _wait_full_run(self) -> bool:
        try:
            await asyncio.wait_for(self._full_run_done.wait(), RUN_TIMEOUT)
        except TimeoutError:
            return False
        return not self._broken

    def _fail(self, reason: str) -> None:
        if not self._closing and not self._broken:
            self.tally.errors.append(reason)
        self._broken = True
        self._full_run_done.set()  # wake whoever waits: the run will not finish

    async def _read(self) -> None:
        assert self._ws is not None
        try:
            async for raw in self._ws:
                if isinstance(raw, bytes):
                    self._handle(raw)
                else:
                    self._fail("a text frame from the server")
            self._fail("the server closed the connection")
        except ConnectionClosed as err:
            self._fail(f"connection closed: {err}")
        except (OSError, WebSocketException) as err:
            self._fail(f"receive: {type(err).__name__}: {err}")
        except Exception as err:  # a message this driver cannot handle: an error to see, not a silent hang
            self._fail(f"driver: {type(err).__name__}: {err}")

    def _handle(self, raw: bytes) -> None:
        msg = ForwardMsg.FromString(raw)
        kind = msg.WhichOneof("type")
        if kind == "ref_hash":  # "you have this one": the frontend takes it from its cache, with the new metadata
            cached = self._cache.get(msg.ref_hash)
            if cached is None:
                self.tally.errors.append(f"cache miss for {msg.ref_hash}")
                return
            full = ForwardMsg.FromString(cached[0])
            full.metadata.CopyFrom(msg.metadata)
            self._cache[msg.ref_hash] = (cached[0], self._runs)
            msg, kind = full, full.WhichOneof("type")
        elif msg.metadata.cacheable and msg.hash:
            self._cache[msg.hash] = (raw, self._runs)

        if kind == "new_session":
            if not msg.metadata.run.fragment_ids:  # a full run: the frontend drops every fragment timer
                self._cancel_timers(list(self._timers))
                self.elements = {}
                self._full_started = time.perf_counter()
            if msg.new_session.page_script_hash:
                self.page_hash = msg.new_session.page_script_hash
        elif kind == "navigation":
            if msg.navigation.page_script_hash:
                self.page_hash = msg.navigation.page_script_hash
        elif kind == "page_info_changed":
            self.query = msg.page_info_changed.query_string
        elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            self._element(msg.delta.new_element, tuple(msg.metadata.delta_path))
        elif kind == "auto_rerun":
            self._start_timer(msg.auto_rerun.fragment_id, msg.auto_rerun.interval)
        elif kind == "stop_auto_rerun":
            self._cancel_timers(list(msg.stop_auto_rerun.fragment_ids))
        elif kind == "script_finished":
            self._finished(msg.script_finished, fragment_run=bool(msg.metadata.run.fragment_ids))

    def _element(self, element: Element, path: tuple[int, ...]) -> None:
        self.elements[path] = element
        which = element.WhichOneof("type")
        if which == "exception":
            self.tally.exceptions.append(f"{element.exception.type}: {element.exception.message}"[:200])
        elif which == "slider" and element.slider.id.endswith(f"-{self.target.lever_key}"):
            slider = element.slider
            self.lever_id = slider.id
            self.lever_options = list(slider.options)
            # The value the page set (session state) comes as labels in raw_value; otherwise the default index.
            if slider.set_value and slider.raw_value and slider.raw_value[0] in self.lever_options:
                self.lever_index = self.lever_options.index(slider.raw_value[0])
            elif slider.default:
                self.lever_index = int(slider.default[0])

    def _finished(self, status: int, *, fragment_run: bool) -> None:
        now = time.perf_counter()
        if status == FINISHED.FINISHED_FRAGMENT_RUN_SUCCESSFULLY:
            if self._fragment_sent is not None:
                self.tally.fragments.append(now - self._fragment_sent)
                self._fragment_sent = None
            return
        if status == FINISHED.FINISHED_EARLY_FOR_RERUN:
            # A newer request interrupted this run, or the run asked for a rerun (a fragment's
            # st.rerun(scope="app")): that run's own script_finished follows. A fragment run that
            # ended so is not a fragment run's time: the next one is timed from its own tick.
            if fragment_run:
                self.fragment_to_app += 1
                self._fragment_sent = None
                self._asked = now
            elif self._full_started is not None:
                self.full_restarts.append(self._full_started)
                self._full_started = None
            return
        if status == FINISHED.FINISHED_WITH_COMPILE_ERROR:
            self.tally.errors.append("script finished with a compile error")
        if self._full_started is not None:
            self.full_runs.append((self._full_started, now, self._asked))
            self._full_started = self._asked = None
        self._runs += 1
        # The frontend forgets cached messages not used in the last two runs (global.maxCachedMessageAge).
        self._cache = {h: entry for h, entry in self._cache.items() if self._runs - entry[1] <= 2}
        self._full_run_done.set()

    def _start_timer(self, fragment_id: str, interval: float) -> None:
        if not fragment_id:
            return
        current = self._timers.get(fragment_id)
        if current is not None and current[0] == interval:
            return  # the frontend keeps a running timer of the same interval
        self._cancel_timers([fragment_id])
        self._timers[fragment_id] = (interval, asyncio.create_task(self._tick(fragment_id, interval)))

    def _cancel_timers(self, fragment_ids: list[str]) -> None:
        for fragment_id in fragment_ids:
            entry = self._timers.pop(fragment_id, None)
            if entry is not None:
                entry[1].cancel()

    async def _tick(self, fragment_id: str, interval: float) -> None:
        """setInterval(() => sendUpdateWidgetsMessage(fragmentId, true), interval): it fires whether or not a run is going."""
        next_at = time.perf_counter() + interval
        while not self._broken:
            await asyncio.sleep(max(0.0, next_at - time.perf_counter()))
            next_at += interval
            if self._fragment_sent is None:
                self._fragment_sent = time.perf_counter()
            await self._send_rerun(fragment_id=fragment_id)


# ------------------------------------------------------------------ a run


async def drive(
    base_url: str,
    target: Target,
    *,
    participants: int,
    duration: float,
    interval: float = 2.0,
    idle: bool = False,
    server: Server | None = None,
    seed: int = 7,
    projector: Target | None = None,
) -> Result:
    """Connect `participants` tabs, then for `duration` seconds let each move its lever every `interval`
    seconds (or sit idle, answering fragment timers); the merged tally and the CPU used meanwhile.

    `projector`: one more tab, opened before the participants arrive, that only answers its fragment
    timers (the Projector page); after the window it stays until it has redrawn after the last move
    (at most SETTLE seconds), and the result says what it saw (ProjectorStats)."""
    watcher = Participant(base_url, projector, seed=seed * 1000 - 1) if projector is not None else None
    if watcher is not None:
        await watcher.open()
    tabs = [Participant(base_url, target, seed=seed * 1000 + i) for i in range(participants)]
    # People arrive over a few seconds, not in the same millisecond.
    arrivals = [asyncio.create_task(_arrive(tab, delay=i * 0.05)) for i, tab in enumerate(tabs)]
    ready = await asyncio.gather(*arrivals)
    core = SERVER_CORE if server and server.pinned else None
    cpu_server = server.cpu_seconds() if server else 0.0
    cpu_driver = time.process_time()
    busy_before, total_before = core_ticks(core)
    start = time.perf_counter()
    end = start + duration
    if idle:
        await asyncio.sleep(duration)
    else:
        await asyncio.gather(*(_keep_moving(tab, end=end, interval=interval) for tab, ok in zip(tabs, ready, strict=True) if ok))
    wall = time.perf_counter() - start
    server_cpu = (server.cpu_seconds() - cpu_server) / wall if server else float("nan")
    driver_cpu = (time.process_time() - cpu_driver) / wall
    busy_after, total_after = core_ticks(core)
    core_busy = (busy_after - busy_before) / max(1, total_after - total_before)
    stats = None
    if watcher is not None:
        moving = [tab for tab, ok in zip(tabs, ready, strict=True) if ok and not tab.broken]
        move_ends = [end for tab in tabs for end in tab.tally.move_ends]
        if moving:
            # One more move, not measured, after every measured one ended: its share changes the room once
            # more, so a redraw starts after the last measured move (the board may not change after it).
            await moving[0].move_lever(count=False)
        await _until_redrawn(watcher, after=max(move_ends, default=start), timeout=SETTLE)
        quiet = [t for _ in range(QUIET_REDRAWS) if (t := await watcher.rerun()) is not None]
        stats = projector_stats(watcher, move_ends, window_start=start, quiet=quiet)
    tally = Tally()
    for tab in tabs:
        await tab.close()
        tally.merge(tab.tally)
    levers = tuple(tab.lever_options[tab.lever_index] for tab in tabs if tab.lever_options)
    if watcher is not None:
        await watcher.close()
        tally.errors += [f"projector: {e}" for e in watcher.tally.errors]
        tally.exceptions += [f"projector: {e}" for e in watcher.tally.exceptions]
    return Result(target.name, participants, tally, server_cpu, driver_cpu, core_busy, stats, levers)


async def _until_redrawn(watcher: Participant, *, after: float, timeout: float) -> None:
    """Wait until the projector has finished a full run that started after `after` (or `timeout` passed)."""
    deadline = time.perf_counter() + timeout
    while not watcher.broken and time.perf_counter() < deadline:
        if any(started > after for started, _, _ in watcher.full_runs):
            return
        await asyncio.sleep(0.05)


def projector_stats(
    watcher: Participant, move_ends: Sequence[float], *, window_start: float, quiet: Sequence[float] = ()
) -> ProjectorStats:
    """The projector's redraws in the window, and each move's data age: the end of the first full run
    that started after the move's run ended, less that end (a run that started later read the board later).

    Times are when the driver received the messages. The server's event loop sends every session's
    queued messages in turn, every few milliseconds, so a redraw whose new_session arrived after a
    participant's script_finished started (and read the board) after that participant's share was
    written: the share is written at the start of the participant's run, a whole run before its
    script_finished. Under load the server may send a run's messages in one burst at its end, so the
    `redraws` times (asked → drawn) can look shorter than the runs were; the `quiet` reruns are its cost."""
    runs = [run for run in watcher.full_runs if run[0] >= window_start]
    starts = [started for started, _, _ in runs]  # in order: runs of one session do not overlap
    ages, undrawn = [], 0
    for end in move_ends:
        i = bisect.bisect_right(starts, end)
        if i < len(runs):
            ages.append(runs[i][1] - end)
        else:
            undrawn += 1
    return ProjectorStats(
        redraws=[ended - asked for _, ended, asked in runs if asked is not None],
        restarts=sum(started >= window_start for started in watcher.full_restarts),
        polls=list(watcher.tally.fragments),
        asked=watcher.fragment_to_app,
        ages=ages,
        undrawn=undrawn,
        shown=shown_sharing(watcher.elements.values()),
        quiet=list(quiet),
    )


def shown_sharing(elements: Iterable[Element]) -> int | None:
    """N in the projector's "**N** people sharing live · …" line among the elements of its last full run."""
    from model.text import tr

    head = tr("vi", "projector.summary", n="NNN", saved="SSS", time="TTT").split("SSS", 1)[0]
    pattern = re.compile(re.escape(head).replace("NNN", r"(\d+)"))
    for element in elements:
        if element.WhichOneof("type") == "markdown":
            found = pattern.search(element.markdown.body)
            if found:
                return int(found.group(1))
    return None


async def _arrive(tab: Participant, *, delay: float) -> bool:
    await asyncio.sleep(delay)
    return await tab.open()


async def _keep_moving(tab: Participant, *, end: float, interval: float) -> None:
    # Each person's first move falls somewhere in the first interval; then one move per interval,
    # never two at once (a late rerun pushes the next move back, it does not pile up).
    next_at = time.perf_counter() + tab.random.uniform(0, interval)
    while not tab.broken:
        await asyncio.sleep(max(0.0, next_at - time.perf_counter()))
        if time.perf_counter() >= end:
            return
        await tab.move_lever()
        next_at = max(next_at + interval, time.perf_counter())


# ------------------------------------------------------------------ the report


def _fmt(seconds: float) -> str:
    return "    –" if seconds != seconds else f"{seconds:5.3f}"


def print_table(results: list[Result]) -> None:
    header = (
        f"{'scenario':<10} {'people':>6} {'reruns':>6} {'median':>7} {'p95':>7} {'max':>7} {'errors':>6} {'exc':>4}"
        f" {'first load':>10} {'frag runs':>9} {'frag p95':>8} {'server CPU':>10} {'core busy':>9} {'driver CPU':>10}"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        t = r.tally
        print(
            f"{r.scenario:<10} {r.participants:>6} {len(t.moves):>6} {_fmt(median(t.moves)):>7}"
            f" {_fmt(percentile(t.moves, 0.95)):>7} {_fmt(max(t.moves, default=float('nan'))):>7}"
            f" {len(t.errors):>6} {len(t.exceptions):>4}"
            f" {_fmt(median(t.first_loads)):>10} {len(t.fragments):>9} {_fmt(percentile(t.fragments, 0.95)):>8}"
            f" {r.server_cpu:>10.0%} {r.core_busy:>9.0%} {r.driver_cpu:>10.0%}"
        )
    print("(times in seconds; reruns = lever moves measured; CPU as a share of one core over the window;")
    print(" core busy = the server's core used by anyone: well above server CPU means other processes took it)")
    for r in results:
        if r.projector is not None:
            print_room(r)
    for r in results:
        for line in sorted(set(r.tally.errors))[:3]:
            print(f"  {r.scenario} × {r.participants} error: {line}")
        for line in sorted(set(r.tally.exceptions))[:3]:
            print(f"  {r.scenario} × {r.participants} exception: {line}")


def print_room(r: Result) -> None:
    """The projector's side of a room run, and the board's live rows."""
    p = r.projector
    assert p is not None
    print(
        f"  room × {r.participants}: projector polls: {len(p.polls)} found nothing new (p95 {_fmt(percentile(p.polls, 0.95))} s),"
        f" {p.asked} asked for a redraw; {len(p.redraws)} redraws (asked → drawn median {_fmt(median(p.redraws))} s,"
        f" p95 {_fmt(percentile(p.redraws, 0.95))} s), {p.restarts} redraws restarted before the end;"
        f" its last redraw showed {p.shown} sharing"
    )
    print(
        f"  room × {r.participants}: projector redraw alone (participants idle, {len(p.quiet)} reruns):"
        f" median {_fmt(median(p.quiet))} s, max {_fmt(max(p.quiet, default=float('nan')))} s"
    )
    print(
        f"  room × {r.participants}: data age over {len(p.ages)} moves median {_fmt(median(p.ages))} s,"
        f" p95 {_fmt(percentile(p.ages, 0.95))} s, max {_fmt(max(p.ages, default=float('nan')))} s;"
        f" {p.undrawn} moves never shown"
    )
    if r.live is not None:
        print(
            f"  room × {r.participants}: board: {r.live.rows} live rows from {r.live.tabs} tabs,"
            f" their levers {'are' if r.live.matching else 'are NOT'} the participants' last values"
        )


def budget_lines(results: list[Result], solo: dict[str, float]) -> list[str]:
    """The issue's budgets, PASS/FAIL beside each (n/a when the run did not measure it)."""

    def find(scenario: str, n: int) -> Result | None:
        return next((r for r in results if r.scenario == scenario and r.participants == n), None)

    def mark(ok: bool | None) -> str:
        return "n/a " if ok is None else ("PASS" if ok else "FAIL")

    lines = []
    for scenario in ("app", "workshop"):
        r40, r20 = find(scenario, 40), find(scenario, 20)
        if r40 is not None:
            p95 = percentile(r40.tally.moves, 0.95)
            lines.append(f"{mark(p95 <= P95_AT_40)}  {scenario}: 40 participants, rerun p95 {p95:.3f} s ≤ {P95_AT_40} s")
            errors, exceptions = len(r40.tally.errors), len(r40.tally.exceptions)
            lines.append(f"{mark(errors == 0)}  {scenario}: 40 participants, {errors} errors (0)")
            lines.append(f"{mark(exceptions == 0)}  {scenario}: 40 participants, {exceptions} exceptions (0)")
        else:
            lines.append(f"n/a   {scenario}: 40 participants (not run)")
        if r20 is not None:
            p95 = percentile(r20.tally.moves, 0.95)
            lines.append(f"{mark(p95 <= P95_AT_20)}  {scenario}: 20 participants, rerun p95 {p95:.3f} s ≤ {P95_AT_20} s")
        else:
            lines.append(f"n/a   {scenario}: 20 participants (not run)")
    rooms = [r for r in results if r.scenario == "room"]
    for r in rooms:
        n = r.participants
        if n == 40:
            p95 = percentile(r.tally.moves, 0.95)
            lines.append(f"{mark(p95 <= P95_AT_40)}  room: 40 participants sharing live, rerun p95 {p95:.3f} s ≤ {P95_AT_40} s")
        p = r.projector
        assert p is not None
        age = percentile(p.ages, 0.95)
        ok = age <= DATA_AGE_P95 and p.undrawn == 0
        lines.append(
            f"{mark(ok)}  room: {n} participants, projector data age p95 {age:.3f} s ≤ {DATA_AGE_P95} s"
            f" (max {max(p.ages, default=float('nan')):.3f} s; {p.undrawn} moves never shown)"
        )
        live = r.live
        ok_live = live is not None and live.rows == live.tabs == n and live.matching and p.shown == n
        lines.append(
            f"{mark(ok_live)}  room: {n} participants, one live row each on the board"
            f" ({live.rows if live else '?'} rows, {live.tabs if live else '?'} tabs, projector showed {p.shown})"
        )
        lines.append(f"{mark(not r.tally.errors and not r.tally.exceptions)}  room: {n} participants,"
                     f" {len(r.tally.errors)} errors, {len(r.tally.exceptions)} exceptions (0)")  # fmt: skip
    if not any(r.participants == 40 for r in rooms):
        lines.append("n/a   room: 40 participants sharing live with a projector open (not run)")
    idle = next((r for r in results if r.scenario == "idle"), None)
    if idle is not None:
        ok = idle.server_cpu <= IDLE_CPU_AT_40 and not idle.tally.errors
        lines.append(
            f"{mark(ok)}  {idle.participants} idle on the Workshop page: server {idle.server_cpu:.1%} of one core"
            f" ≤ {IDLE_CPU_AT_40:.0%} ({len(idle.tally.fragments)} fragment reruns answered, {len(idle.tally.errors)} errors)"
        )
    else:
        lines.append("n/a   40 idle on the Workshop page (not run)")
    if "app" in solo and "bare" in solo:
        ratio = solo["app"] / solo["bare"]
        lines.append(
            f"{mark(ratio <= RATIO_TO_BARE)}  1 participant: app rerun {solo['app']:.3f} s / bare page {solo['bare']:.3f} s"
            f" = {ratio:.2f}× ≤ {RATIO_TO_BARE}×"
        )
    else:
        lines.append("n/a   1 participant: app rerun vs the bare page (needs both app and bare)")
    return lines


# ------------------------------------------------------------------ main


SCENARIOS = ("app", "workshop", "bare", "idle", "room")


@dataclass(frozen=True)
class Settings:
    participants: tuple[int, ...]
    duration: float
    idle_duration: float
    solo_duration: float
    only: frozenset[str]
    pin: bool


def _target(scenario: str, room: str) -> Target:
    if scenario == "bare":
        return Target("bare", "", "", "bare_new_coops")
    if scenario == "app":
        return Target("app", "", "", "sidebar_new_coops")
    # workshop, idle, room: everyone in one room (in the room by its link: sharing live)
    return Target(scenario, "workshop", f"room={room}", f"sidebar_{ROOM_LEVER}")


def projector_target(room: str) -> Target:
    """The facilitator's projector tab: it moves nothing (no lever to find)."""
    return Target("projector", "projector", f"room={room}", "")


def check_live(board_db: Path, room: str, levers: Sequence[str]) -> LiveCheck:
    """Read the room's live rows from the board: how many, from how many tabs, and whether their lever
    values are the participants' last ones (labelled as the slider labels them)."""
    from model.plan import load_plan
    from model.scenario import from_json
    from model.text import number
    from store import Board, dispose_engines

    plan = load_plan()
    lever = plan.lever(ROOM_LEVER)
    try:
        rows = Board(None, plan=plan, environ={"SONLA_BOARD_DB": str(board_db)}).live_entries(room)
    finally:
        dispose_engines()
    shown = sorted(number(float(from_json(plan, r.scenario_json, lenient=True).scenario.levers[ROOM_LEVER]), "vi", lever.decimals)
                   for r in rows)  # fmt: skip
    return LiveCheck(rows=len(rows), tabs=len({r.owner_digest for r in rows}), matching=shown == sorted(levers))


def run_scenario(scenario: str, settings: Settings, *, tmp: Path, script: Path) -> tuple[list[Result], float | None]:
    """One server for one scenario: the sizes in turn (and one participant alone first, for app and bare)."""
    db = tmp / f"{scenario}.sqlite"
    room = seed_room(db) if scenario in ("workshop", "idle", "room") else ""
    target = _target(scenario, room)
    server = Server.start(script, workdir=tmp, pin=settings.pin, board_db=db)
    results: list[Result] = []
    solo: float | None = None
    try:
        print(f"# {scenario}: {server.url} (server pinned to core {SERVER_CORE}: {'yes' if server.pinned else 'no'})", flush=True)
        if scenario == "idle":
            idle = drive(server.url, target, participants=IDLE_PARTICIPANTS, duration=settings.idle_duration,
                         idle=True, server=server)  # fmt: skip
            results.append(asyncio.run(idle))
            print(f"  {IDLE_PARTICIPANTS} idle: server {results[-1].server_cpu:.1%} of one core", flush=True)
        else:
            if scenario in ("app", "bare"):
                one = asyncio.run(drive(server.url, target, participants=1, duration=settings.solo_duration, interval=0.3))
                solo = median(one.tally.moves)
                print(f"  1 participant: {len(one.tally.moves)} reruns, median {solo:.3f} s", flush=True)
            for i, n in enumerate(settings.participants):
                if scenario == "room":  # each size in a room of its own: earlier tabs' rows stay for a while
                    results.append(room_run(server, db, room if i == 0 else seed_room(db), n, settings.duration))
                else:
                    results.append(
                        asyncio.run(drive(server.url, target, participants=n, duration=settings.duration, server=server))
                    )
                t = results[-1].tally
                print(f"  {n} participants: {len(t.moves)} reruns, p95 {percentile(t.moves, 0.95):.3f} s", flush=True)
    finally:
        server.stop()
    tracebacks = server.tracebacks()
    if tracebacks:
        first = tracebacks[0][-1500:].replace("\n", "\n    ")
        print(f"  the server logged {len(tracebacks)} tracebacks; the first:\n    {first}")
    return results, solo


def room_run(server: Server, db: Path, room: str, participants: int, duration: float) -> Result:
    """The room scenario at one size in `room` (a room without live rows: an earlier size's tabs' rows
    would stay on the board for Limits.live_idle_seconds): the participants and the projector, then the
    board read."""
    target = _target("room", room)
    result = asyncio.run(
        drive(server.url, target, participants=participants, duration=duration, server=server, projector=projector_target(room))
    )
    return dataclasses.replace(result, live=check_live(db, room, result.levers))


def run_all(settings: Settings) -> tuple[list[Result], dict[str, float]]:
    results: list[Result] = []
    solo: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="sonla-load-") as tmp_name:
        tmp = Path(tmp_name)
        bare_script = tmp / "bare" / "bare_page.py"  # a folder of its own (no pages/ beside it); served from ROOT
        bare_script.parent.mkdir()
        shutil.copy(BARE_SCRIPT, bare_script)
        for scenario in SCENARIOS:
            if scenario in settings.only:
                found, alone = run_scenario(scenario, settings, tmp=tmp, script=bare_script if scenario == "bare" else APP_SCRIPT)
                results += found
                if alone is not None:
                    solo[scenario] = alone
    return results, solo


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--participants", default="10,20,40", help="comma-separated sizes (default 10,20,40)")
    parser.add_argument("--duration", type=float, default=None, help="seconds of moving per size (default 30; quick 6)")
    parser.add_argument("--only", action="append", choices=SCENARIOS, help="a scenario (repeatable)")
    parser.add_argument("--quick", action="store_true", help="shorter windows, for a quick look")
    parser.add_argument("--no-pin", action="store_true", help="do not pin the server and the driver to cores")
    args = parser.parse_args(argv)
    duration = args.duration or (6.0 if args.quick else 30.0)
    settings = Settings(
        participants=tuple(int(n) for n in args.participants.split(",") if n.strip()),
        duration=duration,
        idle_duration=max(duration, 10.0 if args.quick else 30.0),
        solo_duration=4.0 if args.quick else 15.0,
        only=frozenset(args.only or SCENARIOS),
        pin=not args.no_pin and _two_cores(),
    )
    if settings.pin:
        os.sched_setaffinity(0, {DRIVER_CORE})
    print(f"driver pinned to core {DRIVER_CORE}: {'yes' if settings.pin else 'no (fewer than two cores, or --no-pin)'}")
    print(f"load average at the start: {' '.join(Path('/proc/loadavg').read_text().split()[:3])}")
    results, solo = run_all(settings)
    print(f"load average at the end: {' '.join(Path('/proc/loadavg').read_text().split()[:3])}")
    print()
    print_table(results)
    print()
    for line in budget_lines(results, solo):
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
