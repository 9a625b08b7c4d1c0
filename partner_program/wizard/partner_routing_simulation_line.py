from odoo import fields, models

from ..models.res_partner_performance import PERFORMANCE_CAUSES


class PartnerRoutingSimulationLine(models.TransientModel):
    _name = "partner.routing.simulation.line"
    _description = "Routing Simulation: one reseller"
    _order = "routed_count desc, plain_count desc, id"

    simulation_id = fields.Many2one("partner.routing.simulation", required=True, ondelete="cascade")
    partner_id = fields.Many2one("res.partner", "Reseller", readonly=True)
    grade_id = fields.Many2one(related="partner_id.grade_id")
    factor = fields.Float("Performance Factor", digits=(16, 2), readonly=True)
    cause = fields.Selection(PERFORMANCE_CAUSES, "Main Cause", readonly=True)
    plain_count = fields.Integer("Leads by Level Weight", readonly=True)
    routed_count = fields.Integer("Leads with Performance", readonly=True)
    plain_share = fields.Float("Share by Level Weight", readonly=True)
    routed_share = fields.Float("Share with Performance", readonly=True)
    acceptance = fields.Float("Acceptance Rate", readonly=True)
    answer_hours = fields.Float("Median Time to Answer (h)", readonly=True, digits=(16, 1))
    sample = fields.Integer("Leads Counted", readonly=True)
