from markupsafe import Markup

from odoo import fields, models
from odoo.tools.misc import format_date
from odoo.tools.pdf import merge_pdf

from ..logic import contact_rules, holds
from .patient_protected import trusted


class PatientAccount(models.Model):
    """Sending statements: today's PDFs attached, mailed or emailed, logged."""

    _inherit = "patient.account"

    def _statement_eligible_domain(self, today):
        return [
            ("cease_communication", "=", False),
            ("balance_due", ">", 0),
            "|",
            ("last_statement_date", "=", False),
            ("last_statement_date", "<", today),
        ]

    def _send_statements(self, email=False, today=None):
        """Produce today's statements of these accounts: one merged PDF of those not
        emailed (returned as an attachment, for the mail house; none when all went
        by email), each account's own PDF in its chatter, a
        letter (or email) interaction, and the statement dates.  Accounts that got
        today's statement already, asked to cease communication, or that no
        statement can reach (no mailing address, no email delivery: see
        ``_statement_reachable_domain``) are skipped: nothing is produced, logged or
        dated for them.  Dated ``today`` (the run's), else today on each practice's calendar."""
        reachable = self.sudo().filtered_domain(self._statement_reachable_domain(email))
        return reachable.with_env(self.env)._send_reachable_statements(email, today)

    def _send_reachable_statements(self, email=False, today=None):
        """``_send_statements`` of accounts a statement can reach (the caller kept
        only those of ``_statement_reachable_domain(email)``, as the run's
        statement step does while counting the others)."""
        if not today:
            days = self._practice_days()
            if len(days) > 1:
                parts = self.env["ir.attachment"].union(
                    *(group._send_reachable_statements(email, day) for day, group in days.items())
                )
                if len(parts) < 2:
                    return parts
                # those sent on paper today, each on its practice's calendar
                sent = self.sudo().filtered(
                    lambda account: (
                        account.last_statement_date
                        == next(day for day, group in days.items() if account in group)
                    )
                )
                merged = (
                    sent - sent._statement_email_recipients(email)
                )._statement_merged_attachment(merge_pdf(parts.mapped("raw")), max(days))
                parts.sudo().unlink()  # the days' files, merged
                return merged
            today = next(iter(days), None) or self.env.company._patient_today()
        accounts = self.sudo().filtered_domain(self._statement_eligible_domain(today))
        if not accounts:
            return self.env["ir.attachment"]
        from ..logic import pdf_statement  # noqa: PLC0415 - reportlab loads on demand

        values = accounts._statement_values(today)
        merged, pdfs = pdf_statement.render_batch(values)
        attachments = accounts._statement_attach(pdfs, today)
        emailed = accounts._statement_email_recipients(email)
        moments = emailed._statement_email_moments()
        printed = {}
        for account, attachment, statement in zip(accounts, attachments, values, strict=True):
            if account in emailed:
                # written in the guarantor's language, as the statement is
                account.with_context(lang=statement["lang"])._statement_email(
                    attachment, statement["portal_url"], held_until=moments.get(account.id)
                )
            else:
                printed[account.id] = attachment.ids
        accounts._statement_record_sent(emailed, today, printed, moments)
        # the mail house prints those not emailed: an emailed guarantor gets one statement
        on_paper = accounts - emailed
        if not on_paper:
            return self.env["ir.attachment"]
        if emailed:
            merged = merge_pdf(
                [pdf for account, pdf in zip(accounts, pdfs, strict=True) if account in on_paper]
            )
        return on_paper._statement_merged_attachment(merged, today)

    def _statement_attach(self, pdfs, today):
        """Each account's statement PDF, attached to the account (same order)."""
        return (
            self.env["ir.attachment"]
            .sudo()
            .create(
                [
                    {
                        "name": self.env._(
                            "Statement %(account)s %(date)s.pdf", account=account.name, date=today
                        ),
                        "raw": pdf,
                        "res_model": "patient.account",
                        "res_id": account.id,
                        "mimetype": "application/pdf",
                    }
                    for account, pdf in zip(self, pdfs, strict=True)
                ]
            )
        )

    def _statement_email_recipients(self, email):
        """The accounts whose statement goes by email (when emailing at all)."""
        if not email:
            return self.browse()
        return self.filtered_domain(self._statement_email_domain())

    def _statement_email_moments(self):
        """{account id: when its statement email may reach the guarantor} for the
        accounts whose guarantor is outside their contact hours now (the nightly
        run is at night for some time zones): the next opening of their window."""
        now = fields.Datetime.now()
        zones = self.company_id._patient_tzs()  # one query for all the companies
        moments = {}
        for account in self.sudo():
            # the guarantor's time zone, else the practice's (as ``_contact_tz``)
            tz = account.partner_id.tz or zones.get(account.company_id.id)
            opening = contact_rules.next_contact_window(now, tz)
            if opening.replace(tzinfo=None) > now:
                moments[account.id] = opening.replace(tzinfo=None)
        return moments

    def _statement_email(self, attachment, portal_url, held_until=None):
        """Email the statement to the guarantor with the account's portal link (no
        PHI in subject, text or link), in the context's language (the caller's
        ``_statement_lang_code``); the interaction is logged with the others by
        ``_statement_record_sent``.  ``held_until``: outside the guarantor's
        contact hours, the email waits in the queue until their window opens."""
        self.ensure_one()
        body = Markup("<p>%s</p>") % self.env._("Your latest statement is attached. Thank you.")
        if portal_url:
            body += Markup('<p><a href="%s">%s</a></p>') % (
                portal_url,
                self.env._("See your account and pay online"),
            )
        sender = self
        if held_until:
            # queued, never sent at once (sending ignores the scheduled date)
            sender = self.with_context(mail_notify_force_send=False)
        message = trusted(
            sender,
            patient_interaction_logged=True,
            patient_addressees_only=True,
            patient_portal_link=True,
        ).message_post(
            subject=self.env._("Your statement for account %(account)s", account=self.name),
            body=body,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            partner_ids=self.partner_id.ids,
            attachment_ids=attachment.ids,
        )
        if held_until:
            self.env["mail.mail"].sudo().search(
                [("mail_message_id", "=", message.id), ("state", "=", "outgoing")]
            ).write({"scheduled_date": held_until})

    def write(self, vals):
        res = super().write(vals)
        if vals.get("cease_communication"):
            # however the request is recorded (the outcome, the form's checkbox)
            self._statement_cancel_held()
        elif vals.get("hold_reason") in holds.NO_PAYMENT_DEMAND_HOLDS:
            # a statement asking for payment must not reach a guarantor in
            # bankruptcy, deceased, disputing or applying for assistance
            self._statement_cancel_held(hold=vals["hold_reason"])
        return res

    def _statement_cancel_held(self, hold=None):
        """A request to cease communication, or a hold during which no statement
        asks for payment (``hold``: its reason), stops the statement emails of
        these accounts still waiting for the guarantor's contact hours: cancelled,
        their interactions voided (nothing reached the guarantor)."""
        now = fields.Datetime.now()
        if hold:
            labels = dict(self._fields["hold_reason"]._description_selection(self.env))
            reason = self.env._(
                "Not sent: the account was put on a %(hold)s hold before the statement went out.",
                hold=labels.get(hold, hold).lower(),
            )
        else:
            reason = self.env._(
                "Not sent: the guarantor asked to cease communication before the "
                "statement went out."
            )
        account = self.sudo()
        self.env["mail.mail"].sudo().search(
            [
                ("model", "=", self._name),
                ("res_id", "in", self.ids),
                ("state", "=", "outgoing"),
                ("scheduled_date", ">", now),
            ]
        ).cancel()
        held = (
            self.env["patient.interaction"]
            .sudo()
            .search(
                [
                    ("account_id", "in", account.ids),
                    ("is_statement", "=", True),
                    ("channel", "=", "email"),
                    ("state", "=", "logged"),
                    ("date", ">", now),
                ]
            )
        )
        trusted(held).write(
            {
                "state": "voided",
                "void_reason": reason,
                "voided_by_id": self.env.user.id,
                "voided_at": now,
            }
        )
        held.account_id._statement_undate_unsent()

    def _statement_undate_unsent(self):
        """These accounts' latest statement never went out (its held email was
        stopped): the 501(r) dates it gave are taken back, so that no notification
        period nor final-notice count runs from a statement nobody received (the
        first statement's date and the final notice's, when that statement set
        them: it is of the last statement date, statements never go twice a day).
        The last statement date stays: no second statement the same day."""
        accounts = self.sudo()
        for field in ("first_statement_date", "final_notice_date"):
            undated = accounts.filtered(
                lambda account, field=field: (
                    account[field] and account[field] == account.last_statement_date
                )
            )
            trusted(undated).write({field: False})

    def _statement_log_mailed(self, printed):
        """A chatter note on each of these accounts with its printed statement, for
        the mail house's copy (``printed``: {account id: its statement's attachment
        ids}); all of them in one batch, however many."""
        body = Markup("<p>%s</p>") % self.env._("Statement sent by mail.")
        self._message_log_attached(dict.fromkeys(self.ids, body), printed)

    def _statement_record_sent(self, emailed, today, printed=None, held=None):
        """What sending leaves behind: the access log, the chatter notes of the
        printed statements (``printed``: {account id: attachment ids}), one
        interaction per account (letter or email) and the statement dates.  An
        email held for the guarantor's contact hours (``held``: {account id: when
        it goes out}) is logged at the moment it reaches them."""
        held = held or {}
        now = fields.Datetime.now()
        if printed:
            self.browse(list(printed))._statement_log_mailed(printed)
        Log = self.env["patient.access.log"]
        Log._log("email", emailed, detail="patient_collections.report_patient_statement")
        Log._log("print", self - emailed, detail="patient_collections.report_patient_statement")
        trusted(
            self.env["patient.interaction"].sudo(),
            patient_interaction_logged=True,
            patient_statement_logging=True,
        ).create(
            [
                {
                    "account_id": account.id,
                    "channel": "email" if account in emailed else "letter",
                    "outcome": "other",
                    "date": held.get(account.id, now),
                    "note": self.env._("Statement of %(date)s.", date=format_date(self.env, today)),
                }
                for account in self
            ]
        )
        trusted(self).write({"last_statement_date": today})
        trusted(self.filtered(lambda account: not account.first_statement_date)).write(
            {"first_statement_date": today}
        )
        # a final notice withheld when its stage was entered (a hold, see
        # _final_notice_unsent) is dated by the statement that carries it at last
        trusted(
            (self - self._statement_informational()).filtered(
                lambda account: (
                    account.stage_id.is_final_notice
                    and (
                        not account.final_notice_date
                        or (account.stage_date and account.final_notice_date < account.stage_date)
                    )
                )
            )
        ).write({"final_notice_date": today})

    def _statement_merged_attachment(self, merged, today):
        """The merged PDF of all these statements, for the mail house."""
        return (
            self.env["ir.attachment"]
            .sudo()
            .create(
                {
                    "name": self.env._(
                        "Statements %(date)s (%(count)s).pdf", date=today, count=len(self)
                    ),
                    "raw": merged,
                    "mimetype": "application/pdf",
                }
            )
        )
