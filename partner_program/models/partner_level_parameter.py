from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import format_amount, formatLang

from .product_pricelist import PRICING_BENEFIT_TYPES

# Changing one of these keeps the previous figures in the parameter's history.
VERSIONED_FIELDS = ("target", "value", "value_text")


class PartnerLevelParameter(models.Model):
    _name = "partner.level.parameter"
    _description = "Level Parameter"
    _order = "type_id, grade_sequence desc, kind desc, category_sequence, id"

    type_id = fields.Many2one("partner.type", "Partner Type", required=True, ondelete="cascade", index=True)
    grade_id = fields.Many2one("res.partner.grade", "Level", required=True, ondelete="cascade", index=True)
    grade_sequence = fields.Integer("Level Sequence", related="grade_id.sequence", store=True)
    category_id = fields.Many2one("partner.parameter.category", required=True, ondelete="restrict")
    category_sequence = fields.Integer("Category Sequence", related="category_id.sequence", store=True)
    kind = fields.Selection(related="category_id.kind", store=True)
    measure = fields.Selection(related="category_id.measure")
    benefit_type = fields.Selection(related="category_id.benefit_type")
    unit = fields.Char(related="category_id.unit")
    target = fields.Float(
        aggregator=None,
        help="Obligation: what the partner must reach over its partnership period to enter this level.",
    )
    value = fields.Float(aggregator=None, help="Benefit: what this level gives, e.g. 10 for a 10% discount.")
    value_text = fields.Char("Text Value", translate=True, help="Benefit given as free text.")
    value_display = fields.Char("Target / Value", compute="_compute_value_display")
    date_from = fields.Date(
        "Applies Since",
        default=fields.Date.context_today,
        readonly=True,
        help="Date of the last change of the target or value; the history keeps what applied before.",
    )
    history_ids = fields.One2many("partner.level.parameter.history", "parameter_id")
    company_id = fields.Many2one(related="type_id.company_id", store=True)

    _category_unique = models.Constraint(
        "UNIQUE(type_id, grade_id, category_id)",
        "A level already has this parameter for this partner type: change its target or value instead.",
    )
    _target_positive = models.Constraint(
        "CHECK(target >= 0)", "An obligation's target cannot be negative."
    )

    @api.constrains("value", "category_id")
    def _check_discount_range(self):
        for parameter in self:
            if parameter.category_id.benefit_type in PRICING_BENEFIT_TYPES and not 0 <= parameter.value <= 100:
                raise ValidationError(self.env._(
                    "%(parameter)s: a discount is a percentage between 0 and 100, not %(value)s.",
                    parameter=parameter.display_name, value=parameter.value,
                ))

    def _sync_pricing(self, partner_types):
        """The tiers' price lists follow their discount benefits, and the partners on them follow too."""
        self.env["product.pricelist"]._partner_program_sync_tiers(partner_types)
        self.env["partner.partnership"].sudo().search([("type_id", "in", partner_types.ids)])._sync_partner_pricelist()

    @api.depends("type_id", "grade_id", "category_id")
    def _compute_display_name(self):
        for parameter in self:
            parameter.display_name = " / ".join(
                name for name in (parameter.type_id.name, parameter.grade_id.name, parameter.category_id.name)
                if name
            )

    @api.depends("kind", "benefit_type", "target", "value", "value_text", "unit")
    def _compute_value_display(self):
        for parameter in self:
            parameter.value_display = parameter._format_figure(
                parameter.target if parameter.kind == "obligation" else parameter.value
            )

    def _format_figure(self, number):
        """``number`` the way this parameter shows its figures: '10 leads', '15 %', '40,000.00 EUR'."""
        self.ensure_one()
        if self.kind == "benefit" and self.benefit_type == "text":
            return self.value_text or ""
        if self.kind == "obligation" and self.measure in ("won_revenue", "pipeline_amount"):
            currency = (self.company_id or self.env.company).currency_id
            return format_amount(self.env, number, currency)
        digits = 0 if float(number).is_integer() else 2
        text = formatLang(self.env, number, digits=digits)
        return "%s %s" % (text, self.unit) if self.unit else text

    def write(self, vals):
        types_before = self.type_id
        changed = self.filtered(lambda parameter: any(
            name in vals and parameter[name] != vals[name] for name in VERSIONED_FIELDS
        ))
        if changed:
            today = fields.Date.context_today(self)
            self.env["partner.level.parameter.history"].sudo().create([{
                "parameter_id": parameter.id,
                "target": parameter.target,
                "value": parameter.value,
                "value_text": parameter.value_text,
                "date_from": parameter.date_from,
                "date_to": today,
            } for parameter in changed])
            result = super().write(vals)
            super(PartnerLevelParameter, changed).write({"date_from": today})
        else:
            result = super().write(vals)
        if {"type_id", "category_id"} & set(vals):
            self.env["partner.partnership"].search([("type_id", "in", self.type_id.ids)])._sync_progress_lines()
        if {"type_id", "grade_id", "category_id", "value"} & set(vals):
            self._sync_pricing(self.type_id | types_before)
        return result

    def unlink(self):
        types = self.type_id
        result = super().unlink()
        self.env["partner.partnership"].search([("type_id", "in", types.ids)])._sync_progress_lines()
        self._sync_pricing(types)
        return result

    @api.model_create_multi
    def create(self, vals_list):
        parameters = super().create(vals_list)
        self.env["partner.partnership"].search([("type_id", "in", parameters.type_id.ids)])._sync_progress_lines()
        parameters._sync_pricing(parameters.type_id)
        return parameters
