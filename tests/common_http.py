"""One way for the HttpCase tests to call the ORM as the web client does."""

import json


def call_kw(case, model, method, args, kwargs=None):
    """POST ``method`` of ``model`` to /web/dataset/call_kw in ``case``'s session
    (``case.authenticate`` first), as the web client sends it: the response."""
    payload = {
        "id": 0,
        "jsonrpc": "2.0",
        "method": "call",
        "params": {"model": model, "method": method, "args": args, "kwargs": kwargs or {}},
    }
    return case.url_open(
        f"/web/dataset/call_kw/{model}/{method}",
        data=json.dumps(payload),
        headers={"Content-Type": "application/json"},
    )
