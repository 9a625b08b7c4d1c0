from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import format_amount

OFFER_TRIGGERS = [
    ("lead_submitted", "Lead submitted"),
    ("lead_qualified", "Lead qualified"),
    ("opportunity_won", "Opportunity won"),
    ("referral_signup", "Referral sign-up"),
    ("registration_approved", "Deal registration approved"),
    ("registration_won", "Registered deal won"),
]
# Triggers whose reward may be a percentage of the won revenue.
WON_TRIGGERS = ("opportunity_won", "registration_won")


class PartnerOffer(models.Model):
    """What a group's partners earn, and when. Frozen once created so that every reward stays explainable:
    to change an offer, archive it and create another one ("Replace")."""

    _name = "partner.offer"
    _description = "Partner Offer"
    _order = "group_id, sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    group_id = fields.Many2one("partner.group", required=True, ondelete="cascade", index=True,
                               check_company=True)
    company_id = fields.Many2one(related="group_id.company_id", store=True, index=True)
    trigger = fields.Selection(
        OFFER_TRIGGERS, required=True, default="opportunity_won",
        help="Lead submitted: a partner submits a lead from its portal. Lead qualified: a lead the partner "
        "brought becomes an opportunity (or, without leads, leaves its first stage). Opportunity won: that "
        "opportunity is won. Referral sign-up: a visitor who came through the partner's link sends a form. "
        "Deal registration approved: our channel team approves the partner's registration (not an automatic "
        "approval). Registered deal won: the opportunity of a registration is won by our side.",
    )
    reward_type = fields.Selection(
        [("fixed", "Fixed Amount"), ("percent", "% of Won Revenue")], "Reward", required=True, default="fixed",
    )
    amount = fields.Monetary("Fixed Amount")
    percent = fields.Float("Percentage", digits=(5, 2))
    currency_id = fields.Many2one(
        "res.currency", required=True, default=lambda self: self.env.company.currency_id,
    )
    reward_ids = fields.One2many("partner.reward", "offer_id", "Rewards")
    # Every partner's rewards of the offer: our staff only (a partner reads its own rewards instead).
    reward_count = fields.Integer("Rewards Granted", compute="_compute_reward_count",
                                  groups="partner_program.group_partner_program_user")
    summary = fields.Char(compute="_compute_summary", help="What a partner earns, in one line.")

    _amount_positive = models.Constraint(
        "CHECK(amount >= 0 AND percent >= 0 AND percent <= 100)",
        "An offer's amount cannot be negative, and its percentage stays between 0 and 100.",
    )

    @api.constrains("reward_type", "trigger", "amount", "percent")
    def _check_reward(self):
        for offer in self:
            if offer.reward_type == "percent" and offer.trigger not in WON_TRIGGERS:
                raise ValidationError(self.env._(
                    "%(offer)s: a percentage of the won revenue only exists when an opportunity is won.",
                    offer=offer.name,
                ))
            if (offer.reward_type == "fixed" and offer.amount <= 0) or (
                    offer.reward_type == "percent" and offer.percent <= 0):
                raise ValidationError(self.env._("%(offer)s: give the reward's amount.", offer=offer.name))

    def _compute_reward_count(self):
        counts = dict(self.env["partner.reward"].sudo()._read_group(
            [("offer_id", "in", self.ids)], ["offer_id"], ["__count"]))
        for offer in self:
            offer.reward_count = counts.get(offer._origin, 0)

    @api.depends("trigger", "reward_type", "amount", "percent", "currency_id")
    def _compute_summary(self):
        triggers = dict(self._fields["trigger"]._description_selection(self.env))
        for offer in self:
            if offer.reward_type == "percent":
                earned = "%s %%" % ("%g" % offer.percent)
                earned = self.env._("%(percent)s of the won revenue", percent=earned)
            else:
                earned = format_amount(self.env, offer.amount, offer.currency_id) if offer.currency_id else ""
            offer.summary = self.env._("%(earned)s per %(trigger)s", earned=earned,
                                       trigger=(triggers.get(offer.trigger) or "").lower())

    def write(self, vals):
        # Archiving (and restoring) is the only change: a reward must always match the offer it came from.
        if set(vals) - {"active"}:
            raise UserError(self.env._(
                "An offer cannot be changed once created, so that the rewards already granted stay explainable. "
                "Use Replace: the offer is archived and you create the new one."
            ))
        return super().write(vals)

    def action_replace(self):
        """Archive the offer and open a new one prefilled with its terms, to be changed before saving."""
        self.ensure_one()
        self.action_archive()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("New Offer"),
            "res_model": "partner.offer",
            "view_mode": "form",
            "target": "current",
            "context": {
                "default_%s" % field: value
                for field, value in {
                    "name": self.name,
                    "group_id": self.group_id.id,
                    "trigger": self.trigger,
                    "reward_type": self.reward_type,
                    "amount": self.amount,
                    "percent": self.percent,
                    "currency_id": self.currency_id.id,
                    "sequence": self.sequence,
                }.items()
            },
        }

    def _reward_amount(self, lead):
        """What ``lead`` earns under this offer, in the offer's currency."""
        self.ensure_one()
        if self.reward_type == "fixed":
            return self.amount
        revenue = lead.company_currency._convert(
            lead.expected_revenue, self.currency_id, lead.company_id or self.company_id,
            fields.Date.context_today(self),
        ) if lead.company_currency else lead.expected_revenue
        return self.currency_id.round(revenue * self.percent / 100.0)
