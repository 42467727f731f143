"""The app as it is served to people: `streamlit run deploy/asgi.py` (from the project folder).

Streamlit 1.67 serves every app through Starlette; ``st.App`` lets us put a middleware in front
of it. This one adds the security headers Streamlit does not send by itself: the app may not be
framed by another site (clickjacking: X-Frame-Options and CSP frame-ancestors), browsers must not
guess content types, and no referrer leaves with the room code in it. Everything else is app.py,
unchanged: `streamlit run app.py` still works for development, without these headers.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

import streamlit as st
from starlette.middleware import Middleware
from streamlit.runtime.pages_manager import PagesManager

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

APP_SCRIPT = Path(__file__).resolve().parent.parent / "app.py"

SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-frame-options", b"DENY"),
    (b"content-security-policy", b"frame-ancestors 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
)


class SecurityHeaders:
    """ASGI middleware: every HTTP response carries SECURITY_HEADERS (a header the app set itself is kept)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers.extend((name, value) for name, value in SECURITY_HEADERS if name not in present)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


# Streamlit's legacy pages/ mode (see ui/state.py, "the legacy pages/ mode") is a class flag that the first
# session of a server decides and app.py's st.navigation switches off. Switched off here, at server start,
# before any session exists: the first session after a start then runs app.py with st.navigation from its
# very first run, like every later session (no English "Page not found" dialog for /overview or a mistyped
# address; no widgets made under other ids in that run). ui/state.py's workaround stays for `streamlit
# run app.py` and AppTest, which do not load this file.
PagesManager.uses_pages_directory = False
app = st.App(APP_SCRIPT, middleware=[Middleware(SecurityHeaders)])
