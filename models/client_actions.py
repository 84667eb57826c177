"""Client actions the module's buttons return (no model here)."""


def sticky_warning(message, next_action, title=None):
    """A sticky warning notification, then ``next_action``: how a button says
    that part of what was asked is left undone (or done differently) and goes
    on.  ``message`` and ``title`` come translated from the caller."""
    params = {"type": "warning", "sticky": True, "message": message, "next": next_action}
    if title:
        params["title"] = title
    return {"type": "ir.actions.client", "tag": "display_notification", "params": params}
