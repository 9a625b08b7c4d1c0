"""crm.lead: the opportunities of approved deal registrations, competing leads, and leads of protected customers."""
from markupsafe import Markup

from odoo import api, fields, models
from odoo.fields import Domain
from odoo.tools import escape_psql

from .partner_deal_registration import customer_keys


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
    deal_registration_id = fields.Many2one(
        "partner.deal.registration", readonly=True, copy=False, index="btree_not_null",
        ondelete="set null", help="The reseller's approved registration this opportunity comes from.")
    protected_registration_id = fields.Many2one(
        "partner.deal.registration", "Protected by", readonly=True, copy=False, index="btree_not_null",
        ondelete="set null", groups="partner_program.group_partner_program_user",
        help="When this lead came in, the customer was protected by this reseller's approved registration: "
        "talk with the reseller before working it.")

    @api.model
    def create_opportunity_portal(self, values):
        """Deal registration (kept for callers of the former API): see ``partner.deal.registration.register_portal``.

        :return: the registration's opportunity when approved at once, else an empty recordset (the
            registration waits under review)
        """
        registration = self.env["partner.deal.registration"].register_portal(values)
        return registration.sudo().lead_id.with_env(self.env)

    @api.model
    def _registration_open_leads(self, registrations):
        """Open leads and opportunities held by a reseller for the customers of ``registrations`` (one search;
        the caller matches them by ``customer_keys``)."""
        domains = {reg.key_domain for reg in registrations if reg.key_domain}
        names = {reg.customer_name for reg in registrations if reg.customer_name}
        same = [Domain("email_normalized", "=like", "%@" + escape_psql(domain)) for domain in domains]
        same += [Domain("partner_name", "=ilike", escape_psql(name)) for name in names]
        if not same:
            return self.browse()
        return self.search(Domain.OR(same) & Domain("won_status", "=", "pending")
                           & Domain("partner_assigned_id", "!=", False))

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

    # ------------------------------------------------------------------ protected customers
    @api.model_create_multi
    def create(self, vals_list):
        leads = super().create(vals_list)
        if not self.env.context.get("partner_deal_registration"):
            leads._flag_protected_customers()
        return leads

    def _flag_protected_customers(self):
        """Leads for a customer protected by an approved registration (from the website, another reseller, our
        salespeople): linked to the registration and noted, so that the protected reseller keeps its deal.
        One search for the whole batch."""
        keyed = [(lead, customer_keys(lead.email_from, lead.partner_name, False)) for lead in self]
        keyed = [(lead, keys) for lead, keys in keyed if keys[0] or keys[1]]
        if not keyed:
            return
        Registration = self.env["partner.deal.registration"].sudo()
        protecting = Registration.search(
            Registration._customer_domain([keys for _lead, keys in keyed]) & Domain("protected", "=", True))
        if not protecting:
            return
        for lead, keys in keyed:
            owner = protecting.filtered(lambda reg, keys=keys, lead=lead: (
                reg.company_id == (lead.company_id or reg.company_id) and reg.partner_id != (
                    lead.partner_assigned_id.commercial_partner_id) and (
                    (keys[0] and keys[0] == reg.key_domain) or (keys[1] and keys[1] == reg.key_name))))[:1]
            if not owner:
                continue
            lead.sudo().protected_registration_id = owner
            lead.sudo()._message_log(body=Markup("<p>%s</p>") % self.env._(
                "Protected customer: %(reseller)s registered this customer until %(date)s.",
                reseller=owner.partner_id.display_name, date=owner.protection_end))

    # ------------------------------------------------------------------ won registered deals
    def _handle_won_lost(self, old_status_by_lead, new_status_by_lead):
        """A registered deal won by our side fires the group's "registered deal won" offers."""
        result = super()._handle_won_lost(old_status_by_lead, new_status_by_lead)
        newly_won = self.filtered(
            lambda lead: new_status_by_lead.get(lead.id, {}).get("is_won")
            and not old_status_by_lead.get(lead.id, {}).get("is_won")
        )
        registrations = newly_won.sudo().deal_registration_id
        if registrations:
            registrations._grant_rewards("registration_won")
        return result

