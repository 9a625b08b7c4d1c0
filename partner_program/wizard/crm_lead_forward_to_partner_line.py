from odoo import api, fields, models


class CrmLeadForwardToPartnerLine(models.TransientModel):
    _name = "crm.lead.forward.to.partner.line"
    _description = "Lead to forward to a reseller"

    wizard_id = fields.Many2one("crm.lead.forward.to.partner", required=True, ondelete="cascade")
    lead_id = fields.Many2one("crm.lead", required=True, ondelete="cascade")
    company_id = fields.Many2one(related="lead_id.company_id")
    lead_location = fields.Char(compute="_compute_lead_location")
    partner_assigned_id = fields.Many2one(
        "res.partner",
        "Reseller",
        domain="[('grade_id', '!=', False), '|', ('company_id', '=', False), ('company_id', '=', company_id)]",
    )
    partner_location = fields.Char("Reseller Location", compute="_compute_partner_location")
    partner_email = fields.Char(related="partner_assigned_id.email", string="Reseller Email")
    proposal = fields.Char("Proposed Because", readonly=True)

    @api.depends("lead_id.city", "lead_id.country_id")
    def _compute_lead_location(self):
        for line in self:
            line.lead_location = ", ".join(filter(None, (line.lead_id.city, line.lead_id.country_id.name)))

    @api.depends("partner_assigned_id.city", "partner_assigned_id.country_id")
    def _compute_partner_location(self):
        for line in self:
            partner = line.partner_assigned_id
            line.partner_location = ", ".join(filter(None, (partner.city, partner.country_id.name)))

    @api.onchange("partner_assigned_id")
    def _onchange_partner_assigned_id(self):
        if self.partner_assigned_id and self.partner_assigned_id != self.lead_id.partner_assigned_id:
            self.proposal = self.env._("Chosen by hand")
