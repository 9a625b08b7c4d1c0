"""res.partner: the reseller's performance factor, which scales its level weight in automatic assignment."""
from odoo import fields, models

# Main reason a factor moved away from 1.0, named in the lead's "why" line and on the reseller's form.
PERFORMANCE_CAUSES = [
    ("neutral", "Too little history"),
    ("fast", "Answers fast"),
    ("slow", "Answers slowly"),
    ("accepts", "Accepts most leads"),
    ("declines", "Declines most leads"),
    ("wins", "Wins often"),
    ("loses", "Wins rarely"),
    ("timeouts", "Lets leads expire"),
]
# The figure behind each cause.
CAUSE_FIGURE = {"fast": "speed", "slow": "speed", "accepts": "acceptance", "declines": "acceptance",
                "wins": "win", "loses": "win", "timeouts": "timeouts"}


class ResPartner(models.Model):
    _inherit = "res.partner"  # pylint: disable=consider-merging-classes-inherited

    # Written by the recompute (set-based, scheduled and on demand); 1.0 is neutral.
    partner_performance_factor = fields.Float(
        "Performance Factor", digits=(16, 2), default=1.0, readonly=True, copy=False,
        help="Multiplies the level weight in automatic assignment when the company routes by performance: "
        "above 1 the reseller gets more leads, below 1 fewer. Computed from its recent answers and wins.",
    )
    partner_performance_acceptance = fields.Float(
        "Acceptance Rate", readonly=True, copy=False, help="Share of answered or expired leads it accepted.")
    partner_performance_answer_hours = fields.Float(
        "Median Time to Answer (h)", readonly=True, copy=False)
    partner_performance_win_rate = fields.Float(
        "Win Rate", readonly=True, copy=False, help="Won among its accepted leads that are won or lost.")
    partner_performance_timeouts = fields.Integer("Expired Leads", readonly=True, copy=False)
    partner_performance_sample = fields.Integer(
        "Leads Counted", readonly=True, copy=False, help="Leads answered or expired in the period.")
    partner_performance_cause = fields.Selection(
        PERFORMANCE_CAUSES, "Main Cause", readonly=True, copy=False, default="neutral")
    partner_performance_date = fields.Datetime("Performance Computed On", readonly=True, copy=False)

    def _performance_cause_texts(self):
        """What the assignment's "why" line says about each reseller's factor: its main cause first, then its
        other figures ("answers in 2 h, accepts 80 %, wins 34 %").

        :return: {partner_id: text}
        """
        result = {}
        for partner in self:
            if not partner.partner_performance_sample:
                result[partner.id] = self.env._("too little history to judge")
                continue
            parts = {
                "speed": self.env._("answers in %(hours)s h", hours=_hours(partner.partner_performance_answer_hours)),
                "acceptance": self.env._("accepts %(rate)s of its leads",
                                         rate=_percent(partner.partner_performance_acceptance)),
                "win": self.env._("wins %(rate)s", rate=_percent(partner.partner_performance_win_rate)),
            }
            if partner.partner_performance_timeouts:
                parts["timeouts"] = self.env._("let %(count)s leads expire", count=partner.partner_performance_timeouts)
            main = CAUSE_FIGURE.get(partner.partner_performance_cause)
            order = ([main] if main in parts else []) + [key for key in parts if key != main]
            result[partner.id] = ", ".join(parts[key] for key in order)
        return result


def _hours(value):
    return ("%.1f" % value) if value < 10 else ("%.0f" % value)


def _percent(rate):
    return "%.0f %%" % (100 * (rate or 0))
