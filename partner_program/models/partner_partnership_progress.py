from odoo import api, fields, models


class PartnerPartnershipProgress(models.Model):
    _name = "partner.partnership.progress"
    _description = "Partnership Progress"
    _order = "partnership_id, category_sequence, id"

    partnership_id = fields.Many2one(
        "partner.partnership", required=True, ondelete="cascade", index=True
    )
    partner_id = fields.Many2one(related="partnership_id.partner_id", store=True)
    company_id = fields.Many2one(related="partnership_id.company_id", store=True)
    category_id = fields.Many2one("partner.parameter.category", "Obligation", required=True, ondelete="cascade")
    category_sequence = fields.Integer(related="category_id.sequence", store=True)
    measure = fields.Selection(related="category_id.measure", store=True)
    value_manual = fields.Float(
        "Manual Value", help="Value of an obligation measured by hand (its category's measure is 'Manual entry')."
    )
    # Live figures: computed for all the lines on screen at once, never stored.
    value = fields.Float("Measured", compute="_compute_progress")
    grade_id = fields.Many2one("res.partner.grade", "For Level", compute="_compute_progress")
    parameter_id = fields.Many2one("partner.level.parameter", "Target Parameter", compute="_compute_progress")
    target = fields.Float("Target Value", compute="_compute_progress")
    value_display = fields.Char("Measured Value", compute="_compute_progress")
    target_display = fields.Char("Target", compute="_compute_progress")
    percent = fields.Float("Done (%)", compute="_compute_progress")
    is_met = fields.Boolean("Met", compute="_compute_progress")

    _category_unique = models.Constraint(
        "UNIQUE(partnership_id, category_id)", "A partnership has one progress line per obligation."
    )

    @api.depends("partnership_id.grade_id", "partnership_id.type_id", "category_id", "value_manual")
    def _compute_progress(self):
        partnerships = self.partnership_id
        # Measured on the saved records (a form being edited has new records without an id).
        values = partnerships._origin._get_category_values()
        ladders = partnerships.type_id._get_ladders()
        for line in self:
            partnership = line.partnership_id
            step = partnership._next_step(ladders.get(partnership.type_id.id, []))
            parameter = step[1].filtered(lambda p, c=line.category_id: p.category_id == c)[:1] if step else None
            if line.measure == "manual":
                value = line.value_manual
            else:
                value = values.get(partnership._origin.id, {}).get(line.category_id.id, 0)
            line.value = value
            line.grade_id = step[0] if parameter else False
            line.parameter_id = parameter
            line.target = parameter.target if parameter else 0
            line.value_display = parameter._format_figure(value) if parameter else "%g" % value
            line.target_display = parameter.value_display if parameter else ""
            line.percent = (min(100.0, value * 100.0 / parameter.target) if parameter.target else 100.0) \
                if parameter else 0.0
            line.is_met = bool(parameter) and value >= parameter.target
