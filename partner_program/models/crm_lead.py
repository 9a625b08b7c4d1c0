"""crm.lead: the reseller fields every concern shares, and the hooks of create/write.

The other concerns extend crm.lead in files of their own: crm_lead_assignment (automatic assignment; its
candidate search in crm_lead_candidates),
crm_lead_forward, crm_lead_fund, crm_lead_reseller_portal, crm_lead_deal_registration,
crm_lead_answer_deadline, crm_lead_referral (referral links and lead submission). pylint-odoo's
consider-merging-classes-inherited is disabled on each of them: one class per concern is the point.
"""
from odoo import api, fields, models


class CrmLead(models.Model):
    _inherit = "crm.lead"  # pylint: disable=consider-merging-classes-inherited

    partner_latitude = fields.Float("Geo Latitude", digits=(10, 7))
    partner_longitude = fields.Float("Geo Longitude", digits=(10, 7))
    partner_assigned_id = fields.Many2one(
        "res.partner",
        "Assigned Partner",
        tracking=True,
        index="btree_not_null",
        domain="[('grade_id', '!=', False), '|', ('company_id', '=', False), ('company_id', '=', company_id)]",
        help="Reseller this lead is forwarded to.",
    )
    partner_declined_ids = fields.Many2many(
        "res.partner",
        "crm_lead_declined_partner",
        "lead_id",
        "partner_id",
        string="Partner not interested",
        help="Resellers that declined this lead: automatic assignment never proposes them again.",
    )
    date_partner_assign = fields.Date(
        "Partner Assignment Date",
        compute="_compute_date_partner_assign",
        store=True,
        readonly=False,
        copy=True,
        help="Last date this lead was assigned to a reseller.",
    )
    date_partner_assigned_at = fields.Datetime(
        "Partner Assigned At",
        compute="_compute_date_partner_assigned_at",
        store=True,
        readonly=False,
        copy=False,
        help="When the current reseller got this lead: its time to answer (answer log, performance factor) "
        "is counted from here.",
    )

    @api.depends("partner_assigned_id")
    def _compute_date_partner_assign(self):
        # set per group, not per lead: an automatic assignment computes thousands of leads at once
        assigned = self.filtered("partner_assigned_id")
        assigned.date_partner_assign = fields.Date.context_today(self)
        (self - assigned).date_partner_assign = False

    # Its own method: a database updated to this field computes it alone, never the assignment dates it has
    # (the pre-migration of 19.0.1.2.0 fills it from them).
    @api.depends("partner_assigned_id")
    def _compute_date_partner_assigned_at(self):
        assigned = self.filtered("partner_assigned_id")
        assigned.date_partner_assigned_at = fields.Datetime.now()
        (self - assigned).date_partner_assigned_at = False

    @api.model_create_multi
    def create(self, vals_list):
        referral_link = self._referral_from_request()
        for vals in vals_list:
            if referral_link:
                self._referral_apply(vals, referral_link)
            self._add_salesperson_of_assigned_partner(vals)
        leads = super().create(vals_list)
        leads._referral_after_create()
        return leads

    def write(self, vals):
        self._add_salesperson_of_assigned_partner(vals)
        old_types = self._referral_watch_qualification(vals)
        qualified = self._referral_qualify_in_write(vals)
        if qualified:
            vals = dict(vals, date_partner_qualified=fields.Datetime.now())  # the caller's dict stays as it was
        result = super().write(vals)
        if qualified:
            self.env["partner.reward"]._grant(qualified, "lead_qualified")
        if old_types:
            self._referral_check_qualified(old_types)
        return result

    def _compute_potential_lead_duplicates(self):
        # Computed as superuser by crm: a partner reading its lead over JSON-RPC would get the ids of other
        # resellers' leads for the same customer. Duplicates are our sales team's business only.
        result = super()._compute_potential_lead_duplicates()
        if self.env.user.share:
            for lead in self:
                lead.duplicate_lead_ids = False
                lead.duplicate_lead_count = 0
        return result

    def _add_salesperson_of_assigned_partner(self, vals):
        """The assigned reseller's salesperson follows the lead, unless the caller sets one."""
        if vals.get("partner_assigned_id") and "user_id" not in vals:
            salesperson = self.env["res.partner"].browse(vals["partner_assigned_id"]).user_id
            if salesperson:
                vals["user_id"] = salesperson.id


    def _merge_get_fields(self):
        return super()._merge_get_fields() + [
            "partner_latitude", "partner_longitude", "partner_assigned_id", "date_partner_assign",
            "date_partner_assigned_at",
        ]

    def _prepare_customer_values(self, partner_name, is_company=False, parent_id=False):
        values = super()._prepare_customer_values(partner_name, is_company=is_company, parent_id=parent_id)
        values.update(partner_latitude=self.partner_latitude, partner_longitude=self.partner_longitude)
        return values

