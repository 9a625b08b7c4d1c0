from odoo import api, fields, models


class PartnerTraining(models.Model):
    _name = "partner.training"
    _description = "Partner Training or Certification"
    _order = "date desc, id desc"

    name = fields.Char(required=True)
    partnership_id = fields.Many2one(
        "partner.partnership", required=True, ondelete="cascade", index=True
    )
    partner_id = fields.Many2one(related="partnership_id.partner_id", store=True)
    company_id = fields.Many2one(related="partnership_id.company_id", store=True)
    kind = fields.Selection(
        [("training", "Training"), ("certification", "Certification")], required=True, default="training"
    )
    contact_id = fields.Many2one(
        "res.partner",
        domain="[('commercial_partner_id', '=', partner_id)]",
        help="The partner's employee who followed the training or holds the certification.",
    )
    date = fields.Date(required=True, default=fields.Date.context_today)
    date_valid_until = fields.Date("Valid Until", help="Empty: does not expire.")
    is_valid = fields.Boolean("Valid", compute="_compute_is_valid")

    _dates_ordered = models.Constraint(
        "CHECK(date_valid_until IS NULL OR date_valid_until >= date)",
        "A certification cannot expire before it is obtained.",
    )

    @api.depends("date", "date_valid_until")
    def _compute_is_valid(self):
        today = fields.Date.context_today(self)
        for training in self:
            training.is_valid = training.date <= today and (
                not training.date_valid_until or training.date_valid_until >= today
            ) if training.date else False
