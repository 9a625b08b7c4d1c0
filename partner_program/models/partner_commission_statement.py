from collections import defaultdict

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_date


class PartnerCommissionStatement(models.Model):
    """A partner's rewards approved in one month, and their total. Kept up to date as rewards are approved
    or cancelled; printable (report ``partner_program.action_report_commission_statement``)."""

    _name = "partner.commission.statement"
    _description = "Commission Statement"
    _order = "date_from desc, partner_id, id"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True)
    partner_id = fields.Many2one("res.partner", required=True, index=True, ondelete="restrict")
    date_from = fields.Date("From", required=True, help="First day of the month.")
    date_to = fields.Date("Until", compute="_compute_date_to", store=True)
    month_label = fields.Char("Month", compute="_compute_month_label", help="The month, as people say it: May 2025.")
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company, index=True)
    currency_id = fields.Many2one("res.currency", required=True)
    reward_ids = fields.One2many("partner.reward", "statement_id", "Reward Lines")
    reward_count = fields.Integer("Rewards", compute="_compute_totals", store=True)
    amount_total = fields.Monetary("Total", compute="_compute_totals", store=True)
    amount_paid = fields.Monetary("Paid", compute="_compute_totals", store=True)
    amount_due = fields.Monetary("To Pay", compute="_compute_totals", store=True)

    _month_unique = models.Constraint(
        "UNIQUE(partner_id, date_from, currency_id, company_id)",
        "This partner already has a statement for this month.",
    )

    @api.depends("date_from")
    def _compute_date_to(self):
        for statement in self:
            statement.date_to = statement.date_from and statement.date_from + relativedelta(months=1, days=-1)

    @api.depends("date_from")
    @api.depends_context("lang")
    def _compute_month_label(self):
        for statement in self:
            statement.month_label = (format_date(self.env, statement.date_from, date_format="MMMM y")
                                     if statement.date_from else False)

    @api.depends("partner_id", "date_from")
    def _compute_name(self):
        for statement in self:
            month = format_date(self.env, statement.date_from, date_format="MMMM y") if statement.date_from else ""
            statement.name = "%s - %s" % (month, statement.partner_id.name or "")

    @api.depends("reward_ids.amount", "reward_ids.state")
    def _compute_totals(self):
        for statement in self:
            rewards = statement.reward_ids.filtered(lambda reward: reward.state in ("approved", "paid"))
            statement.reward_count = len(rewards)
            statement.amount_total = sum(rewards.mapped("amount"))
            statement.amount_paid = sum(rewards.filtered(lambda reward: reward.state == "paid").mapped("amount"))
            statement.amount_due = statement.amount_total - statement.amount_paid

    @api.model
    def _attach_rewards(self, rewards):
        """Put approved rewards on their partner's statement of the month they were approved in, creating
        the missing statements. Set-based: one search, one create, one write per statement."""
        rewards = rewards.sudo().filtered(lambda reward: reward.state in ("approved", "paid") and reward.date_approved)
        if not rewards:
            return self.browse()
        by_key = defaultdict(lambda: self.env["partner.reward"].sudo())
        for reward in rewards:
            key = (reward.partner_id.id, reward.date_approved.replace(day=1), reward.currency_id.id,
                   reward.company_id.id)
            by_key[key] |= reward
        Statement = self.sudo()
        existing = Statement.search([
            ("partner_id", "in", list({key[0] for key in by_key})),
            ("date_from", "in", list({key[1] for key in by_key})),
        ])
        statements = {(s.partner_id.id, s.date_from, s.currency_id.id, s.company_id.id): s for s in existing}
        missing = [key for key in by_key if key not in statements]
        created = Statement.create([
            {"partner_id": key[0], "date_from": key[1], "currency_id": key[2], "company_id": key[3]}
            for key in missing
        ])
        statements.update(zip(missing, created, strict=True))
        for key, key_rewards in by_key.items():
            key_rewards._workflow_write({"statement_id": statements[key].id})
        return Statement.browse([statement.id for statement in statements.values()])

    def write(self, vals):
        # Whose statement it is and for which month never change once it holds rewards: its partner sees it.
        if {"partner_id", "date_from", "currency_id", "company_id"} & set(vals) and self.filtered("reward_ids"):
            raise UserError(self.env._(
                "A commission statement holding rewards cannot change partner, month, currency or company."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never_with_rewards(self):
        if self.filtered("reward_ids"):
            raise UserError(self.env._("A commission statement holding rewards cannot be deleted."))

    def _report_rewards(self):
        """The rewards the statement counts (approved or paid), in order."""
        self.ensure_one()
        return self.reward_ids.filtered(lambda reward: reward.state in ("approved", "paid")).sorted(
            lambda reward: (reward.date_approved, reward.id))

    def _get_report_base_filename(self):
        self.ensure_one()
        return self.env._("Commission Statement %s", self.name)

    def action_mark_paid(self):
        """Pay every approved reward of the statements."""
        self.reward_ids.filtered(lambda reward: reward.state == "approved").action_mark_paid()
        return True

    def action_print(self):
        return self.env.ref("partner_program.action_report_commission_statement").report_action(self)
