from odoo import fields, models


class PartnerLevelParameterHistory(models.Model):
    _name = "partner.level.parameter.history"
    _description = "Level Parameter History"
    _order = "date_to desc, id desc"

    parameter_id = fields.Many2one(
        "partner.level.parameter", required=True, ondelete="cascade", index=True
    )
    type_id = fields.Many2one(related="parameter_id.type_id", store=True)
    grade_id = fields.Many2one(related="parameter_id.grade_id", store=True)
    category_id = fields.Many2one(related="parameter_id.category_id", store=True)
    target = fields.Float(aggregator=None)
    value = fields.Float(aggregator=None)
    value_text = fields.Char("Text Value")
    date_from = fields.Date("Applied From")
    date_to = fields.Date("Replaced On")
    user_id = fields.Many2one("res.users", "Changed By", default=lambda self: self.env.user)
    company_id = fields.Many2one(related="parameter_id.company_id", store=True)
