#!/usr/bin/env python3
"""README screenshots from a running demo database (`make run`), in headless Chromium.

    .venv/bin/python scripts/screenshots.py --url http://127.0.0.1:8069 --db pc_demo \
        --account PA000001 --out static/description

Logs in as the demo users (password = login) through /web/session/authenticate,
drives Chromium over its DevTools protocol (the `websocket-client` package Odoo's
own test browser uses) and writes PNGs reduced to a 256-colour palette: the
Board at 1440 px with its legend (manager), an account form (specialist), the
first page of the account's printed statement (rendered with poppler's
pdftoppm: `apt-get install poppler-utils`) and the Board on a 375 px phone
(specialist)."""

import argparse
import base64
import io
import json
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import requests
import websocket
from PIL import Image

BOARD = "/odoo/action-patient_collections.patient_account_board_action"
ACCOUNT = "/odoo/action-patient_collections.patient_account_action/%d"
STATEMENT = "/report/pdf/patient_collections.report_patient_statement/%d"


def login(base, db, user):
    session = requests.Session()
    response = session.post(
        f"{base}/web/session/authenticate",
        json={"jsonrpc": "2.0", "params": {"db": db, "login": user, "password": user}},
        timeout=60,
    )
    response.raise_for_status()
    if response.json().get("error") or not session.cookies.get("session_id"):
        raise SystemExit(f"cannot log in as {user}: {response.text[:300]}")
    return session


def find_account(session, base, number):
    response = session.post(
        f"{base}/web/dataset/call_kw/patient.account/search_read",
        json={
            "jsonrpc": "2.0",
            "params": {
                "model": "patient.account",
                "method": "search_read",
                "args": [[["name", "=", number]], ["id"]],
                "kwargs": {},
            },
        },
        timeout=60,
    )
    result = response.json().get("result")
    if not result:
        raise SystemExit(f"account {number} not found: {response.text[:300]}")
    return result[0]["id"]


class Chrome:
    """One headless Chromium, one page, driven over the DevTools protocol."""

    def __init__(self, port=9333):
        self.profile = tempfile.mkdtemp(prefix="pc_shots_")
        binary = shutil.which("chromium") or shutil.which("chromium-browser")
        self.process = subprocess.Popen(
            [
                binary,
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--hide-scrollbars",
                f"--remote-debugging-port={port}",
                f"--user-data-dir={self.profile}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _attempt in range(50):
            try:
                pages = requests.get(f"http://127.0.0.1:{port}/json", timeout=2).json()
                page = next(page for page in pages if page["type"] == "page")
                break
            except (requests.RequestException, StopIteration):
                time.sleep(0.2)
        else:
            raise SystemExit("Chromium did not start")
        self.socket = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=60)
        self.next_id = 0

    def call(self, method, **params):
        self.next_id += 1
        self.socket.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv())
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    def shoot(self, base, session, path, selector, size, mobile=False, settle=2.0):
        width, height = size
        self.call("Network.enable")
        self.call("Network.clearBrowserCookies")
        self.call(
            "Network.setCookie",
            name="session_id",
            value=session.cookies["session_id"],
            url=base,
        )
        self.call(
            "Emulation.setDeviceMetricsOverride",
            width=width,
            height=height,
            deviceScaleFactor=1,
            mobile=mobile,
        )
        self.call("Emulation.setTouchEmulationEnabled", enabled=mobile)
        self.call("Page.navigate", url=base + path)
        deadline = time.time() + 60
        found = False
        while time.time() < deadline and not found:
            time.sleep(0.3)
            found = self.call(
                "Runtime.evaluate",
                expression=f"!!document.querySelector({json.dumps(selector)})",
                returnByValue=True,
            )["result"].get("value")
        if not found:
            raise SystemExit(f"{path}: {selector} never appeared")
        time.sleep(settle)  # animations, avatars and the chatter
        data = self.call("Page.captureScreenshot", format="png")["data"]
        return Image.open(io.BytesIO(base64.b64decode(data)))

    def close(self):
        self.socket.close()
        self.process.terminate()
        self.process.wait(timeout=10)
        shutil.rmtree(self.profile, ignore_errors=True)


def save(image, path):
    """A 256-colour PNG: README screenshots stay small."""
    image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(
        path, optimize=True
    )
    print(f"{path}: {image.size[0]}x{image.size[1]}, {path.stat().st_size // 1024} KB")


def statement_page(session, base, account_id):
    pdf = session.get(base + STATEMENT % account_id, timeout=120)
    pdf.raise_for_status()
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "statement.pdf"
        source.write_bytes(pdf.content)
        subprocess.run(
            ["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", source, Path(folder) / "page"],
            check=True,
        )
        page = next(Path(folder).glob("page*.png"))
        return Image.open(page).copy()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8069")
    parser.add_argument("--db", default="pc_demo")
    parser.add_argument("--account", required=True, help="the account number to show")
    parser.add_argument("--out", default="static/description", type=Path)
    args = parser.parse_args()
    base = args.url.rstrip("/")
    manager = login(base, args.db, "manager")
    specialist = login(base, args.db, "specialist")
    account_id = find_account(manager, base, args.account)
    chrome = Chrome()
    try:
        shots = [
            ("board.png", manager, BOARD, ".o_patient_account_aging_legend", (1440, 900), False),
            (
                "account_form.png",
                specialist,
                ACCOUNT % account_id,
                ".o_patient_aging_row .o_field_monetary",
                (1440, 1000),
                False,
            ),
            ("board_phone.png", specialist, BOARD, ".o_kanban_record", (375, 740), True),
        ]
        for name, session, path, selector, size, mobile in shots:
            image = chrome.shoot(base, session, path, selector, size, mobile=mobile)
            save(image, args.out / name)
    finally:
        chrome.close()
    save(statement_page(specialist, base, account_id), args.out / "statement.png")


if __name__ == "__main__":
    main()
