"""crm.lead: deal registration from the reseller portal, with conflicts flagged for the salesperson."""
import hashlib
import time

from markupsafe import Markup
from psycopg2 import errors as pg_errors

from odoo import api, fields, models
from odoo.exceptions import AccessError, ConcurrencyError
from odoo.fields import Command, Domain
from odoo.tools import email_normalize, escape_psql, plaintext2html

from ..forms.reseller_portal import DEAL_REGISTRATION_FORM

# A deal registered again by the same reseller, for the same customer and title, within the same or the next
# window of these minutes is a double click or a resent form: it gives back the deal already registered.
DOUBLE_SUBMISSION_MINUTES = 10


def _registration_key(company, customer, title):
    window = int(time.time() // (DOUBLE_SUBMISSION_MINUTES * 60))
    digest = hashlib.sha256(("%s\x00%s\x00%s" % (company.id, customer, title.casefold())).encode()).hexdigest()
    return "%s:%s" % (digest[:32], window)


def _previous_window(key):
    digest, window = key.split(":")
    return "%s:%s" % (digest, int(window) - 1)


class CrmLead(models.Model):
    _inherit = "crm.lead"  # pylint: disable=consider-merging-classes-inherited

    partner_conflict_ids = fields.Many2many(
        "crm.lead",
        "crm_lead_partner_conflict_rel",
        "lead_id",
        "conflict_id",
        string="Registration Conflicts",
        copy=False,
        groups="partner_program.group_partner_program_user",
        help="Open leads or opportunities of other resellers for the same customer, found when a reseller "
        "registered this deal: the salesperson decides who keeps it.",
    )
    # Reseller, customer, title and time window of a registered deal: the same form sent twice registers once.
    partner_registration_key = fields.Char(copy=False, readonly=True, groups="base.group_system")

    _partner_registration_once = models.UniqueIndex(
        "(partner_registration_key) WHERE partner_registration_key IS NOT NULL")

    @api.model
    def create_opportunity_portal(self, values):
        """Deal registration: the current reseller registers an opportunity it found itself.

        ``values`` (a portal form, ``DEAL_REGISTRATION_FORM``): ``partner_name`` (customer), ``contact_name``,
        ``email_from``, ``name`` (title) are required; ``description``, ``expected_revenue``, ``date_deadline`` are
        optional; a missing or wrong value raises FormError and nothing is created. The opportunity is
        assigned to the reseller's company, tagged "Registered by partner", and its salesperson is the company's.
        When another reseller already holds an open lead or opportunity for the same customer (same email or
        company name), the registration is recorded anyway and flagged as a conflict for the salesperson; the
        reseller is told nothing about the other one.

        :return: the new opportunity (in the caller's environment)
        """
        if not self._portal_is_reseller():
            raise AccessError(self.env._("Only resellers with a partner level can register deals."))
        company = self.env.user.commercial_partner_id
        texts = DEAL_REGISTRATION_FORM.parse(self, values)
        email = email_normalize(texts["email_from"])
        Lead = self.sudo()
        key = _registration_key(company, email or texts["partner_name"].casefold(), texts["name"])
        again = Lead._portal_registration_again(key)
        if again:
            return again.with_env(self.env)
        conflicts = Lead._portal_registration_conflicts(email, texts["partner_name"], company)
        tags = self.env.ref("partner_program.tag_registered_by_partner")
        if conflicts:
            tags |= self.env.ref("partner_program.tag_registration_conflict")
        salesperson = company.user_id if company.user_id and not company.user_id.share else self.env["res.users"]
        vals = {
            "type": "opportunity",
            "partner_registration_key": key,
            "name": texts["name"],
            "partner_name": texts["partner_name"],
            "contact_name": texts["contact_name"],
            "email_from": texts["email_from"],
            "description": plaintext2html(texts["description"]) if texts["description"] else False,
            "expected_revenue": texts["expected_revenue"] or 0.0,
            "date_deadline": texts["date_deadline"] or False,
            "partner_assigned_id": company.id,
            "user_id": salesperson.id,
            "tag_ids": [Command.set(tags.ids)],
            "partner_conflict_ids": [Command.set(conflicts.ids)],
        }
        try:
            with self.env.cr.savepoint():
                lead = Lead.create(vals)
        except pg_errors.UniqueViolation:
            # The same form committed after this transaction's snapshot was taken: invisible here, but there.
            # Start again on a fresh snapshot (Odoo's HTTP layer retries), which finds it.
            raise ConcurrencyError("deal registration sent twice at the same moment") from None
        lead.message_subscribe(partner_ids=self.env.user.partner_id.ids)
        if conflicts:
            lead._message_log(body=Markup("<p>%s</p><ul>%s</ul>") % (
                self.env._("Registration conflict: other resellers already work on this customer. Decide who "
                           "keeps the deal."),
                Markup().join(Markup("<li>%s</li>") % conflict._get_html_link(
                    title="%s (%s)" % (conflict.name, conflict.partner_assigned_id.display_name))
                    for conflict in conflicts),
            ))
            if salesperson:
                lead.activity_schedule(
                    "mail.mail_activity_data_todo", user_id=salesperson.id,
                    summary=self.env._("Deal registration conflict"),
                    note=self.env._("Another reseller already works on this customer."))
        return lead.with_env(self.env)

    def _portal_registration_again(self, key):
        """The deal registered under ``key`` (this window or the previous one), if any."""
        return self.with_context(active_test=False).search(
            [("partner_registration_key", "in", [key, _previous_window(key)])], limit=1)

    def _portal_registration_conflicts(self, email, customer_name, company):
        """Open leads and opportunities for the same customer (email or company name) held by another reseller."""
        if not (email or customer_name):
            return self.browse()
        same_customer = Domain.FALSE
        if email:
            same_customer |= Domain("email_normalized", "=", email)
        if customer_name:
            # Typed by the partner: % and _ are letters of the name, not wildcards.
            same_customer |= Domain("partner_name", "=ilike", escape_psql(customer_name))
        own = self.env["res.partner"].with_context(active_test=False).search([("id", "child_of", company.id)])
        return self.search(
            same_customer
            & Domain("won_status", "=", "pending")
            & Domain("partner_assigned_id", "!=", False)
            & Domain("partner_assigned_id", "not in", own.ids)
        )

