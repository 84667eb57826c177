"""Outbound contact from a patient account: one gate.

Every way Odoo can send something to an account's guarantor or patients — a
chatter message of any type or subtype, a note naming them, the composer in
comment or mass-mail mode, a template, a scheduled message, a ``mail.mail``
written directly — meets :meth:`PatientAccount._gate_outbound_contact`:

0. a request to cease communication, whoever writes (the same refusal for all);
1. the role rule: only collections specialists and managers who may read the
   account contact its guarantor, judged on the real user (``env.user`` stays
   the caller under ``sudo()``, which Odoo's chatter routes use);
2. the contact rules of ``patient.interaction._check_new_contacts`` (cease
   communication, text consent, wrong number, Regulation F's 08:00-21:00 window
   at the guarantor's local time), judged at the moment of sending;
3. one interaction logged (channel email or text, outcome "other").

Notifications are judged where their recipients are known
(``patient.phi.thread.mixin._notify_get_recipients``); ``mail.mail`` records
are judged when created or re-addressed, unless the message they carry was
judged already in this transaction.  The module's statement step is the only
bypass: it logs its own letters and emails and posts under
``trusted(records, patient_interaction_logged=True)``.
"""

from odoo import api, models
from odoo.exceptions import AccessError, UserError
from odoo.tools.misc import clean_context

from ..logic import contact_rules
from .patient_protected import trusted_flag

SPECIALIST_GROUP = "patient_collections.group_collections_specialist"


class PatientAccount(models.Model):
    _inherit = "patient.account"

    # ------------------------------------------------------------------ recipients

    def _patient_contacts(self):
        """The people this account's collections reach: the guarantor, their
        contacts, and the patients whose charges they pay."""
        self.ensure_one()
        account = self.sudo()
        return account.partner_id | account.partner_id.child_ids | account.patient_ids

    def _patient_recipients(self, partners=None, emails=()):
        """The guarantor or patients of this account among ``partners`` and the
        addresses ``emails``.  An address is the person: another contact (or a
        bare address) with the guarantor's email reaches the guarantor."""
        self.ensure_one()
        contacts = self._patient_contacts()
        partners = (partners or self.env["res.partner"]).sudo()
        addresses = set(emails) | {p.email_normalized for p in partners if p.email_normalized}
        contacted = (partners & contacts) | contacts.filtered(
            lambda contact: contact.email_normalized in addresses
        )
        # the guarantor first: the interaction names the person contacted
        guarantor = contacted & self.sudo().partner_id
        return (guarantor | (contacted - guarantor)).with_env(self.env)

    def _accounts_of_contacts(self, partners, emails=()):
        """The accounts (all companies, archived ones too: their cease request
        stands, see :meth:`_acts_for_sender`; as superuser) whose guarantor or
        patients are among ``partners`` or hold one of ``emails``."""
        partners = partners.sudo()
        if emails:
            partners |= partners.search([("email_normalized", "in", sorted(emails))])
        if not partners:
            return self.sudo().browse()
        return self.sudo().search(self._contacts_domain(partners))

    def _accounts_of_each(self, groups):
        """[the accounts of each of ``groups`` (contacts), as
        :meth:`_accounts_of_contacts` finds them]: one search for all of them."""
        found = self._accounts_of_contacts(self.env["res.partner"].union(*groups))
        return [found.filtered_domain(self._contacts_domain(people.sudo())) for people in groups]

    @api.model
    def _contacts_domain(self, partners):
        """The accounts of ``partners``: theirs as guarantor (a contact of a company
        or of a guarantor acts for it) or billed for their care as patients."""
        people = partners | partners.parent_id | partners.guarantor_id
        return [
            ("active", "in", (True, False)),
            "|",
            ("partner_id", "in", people.ids),
            ("move_ids.patient_id", "in", partners.ids),
        ]

    # ------------------------------------------------------------------ the gate

    def _acts_for_sender(self):
        """Whether a message found reaching this account's guarantor or patients
        (not written about the account) is this account's collections contact: an
        active account of a company the sender works for.  Otherwise (an archived
        account, another practice's) only its cease request stands: the sender is
        not told of an account they may not read, and a former guarantor is
        written to as anyone else."""
        self.ensure_one()
        account = self.sudo()
        return account.active and account.company_id in self.env.user.company_ids

    def _gate_reached_contact(self, contacted, channel, found=True, billing=False, scheduled=False):
        """The gate of an outbound message reaching ``contacted`` (guarantor or
        patients of this account), for the last doors (``mail.mail``,
        ``sms.sms``).  ``found``: the account was found by the recipients, the
        message is not about it; ``billing``: the practice's billing (an invoice
        sent to its customer); ``scheduled``: it is to wait in a queue.

        Billing, or a message found reaching an account this sender does not act
        for (archived, another practice's, see :meth:`_acts_for_sender`), meets the
        guarantor's cease request only: no role rule, no log.  Anything else is
        collections contact: refused when scheduled, else the whole
        :meth:`_gate_outbound_contact`."""
        self.ensure_one()
        if billing or (found and not self._acts_for_sender()):
            self._refuse_if_ceased()
            return self.env["patient.interaction"]
        if scheduled:
            self._refuse_scheduled_contact()
        return self._gate_outbound_contact(contacted, channel)

    def _check_contact_role(self):
        """The role rule, on the real user: a collections specialist or manager who
        may read the account.  ``env.user`` is the caller even under ``sudo()``."""
        self.ensure_one()
        user = self.env.user
        readable = self._readable_by(user)
        if not user.has_group(SPECIALIST_GROUP) or not readable:
            raise AccessError(
                self.env._(
                    "Only collections specialists and managers contact the guarantor or "
                    "patients of %(account)s. Post an internal note without them as "
                    "recipients instead.",
                    # named to who may read it only
                    account=self.sudo().name if readable else self.env._("a patient account"),
                )
            )

    def _gate_outbound_contact(self, contacted, channel="email"):
        """THE gate of an outbound message to ``contacted`` (guarantor or patients
        of this account), sent now: role rule, contact rules, one interaction
        logged.  Raises before anything is logged; returns the interaction."""
        self.ensure_one()
        Interaction = self.env["patient.interaction"]
        if not contacted or trusted_flag(self.env, "patient_interaction_logged"):
            return Interaction
        self._refuse_if_ceased()
        self._check_contact_role()
        values = {
            "account_id": self.id,
            "partner_id": contacted[:1].id,
            "channel": channel,
            "outcome": "other",
        }
        # a client's default_* keys (an override reason, a date…) never reach the log:
        # the whole context is replaced (keyword arguments would only add to it)
        Interaction = Interaction.with_context(clean_context(self.env.context))  # pylint: disable=context-overridden
        Interaction._check_new_contacts([dict(values)])
        return Interaction.create(values)

    def _refuse_if_ceased(self):
        """The guarantor's cease request stands whoever writes, about whatever
        document: the same refusal for all."""
        self.ensure_one()
        if self.sudo().cease_communication:
            if not self._readable_by(self.env.user):
                # another practice's account: not named to who may not read it
                raise UserError(
                    self.env._(
                        "Cease-communication request: this person asked to cease "
                        "communication, nothing may be sent to them."
                    )
                )
            cease = contact_rules.Violation(contact_rules.RULE_CEASE, None)
            Interaction = self.env["patient.interaction"]
            raise UserError(Interaction._violation_message(self, [cease], channel="email"))

    def _refuse_scheduled_contact(self):
        raise UserError(
            self.env._(
                "A message to the guarantor or patients of %(account)s cannot wait in a "
                "queue: the contact rules are judged when it is sent. Send it now, or "
                "schedule it from the composer (Send Later), which judges it again when "
                "it goes out.",
                account=self.sudo().name,
            )
        )
