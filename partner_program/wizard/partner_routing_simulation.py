from odoo import fields, models
from odoo.exceptions import AccessError


class PartnerRoutingSimulation(models.TransientModel):
    _name = "partner.routing.simulation"
    _description = "Routing Simulation"

    days = fields.Integer("Replay the Last (days)", default=90, required=True)
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    lead_count = fields.Integer("Leads Replayed", readonly=True)
    plain_acceptance = fields.Float("Acceptance by Level Weight", readonly=True)
    routed_acceptance = fields.Float("Acceptance with Performance", readonly=True)
    plain_answer_hours = fields.Float("Time to Answer by Level Weight (h)", readonly=True, digits=(16, 1))
    routed_answer_hours = fields.Float("Time to Answer with Performance (h)", readonly=True, digits=(16, 1))
    line_ids = fields.One2many("partner.routing.simulation.line", "simulation_id", "Resellers", readonly=True)

    _days_positive = models.Constraint("CHECK(days > 0 AND days <= 3650)", "Replay between 1 and 3650 days.")

    def action_simulate(self):
        """Replay the period (``crm.lead._simulate_routing``) and show its per-reseller shares."""
        self.ensure_one()
        if self.company_id not in self.env.companies:
            raise AccessError(self.env._("You can only simulate the routing of your own companies."))
        # Channel managers need not read leads: they see shares per reseller, no lead.
        result = self.env["crm.lead"].sudo()._simulate_routing(days=self.days, company=self.company_id)
        self.line_ids.unlink()
        self.write({
            "lead_count": result["leads"],
            "plain_acceptance": result["plain"]["acceptance"],
            "routed_acceptance": result["routed"]["acceptance"],
            "plain_answer_hours": result["plain"]["answer_hours"],
            "routed_answer_hours": result["routed"]["answer_hours"],
            "line_ids": [fields.Command.create({
                "partner_id": row["partner"].id,
                "factor": row["factor"],
                "cause": row["cause"],
                "plain_count": row["plain"],
                "routed_count": row["routed"],
                "plain_share": row["plain_share"],
                "routed_share": row["routed_share"],
                "acceptance": row["acceptance"],
                "answer_hours": row["answer_hours"],
                "sample": row["sample"],
            }) for row in result["rows"]],
        })
        return {"type": "ir.actions.act_window", "res_model": self._name, "res_id": self.id, "view_mode": "form",
                "target": "current"}
