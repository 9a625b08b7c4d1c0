from odoo import api, fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    partner_weight = fields.Integer(
        "Level Weight",
        compute="_compute_partner_weight",
        store=True,
        readonly=False,
        tracking=True,
        help="Share of automatically assigned leads this reseller gets; follows the level unless "
        "'Custom Weight' is ticked. 0 means never.",
    )
    partner_weight_manual = fields.Boolean(
        "Custom Weight",
        help="Keep this reseller's weight when its level or the level's weight changes.",
    )
    grade_sequence = fields.Integer(related="grade_id.sequence", store=True)
    activation = fields.Many2one("res.partner.activation", index="btree_not_null", tracking=True)
    date_partnership = fields.Date("Partnership Date")
    date_review = fields.Date("Latest Review")
    date_review_next = fields.Date("Next Review")
    partner_capacity = fields.Integer(
        "Lead Capacity",
        help="Most open leads this reseller may hold at once; automatic assignment skips it when full. "
        "0 means no limit.",
    )
    assigned_partner_id = fields.Many2one("res.partner", "Implemented by", index="btree_not_null")
    implemented_partner_ids = fields.One2many("res.partner", "assigned_partner_id", "Implementation References")
    implemented_partner_count = fields.Integer(
        "Published References", compute="_compute_implemented_partner_count", store=True
    )
    assigned_lead_ids = fields.One2many("crm.lead", "partner_assigned_id", "Assigned Leads")
    assigned_lead_open_count = fields.Integer("Open Assigned Leads", compute="_compute_assigned_lead_open_count")
    # Smooth weighted round-robin state: carried across assignment runs so that small batches
    # (the scheduled action) stay fair too.
    partner_assign_credit = fields.Float(copy=False, readonly=True, groups="base.group_system")

    _partner_weight_positive = models.Constraint(
        "CHECK(partner_weight >= 0)", "A reseller's weight cannot be negative: use 0 to stop its leads."
    )
    _partner_capacity_positive = models.Constraint(
        "CHECK(partner_capacity >= 0)", "A reseller's lead capacity cannot be negative (0 means no limit)."
    )

    @api.depends("grade_id.partner_weight", "partner_weight_manual")
    def _compute_partner_weight(self):
        for partner in self:
            if not partner.partner_weight_manual:
                partner.partner_weight = partner.grade_id.partner_weight if partner.grade_id else 0

    @api.depends("implemented_partner_ids.is_published", "implemented_partner_ids.active")
    def _compute_implemented_partner_count(self):
        counts = dict(self.env["res.partner"]._read_group(
            [("assigned_partner_id", "in", self.ids), ("is_published", "=", True)],
            ["assigned_partner_id"], ["__count"],
        ))
        for partner in self:
            partner.implemented_partner_count = counts.get(partner, 0)

    def _compute_assigned_lead_open_count(self):
        counts = dict(self.env["crm.lead"]._read_group(
            [("partner_assigned_id", "in", self.ids), ("won_status", "=", "pending")],
            ["partner_assigned_id"], ["__count"],
        ))
        for partner in self:
            partner.assigned_lead_open_count = counts.get(partner, 0)

    def action_view_assigned_leads(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("crm.crm_lead_all_leads")
        action.update(
            domain=[("partner_assigned_id", "=", self.id)],
            context={"default_partner_assigned_id": self.id, "active_test": False},
        )
        return action
