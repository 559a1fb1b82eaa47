"""A page rendered by headless Chromium, with what its console said: a tiny DevTools client.

Chromium is driven over ``--remote-debugging-pipe`` (file descriptors 3 and 4, one JSON
message per NUL-terminated frame), with the standard library only. What the console
shows is collected from three sources: ``Runtime.consoleAPICalled`` (console.log and
friends), ``Runtime.exceptionThrown`` (uncaught errors) and ``Log.entryAdded`` (what the
browser itself reports: a resource that failed to load, a blocked request, a CSP violation).
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FLAGS = (  # as root, on a machine with no network, no GPU and no session bus
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--remote-debugging-pipe",
)


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@dataclass
class Rendered:
    screenshot: bytes  # PNG
    console: list[str] = field(default_factory=list)  # every message, "level: text"
    errors: list[str] = field(default_factory=list)  # the error-level ones, and uncaught exceptions


class _Pipe:
    def __init__(self, to_browser: int, from_browser: int, timeout: float) -> None:
        self.to_browser, self.from_browser = to_browser, from_browser
        self.deadline = time.monotonic() + timeout
        self.buffer = b""
        self.next_id = 0
        self.events: list[dict[str, Any]] = []

    def send(self, method: str, params: dict[str, Any] | None = None, session: str | None = None) -> Any:
        self.next_id += 1
        message: dict[str, Any] = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self.to_browser, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._read()
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, method: str) -> dict[str, Any]:
        for event in self.events:
            if event.get("method") == method:
                return event
        while True:
            event = self._read()
            self.events.append(event)
            if event.get("method") == method:
                return event

    def _read(self) -> dict[str, Any]:
        while b"\0" not in self.buffer:
            left = self.deadline - time.monotonic()
            if left <= 0 or not select.select([self.from_browser], [], [], left)[0]:
                raise TimeoutError("Chromium did not answer in time")
            chunk = os.read(self.from_browser, 1 << 20)
            if not chunk:
                raise RuntimeError("Chromium closed its DevTools pipe")
            self.buffer += chunk
        frame, self.buffer = self.buffer.split(b"\0", 1)
        result: dict[str, Any] = json.loads(frame)
        return result


def render(page: Path, *, width: int = 1280, height: int = 1800, timeout: float = 30.0) -> Rendered:
    """Open ``page`` (a file) at ``width`` x ``height`` CSS pixels; its screenshot and console."""
    browser = chromium()
    if browser is None:
        raise FileNotFoundError("no chromium on PATH")
    to_browser_r, to_browser_w = os.pipe()
    from_browser_r, from_browser_w = os.pipe()
    with tempfile.TemporaryDirectory() as profile:

        def wire() -> None:  # in the child: fd 3 reads commands, fd 4 writes replies
            commands, replies = os.dup2(to_browser_r, 100), os.dup2(from_browser_w, 101)  # out of the way
            os.dup2(commands, 3)  # dup2's copies survive the exec; the originals do not
            os.dup2(replies, 4)

        process = subprocess.Popen(
            [browser, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            close_fds=False,  # else fds 3 and 4 would be closed after ``wire``; ours are CLOEXEC
            preexec_fn=wire,
        )
        os.close(to_browser_r)
        os.close(from_browser_w)
        pipe = _Pipe(to_browser_w, from_browser_r, timeout)
        try:
            return _drive(pipe, page, width, height)
        finally:
            with contextlib.suppress(OSError, RuntimeError, TimeoutError):
                pipe.send("Browser.close")
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            os.close(to_browser_w)
            os.close(from_browser_r)


def _drive(pipe: _Pipe, page: Path, width: int, height: int) -> Rendered:
    target = pipe.send("Target.createTarget", {"url": "about:blank"})["targetId"]
    session = pipe.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
    for domain in ("Page", "Runtime", "Log"):
        pipe.send(f"{domain}.enable", session=session)
    pipe.send(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
        session=session,
    )
    pipe.events.clear()
    pipe.send("Page.navigate", {"url": page.resolve().as_uri()}, session=session)
    pipe.wait_for("Page.loadEventFired")
    shot = pipe.send("Page.captureScreenshot", {"format": "png"}, session=session)
    rendered = Rendered(base64.b64decode(shot["data"]))
    for event in pipe.events:
        method, params = event.get("method"), event.get("params", {})
        if method == "Runtime.consoleAPICalled":
            text = " ".join(str(arg.get("value", arg.get("description", ""))) for arg in params["args"])
            _note(rendered, params["type"], text)
        elif method == "Runtime.exceptionThrown":
            _note(rendered, "error", json.dumps(params["exceptionDetails"])[:500])
        elif method == "Log.entryAdded":
            entry = params["entry"]
            _note(rendered, entry["level"], f"{entry.get('text', '')} {entry.get('url', '')}".strip())
    return rendered


def _note(rendered: Rendered, level: str, text: str) -> None:
    rendered.console.append(f"{level}: {text}")
    if level in ("error", "assert"):
        rendered.errors.append(f"{level}: {text}")
