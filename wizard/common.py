"""Shared by the module's wizards."""

from odoo import fields


def active_records_default(model_name):
    """A default for a Many2many field of a wizard: the records it was opened on,
    when they are of ``model_name``."""

    def default(self):
        context = self.env.context
        if context.get("active_model") == model_name and context.get("active_ids"):
            return [fields.Command.set(context["active_ids"])]
        return []

    return default
