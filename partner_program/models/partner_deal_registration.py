"""partner.deal.registration: a reseller's request to own a deal, approved or rejected by the channel manager,
protecting the customer for the group's number of days once approved."""
import hashlib
import re
import time
import unicodedata
from datetime import timedelta

from psycopg2 import errors as pg_errors

from odoo import api, fields, models
from odoo.exceptions import AccessError, ConcurrencyError, UserError
from odoo.fields import Command, Domain
from odoo.tools import email_normalize, plaintext2html

from ..forms.reseller_portal import DEAL_REGISTRATION_FORM

# A deal registered again by the same reseller, for the same customer and title, within the same or the next
# window of these minutes is a double click or a resent form: it gives back the registration already made.
DOUBLE_SUBMISSION_MINUTES = 10
# Protection of a reseller whose company is in no group.
DEFAULT_PROTECTION_DAYS = 90
# Mailbox providers: their domain names no customer, so it never protects or matches anyone.
FREE_MAIL_DOMAINS = frozenset({
    "gmail.com", "googlemail.com", "hotmail.com", "hotmail.fr", "outlook.com", "live.com", "msn.com", "yahoo.com",
    "yahoo.fr", "icloud.com", "me.com", "aol.com", "gmx.com", "gmx.de", "gmx.net", "web.de", "orange.fr",
    "free.fr", "laposte.net", "sfr.fr", "wanadoo.fr", "proton.me", "protonmail.com", "mail.com", "yandex.com",
    "example.com",
})
# Legal forms dropped from a company name before comparing ("Acme SAS" is "ACME").
LEGAL_FORMS = frozenset({
    "inc", "ltd", "llc", "limited", "corp", "corporation", "co", "company", "sa", "sas", "sasu", "sarl", "eurl",
    "gmbh", "ag", "bv", "nv", "srl", "spa", "plc", "oy", "ab", "as",
})
STAFF = "partner_program.group_partner_program_user"
STATES = [
    ("submitted", "Under Review"),
    ("approved", "Approved"),
    ("rejected", "Rejected"),
    ("expired", "Expired"),
]


def customer_keys(email, name, vat):
    """The three keys naming a customer: (email domain, company name, VAT number), each normalised or False.

    - email domain: of the normalised address, except mailbox providers (gmail.com names nobody);
    - company name: accents, case, punctuation and legal forms removed ("Acmé S.A.S." is "acme");
    - VAT: letters and digits only, upper case ("fr 12-345" is "FR12345").
    Two customers are the same when any key is equal.
    """
    domain = False
    normalized = email_normalize(email) if email else False
    if normalized:
        domain = normalized.rsplit("@", 1)[1]
        domain = False if domain in FREE_MAIL_DOMAINS else domain
    name_key = False
    if name:
        text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()
        text = re.sub(r"\b([a-z])\.(?=[a-z]\b)", r"\1", text)  # S.A.S. -> sas
        words = [word for word in re.split(r"[^a-z0-9]+", text) if word]
        while len(words) > 1 and words[-1] in LEGAL_FORMS:
            words.pop()
        name_key = " ".join(words) or False
    vat_key = re.sub(r"[^A-Za-z0-9]", "", vat or "").upper() or False
    return domain, name_key, vat_key


def _registration_key(company, customer, title):
    window = int(time.time() // (DOUBLE_SUBMISSION_MINUTES * 60))
    digest = hashlib.sha256(("%s\x00%s\x00%s" % (company.id, customer, title.casefold())).encode()).hexdigest()
    return "%s:%s" % (digest[:32], window)


def _previous_window(key):
    digest, window = key.split(":")
    return "%s:%s" % (digest, int(window) - 1)


class PartnerDealRegistration(models.Model):
    _name = "partner.deal.registration"
    _description = "Deal Registration"
    _inherit = ["portal.mixin", "mail.thread", "mail.activity.mixin"]
    _order = "id desc"
    _check_company_auto = True
    _mail_post_access = "read"  # the reseller talks with us on its registration's page

    name = fields.Char("Title", required=True, tracking=True)
    partner_id = fields.Many2one("res.partner", "Reseller", required=True, index=True, readonly=True,
                                 ondelete="restrict", tracking=True)
    submitted_by_id = fields.Many2one("res.users", readonly=True)
    group_id = fields.Many2one("partner.group", readonly=True, index=True, ondelete="set null")
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    customer_name = fields.Char("Customer", required=True)
    contact_name = fields.Char("Contact")
    email_from = fields.Char("Email")
    phone = fields.Char()
    vat = fields.Char("Tax ID")
    city = fields.Char()
    description = fields.Text()
    answers = fields.Text(readonly=True, help="The answers to the group's deal registration questions.")
    expected_revenue = fields.Monetary()
    date_deadline = fields.Date("Expected Closing")
    state = fields.Selection(STATES, required=True, default="submitted", index=True, tracking=True, readonly=True)
    rejection_reason = fields.Text(tracking=True, help="Shown to the reseller when the registration is rejected.")
    date_submitted = fields.Datetime("Submitted On", default=fields.Datetime.now, readonly=True, required=True)
    date_decided = fields.Datetime("Decided On", readonly=True)
    approval_hours = fields.Float("Hours to Decision", readonly=True, aggregator="avg")
    protected = fields.Boolean(readonly=True, copy=False,
                               help="The customer is this reseller's: no other registration gets it meanwhile.")
    protection_end = fields.Date("Protected Until", readonly=True, copy=False, tracking=True)
    lead_id = fields.Many2one("crm.lead", "Opportunity", readonly=True, copy=False, index="btree_not_null",
                              ondelete="set null")
    won_status = fields.Selection(related="lead_id.won_status", string="Deal Status")
    win_rate = fields.Float("Win Rate (%)", compute="_compute_win_rate", store=True, aggregator="avg",
                            help="100 for a won deal, 0 for another approved one: its average is the win rate.")
    key_domain = fields.Char("Email Domain Key", compute="_compute_keys", store=True, index="btree_not_null")
    key_name = fields.Char("Company Key", compute="_compute_keys", store=True, index="btree_not_null")
    key_vat = fields.Char("Tax ID Key", compute="_compute_keys", store=True, index="btree_not_null")
    # The competitors: our staff only (a reseller must not learn who else works on its customer).
    conflict_ids = fields.Many2many("partner.deal.registration", string="Competing Registrations",
                                    compute="_compute_conflicts", groups=STAFF)
    conflict_lead_ids = fields.Many2many("crm.lead", string="Competing Leads", compute="_compute_conflicts",
                                         groups=STAFF)
    conflict_count = fields.Integer("Conflicts", compute="_compute_conflicts", groups=STAFF)
    # Reseller, customer, title and time window: the same form sent twice registers once.
    registration_key = fields.Char(copy=False, readonly=True, groups="base.group_system")

    _registration_once = models.UniqueIndex("(registration_key) WHERE registration_key IS NOT NULL")
    # One protected registration per customer key: two approvals at the same moment cannot both win.
    _protected_domain = models.UniqueIndex(
        "(company_id, key_domain) WHERE protected AND key_domain IS NOT NULL",
        "This customer (email domain) is already protected by another registration.")
    _protected_name = models.UniqueIndex(
        "(company_id, key_name) WHERE protected AND key_name IS NOT NULL",
        "This customer (company name) is already protected by another registration.")
    _protected_vat = models.UniqueIndex(
        "(company_id, key_vat) WHERE protected AND key_vat IS NOT NULL",
        "This customer (tax ID) is already protected by another registration.")
    _revenue_positive = models.Constraint("CHECK(expected_revenue >= 0)", "The expected revenue cannot be negative.")

    @api.depends("email_from", "customer_name", "vat")
    def _compute_keys(self):
        for registration in self:
            registration.key_domain, registration.key_name, registration.key_vat = customer_keys(
                registration.email_from, registration.customer_name, registration.vat)

    @api.depends("state", "lead_id.won_status")
    def _compute_win_rate(self):
        for registration in self:
            registration.win_rate = 100.0 if registration.lead_id.won_status == "won" else 0.0

    @api.depends("name", "partner_id")
    def _compute_display_name(self):
        for registration in self:
            registration.display_name = "%s (%s)" % (registration.name, registration.partner_id.name) \
                if registration.partner_id else registration.name

    def _compute_access_url(self):
        super()._compute_access_url()
        for registration in self:
            registration.access_url = "/my/registration/%s" % registration.id
        return None

    @api.model
    def _customer_domain(self, keys_list):
        """Records whose keys equal any of the ``keys_list`` ([(domain, name, vat)])."""
        domains = {key[0] for key in keys_list if key[0]}
        names = {key[1] for key in keys_list if key[1]}
        vats = {key[2] for key in keys_list if key[2]}
        if not (domains or names or vats):
            return Domain.FALSE
        return Domain.OR([Domain("key_domain", "in", list(domains)), Domain("key_name", "in", list(names)),
                          Domain("key_vat", "in", list(vats))])

    def _keys(self):
        return self.key_domain, self.key_name, self.key_vat

    @staticmethod
    def _same_customer(keys, other_keys):
        return any(key and key == other for key, other in zip(keys, other_keys, strict=True))

    def _compute_conflicts(self):
        """Competing registrations (other resellers, under review or approved) and open leads of other resellers
        for the same customer: two searches for the whole list, matched in memory."""
        records = self.filtered("id")
        competitors = self.sudo().search(
            self._customer_domain([reg._keys() for reg in records])
            & Domain("state", "in", ["submitted", "approved"]) & Domain("id", "not in", records.ids)
        ) if records else self.browse()
        leads = self.env["crm.lead"].sudo()._registration_open_leads(records)
        # assigned as superuser: a channel manager without CRM rights still counts the competing leads (the views
        # list them to salespeople only: the web client reads them as the user)
        for registration in self.sudo():
            keys = registration._keys()
            if not registration.id or registration.state not in ("submitted", "approved"):
                registration.conflict_ids = registration.conflict_lead_ids = False
                registration.conflict_count = 0
                continue
            regs = competitors.filtered(lambda other, keys=keys, reg=registration: (
                other.partner_id != reg.partner_id and other.company_id == reg.company_id
                and self._same_customer(keys, other._keys())))
            opps = leads.filtered(lambda lead, keys=keys, reg=registration: (
                lead.partner_assigned_id.commercial_partner_id != reg.partner_id and lead != reg.lead_id
                and self._same_customer(keys, customer_keys(lead.email_from, lead.partner_name, False))))
            registration.conflict_ids = regs
            registration.conflict_lead_ids = opps
            registration.conflict_count = len(regs) + len(opps)

    # ------------------------------------------------------------------ portal submission
    @api.model
    def _portal_group(self):
        """The current user's company's group (sudo), empty when none."""
        group = self.env.user.commercial_partner_id.sudo().partner_group_id
        return group if group and group.active else group.browse()

    @api.model
    def _portal_can_register(self):
        """Resellers (a partner level) may register deals, unless their group switched deal registration off."""
        if not self.env["crm.lead"]._portal_is_reseller():
            return False
        group = self._portal_group()
        return not group or group.allow_deal_registration

    @api.model
    def _portal_questions(self):
        return self._portal_group().deal_question_ids

    @api.model
    def register_portal(self, values):
        """Deal registration: the current reseller asks to own a deal it found.

        ``values`` (a portal form, ``DEAL_REGISTRATION_FORM`` + the group's deal registration questions
        ``question_<id>``); a missing or wrong value raises FormError and nothing is created. The registration
        is approved at once (opportunity created, customer protected) when the group approves automatically (or
        the reseller is in no group) and no other reseller competes for the customer; else it waits under review
        for the channel manager. The same form sent twice registers once.

        :return: the registration (in the caller's environment)
        """
        if not self._portal_can_register():
            raise AccessError(self.env._("Only resellers with a partner level can register deals."))
        company = self.env.user.commercial_partner_id
        group = self._portal_group()
        texts, errors = DEAL_REGISTRATION_FORM.validate(self, values)
        answers = group.deal_question_ids._parse_answers(values, errors)
        DEAL_REGISTRATION_FORM.check(self, errors)
        Registration = self.sudo()
        email = email_normalize(texts["email_from"])
        key = _registration_key(company, email or texts["partner_name"].casefold(), texts["name"])
        again = Registration.search([("registration_key", "in", [key, _previous_window(key)])], limit=1)
        if again:
            return again.with_env(self.env)
        vals = {
            "registration_key": key,
            "name": texts["name"],
            "partner_id": company.id,
            "submitted_by_id": self.env.user.id,
            "group_id": group.id,
            "company_id": (group.company_id or self.env.company).id,
            "customer_name": texts["partner_name"],
            "contact_name": texts["contact_name"],
            "email_from": texts["email_from"],
            "phone": texts["phone"],
            "vat": texts["vat"],
            "city": texts["city"],
            "description": texts["description"],
            "answers": "\n".join("%s: %s" % (question.name, answer) for question, answer in answers) or False,
            "expected_revenue": texts["expected_revenue"] or 0.0,
            "date_deadline": texts["date_deadline"] or False,
        }
        try:
            with self.env.cr.savepoint():
                registration = Registration.create(vals)
        except pg_errors.UniqueViolation:
            # The same form committed after this transaction's snapshot was taken: start again on a fresh
            # snapshot (Odoo's HTTP layer retries), which finds it.
            raise ConcurrencyError("deal registration sent twice at the same moment") from None
        registration.message_subscribe(partner_ids=self.env.user.partner_id.ids)
        auto = not group or group.deal_auto_approve
        if auto and not registration.conflict_count:
            registration._approve_if_free()
        if registration.state == "submitted":
            registration._notify_manager()
        return registration.with_env(self.env)

    def _approve_if_free(self):
        """Approve in a savepoint: when another registration took the customer's protection meanwhile (the
        unique indexes on the protected keys say so, even for a transaction not committed yet), stay under
        review. :return: whether approved."""
        self.ensure_one()
        try:
            with self.env.cr.savepoint():
                self._approve()
                self.flush_recordset()
        except pg_errors.UniqueViolation:
            self.invalidate_recordset()
            self.env["crm.lead"].invalidate_model()
            return False
        return True

    def _notify_manager(self):
        manager = self.group_id.user_id or self.partner_id.user_id
        if manager and not manager.share:
            self.activity_schedule(
                "mail.mail_activity_data_todo", user_id=manager.id,
                summary=self.env._("Deal registration to review"),
                note=self.env._("Competing registrations or leads exist for this customer.")
                if self.conflict_count else False)

    # ------------------------------------------------------------------ decisions
    def _check_manager(self):
        if not self.env.user.has_group("partner_program.group_partner_program_user") and not self.env.su:
            raise AccessError(self.env._("Only the channel team decides on deal registrations."))

    def action_approve(self):
        """One click: approve, protect the customer and convert to the reseller's opportunity. Refused while a
        competitor is approved: pick the winner instead."""
        self._check_manager()
        if invalid := self.filtered(lambda reg: reg.state != "submitted"):
            raise UserError(self.env._("Only registrations under review can be approved: %(names)s.",
                                       names=", ".join(invalid.mapped("name"))))
        for registration in self:
            if registration.conflict_ids.filtered("protected"):
                raise UserError(self.env._(
                    "%(name)s: another reseller's registration protects this customer. Use \"Pick as Winner\" "
                    "to decide between them.", name=registration.name))
            if not registration._approve_if_free():
                raise UserError(self.env._(
                    "%(name)s: another registration for this customer was approved a moment ago.",
                    name=registration.name))
        self._grant_rewards("registration_approved")
        return True

    def action_reject(self):
        """Reject with the reason the reseller reads (to fill in the form first)."""
        self._check_manager()
        if invalid := self.filtered(lambda reg: reg.state not in ("submitted", "approved")):
            raise UserError(self.env._("%(names)s: already decided.", names=", ".join(invalid.mapped("name"))))
        if missing := self.filtered(lambda reg: not (reg.rejection_reason or "").strip()):
            raise UserError(self.env._("Give the reason the reseller will read: %(names)s.",
                                       names=", ".join(missing.mapped("name"))))
        self._reject()
        return True

    def action_pick_winner(self):
        """Conflict resolved in one transaction: this registration wins (approved, protected, converted); the
        competing registrations are rejected and their resellers told, without naming the winner."""
        self._check_manager()
        self.ensure_one()
        if self.state not in ("submitted", "approved"):
            raise UserError(self.env._("Only a registration under review or approved can win."))
        losers = self.conflict_ids
        # the loser's protection is released before the winner takes it (unique indexes)
        losers.filtered(lambda reg: not (reg.rejection_reason or "").strip()).rejection_reason = self.env._(
            "Another registration for this customer was accepted.")
        losers._reject()
        losers.flush_recordset()
        if self.state == "submitted":
            self.action_approve()
        for lead in self.conflict_lead_ids:
            lead._message_log(body=self.env._("Deal registration %(name)s won this customer.", name=self.name))
        return True

    def _approve(self):
        now = fields.Datetime.now()
        own_protected = self.sudo().search(
            self._customer_domain([reg._keys() for reg in self]) & Domain("protected", "=", True)
            & Domain("partner_id", "in", self.partner_id.ids))
        for registration in self:
            days = registration.group_id.deal_protection_days if registration.group_id else DEFAULT_PROTECTION_DAYS
            # Another deal for a customer the reseller already holds: covered by that protection, until its end.
            holder = own_protected.filtered(lambda reg, registration=registration: (
                reg.partner_id == registration.partner_id and reg.company_id == registration.company_id
                and self._same_customer(registration._keys(), reg._keys())))[:1]
            registration.write({
                "state": "approved",
                "protected": not holder,
                "protection_end": holder.protection_end or fields.Date.context_today(self) + timedelta(days=days),
                "date_decided": now,
                "approval_hours": (now - registration.date_submitted).total_seconds() / 3600.0,
            })
            registration.flush_recordset()  # the protection first: a competitor's approval waits here or fails
            registration.lead_id = registration._create_opportunity()
            registration.activity_unlink(["mail.mail_activity_data_todo"])
            registration.message_post(
                body=self.env._("Your registration is approved: the customer is yours until %(date)s.",
                                date=registration.protection_end),
                subtype_xmlid="mail.mt_comment", author_id=self.env.ref("base.partner_root").id)

    def _create_opportunity(self):
        """The reseller's opportunity for this registration (sudo: decided by the channel team or the group)."""
        self.ensure_one()
        company = self.partner_id
        salesperson = company.user_id if company.user_id and not company.user_id.share else self.env["res.users"]
        competing = self.sudo().conflict_lead_ids
        tags = self.env.ref("partner_program.tag_registered_by_partner")
        if competing:
            tags |= self.env.ref("partner_program.tag_registration_conflict")
        vals = {
            "type": "opportunity",
            "name": self.name,
            "partner_name": self.customer_name,
            "contact_name": self.contact_name,
            "email_from": self.email_from,
            "phone": self.phone,
            "city": self.city,
            "description": plaintext2html("\n\n".join(filter(None, [self.description, self.answers])))
            if self.description or self.answers else False,
            "expected_revenue": self.expected_revenue,
            "date_deadline": self.date_deadline,
            "partner_assigned_id": company.id,
            "user_id": salesperson.id,
            "company_id": self.company_id.id,
            "tag_ids": [Command.set(tags.ids)],
            # other resellers' open leads for this customer: the salesperson sees them on the opportunity
            "partner_conflict_ids": [Command.set(competing.ids)],
            "deal_registration_id": self.id,
        }
        if self.group_id.deal_team_id:
            vals["team_id"] = self.group_id.deal_team_id.id
        if self.group_id.deal_stage_id:
            vals["stage_id"] = self.group_id.deal_stage_id.id
        lead = self.env["crm.lead"].sudo().with_context(partner_deal_registration=True).create(vals)
        lead.message_subscribe(partner_ids=self.submitted_by_id.partner_id.ids)
        return lead

    def _reject(self):
        now = fields.Datetime.now()
        for registration in self:
            registration.write({
                "state": "rejected", "protected": False, "date_decided": now,
                "approval_hours": registration.approval_hours or
                (now - registration.date_submitted).total_seconds() / 3600.0,
            })
            registration.activity_unlink(["mail.mail_activity_data_todo"])
            registration.message_post(
                body=self.env._("Your registration is rejected: %(reason)s", reason=registration.rejection_reason),
                subtype_xmlid="mail.mt_comment", author_id=self.env.ref("base.partner_root").id)

    def _grant_rewards(self, trigger):
        """The group's offers for ``trigger``: only our side fires them, never the reseller's own action."""
        if self.env["crm.lead"]._referral_vendor_side():
            self.env["partner.reward"]._grant_registrations(self, trigger)

    @api.model
    def _cron_expire(self):
        """Protections that ended: the customer is free again (the opportunity stays the reseller's)."""
        ended = self.sudo().search([("state", "=", "approved"),
                                    ("protection_end", "<", fields.Date.context_today(self))])
        ended.write({"state": "expired", "protected": False})
        for registration in ended:
            registration.message_post(body=self.env._("The protection of this customer has ended."),
                                      subtype_xmlid="mail.mt_comment",
                                      author_id=self.env.ref("base.partner_root").id)
        return ended

    # ------------------------------------------------------------------ portal: the reseller closes its deal
    def close_portal(self, won):
        """The reseller marks its registered deal won or lost, when its group allows it. No reward follows:
        rewards are fired by our side only."""
        self.ensure_one()
        registration = self.sudo()
        if registration.partner_id != self.env.user.commercial_partner_id:
            raise AccessError(self.env._("This registration is not yours."))
        if not (registration.group_id.deal_partner_can_close and registration.lead_id
                and registration.lead_id.won_status == "pending"):
            raise UserError(self.env._("This deal cannot be closed from the portal."))
        if won:
            registration.lead_id.action_set_won()
        else:
            registration.lead_id.action_set_lost()
        return registration.with_env(self.env)

    @api.model
    def _portal_counts(self):
        return self.search_count([("partner_id", "=", self.env.user.commercial_partner_id.id)])

