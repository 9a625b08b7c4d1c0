"""Market development funds: a partner asks money from its fund for a marketing activity, the vendor approves
(the amount is reserved), the partner claims the actual cost with proof, the vendor approves the claim (the fund
is debited, the rest released) and pays it with a vendor bill or a credit note."""
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, format_amount
from odoo.tools.mimetypes import guess_mimetype

from ..forms.form import LIMITS
from ..forms.partner_fund import FUND_CLAIM_FORM, FUND_REQUEST_FORM

# Proof files a partner may upload: documents and pictures, judged on their content (not on their name).
ATTACHMENT_MIMETYPES = {"application/pdf", "image/png", "image/jpeg", "image/gif", "image/webp"}
ATTACHMENT_MAX_SIZE = 10 * 1024 * 1024
ATTACHMENT_MAX_COUNT = 10
REMINDER_DAYS = 7
# A reservation exists in these states; it is released when the request leaves them.
RESERVED_STATES = ("approved", "claimed")
# Payment states of the payout that make the request paid ("reversed" is a payout cancelled by its reversal).
PAID_PAYMENT_STATES = ("paid", "in_payment")


class PartnerFundRequest(models.Model):
    _name = "partner.fund.request"
    _description = "Fund Request"
    _inherit = ["portal.mixin", "mail.thread"]
    _order = "create_date desc, id desc"

    name = fields.Char("Activity", required=True, tracking=True)
    activity_type = fields.Selection(
        [
            ("event", "Event or trade show"),
            ("digital", "Digital campaign"),
            ("print", "Print and mailing"),
            ("webinar", "Webinar or training"),
            ("other", "Other"),
        ], "Type of Activity", required=True, default="event")
    date_start = fields.Date("Starts On", required=True, default=fields.Date.context_today)
    date_end = fields.Date("Ends On")
    description = fields.Text()
    expected_results = fields.Text()
    fund_id = fields.Many2one("partner.fund", required=True, ondelete="restrict", index=True, tracking=True)
    partnership_id = fields.Many2one(related="fund_id.partnership_id", store=True, index=True)
    partner_id = fields.Many2one(related="fund_id.partner_id", store=True, index=True)
    company_id = fields.Many2one(related="fund_id.company_id", store=True)
    currency_id = fields.Many2one(related="fund_id.currency_id")
    requested_by_id = fields.Many2one("res.users", readonly=True, default=lambda self: self.env.user)
    state = fields.Selection(
        [
            ("submitted", "Submitted"),
            ("approved", "Approved"),
            ("rejected", "Rejected"),
            ("claimed", "Claimed"),
            ("claim_approved", "Claim Approved"),
            ("claim_rejected", "Claim Rejected"),
            ("paid", "Paid"),
            ("expired", "Expired"),
        ],
        default="submitted", required=True, tracking=True, index=True, copy=False,
        compute="_compute_state", store=True, readonly=False,
        help="Set by the buttons, except Paid: a request with an approved claim becomes Paid when Accounting marks "
        "its payout paid (posted, payment registered or reconciled), and back if that payment is undone.",
    )
    amount = fields.Monetary("Requested", required=True, tracking=True)
    approved_amount = fields.Monetary(
        "Approved", tracking=True, copy=False,
        help="Leave empty to approve the requested amount; lower it to approve in part.",
    )
    reserved_amount = fields.Monetary("Reserved", readonly=True, copy=False,
                                      help="Set aside in the fund until the claim is approved or rejected.")
    reject_reason = fields.Text("Reason for Refusal", tracking=True, copy=False, help="The partner reads it.")
    date_approved = fields.Date("Approved On", readonly=True, copy=False)
    claim_deadline = fields.Date(tracking=True, copy=False)
    reminder_sent = fields.Boolean(readonly=True, copy=False)
    claim_amount = fields.Monetary("Claimed", readonly=True, tracking=True, copy=False)
    claim_results = fields.Text("Results", readonly=True, copy=False)
    claim_date = fields.Date(readonly=True, copy=False)
    claim_approved_amount = fields.Monetary(
        "Claim Approved", tracking=True, copy=False,
        help="Leave empty to pay the claimed amount; lower it to approve the claim in part.",
    )
    claim_reject_reason = fields.Text("Reason for Refusing the Claim", tracking=True, copy=False)
    paid_amount = fields.Monetary("Paid", compute="_compute_paid", store=True, copy=False)
    date_paid = fields.Date("Paid On", compute="_compute_paid", store=True, copy=False,
                            help="The day Accounting marked the payout paid.")
    request_attachment_ids = fields.Many2many(
        "ir.attachment", "partner_fund_request_attachment_rel", "request_id", "attachment_id",
        "Request Files", readonly=True, copy=False,
    )
    claim_attachment_ids = fields.Many2many(
        "ir.attachment", "partner_fund_request_claim_attachment_rel", "request_id", "attachment_id",
        "Proof of Execution", readonly=True, copy=False,
    )
    marketing_activity_id = fields.Many2one("partner.marketing.activity", readonly=True, copy=False)
    operation_id = fields.Many2one("partner.fund.operation", "Fund Debit", readonly=True, copy=False)
    move_id = fields.Many2one("account.move", "Payout", readonly=True, copy=False)
    payment_state = fields.Selection(related="move_id.payment_state", string="Payment")

    _amount_positive = models.Constraint("CHECK(amount > 0)", "A fund request's amount must be positive.")
    _approved_within_requested = models.Constraint(
        "CHECK(approved_amount IS NULL OR (approved_amount >= 0 AND approved_amount <= amount))",
        "The approved amount must be between zero and the requested amount.",
    )
    _claim_within_approved = models.Constraint(
        "CHECK(claim_amount IS NULL OR claim_amount = 0 OR (claim_amount > 0 AND claim_amount <= approved_amount))",
        "A claim cannot exceed the approved amount.",
    )
    _claim_approved_within_claim = models.Constraint(
        "CHECK(claim_approved_amount IS NULL"
        " OR (claim_approved_amount >= 0 AND claim_approved_amount <= claim_amount))",
        "The approved claim must be between zero and the claimed amount.",
    )
    _reserved_positive = models.Constraint("CHECK(reserved_amount >= 0)", "A reservation cannot be negative.")
    _dates_ordered = models.Constraint(
        "CHECK(date_end IS NULL OR date_end >= date_start)", "An activity cannot end before it starts."
    )

    @api.depends("move_id.payment_state", "move_id.state")
    def _compute_state(self):
        """Paid follows Accounting: an approved claim whose payout (vendor bill or credit note) is posted and
        paid (``paid`` or ``in_payment``: a registered payment, a bank statement line, or reconciled with an
        invoice of the partner) is Paid; it goes back to Claim Approved if that payment is undone. A payout
        reversed (``reversed``: cancelled by its reversal) was not paid. The other states are the buttons'."""
        for fund_request in self:
            if fund_request.state in ("claim_approved", "paid") and fund_request.move_id:
                move = fund_request.move_id
                paid = move.state == "posted" and move.payment_state in PAID_PAYMENT_STATES
                fund_request.state = "paid" if paid else "claim_approved"
            elif not fund_request.state:
                fund_request.state = "submitted"

    @api.depends("state", "claim_approved_amount")
    def _compute_paid(self):
        today = fields.Date.context_today(self)
        for fund_request in self:
            if fund_request.state == "paid":
                fund_request.paid_amount = fund_request.claim_approved_amount
                fund_request.date_paid = fund_request.date_paid or today
            else:
                fund_request.paid_amount = 0.0
                fund_request.date_paid = False

    def _compute_access_url(self):
        super()._compute_access_url()
        for fund_request in self:
            fund_request.access_url = "/my/fund-requests/%s" % fund_request.id
        return None

    def _lock(self):
        """Lock the requests' rows: pressing a button twice, or two managers at once, act one after the other
        and the second sees the state the first left."""
        self.flush_recordset()
        self.env.execute_query(SQL(
            "SELECT id FROM partner_fund_request WHERE id = ANY(%s) ORDER BY id FOR UPDATE", list(self.ids)
        ))
        self.invalidate_recordset()

    def _check_state(self, states, action):
        if wrong := self.filtered(lambda fund_request: fund_request.state not in states):
            raise UserError(self.env._(
                "%(requests)s: %(action)s is not possible in this state.",
                requests=", ".join(wrong.mapped("name")), action=action,
            ))

    def _check_manager(self):
        if not self.env.su and not self.env.user.has_group("partner_program.group_partner_program_manager"):
            raise AccessError(self.env._("Only partner program managers decide on fund requests."))

    # ------------------------------------------------------------------ the partner (portal)
    @api.model
    def _portal_create_request(self, values, files=()):
        """Create the fund request the portal form posted, as the current user, with its files.

        :param values: the posted form (``FUND_REQUEST_FORM``)
        :param files: ``[(file name, content bytes)]``
        :raise FormError: any faulty field or file; nothing is written
        """
        cleaned, errors = FUND_REQUEST_FORM.validate(self, values)
        attachments_values, file_error = self._check_files(files)
        if file_error:
            errors["attachments"] = file_error
        fund = cleaned.get("fund_id")
        if fund and fund.partner_id != self.env.user.commercial_partner_id:
            # staff reading every fund still cannot ask money in a partner's name
            errors["fund_id"] = self.env._("Choose one of your company's funds.")
        if fund and cleaned.get("amount") and cleaned["amount"] > fund.available:
            errors["amount"] = self.env._(
                "At most %(available)s is available in this fund.",
                available=format_amount(self.env, max(fund.available, 0.0), fund.currency_id),
            )
        if cleaned.get("date_end") and cleaned.get("date_start") and cleaned["date_end"] < cleaned["date_start"]:
            errors["date_end"] = self.env._("The activity cannot end before it starts.")
        FUND_REQUEST_FORM.check(self, errors)
        cleaned["fund_id"] = fund.id
        fund_request = self.sudo().create(dict(cleaned, requested_by_id=self.env.user.id))
        fund_request.message_subscribe(partner_ids=self.env.user.partner_id.ids)
        fund_request.request_attachment_ids = fund_request._create_attachments(attachments_values)
        return fund_request.with_env(self.env)

    def _portal_claim(self, values, files=()):
        """Claim the actual cost of the approved activity, with proof files.

        :raise FormError: faulty fields or files, a claim above the approved amount, a second claim
        """
        self.ensure_one()
        self.check_access("read")
        if self.partner_id != self.env.user.commercial_partner_id:
            raise AccessError(self.env._("Only the partner's own users claim its fund requests."))
        request_sudo = self.sudo()
        request_sudo._lock()
        if request_sudo.state != "approved":
            raise UserError(self.env._("This request cannot be claimed: only an approved request is claimed, once."))
        cleaned, errors = FUND_CLAIM_FORM.validate(self, values)
        attachments_values, file_error = self._check_files(files)
        if file_error:
            errors["attachments"] = file_error
        elif not attachments_values:
            errors["attachments"] = self.env._("Attach the proof of the activity (invoices, photos).")
        if cleaned.get("claim_amount") and cleaned["claim_amount"] > request_sudo.approved_amount:
            errors["claim_amount"] = self.env._(
                "At most the approved %(approved)s can be claimed.",
                approved=format_amount(self.env, request_sudo.approved_amount, request_sudo.currency_id),
            )
        FUND_CLAIM_FORM.check(self, errors)
        request_sudo.write(dict(cleaned, state="claimed", claim_date=fields.Date.context_today(self)))
        request_sudo.claim_attachment_ids = request_sudo._create_attachments(attachments_values)
        return True

    @api.model
    def _check_files(self, files):
        """([ir.attachment values], None) or (None, the message saying what is wrong with the files)."""
        files = [(name, content) for name, content in files if content]
        if len(files) > ATTACHMENT_MAX_COUNT:
            return None, self.env._("At most %(count)s files.", count=ATTACHMENT_MAX_COUNT)
        result = []
        for name, content in files:
            name = "".join(char for char in (name or "") if char.isprintable())[:LIMITS["char"]] or "file"
            if len(content) > ATTACHMENT_MAX_SIZE:
                return None, self.env._("%(name)s is too large: at most 10 MB per file.", name=name)
            mimetype = guess_mimetype(content)
            if mimetype not in ATTACHMENT_MIMETYPES:
                return None, self.env._("%(name)s is not a PDF or a picture (PNG, JPEG, GIF, WebP).", name=name)
            result.append({"name": name, "raw": content, "mimetype": mimetype})
        return result, None

    def _create_attachments(self, attachments_values):
        self.ensure_one()
        return self.env["ir.attachment"].sudo().create([
            dict(vals, res_model=self._name, res_id=self.id) for vals in attachments_values
        ])

    def _portal_file(self, attachment_id):
        """The attachment ``attachment_id`` (sudo) if it is one of this request's files the user may read."""
        self.ensure_one()
        self.check_access("read")
        files = self.sudo().request_attachment_ids | self.sudo().claim_attachment_ids
        return files.filtered(lambda attachment: attachment.id == attachment_id)

    # ------------------------------------------------------------------ the vendor (partner managers)
    def action_approve(self):
        """Approve in full (approved amount empty) or in part: reserve the amount in the fund and create the
        marketing activity."""
        self._check_manager()
        self._lock()
        self._check_state(("submitted",), self.env._("approving"))
        for fund_request in self:
            approved = fund_request.approved_amount or fund_request.amount
            if approved <= 0 or approved > fund_request.amount:
                raise UserError(self.env._(
                    "%(name)s: approve an amount above zero and at most the requested amount.",
                    name=fund_request.name,
                ))
            fund_request.approved_amount = approved
        self._check_yearly_cap()
        deltas = {}
        for fund_request in self:
            deltas[fund_request.fund_id.id] = deltas.get(fund_request.fund_id.id, 0.0) + fund_request.approved_amount
        self.env["partner.fund"]._reserve(deltas)
        activities = self.env["partner.marketing.activity"].sudo().create([{
            "name": fund_request.name,
            "partnership_id": fund_request.partnership_id.id,
            "fund_id": fund_request.fund_id.id,
            "fund_request_id": fund_request.id,
            "date_start": fund_request.date_start,
            "date_end": fund_request.date_end,
            "budget": fund_request.approved_amount,
            "description": fund_request.description,
        } for fund_request in self])
        today = fields.Date.context_today(self)
        for fund_request, activity in zip(self, activities, strict=True):
            days = fund_request.company_id.partner_fund_claim_days or 0
            fund_request.write({
                "state": "approved",
                "date_approved": today,
                "reserved_amount": fund_request.approved_amount,
                "marketing_activity_id": activity.id,
                "claim_deadline": max(fund_request.date_end or fund_request.date_start, today) + timedelta(days=days),
            })
        return True

    def _check_yearly_cap(self):
        """Refuse approvals taking a partnership above the yearly cap its level gives (benefit of type
        "Yearly fund requests cap"): what is reserved or was paid out of the requests approved this calendar
        year, plus these approvals. The partnerships' rows are locked, so two approvals at once are counted
        one after the other."""
        partnerships = self.partnership_id.sudo()
        ladders = partnerships.type_id._get_ladders()
        caps = {}
        for partnership in partnerships:
            step = partnership._current_step(ladders.get(partnership.type_id.id, []))
            values = [benefit.value for benefit in (step[2] if step else [])
                      if benefit.category_id.benefit_type == "fund_request_cap"]
            if values:
                caps[partnership.id] = min(values)
        if not caps:
            return
        self.env.execute_query(SQL(
            "SELECT id FROM partner_partnership WHERE id = ANY(%s) ORDER BY id FOR UPDATE", list(caps),
        ))
        today = fields.Date.context_today(self)
        year_start = today.replace(month=1, day=1)
        committed = dict.fromkeys(caps, 0.0)
        for fund_request in self.sudo().search([
            ("partnership_id", "in", list(caps)), ("date_approved", ">=", year_start), ("id", "not in", self.ids),
            ("state", "in", ("approved", "claimed", "claim_approved", "paid")),
        ]):
            committed[fund_request.partnership_id.id] += (
                fund_request.reserved_amount if fund_request.state in RESERVED_STATES
                else fund_request.claim_approved_amount
            )
        for fund_request in self:
            partnership_id = fund_request.partnership_id.id
            if partnership_id not in caps:
                continue
            committed[partnership_id] += fund_request.approved_amount
            if committed[partnership_id] > caps[partnership_id] + fund_request.currency_id.rounding / 2:
                raise UserError(self.env._(
                    "%(name)s: %(partner)s's level allows %(cap)s of fund requests a year; %(used)s would be "
                    "approved this year.",
                    name=fund_request.name, partner=fund_request.partner_id.name,
                    cap=format_amount(self.env, caps[partnership_id], fund_request.currency_id),
                    used=format_amount(self.env, committed[partnership_id], fund_request.currency_id),
                ))

    def action_reject(self):
        self._check_manager()
        self._lock()
        self._check_state(("submitted",), self.env._("rejecting"))
        if missing := self.filtered(lambda fund_request: not (fund_request.reject_reason or "").strip()):
            raise UserError(self.env._(
                "%(requests)s: write the reason for the refusal first; the partner reads it.",
                requests=", ".join(missing.mapped("name")),
            ))
        # an amount typed before deciding to refuse was never approved (the reports sum approved amounts)
        self.write({"state": "rejected", "approved_amount": False})
        return True

    def action_approve_claim(self):
        """Approve the claim in full or in part: release the reservation, debit the fund with the approved
        claim and create the payout (vendor bill or credit note, as the company chose)."""
        self._check_manager()
        self._lock()
        self._check_state(("claimed",), self.env._("approving the claim"))
        for fund_request in self:
            approved = fund_request.claim_approved_amount or fund_request.claim_amount
            if approved <= 0 or approved > fund_request.claim_amount:
                raise UserError(self.env._(
                    "%(name)s: approve a claim above zero and at most the claimed amount.", name=fund_request.name,
                ))
            fund_request.claim_approved_amount = approved
        self._release()
        operations = self.env["partner.fund.operation"].sudo().create([{
            "fund_id": fund_request.fund_id.id,
            "operation_type": "debit",
            "amount": fund_request.claim_approved_amount,
            "source": "request",
            "marketing_activity_id": fund_request.marketing_activity_id.id,
            "name": self.env._("Fund request: %(name)s", name=fund_request.name),
        } for fund_request in self])
        moves = self._create_payouts()
        for fund_request, operation, move in zip(self, operations, moves, strict=True):
            fund_request.marketing_activity_id.sudo().operation_id = operation
            fund_request.write({"state": "claim_approved", "operation_id": operation.id, "move_id": move.id})
        return True

    def action_reject_claim(self):
        self._check_manager()
        self._lock()
        self._check_state(("claimed",), self.env._("rejecting the claim"))
        if missing := self.filtered(lambda fund_request: not (fund_request.claim_reject_reason or "").strip()):
            raise UserError(self.env._(
                "%(requests)s: write the reason for refusing the claim first; the partner reads it.",
                requests=", ".join(missing.mapped("name")),
            ))
        self._release()
        self.write({"state": "claim_rejected"})
        return True

    def action_view_move(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "account.move",
            "res_id": self.move_id.id,
            "view_mode": "form",
        }

    def _release(self):
        """Release what the requests still reserve in their funds."""
        deltas = {}
        for fund_request in self.filtered("reserved_amount"):
            deltas[fund_request.fund_id.id] = deltas.get(fund_request.fund_id.id, 0.0) - fund_request.reserved_amount
        self.env["partner.fund"]._reserve(deltas)
        self.sudo().write({"reserved_amount": 0.0})

    def _create_payouts(self):
        """One draft vendor bill (or credit note) per request, to its partner, for the approved claim."""
        vals_list = []
        for fund_request in self:
            company = fund_request.company_id or self.env.company
            move_type = "out_refund" if company.partner_fund_payout == "credit_note" else "in_invoice"
            journal = self.env["account.journal"].sudo().search([
                *self.env["account.journal"]._check_company_domain(company),
                ("type", "=", "purchase" if move_type == "in_invoice" else "sale"),
            ], limit=1)
            if not journal or not journal.default_account_id:
                raise UserError(self.env._(
                    "Set up a %(kind)s journal with a default account in Accounting to pay fund claims.",
                    kind=self.env._("purchase") if move_type == "in_invoice" else self.env._("sales"),
                ))
            vals_list.append({
                "move_type": move_type,
                "company_id": company.id,
                "journal_id": journal.id,
                "partner_id": fund_request.partner_id.id,
                "currency_id": fund_request.currency_id.id,
                "ref": fund_request.name,
                "invoice_origin": self.env._("Fund request %(id)s", id=fund_request.id),
                "invoice_line_ids": [fields.Command.create({
                    "name": self.env._("Market development funds: %(name)s", name=fund_request.name),
                    "quantity": 1,
                    "price_unit": fund_request.claim_approved_amount,
                    "account_id": journal.default_account_id.id,
                    "tax_ids": [fields.Command.clear()],
                })],
            })
        return self.env["account.move"].sudo().with_context(default_move_type=False).create(vals_list)

    # ------------------------------------------------------------------ schedule
    @api.model
    def _cron_expire(self):
        """Expire approved requests not claimed by their deadline (releasing their reservation); remind the
        partners a week before."""
        today = fields.Date.context_today(self)
        expired = self.search([("state", "=", "approved"), ("claim_deadline", "<", today)])
        if expired:
            expired._lock()
            expired = expired.filtered(lambda fund_request: fund_request.state == "approved")
            expired._release()
            expired.write({"state": "expired"})
            for fund_request in expired:
                fund_request.message_post(
                    body=self.env._("The claim deadline has passed: this request has expired and its amount is "
                                    "available again in the fund."),
                    partner_ids=fund_request.message_partner_ids.ids,
                    subtype_xmlid="mail.mt_comment",
                )
        to_remind = self.search([
            ("state", "=", "approved"), ("reminder_sent", "=", False),
            ("claim_deadline", "<=", today + timedelta(days=REMINDER_DAYS)),
        ])
        for fund_request in to_remind:
            fund_request.message_post(
                body=self.env._("Reminder: claim this fund request with your proof of execution by %(date)s, "
                                "or it expires.", date=fields.Date.to_string(fund_request.claim_deadline)),
                partner_ids=fund_request.message_partner_ids.ids,
                subtype_xmlid="mail.mt_comment",
            )
        to_remind.write({"reminder_sent": True})
        return True

    @api.ondelete(at_uninstall=False)
    def _unlink_only_submitted(self):
        if self.filtered(lambda fund_request: fund_request.state != "submitted"):
            raise UserError(self.env._("Only a submitted fund request can be deleted; reject it instead."))
