import base64
from datetime import timedelta

from psycopg2 import errors

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from ..forms.form import FormError
from .common_partnership import PartnershipCase

# The smallest valid PDF and PNG files: what guess_mimetype recognises as proof.
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


class FundRequestCase(PartnershipCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.reseller = cls._reseller("Lyon MDF")
        cls.partnership = cls._partnership(cls.reseller)
        cls.fund = cls._fund(cls.partnership, credit_category_id=False)
        cls.env["partner.fund.operation"].create({
            "fund_id": cls.fund.id, "operation_type": "credit", "amount": 5000, "name": "Yearly allocation",
        })
        cls.portal_user = new_test_user(cls.env, "pp_mdf_portal", groups="base.group_portal")
        cls.portal_user.partner_id.parent_id = cls.reseller
        cls.other = cls._reseller("Paris MDF")
        cls.other_fund = cls._fund(cls._partnership(cls.other), credit_category_id=False)
        cls.other_user = new_test_user(cls.env, "pp_mdf_portal_other", groups="base.group_portal")
        cls.other_user.partner_id.parent_id = cls.other
        cls._payout_journals()

    @classmethod
    def _payout_journals(cls):
        """A purchase and a sales journal with a default account, unless the chart of accounts has them."""
        Journal = cls.env["account.journal"]
        for journal_type, account_type, code in (("purchase", "expense", "MDFP"), ("sale", "income", "MDFS")):
            if Journal.search([("type", "=", journal_type), ("default_account_id", "!=", False),
                               *Journal._check_company_domain(cls.env.company)], limit=1):
                continue
            account = cls.env["account.account"].create({
                "name": "MDF %s" % journal_type, "code": "%s1" % code, "account_type": account_type,
            })
            Journal.create({"name": "MDF %s" % journal_type, "code": code, "type": journal_type,
                            "default_account_id": account.id})

    def _form(self, **values):
        return dict({
            "fund_id": str(self.fund.id), "activity_type": "event", "name": "Lyon trade show",
            "date_start": str(self.today), "date_end": str(self.today + timedelta(days=2)),
            "description": "Our stand", "expected_results": "40 leads", "amount": "2000",
        }, **values)

    def _request(self, user=None, files=(), **values):
        return self.env["partner.fund.request"].with_user(user or self.portal_user)._portal_create_request(
            self._form(**values), files)

    def _claim(self, fund_request, amount="1500", files=(("invoice.pdf", PDF),), user=None, **values):
        return fund_request.with_user(user or self.portal_user)._portal_claim(
            dict({"claim_amount": amount, "claim_results": "52 leads"}, **values), files)

    def _fund_figures(self, fund=None):
        fund = fund or self.fund
        fund.invalidate_recordset()
        return fund.balance, fund.reserved, fund.available


@tagged("post_install", "-at_install")
class TestFundRequest(FundRequestCase):
    def test_full_cycle_reserves_debits_releases_and_creates_a_vendor_bill(self):
        fund_request = self._request(files=[("plan.pdf", PDF)])
        self.assertRecordValues(fund_request, [{
            "state": "submitted", "amount": 2000, "partner_id": self.reseller.id,
            "requested_by_id": self.portal_user.id,
        }])
        self.assertEqual(fund_request.request_attachment_ids.mapped("mimetype"), ["application/pdf"])
        self.assertEqual(self._fund_figures(), (5000, 0, 5000))

        # Approved in part: 1,800 reserved, the marketing activity exists.
        fund_request = fund_request.with_user(self.manager)
        fund_request.approved_amount = 1800
        fund_request.action_approve()
        self.assertEqual(fund_request.state, "approved")
        self.assertEqual(self._fund_figures(), (5000, 1800, 3200))
        self.assertRecordValues(fund_request.marketing_activity_id, [{
            "name": "Lyon trade show", "budget": 1800, "fund_id": self.fund.id, "fund_request_id": fund_request.id,
            "partnership_id": self.partnership.id,
        }])
        self.assertEqual(fund_request.claim_deadline, self.today + timedelta(days=2 + 30))

        # Claimed 1,500 with proof, approved: the fund is debited 1,500, the other 300 released, bill created.
        self._claim(fund_request)
        self.assertEqual(fund_request.state, "claimed")
        self.assertEqual(fund_request.claim_attachment_ids.mapped("name"), ["invoice.pdf"])
        self.assertEqual(self._fund_figures(), (5000, 1800, 3200))
        fund_request.action_approve_claim()
        self.assertEqual(fund_request.state, "claim_approved")
        self.assertEqual(self._fund_figures(), (3500, 0, 3500))
        self.assertRecordValues(fund_request.operation_id, [{
            "operation_type": "debit", "amount": 1500, "source": "request",
            "marketing_activity_id": fund_request.marketing_activity_id.id,
        }])
        self.assertEqual(fund_request.marketing_activity_id.operation_id, fund_request.operation_id)
        self.assertRecordValues(fund_request.move_id, [{
            "move_type": "in_invoice", "partner_id": self.reseller.id, "amount_total": 1500, "state": "draft",
        }])
        # the activity is paid by the claim, not by a second debit
        with self.assertRaisesRegex(UserError, "paid by its fund request"):
            fund_request.marketing_activity_id.action_debit_fund()
        # not paid until Accounting pays the bill (see TestFundRequestPaid)
        self.assertEqual((fund_request.state, fund_request.paid_amount), ("claim_approved", 0))

    def test_credit_note_when_the_company_chooses_it(self):
        self.env.company.partner_fund_payout = "credit_note"
        fund_request = self._request().with_user(self.manager)
        fund_request.action_approve()
        self._claim(fund_request, amount="2000")
        fund_request.claim_approved_amount = 1200  # the claim approved in part
        fund_request.action_approve_claim()
        self.assertRecordValues(fund_request.move_id, [{"move_type": "out_refund", "amount_total": 1200}])
        self.assertEqual(self._fund_figures(), (3800, 0, 3800))

    def test_rejections_carry_a_reason_the_partner_reads_and_release_the_reservation(self):
        fund_request = self._request().with_user(self.manager)
        with self.assertRaisesRegex(UserError, "reason"):
            fund_request.action_reject()
        fund_request.reject_reason = "Outside the program's markets"
        fund_request.action_reject()
        self.assertEqual(fund_request.with_user(self.portal_user).reject_reason, "Outside the program's markets")
        self.assertEqual(self._fund_figures(), (5000, 0, 5000))

        claimed = self._request().with_user(self.manager)
        claimed.action_approve()
        self._claim(claimed)
        with self.assertRaisesRegex(UserError, "reason"):
            claimed.action_reject_claim()
        claimed.claim_reject_reason = "The invoice is not the activity's"
        claimed.action_reject_claim()
        self.assertEqual(claimed.state, "claim_rejected")
        self.assertEqual(self._fund_figures(), (5000, 0, 5000))
        self.assertFalse(claimed.move_id)

    def test_a_request_never_exceeds_the_available_balance(self):
        first = self._request(amount="4000").with_user(self.manager)
        first.action_approve()
        with self.assertRaises(FormError) as caught:
            self._request(amount="1500")
        self.assertIn("amount", caught.exception.errors)
        # submitted before the other approval: its approval is refused, nothing reserved
        second = self._request(amount="900").with_user(self.manager)
        third = self._request(amount="900").with_user(self.manager)
        second.action_approve()
        with self.assertRaisesRegex(UserError, "cannot set aside .*100.00 is available"):
            third.action_approve()
        # a manual debit cannot take what approved requests reserve either
        with self.assertRaisesRegex(UserError, "cannot be debited"):
            self.env["partner.fund.operation"].create({
                "fund_id": self.fund.id, "operation_type": "debit", "amount": 200, "name": "Manual",
            })
        # and the database refuses a reservation above the balance whatever the code does
        self.env.flush_all()
        with mute_logger("odoo.sql_db"), self.assertRaises(errors.CheckViolation), self.env.cr.savepoint():
            self.env.cr.execute("UPDATE partner_fund SET reserved = balance + 1 WHERE id = %s", [self.fund.id])

    def test_reserved_is_the_sum_of_the_open_reservations(self):
        requests = self._request(amount="1000") | self._request(amount="700") | self._request(amount="300")
        requests = requests.with_user(self.manager)
        requests.action_approve()
        self._claim(requests[0], amount="800")
        requests[0].action_approve_claim()
        self.assertEqual(self.fund.reserved, sum(requests.mapped("reserved_amount")))
        self.assertEqual(self._fund_figures(), (4200, 1000, 3200))

    def test_portal_user_cannot_decide_and_sees_only_its_company(self):
        fund_request = self._request()
        for action in ("action_approve", "action_reject", "action_approve_claim", "action_reject_claim"):
            with self.assertRaises(AccessError):
                getattr(fund_request.with_user(self.portal_user), action)()
        with self.assertRaises(AccessError):
            fund_request.with_user(self.portal_user).write({"approved_amount": 1})
        with self.assertRaises(AccessError):
            fund_request.with_user(self.other_user).check_access("read")
        self.assertFalse(self.env["partner.fund.request"].with_user(self.other_user).search([]))
        # another company's fund cannot be drawn from
        with self.assertRaises(FormError) as caught:
            self._request(fund_id=str(self.other_fund.id))
        self.assertIn("fund_id", caught.exception.errors)
        # nor claimed for another company
        fund_request.with_user(self.manager).action_approve()
        with self.assertRaises(AccessError):
            self._claim(fund_request, user=self.other_user)
        # the vendor's staff read every fund but neither request nor claim in a partner's name
        with self.assertRaises(FormError) as caught:
            self._request(user=self.manager)
        self.assertIn("fund_id", caught.exception.errors)
        with self.assertRaises(AccessError):
            self._claim(fund_request, user=self.manager)

    def test_claim_within_approved_once_with_proof(self):
        fund_request = self._request().with_user(self.manager)
        with self.assertRaisesRegex(UserError, "only an approved request"):
            self._claim(fund_request)  # not approved yet
        fund_request.approved_amount = 1000
        fund_request.action_approve()
        with self.assertRaises(FormError) as caught:
            self._claim(fund_request, amount="1000.01")
        self.assertIn("claim_amount", caught.exception.errors)
        with self.assertRaises(FormError) as caught:
            self._claim(fund_request, files=())
        self.assertIn("attachments", caught.exception.errors)
        with self.assertRaises(FormError) as caught:
            self._claim(fund_request, files=[("invoice.pdf", b"MZ\x90\x00 not a pdf")])
        self.assertIn("attachments", caught.exception.errors)
        self._claim(fund_request, amount="1000", files=[("stand.png", PNG)])
        with self.assertRaisesRegex(UserError, "only an approved request"):
            self._claim(fund_request)  # twice
        # the database refuses a claim above the approved amount whatever the code does
        with mute_logger("odoo.sql_db"), self.assertRaises(errors.CheckViolation), self.env.cr.savepoint():
            self.env.cr.execute("UPDATE partner_fund_request SET claim_amount = 1001 WHERE id = %s",
                                [fund_request.id])
        # approving twice (pressing the button again) is refused, the fund debited once
        fund_request.action_approve_claim()
        with self.assertRaisesRegex(UserError, "not possible in this state"):
            fund_request.action_approve_claim()
        self.assertEqual(self._fund_figures(), (4000, 0, 4000))

    def test_bad_input_is_refused_and_nothing_is_written(self):
        Request = self.env["partner.fund.request"]
        before = Request.search_count([])
        for values in ({"amount": "nan"}, {"amount": "inf"}, {"amount": "-100"}, {"amount": "0"},
                       {"amount": "1e308"}, {"name": "Trade\x00show"}, {"description": "x" * 1_000_000},
                       {"date_start": "2026-13-45"}, {"activity_type": "bribe"},
                       {"date_end": str(self.today - timedelta(days=1))}):
            with self.subTest(values=values), self.assertRaises(FormError), self.env.cr.savepoint():
                self._request(**values)
        with self.assertRaises(FormError), self.env.cr.savepoint():
            self._request(files=[("big.pdf", PDF + b"0" * (10 * 1024 * 1024))])
        self.assertEqual(Request.search_count([]), before)
        self.assertFalse(self.env["ir.attachment"].search([("res_model", "=", "partner.fund.request")]))

        fund_request = self._request().with_user(self.manager)
        fund_request.action_approve()
        for amount in ("nan", "-5", "1e3", "\x00"):
            with self.subTest(amount=amount), self.assertRaises(FormError), self.env.cr.savepoint():
                self._claim(fund_request, amount=amount)
        self.assertEqual(fund_request.state, "approved")

    def test_yearly_cap_of_the_level_is_respected(self):
        cap = self.env["partner.parameter.category"].create({
            "name": "Test MDF cap", "kind": "benefit", "benefit_type": "fund_request_cap",
        })
        self.env["partner.level.parameter"].create({
            "type_id": self.type_reseller.id, "grade_id": self.grade_bronze.id, "category_id": cap.id,
            "value": 1500,
        })
        first = self._request(amount="1000").with_user(self.manager)
        first.action_approve()
        self._claim(first, amount="900")
        first.action_approve_claim()  # 900 used of 1,500
        second = self._request(amount="700").with_user(self.manager)
        with self.assertRaisesRegex(UserError, "allows .*1,500.00 of fund requests a year"):
            second.action_approve()
        self.assertEqual(second.state, "submitted")
        second.approved_amount = 600  # in part, within the cap
        second.action_approve()
        self.assertEqual(self._fund_figures(), (4100, 600, 3500))
        # an expired request gives its share back
        second.claim_deadline = self.today - timedelta(days=1)
        self.env["partner.fund.request"]._cron_expire()
        third = self._request(amount="600").with_user(self.manager)
        third.action_approve()
        self.assertEqual(third.state, "approved")

    def test_cron_reminds_then_expires_and_releases(self):
        fund_request = self._request().with_user(self.manager)
        fund_request.action_approve()
        fund_request.claim_deadline = self.today + timedelta(days=5)
        Request = self.env["partner.fund.request"]
        Request._cron_expire()
        self.assertTrue(fund_request.reminder_sent)
        self.assertIn("Reminder", fund_request.message_ids[0].body)
        self.assertIn(self.portal_user.partner_id, fund_request.message_ids[0].partner_ids)
        self.assertEqual(fund_request.state, "approved")
        fund_request.claim_deadline = self.today - timedelta(days=1)
        Request._cron_expire()
        self.assertEqual(fund_request.state, "expired")
        self.assertEqual(self._fund_figures(), (5000, 0, 5000))
        with self.assertRaisesRegex(UserError, "only an approved request"):
            self._claim(fund_request)


@tagged("post_install", "-at_install")
class TestFundRequestPaid(FundRequestCase):
    """Paid follows Accounting: the payout's payment, not a button."""

    def _approved_claim(self, amount="1500"):
        fund_request = self._request(amount=amount).with_user(self.manager)
        fund_request.action_approve()
        self._claim(fund_request, amount=amount)
        fund_request.action_approve_claim()
        return fund_request

    def _post(self, move):
        move = move.with_env(self.env)  # the accountant's part
        move.invoice_date = self.today
        move.action_post()
        return move

    def _pay(self, move, amount=None):
        """Register a payment as the accountant does (Pay on the bill: account.payment.register)."""
        wizard = self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=move.ids,
        ).create({"amount": amount} if amount else {})
        return wizard._create_payments()

    def test_registering_the_bill_payment_makes_the_request_paid(self):
        fund_request = self._approved_claim()
        self.env.flush_all()
        self.env.cr.flush()  # as if committed: a record's changes in the transaction creating it are not tracked
        bill = fund_request.move_id
        self.assertEqual((bill.move_type, bill.state), ("in_invoice", "draft"))
        self._post(bill)
        self.assertEqual((bill.payment_state, fund_request.state), ("not_paid", "claim_approved"))
        self._pay(bill, amount=500)  # in part: not paid yet
        self.assertEqual((bill.payment_state, fund_request.state), ("partial", "claim_approved"))
        self.assertFalse(fund_request.paid_amount)
        self._pay(bill)  # the rest
        self.assertIn(bill.payment_state, ("paid", "in_payment"))
        self.assertRecordValues(fund_request, [{"state": "paid", "paid_amount": 1500, "date_paid": self.today}])
        self.env.flush_all()
        self.env.cr.flush()  # the tracking is written at the commit
        tracked = fund_request.sudo().message_ids.tracking_value_ids.filtered(
            lambda value: value.field_id.name == "state" and value.new_value_char == "Paid")
        self.assertTrue(tracked, "the chatter shows the request became paid")
        # the partner reads it on its page
        self.assertEqual(fund_request.with_user(self.portal_user).state, "paid")
        # the fund was debited once, at the claim's approval: paying moves no fund money
        self.assertEqual(self._fund_figures(), (3500, 0, 3500))

    def test_an_unpaid_or_reversed_payout_leaves_the_request_unpaid(self):
        draft = self._approved_claim(amount="400")
        posted = self._approved_claim(amount="300")
        reversed_bill = self._approved_claim(amount="200")
        self._post(posted.move_id)
        self._post(reversed_bill.move_id)
        # the bill cancelled by its reversal was not paid to the partner
        reversed_bill.move_id.with_env(self.env)._reverse_moves([{"invoice_date": self.today}], cancel=True)
        self.assertEqual(reversed_bill.move_id.payment_state, "reversed")
        self.assertEqual((draft | posted | reversed_bill).mapped("state"), ["claim_approved"] * 3)
        # requests that are only approved or claimed stay so whatever happens to other payouts
        approved = self._request(amount="100").with_user(self.manager)
        approved.action_approve()
        claimed = self._request(amount="100").with_user(self.manager)
        claimed.action_approve()
        self._claim(claimed, amount="100")
        self._pay(posted.move_id)
        self.assertEqual(posted.state, "paid")
        self.assertEqual((approved.state, claimed.state, draft.state), ("approved", "claimed", "claim_approved"))

    def test_undoing_the_payment_takes_the_request_back_to_claim_approved(self):
        fund_request = self._approved_claim()
        self._post(fund_request.move_id)
        payment = self._pay(fund_request.move_id)
        self.assertEqual(fund_request.state, "paid")
        payment.action_draft()
        payment.action_cancel()
        self.assertNotIn(fund_request.move_id.payment_state, ("paid", "in_payment"))
        self.assertRecordValues(fund_request, [{"state": "claim_approved", "paid_amount": 0, "date_paid": False}])

    def test_credit_note_reconciled_with_an_invoice_of_the_partner_is_paid(self):
        self.env.company.partner_fund_payout = "credit_note"
        fund_request = self._approved_claim(amount="1000")
        credit_note = self._post(fund_request.move_id)
        self.assertEqual((credit_note.move_type, fund_request.state), ("out_refund", "claim_approved"))
        journal = self.env["account.journal"].search([
            ("type", "=", "sale"), *self.env["account.journal"]._check_company_domain(self.env.company),
        ], limit=1)
        invoice = self._post(self.env["account.move"].create({
            "move_type": "out_invoice", "partner_id": self.reseller.id, "journal_id": journal.id,
            "invoice_line_ids": [Command.create({"name": "Licences", "quantity": 1, "price_unit": 1000,
                                                 "tax_ids": [], "account_id": journal.default_account_id.id})],
        }))
        receivable = credit_note.line_ids.filtered(lambda line: line.account_type == "asset_receivable")
        invoice.js_assign_outstanding_line(receivable.id)
        self.assertEqual(credit_note.payment_state, "paid")
        self.assertRecordValues(fund_request, [{"state": "paid", "paid_amount": 1000}])

    def test_reports_requests_approved_claimed_paid_per_partner_and_period_and_fund_utilisation(self):
        paid = self._approved_claim(amount="1500")
        self._post(paid.move_id)
        self._pay(paid.move_id)
        rejected = self._request(amount="300").with_user(self.manager)
        rejected.approved_amount = 100  # typed, then refused: not approved
        rejected.reject_reason = "No budget for radio"
        rejected.action_reject()
        approved = self._request(amount="700").with_user(self.manager)
        approved.action_approve()
        Request = self.env["partner.fund.request"].with_user(self.manager)
        rows = Request._read_group(
            [("partner_id", "=", self.reseller.id)], ["partner_id", "create_date:quarter"],
            ["__count", "amount:sum", "approved_amount:sum", "claim_amount:sum", "paid_amount:sum"])
        self.assertEqual([row[2:] for row in rows], [(3, 2500, 2200, 1500, 1500)])
        rows = Request._read_group([("partner_id", "=", self.reseller.id), ("date_paid", "!=", False)],
                                   ["date_paid:month"], ["paid_amount:sum"])
        self.assertEqual([row[1] for row in rows], [1500])
        # fund utilisation: credited against used, per partner
        rows = self.env["partner.fund.operation"].with_user(self.manager)._read_group(
            [("partner_id", "=", self.reseller.id)], ["operation_type"], ["amount:sum", "amount_signed:sum"])
        self.assertEqual(sorted((row[0], row[1]) for row in rows), [("credit", 5000), ("debit", 1500)])
        self.assertEqual(sum(row[2] for row in rows), 3500)
        for xmlid in ("partner_program.partner_fund_request_action_report",
                      "partner_program.partner_fund_operation_action_report"):
            action = self.env.ref(xmlid)
            self.assertTrue(action.view_mode.startswith("pivot,graph"), xmlid)
            menu = self.env["ir.ui.menu"].with_user(self.manager).search([("action", "=", "%s,%s" % (
                action._name, action.id))])
            self.assertEqual(menu.parent_id, self.env.ref("partner_program.menu_partner_program_reporting"))


@tagged("post_install", "-at_install")
class TestFundRequestDemo(PartnershipCase):
    def test_demo_shows_each_state_and_the_fund_matches_its_requests(self):
        fund = self.env.ref("partner_program.fund_reseller_lyon_marketing")
        requests = fund.request_ids
        self.assertEqual(set(requests.mapped("state")), {
            "submitted", "rejected", "approved", "claimed", "claim_approved", "claim_rejected", "expired", "paid",
        })
        self.assertEqual(fund.reserved, sum(requests.mapped("reserved_amount")))
        self.assertEqual(fund.reserved, 800 + 500)
        breakfast = self.env.ref("partner_program.fund_request_lyon_breakfast")
        self.assertRecordValues(breakfast.move_id, [{"move_type": "in_invoice", "amount_total": 380}])
        self.assertEqual(breakfast.operation_id.amount, 380)
        webinar = self.env.ref("partner_program.fund_request_lyon_webinar")
        self.assertIn(webinar.move_id.payment_state, ("paid", "in_payment"))
        self.assertRecordValues(webinar, [{"state": "paid", "paid_amount": 150}])
        self.assertGreaterEqual(fund.available, 0)
