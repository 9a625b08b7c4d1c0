from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, format_amount


class PartnerFund(models.Model):
    _name = "partner.fund"
    _description = "Partner Fund"
    _inherit = ["mail.thread"]
    _order = "partnership_id, name, id"

    name = fields.Char(required=True, tracking=True, default=lambda self: self.env._("Marketing fund"))
    partnership_id = fields.Many2one(
        "partner.partnership", required=True, ondelete="cascade", index=True, tracking=True
    )
    partner_id = fields.Many2one(related="partnership_id.partner_id", store=True)
    company_id = fields.Many2one(related="partnership_id.company_id", store=True)
    currency_id = fields.Many2one(related="partnership_id.currency_id")
    credit_category_id = fields.Many2one(
        "partner.parameter.category",
        "Credited With",
        domain="[('kind', '=', 'benefit'), ('benefit_type', '=', 'fund_credit')]",
        default=lambda self: self.env.ref("partner_program.parameter_category_fund_credit", raise_if_not_found=False),
        tracking=True,
        help="Each won opportunity of the partner credits this fund with the percentage this benefit has at "
        "the partner's level. Empty: the fund is only credited by hand.",
    )
    # Cached sum of the ledger, changed only together with a new operation, under the fund's row lock.
    balance = fields.Monetary(readonly=True, copy=False, default=0.0)
    # Cached sum of the approved, not yet claimed fund requests: moved only by partner.fund.request, under the same
    # row lock as the balance; a CHECK keeps it within the balance.
    reserved = fields.Monetary(readonly=True, copy=False, default=0.0,
                               help="Approved fund requests not claimed yet: set aside, no longer available.")
    available = fields.Monetary(compute="_compute_available", help="Balance minus the reserved amount.")
    operation_ids = fields.One2many("partner.fund.operation", "fund_id", "Operations")
    request_ids = fields.One2many("partner.fund.request", "fund_id", "Fund Requests")
    operation_count = fields.Integer(compute="_compute_operation_count")

    _balance_positive = models.Constraint(
        "CHECK(balance >= 0)", "A fund's balance cannot go below zero."
    )
    _reserved_positive = models.Constraint("CHECK(reserved >= 0)", "A fund's reserved amount cannot be negative.")
    _reserved_within_balance = models.Constraint(
        "CHECK(balance >= reserved)", "A fund's available balance (balance minus reserved) cannot go below zero."
    )

    @api.depends("balance", "reserved")
    def _compute_available(self):
        for fund in self:
            fund.available = fund.balance - fund.reserved

    @api.depends("name", "partner_id")
    def _compute_display_name(self):
        for fund in self:
            fund.display_name = "%s - %s" % (fund.partner_id.name, fund.name) if fund.partner_id else fund.name

    def _compute_operation_count(self):
        counts = dict(self.env["partner.fund.operation"]._read_group(
            [("fund_id", "in", self.ids)], ["fund_id"], ["__count"],
        ))
        for fund in self:
            fund.operation_count = counts.get(fund, 0)

    # The balance is the ledger's; only the operations move it (see partner.fund.operation.create).
    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            vals.pop("balance", None)
            vals.pop("reserved", None)
        return super().create(vals_list)

    def write(self, vals):
        vals.pop("balance", None)
        vals.pop("reserved", None)
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_with_operations(self):
        if self.sudo().operation_ids:
            raise UserError(self.env._(
                "A fund with operations cannot be deleted: its ledger is kept. Archive its partnership instead."
            ))

    def _lock_amounts(self):
        """Lock the funds' rows until the end of the transaction and return ``{fund_id: (balance, reserved)}``.

        Two debits (or reservations) arriving together queue on this lock; the second one then sees the first
        (or, under Odoo's repeatable-read isolation, fails with a serialization error and is retried), so the
        checks after it never work on a stale figure.
        """
        if not self:
            return {}
        self.flush_recordset(["balance", "reserved"])
        rows = self.env.execute_query(SQL(
            "SELECT id, balance, reserved FROM partner_fund WHERE id = ANY(%s) ORDER BY id FOR UPDATE",
            list(self.ids),
        ))
        return {fund_id: (float(balance), float(reserved)) for fund_id, balance, reserved in rows}

    def _reserve(self, deltas):
        """Set aside (positive delta) or release (negative delta) amounts of the funds ``{fund_id: delta}``.

        The rows are locked first and the available balance checked on the locked figures: two approvals at
        the same moment queue here, the second sees the first. ``CHECK(balance >= reserved)`` backs it up.
        """
        deltas = {fund_id: delta for fund_id, delta in deltas.items() if delta}
        if not deltas:
            return
        funds = self.browse(list(deltas)).sudo()
        amounts = funds._lock_amounts()
        for fund in funds:
            balance, reserved = amounts[fund.id]
            delta = deltas[fund.id]
            if delta > 0 and balance - reserved - delta < -fund.currency_id.rounding / 2:
                raise UserError(self.env._(
                    "%(fund)s cannot set aside %(amount)s: only %(available)s is available.",
                    fund=fund.display_name,
                    amount=format_amount(self.env, delta, fund.currency_id),
                    available=format_amount(self.env, balance - reserved, fund.currency_id),
                ))
        self.env.execute_query(SQL(
            """UPDATE partner_fund f SET reserved = f.reserved + v.delta, write_date = now() AT TIME ZONE 'UTC',
                                         write_uid = %s
                 FROM unnest(%s::int[], %s::numeric[]) AS v(id, delta)
                WHERE f.id = v.id""",
            self.env.uid, list(deltas), [str(delta) for delta in deltas.values()],
        ))
        funds.invalidate_recordset(["reserved", "available", "write_date", "write_uid"])

    def _add_to_balances(self, deltas):
        if not deltas:
            return
        self.env.execute_query(SQL(
            """UPDATE partner_fund f SET balance = f.balance + v.delta, write_date = now() AT TIME ZONE 'UTC',
                                         write_uid = %s
                 FROM unnest(%s::int[], %s::numeric[]) AS v(id, delta)
                WHERE f.id = v.id""",
            self.env.uid, list(deltas), [str(delta) for delta in deltas.values()],
        ))
        self.browse(list(deltas)).invalidate_recordset(["balance", "available", "write_date", "write_uid"])

    def action_view_operations(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("partner_program.partner_fund_operation_action")
        action.update(domain=[("fund_id", "=", self.id)], context={"default_fund_id": self.id})
        return action

    # ------------------------------------------------------------------ won opportunities
    @api.model
    def _credit_won_leads(self, leads):
        """Credit the funds of the partners of won ``leads`` with their level's percentage, once per lead.

        The partnership is the active one of the lead's assigned partner covering the closing date; each of
        its funds with a credit category gets that benefit's percentage of the expected revenue. A lead
        already credited to a fund is skipped (and a unique index refuses a second credit anyway), so
        winning again or editing the lead never credits twice.
        """
        leads = leads.sudo().filtered(
            lambda lead: lead.won_status == "won" and lead.partner_assigned_id and lead.expected_revenue > 0
        )
        if not leads:
            return self.env["partner.fund.operation"]
        today = fields.Date.context_today(self)
        # the closing day as the user sees it (a deal won at 23:30 UTC may be tomorrow in Lyon)
        dates = {lead.id: (fields.Date.context_today(lead, lead.date_closed) if lead.date_closed else today)
                 for lead in leads}
        partners = leads.partner_assigned_id.commercial_partner_id
        partnerships = self.env["partner.partnership"].sudo().search([
            ("partner_id", "in", partners.ids),
            ("date_start", "<=", max(dates.values())),
            ("date_due", ">=", min(dates.values())),
        ])
        funds = partnerships.fund_ids.filtered("credit_category_id")
        if not funds:
            return self.env["partner.fund.operation"]
        credited = {
            (operation.fund_id.id, operation.lead_id.id)
            for operation in self.env["partner.fund.operation"].sudo().search([
                ("lead_id", "in", leads.ids), ("fund_id", "in", funds.ids), ("operation_type", "=", "credit"),
            ])
        }
        ladders = partnerships.type_id._get_ladders()
        by_partner = defaultdict(list)
        for partnership in partnerships:
            by_partner[partnership.partner_id.id].append(partnership)
        vals_list = []
        for lead in leads:
            day = dates[lead.id]
            partnership = next((p for p in by_partner[lead.partner_assigned_id.commercial_partner_id.id]
                                if p.date_start <= day <= p.date_due), None)
            if not partnership:
                continue
            step = partnership._current_step(ladders.get(partnership.type_id.id, []))
            percents = {benefit.category_id.id: benefit.value for benefit in step[2]} if step else {}
            for fund in partnership.fund_ids:
                percent = percents.get(fund.credit_category_id.id)
                if not percent or (fund.id, lead.id) in credited:
                    continue
                amount = fund.currency_id.round(lead.expected_revenue * percent / 100.0)
                if amount <= 0:
                    continue
                vals_list.append({
                    "fund_id": fund.id,
                    "operation_type": "credit",
                    "amount": amount,
                    "date": day,
                    "source": "opportunity",
                    "lead_id": lead.id,
                    "name": self.env._(
                        "%(percent)s%% of won opportunity %(lead)s",
                        percent="%g" % percent, lead=lead.name,
                    ),
                })
        return self.env["partner.fund.operation"].sudo().create(vals_list)
