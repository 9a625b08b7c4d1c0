from odoo import fields, models


class PartnerPartnershipLevelHistory(models.Model):
    _name = "partner.partnership.level.history"
    _description = "Partnership Level History"
    _order = "date desc, id desc"

    partnership_id = fields.Many2one(
        "partner.partnership", required=True, ondelete="cascade", index=True
    )
    partner_id = fields.Many2one(related="partnership_id.partner_id", store=True)
    company_id = fields.Many2one(related="partnership_id.company_id", store=True)
    date = fields.Date(required=True, default=fields.Date.context_today)
    grade_from_id = fields.Many2one("res.partner.grade", "Old Level", ondelete="set null")
    grade_to_id = fields.Many2one("res.partner.grade", "New Level", ondelete="set null")
    reason = fields.Selection(
        [("promotion", "Promotion"), ("demotion", "Demotion"), ("manual", "Set by the manager")],
        required=True,
    )
    measure_summary = fields.Text("Measured Values", help="What the partner had achieved when its level changed.")
    user_id = fields.Many2one("res.users", "By", default=lambda self: self.env.user)
