"""`deploy/serve`: the app's Streamlit replicas behind HAProxy, as a workshop uses it (issue 7, items 3 and 4).

Real processes on loopback and Debian's Chromium. Which replica served a browser is the value of the
balancer's affinity cookie (SONLA_SERVER=r1, r2, …).
"""

from __future__ import annotations

import os
import re
import signal
import socket
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from playwright.sync_api import Browser, BrowserContext, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from servetools import HAPROXY, ROOT, SERVE, Served

from tests.ci import require_tool

COOKIE = "SONLA_SERVER"
SESSIONS = 8
DOWNLOADS = ("Year-end results (CSV)", "Month by month (CSV)", "Excel workbook", "Scenario file (JSON)")
SECURITY_HEADERS = {
    "x-frame-options": "DENY",
    "content-security-policy": "frame-ancestors 'none'",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
}


def _get(url: str, *, cookie: str | None = None) -> tuple[int, dict[str, list[str]]]:
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            status, headers = response.status, response.headers
    except urllib.error.HTTPError as err:
        status, headers = err.code, err.headers
    collected: dict[str, list[str]] = {}
    for name, value in headers.items():
        collected.setdefault(name.lower(), []).append(value)
    return status, collected


def _served_by(context: BrowserContext) -> str:
    values = [c["value"] for c in context.cookies() if c["name"] == COOKIE]
    assert len(values) == 1, context.cookies()
    return values[0]


def _pin(context: BrowserContext, url: str, replica: str) -> None:
    """Send this browser to one replica, as the balancer's own cookie would."""
    context.add_cookies([{"name": COOKIE, "value": replica, "url": url, "httpOnly": True, "sameSite": "Lax"}])


def _new_context(browser: Browser) -> BrowserContext:
    # A phone-sized window: workshops run on phones.
    return browser.new_context(viewport={"width": 412, "height": 915}, accept_downloads=True)


def _no_exception(page: Page) -> None:
    shown = page.locator('[data-testid="stException"]')
    assert not shown.count(), shown.first.inner_text()


# ------------------------------------------------------------------ without a server


def test_committed_balancer_config_is_the_template_rendered() -> None:
    """deploy/haproxy.cfg is not a second copy: it is deploy/haproxy.cfg.in rendered by the command in its header."""
    committed = (ROOT / "deploy" / "haproxy.cfg").read_text(encoding="utf-8")
    command = re.search(r"^#   deploy/serve (.+)$", committed, re.MULTILINE)
    assert command, "deploy/haproxy.cfg must name the command that rendered it"
    rendered = subprocess.run(
        [sys.executable, str(SERVE), *command.group(1).split()], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout
    assert rendered == committed, "render deploy/haproxy.cfg again with the command in its first lines"
    assert "@" not in re.sub(r"#.*", "", committed), "a template field was left unfilled"


def test_haproxy_accepts_the_production_config(tmp_path: Path) -> None:
    """The committed config (TLS at the balancer, redirect from port 80) passes `haproxy -c` with a real certificate."""
    require_tool(Path(HAPROXY).exists(), f"{HAPROXY} is missing (apt-get install -y haproxy)")
    key, cert, pem = tmp_path / "key.pem", tmp_path / "cert.pem", tmp_path / "sonla.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
         "-days", "1", "-subj", "/CN=localhost"],
        capture_output=True, check=True,
    )  # fmt: skip
    pem.write_bytes(cert.read_bytes() + key.read_bytes())
    config = (ROOT / "deploy" / "haproxy.cfg").read_text(encoding="utf-8").replace("/etc/haproxy/sonla.pem", str(pem))
    (tmp_path / "sonla.cfg").write_text(config, encoding="utf-8")
    check = subprocess.run([HAPROXY, "-c", "-f", str(tmp_path / "sonla.cfg")], capture_output=True, text=True, check=False)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "bind 0.0.0.0:443 ssl crt" in config and "redirect scheme https" in config
    assert "cookie SONLA_SERVER insert indirect nocache httponly" in config and " secure" in config
    # The replica unit's instances are the config's servers: 127.0.0.1:<port> for sonla-app@<port>.
    unit = (ROOT / "deploy" / "systemd" / "sonla-app@.service").read_text(encoding="utf-8")
    assert "--server.port %i --server.address 127.0.0.1" in unit
    assert re.findall(r"server r\d 127\.0\.0\.1:(\d+)", config) == ["8601", "8602", "8603", "8604"]


def test_without_haproxy_it_says_what_to_install() -> None:
    result = subprocess.run(
        [sys.executable, str(SERVE), "--replicas", "1", "--haproxy", "/nonexistent/haproxy"],
        capture_output=True, text=True, check=False, cwd=ROOT, timeout=30,
    )  # fmt: skip
    assert result.returncode == 2
    assert "apt-get install -y haproxy" in result.stderr


# ------------------------------------------------------------------ the running server


def test_balancer_sets_the_affinity_cookie_and_the_security_headers(workshop: Served) -> None:
    status, headers = _get(workshop.url + "/")
    assert status == 200
    cookie = next(c for c in headers["set-cookie"] if c.startswith(f"{COOKIE}="))
    assert re.match(rf"{COOKIE}=r[12];", cookie), cookie
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    for name, value in SECURITY_HEADERS.items():
        assert headers[name] == [value], name  # once: the balancer replaces the replica's header, never doubles it


def test_one_cookie_secret_for_every_replica_and_never_in_argv_or_output(workshop: Served) -> None:
    secrets = set()
    for _, pid in workshop.replicas().values():
        environ = dict(item.split(b"=", 1) for item in Path(f"/proc/{pid}/environ").read_bytes().split(b"\0") if b"=" in item)
        secret = environ[b"STREAMLIT_SERVER_COOKIE_SECRET"]
        assert len(secret) >= 32
        assert secret not in Path(f"/proc/{pid}/cmdline").read_bytes()
        secrets.add(secret)
    assert len(secrets) == 1
    assert secrets.pop().decode() not in workshop.output()
    # The balancer's config sits in a private folder, readable by this user only.
    config = Path(workshop.wait_for("balancer config: ", timeout=1).split("balancer config: ")[1])
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    assert stat.S_IMODE(config.parent.stat().st_mode) == 0o700


def _download_all(page: Page, folder: Path) -> Path:
    """Click every download on Data & sources; each must deliver a non-empty file. The scenario file's path."""
    folder.mkdir()
    for label in DOWNLOADS:
        with page.expect_download(timeout=30_000) as info:
            page.get_by_role("button", name=label, exact=True).click()
        download = info.value
        assert download.failure() is None, (label, download.failure())
        target = folder / download.suggested_filename
        download.save_as(target)
        assert target.stat().st_size > 0, label
    (scenario,) = folder.glob("*.json")
    return scenario


def test_sessions_land_on_both_replicas_and_keep_downloads_and_uploads(
    workshop: Served, browser: Browser, tmp_path: Path
) -> None:
    """8 browsers with no cookie: the balancer spreads them over both replicas, and each one's downloads
    (media files) and upload (a file sent to its own session) reach the replica that holds its session.
    The browsers load their pages at the same time, as a workshop does."""
    contexts = [_new_context(browser) for _ in range(SESSIONS)]
    pages = [context.new_page() for context in contexts]
    try:
        for number, page in enumerate(pages):
            page.goto(f"{workshop.url}/data_sources?new_coops={60 + number}&lang=en")
        served, scenarios = [], []
        for number, (context, page) in enumerate(zip(contexts, pages, strict=True)):
            expect(page.get_by_role("button", name=DOWNLOADS[-1], exact=True)).to_be_visible(timeout=60_000)
            served.append(_served_by(context))
            scenarios.append(_download_all(page, tmp_path / f"session-{number}"))
        for page in pages:
            page.goto(f"{workshop.url}/compare?new_coops=55&lang=en")
        for page, scenario in zip(pages, scenarios, strict=True):
            page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(scenario)
        for context, page, replica in zip(contexts, pages, served, strict=True):
            expect(page.get_by_role("button", name="Remove uploaded scenarios")).to_be_visible(timeout=30_000)
            expect(page.locator('[data-testid="stAlertContentError"]')).to_have_count(0)
            assert _served_by(context) == replica, "a session moved to another replica"
            _no_exception(page)
        print(f"sessions per replica: {sorted((r, served.count(r)) for r in set(served))}")
        assert set(served) == {"r1", "r2"}
    finally:
        for context in contexts:
            context.close()


def test_without_affinity_downloads_and_uploads_fail(workshop: Served, browser: Browser, tmp_path: Path) -> None:
    """The control for the test above: a browser whose requests reach the other replica gets neither."""
    context = _new_context(browser)
    try:
        _pin(context, workshop.url, "r1")
        page = context.new_page()
        page.goto(f"{workshop.url}/data_sources?lang=en")
        expect(page.get_by_role("button", name=DOWNLOADS[-1], exact=True)).to_be_visible(timeout=60_000)
        _pin(context, workshop.url, "r2")  # the websocket stays on r1; plain requests now go to r2
        failed = None
        try:
            with page.expect_download(timeout=10_000) as info:
                page.get_by_role("button", name=DOWNLOADS[0], exact=True).click()
            failed = info.value.failure()
        except PlaywrightTimeoutError as err:  # no download at all is a failure too
            failed = str(err).splitlines()[0]
        print(f"download without affinity: {failed}")
        assert failed, "a download reached a replica that does not hold the session"
        scenario = tmp_path / "scenario.json"
        scenario.write_text('{"plan": {"id": "sonla-2023"}, "levers": {}}', encoding="utf-8")
        _pin(context, workshop.url, "r1")
        page.goto(f"{workshop.url}/compare?lang=en")
        expect(page.locator('[data-testid="stFileUploaderDropzoneInput"]')).to_be_attached(timeout=60_000)
        _pin(context, workshop.url, "r2")
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(scenario)
        page.wait_for_timeout(3000)
        expect(page.get_by_role("button", name="Remove uploaded scenarios")).to_have_count(0)
    finally:
        context.close()


def test_board_entry_saved_through_one_replica_is_listed_through_the_other(workshop: Served, browser: Browser) -> None:
    first, second = _new_context(browser), _new_context(browser)
    try:
        _pin(first, workshop.url, "r1")
        _pin(second, workshop.url, "r2")
        page = first.new_page()
        page.goto(f"{workshop.url}/workshop?new_coops=100")
        page.get_by_role("button", name="Tạo phòng mới").click()
        heading = page.get_by_role("heading", name=re.compile(r"^Phòng [A-Z0-9]{4,8}"))
        expect(heading).to_be_visible(timeout=30_000)
        room = heading.inner_text().strip().removeprefix("Phòng ").strip()
        page.get_by_label("Tên kịch bản").fill("Nhóm 1 qua r1")
        page.get_by_label("Nhóm", exact=True).fill("Nhóm 1")
        page.get_by_role("button", name="Lưu vào phòng").click()
        expect(page.get_by_text("Đã lưu «Nhóm 1 qua r1».")).to_be_visible(timeout=20_000)

        other = second.new_page()
        other.goto(f"{workshop.url}/workshop?room={room}")
        expect(other.locator("td", has_text="Nhóm 1 qua r1").first).to_be_attached(timeout=30_000)  # the room's list table
        assert (_served_by(first), _served_by(second)) == ("r1", "r2")
        _no_exception(page)
        _no_exception(other)
    finally:
        first.close()
        second.close()


def test_a_session_whose_replica_is_killed_reloads_on_the_other_with_its_scenario(workshop: Served, browser: Browser) -> None:
    """SIGKILL the replica holding a session: on reload the balancer sends the browser to the other replica,
    the scenario comes back from the URL, and deploy/serve starts the dead replica again."""
    context = _new_context(browser)
    try:
        _pin(context, workshop.url, "r1")
        page = context.new_page()
        page.goto(f"{workshop.url}/scenario?new_coops=77&lang=en")
        slider = page.locator('[data-testid="stSidebar"] input[type="range"]').first
        expect(slider).to_have_attribute("aria-valuetext", "77", timeout=60_000)
        _, pid = workshop.replicas()["r1"]
        seen = len(workshop.lines)
        killed = time.monotonic()
        os.kill(pid, signal.SIGKILL)
        page.reload()
        expect(slider).to_have_attribute("aria-valuetext", "77", timeout=60_000)
        print(f"failover: the reloaded page showed its scenario {time.monotonic() - killed:.1f} s after the kill")
        assert _served_by(context) == "r2"
        assert "new_coops=77" in page.url
        _no_exception(page)
        workshop.wait_for("replica r1: restarted", timeout=30, after=seen)
        assert workshop.replicas()["r1"][1] != pid
        assert workshop.proc.poll() is None
    finally:
        context.close()


def _health(url: str) -> int:
    """The status of GET /_stcore/health; 0 when nothing listens."""
    try:
        return _get(url + "/_stcore/health")[0]
    except urllib.error.URLError:
        return 0


def _wait_health(url: str, status: int, *, timeout: float) -> tuple[float, int, dict[str, list[str]]]:
    """Seconds until the health at `url` answers `status`, and that answer's status and headers."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        try:
            answered, headers = _get(url + "/_stcore/health")
        except urllib.error.URLError:
            answered, headers = 0, {}
        if answered == status:
            return time.monotonic() - start, answered, headers
        time.sleep(0.1)
    raise AssertionError(f"/_stcore/health did not answer {status} within {timeout} s")


def test_balancer_health_is_200_while_a_replica_is_up_and_503_when_none_is(workshop: Served) -> None:
    for name in ("r1", "r2"):
        port, _ = workshop.replicas()[name]
        _wait_health(f"http://127.0.0.1:{port}", 200, timeout=60)  # both up (r1 restarted by the test above)
    seen = len(workshop.lines)
    os.kill(workshop.replicas()["r1"][1], signal.SIGKILL)
    for _ in range(10):
        assert _health(workshop.url) == 200
    os.kill(workshop.replicas()["r2"][1], signal.SIGKILL)
    down, status, headers = _wait_health(workshop.url, 503, timeout=10)
    assert status == 503
    for name, value in SECURITY_HEADERS.items():
        assert headers[name] == [value], name  # also on the balancer's own error page
    back, _, _ = _wait_health(workshop.url, 200, timeout=60)
    print(f"all replicas killed: 503 after {down:.1f} s, 200 again {back:.1f} s later (restarted)")
    workshop.wait_for("replica r2: restarted", timeout=5, after=seen)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


def _listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0


def test_sigterm_stops_the_balancer_and_every_replica(workshop: Served) -> None:
    """Last in this file: it stops the module's server. Nothing it started may be left running."""
    pids = workshop.pids()
    ports = [port for port, _ in workshop.replicas().values()] + [int(workshop.url.rsplit(":", 1)[1])]
    assert len(pids) >= 3 and all(_alive(pid) for pid in {p for _, p in workshop.replicas().values()})
    started = time.monotonic()
    assert workshop.stop() == 0
    print(f"SIGTERM: deploy/serve exited after {time.monotonic() - started:.1f} s")
    assert [pid for pid in pids if _alive(pid)] == []
    assert [port for port in ports if _listening(port)] == []


def test_run_directly_it_uses_the_venv_and_ctrl_c_stops_everything(tmp_path: Path) -> None:
    """`deploy/serve` through its shebang (/usr/bin/env python3, without Streamlit) re-runs itself with
    .venv/bin/python; SIGINT (Ctrl-C) stops it like SIGTERM."""
    venv_python = ROOT / ".venv" / "bin" / "python"
    require_tool(venv_python.exists(), f"{venv_python} is missing (python3 -m venv .venv)")
    require_tool(Path(HAPROXY).exists(), f"{HAPROXY} is missing (apt-get install -y haproxy)")
    env = os.environ | {"SONLA_BOARD_DB": str(tmp_path / "board.sqlite"), "PATH": "/usr/local/bin:/usr/bin:/bin"}
    served = Served.start(replicas=1, env=env, argv0=[str(SERVE)])
    try:
        assert Path(f"/proc/{served.proc.pid}/exe").resolve() == venv_python.resolve()
        assert Path(f"/proc/{served.proc.pid}/environ").read_bytes().count(b"SONLA_SERVE_REEXEC=1")
        assert _health(served.url) == 200
        pids = served.pids()
        served.proc.send_signal(signal.SIGINT)
        assert served.proc.wait(timeout=30) == 0
        assert "SIGINT: stopping" in served.output()
        assert [pid for pid in pids if _alive(pid)] == []
    finally:
        served.stop()
