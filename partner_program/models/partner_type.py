from odoo import api, fields, models


class PartnerType(models.Model):
    _name = "partner.type"
    _description = "Partner Type"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    description = fields.Text(translate=True)
    company_id = fields.Many2one("res.company", index=True)
    demote_at_period_end = fields.Boolean(
        "Move Down at Period End",
        help="When a partnership of this type ends without meeting the obligations of its level, the "
        "partner moves down to the highest level whose obligations it met.",
    )
    parameter_ids = fields.One2many("partner.level.parameter", "type_id", "Level Parameters")
    partnership_ids = fields.One2many("partner.partnership", "type_id", "Partnerships")
    partnership_count = fields.Integer(compute="_compute_partnership_count")

    _name_unique = models.Constraint("UNIQUE(name, company_id)", "A partner type with this name already exists.")

    @api.depends("partnership_ids")
    def _compute_partnership_count(self):
        counts = dict(self.env["partner.partnership"]._read_group(
            [("type_id", "in", self.ids)], ["type_id"], ["__count"],
        ))
        for partner_type in self:
            partner_type.partnership_count = counts.get(partner_type, 0)

    def _get_ladders(self):
        """The levels of each type, highest first, with their parameters.

        :return: {type_id: [(grade, obligations, benefits)]}, ``obligations`` and ``benefits`` being
            ``partner.level.parameter`` recordsets; a level is on a type's ladder as soon as it has one
            parameter for it. Higher level = lower ``res.partner.grade`` sequence.
        """
        # sudo: the ladder is the program's rule, the same whoever looks at it (a portal user too).
        parameters = self.env["partner.level.parameter"].sudo().search([("type_id", "in", self.ids)])
        result = {}
        for partner_type in self:
            params = parameters.filtered(lambda p, t=partner_type: p.type_id.id == t.id)
            result[partner_type.id] = [
                (
                    grade.with_env(self.env),
                    params.filtered(lambda p, g=grade: p.grade_id == g and p.kind == "obligation").with_env(self.env),
                    params.filtered(lambda p, g=grade: p.grade_id == g and p.kind == "benefit").with_env(self.env),
                )
                for grade in params.grade_id.sorted(lambda g: (g.sequence, g.id))
            ]
        return result
