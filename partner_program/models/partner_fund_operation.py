from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_amount


class PartnerFundOperation(models.Model):
    _name = "partner.fund.operation"
    _inherit = ["partner.append.only.mixin"]
    _description = "Fund Operation"
    _order = "date desc, id desc"

    fund_id = fields.Many2one("partner.fund", required=True, ondelete="restrict", index=True)
    partnership_id = fields.Many2one(related="fund_id.partnership_id", store=True, index=True)
    partner_id = fields.Many2one(related="fund_id.partner_id", store=True)
    company_id = fields.Many2one(related="fund_id.company_id", store=True)
    currency_id = fields.Many2one(related="fund_id.currency_id")
    operation_type = fields.Selection(
        [("credit", "Credit"), ("debit", "Debit")], "Type", required=True, default="credit"
    )
    amount = fields.Monetary(required=True)
    amount_signed = fields.Monetary("Signed Amount", readonly=True, help="Positive for a credit, negative for a debit.")
    date = fields.Date(required=True, default=fields.Date.context_today)
    name = fields.Char("Reason", required=True)
    source = fields.Selection(
        [
            ("opportunity", "Won opportunity"),
            ("manual", "Manual"),
            ("request", "Partner request"),
            ("activity", "Marketing activity"),
            ("reversal", "Reversal"),
        ],
        "Source Document",
        required=True,
        default="manual",
    )
    lead_id = fields.Many2one("crm.lead", "Opportunity", ondelete="restrict", index="btree_not_null")
    marketing_activity_id = fields.Many2one(
        "partner.marketing.activity", ondelete="restrict", index="btree_not_null"
    )
    reversed_operation_id = fields.Many2one(
        "partner.fund.operation", "Reverses", ondelete="restrict", index="btree_not_null", readonly=True
    )
    reversal_ids = fields.One2many("partner.fund.operation", "reversed_operation_id", "Reversed By")
    is_reversed = fields.Boolean("Reversed", compute="_compute_is_reversed")

    _amount_positive = models.Constraint(
        "CHECK(amount > 0)", "An operation's amount must be positive: choose credit or debit for the direction."
    )
    _lead_once = models.UniqueIndex(
        "(fund_id, lead_id, operation_type) WHERE lead_id IS NOT NULL AND reversed_operation_id IS NULL",
        "This opportunity has already been credited to this fund.",
    )
    _reversed_once = models.UniqueIndex(
        "(reversed_operation_id) WHERE reversed_operation_id IS NOT NULL",
        "This operation has already been reversed.",
    )

    @api.depends("reversal_ids")
    def _compute_is_reversed(self):
        reversed_ids = set(self.search([("reversed_operation_id", "in", self.ids)]).reversed_operation_id.ids)
        for operation in self:
            operation.is_reversed = operation.id in reversed_ids

    @api.depends("fund_id", "operation_type", "amount")
    def _compute_display_name(self):
        for operation in self:
            operation.display_name = "%s %s" % (
                dict(self._fields["operation_type"].selection).get(operation.operation_type, ""),
                format_amount(self.env, operation.amount, operation.currency_id) if operation.currency_id
                else operation.amount,
            )

    @api.model_create_multi
    def create(self, vals_list):
        """Append operations to the ledger, refusing any that would take a fund below zero.

        The funds are locked first (``SELECT ... FOR UPDATE``), so concurrent debits are checked one after
        the other; the balance moves in the same transaction and a CHECK constraint backs it up.
        """
        # Access first, before any fund row is locked or read: whatever the amount, a user who may not record
        # operations on these funds gets the same refusal (no balance oracle).
        self.check_access("create")
        funds = self.env["partner.fund"].browse({vals.get("fund_id") for vals in vals_list} - {None, False})
        funds.check_access("read")
        currencies = {fund.id: fund.currency_id for fund in funds}
        deltas = defaultdict(float)
        for vals in vals_list:
            vals.pop("amount_signed", None)
            currency = currencies.get(vals.get("fund_id"))
            amount = vals.get("amount") or 0.0
            if currency:
                amount = vals["amount"] = currency.round(amount)
            if amount <= 0:
                raise UserError(self.env._(
                    "An operation's amount must be positive: choose credit or debit for the direction."
                ))
            signed = amount if vals.get("operation_type", "credit") == "credit" else -amount
            vals["amount_signed"] = signed
            if vals.get("fund_id"):
                deltas[vals["fund_id"]] += signed
        # Amounts reserved by approved fund requests are not available to other debits.
        amounts = funds.sudo()._lock_amounts()
        for fund in funds:
            balance, reserved = amounts[fund.id]
            if balance + deltas[fund.id] - reserved < -fund.currency_id.rounding / 2:
                raise UserError(self.env._(
                    "%(fund)s cannot be debited %(amount)s: its balance is %(balance)s.",
                    fund=fund.display_name,
                    amount=format_amount(self.env, -deltas[fund.id], fund.currency_id),
                    balance=format_amount(self.env, balance, fund.currency_id),
                ) + ("" if not reserved else " " + self.env._(
                    "%(reserved)s of it is reserved by approved fund requests.",
                    reserved=format_amount(self.env, reserved, fund.currency_id),
                )))
        operations = super().create(vals_list)
        funds.sudo()._add_to_balances(dict(deltas))
        return operations

    def _append_only_messages(self):
        return (self.env._("Fund operations cannot be changed: record a reversing operation to correct a mistake."),
                self.env._("Fund operations cannot be deleted: record a reversing operation to correct a mistake."))

    def action_reverse(self):
        """Record the opposite operation of each operation in ``self`` (a debit for a credit and back)."""
        if invalid := self.filtered(lambda op: op.source == "reversal" or op.is_reversed):
            raise UserError(self.env._(
                "%(operations)s: a reversal cannot be reversed, and an operation is reversed only once.",
                operations=", ".join(invalid.mapped("name")),
            ))
        reversals = self.create([{
            "fund_id": operation.fund_id.id,
            "operation_type": "debit" if operation.operation_type == "credit" else "credit",
            "amount": operation.amount,
            "source": "reversal",
            "reversed_operation_id": operation.id,
            "lead_id": operation.lead_id.id,
            "name": self.env._("Reversal of: %(reason)s", reason=operation.name),
        } for operation in self])
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Fund operations"),
                "message": (self.env._("1 operation reversed.") if len(reversals) == 1
                            else self.env._("%(count)s operations reversed.", count=len(reversals))),
                "type": "success",
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }
