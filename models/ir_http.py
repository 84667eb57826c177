from odoo import models

SPECIALIST_GROUP = "patient_collections.group_collections_specialist"


class IrHttp(models.AbstractModel):
    _inherit = "ir.http"

    def session_info(self):
        """Collections specialists and managers land on the Board when they log in
        (unless their user has a home action of its own)."""
        info = super().session_info()
        user = self.env.user
        # the companies' currencies: the board's column totals show theirs
        for company in user.company_ids:
            allowed = info.get("user_companies", {}).get("allowed_companies", {})
            if company.id in allowed:
                allowed[company.id]["currency_id"] = company.currency_id.id
        if (
            info.get("home_action_id")
            or not user._is_internal()
            or not user.has_group(SPECIALIST_GROUP)
        ):
            return info
        board = self.env.ref(
            "patient_collections.patient_account_board_server_action", raise_if_not_found=False
        )
        if board:
            info["home_action_id"] = board.id
        return info
