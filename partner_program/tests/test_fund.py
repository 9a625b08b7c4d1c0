
from psycopg2 import IntegrityError, errors

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common_partnership import PartnershipCase
from .common_race import CommittedFundCase, second_waits_then_fails_to_serialize


@tagged("post_install", "-at_install")
class TestFund(PartnershipCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.reseller = cls._reseller("Lyon")
        cls.partnership = cls._partnership(cls.reseller, grade=cls.grade_silver)  # Silver: 2% to the fund
        cls.fund = cls._fund(cls.partnership)

    def _operation(self, operation_type, amount, **values):
        return self.env["partner.fund.operation"].with_user(self.manager).create(dict({
            "fund_id": self.fund.id, "operation_type": operation_type, "amount": amount, "name": "Test",
        }, **values))

    def test_won_opportunity_credits_the_fund_with_the_level_percentage_once(self):
        lead = self._opportunities(self.reseller, [12345])
        credit = self.fund.operation_ids
        self.assertRecordValues(credit, [{
            "operation_type": "credit", "amount": 246.9, "source": "opportunity", "lead_id": lead.id,
            "date": self.today,
        }])
        self.assertEqual(self.fund.balance, 246.9)

        # Back in the pipeline then won again, lost and restored, revenue edited: still one credit.
        lead.stage_id = self.env.ref("crm.stage_lead2")
        lead.action_set_lost()
        lead.action_unarchive()
        lead.action_set_won()
        lead.expected_revenue = 50000
        self.assertEqual(self.fund.operation_ids, credit)
        self.assertEqual(self.fund.balance, 246.9)

        # Even a direct second credit for the same opportunity is refused by the database.
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError) as caught, self.env.cr.savepoint():
            self.env["partner.fund.operation"].create({
                "fund_id": self.fund.id, "operation_type": "credit", "amount": 1, "name": "Again",
                "source": "opportunity", "lead_id": lead.id,
            })
        self.assertEqual(
            self.env["partner.fund.operation"]._sql_error_to_message(caught.exception),
            "This opportunity has already been credited to this fund.",
        )

    def test_only_won_opportunities_of_a_partner_in_a_partnership_credit_a_fund(self):
        self._opportunities(self.reseller, [5000], won=False)
        self._opportunities(self._reseller("No partnership"), [5000])
        unassigned = self._leads(1, type="opportunity", expected_revenue=5000)
        unassigned.action_set_won()
        no_credit_fund = self._fund(self.partnership, name="Development fund", credit_category_id=False)
        self.assertFalse(self.fund.operation_ids)
        self._opportunities(self.reseller, [1000])
        self.assertEqual(self.fund.balance, 20)
        self.assertFalse(no_credit_fund.operation_ids)

    def test_credit_follows_the_level_at_the_time_of_winning(self):
        self.partnership.grade_id = self.grade_gold
        self._opportunities(self.reseller, [1000])
        self.assertEqual(self.fund.balance, 50)

    def test_debit_larger_than_the_balance_is_refused(self):
        self._operation("credit", 100)
        with self.assertRaisesRegex(UserError, r"cannot be debited .*150\.00.*balance is .*100\.00"):
            self._operation("debit", 150)
        self.assertEqual(len(self.fund.operation_ids), 1)
        self.assertEqual(self.fund.balance, 100)
        self._operation("debit", 100)
        self.assertEqual(self.fund.balance, 0)

    def test_balance_is_the_sum_of_the_ledger(self):
        self._operation("credit", 100)
        self._operation("credit", 50.555)
        self._operation("debit", 30)
        self._opportunities(self.reseller, [1000])
        self.assertEqual(sum(self.fund.operation_ids.mapped("amount_signed")), 140.56)
        self.assertEqual(self.fund.balance, 140.56)
        self.fund.write({"balance": 1000000})
        self.assertEqual(self.fund.balance, 140.56, "the balance is not typed in")

    def test_amount_must_be_positive(self):
        for amount in (0, -10):
            with self.subTest(amount=amount), self.assertRaisesRegex(UserError, "must be positive"):
                self._operation("credit", amount)

    def test_operations_are_never_edited_or_deleted(self):
        operation = self._operation("credit", 100)
        for user in (self.env.user, self.manager):
            with self.subTest(user=user.login):
                with self.assertRaisesRegex(UserError, "cannot be changed"):
                    operation.with_user(user).sudo().write({"amount": 1})
                with self.assertRaisesRegex(UserError, "cannot be deleted"):
                    operation.with_user(user).sudo().unlink()
        # Managers do not even have the right to try.
        with self.assertRaises(AccessError):
            operation.with_user(self.manager).write({"name": "Oops"})
        with self.assertRaises(AccessError):
            operation.with_user(self.manager).unlink()
        self.assertEqual(operation.amount, 100)

    def test_a_mistake_is_corrected_by_a_reversing_operation(self):
        mistake = self._operation("credit", 100, name="Typo: should be 10")
        mistake.with_user(self.manager).action_reverse()
        reversal = mistake.reversal_ids
        self.assertRecordValues(reversal, [{
            "operation_type": "debit", "amount": 100, "source": "reversal", "reversed_operation_id": mistake.id,
        }])
        self.assertTrue(mistake.is_reversed)
        self.assertEqual(self.fund.balance, 0)
        with self.assertRaisesRegex(UserError, "reversed only once"):
            mistake.action_reverse()
        with self.assertRaisesRegex(UserError, "cannot be reversed"):
            reversal.action_reverse()

    def test_a_credit_already_spent_cannot_be_reversed(self):
        credit = self._operation("credit", 100)
        self._operation("debit", 80)
        with self.assertRaisesRegex(UserError, "cannot be debited"):
            credit.action_reverse()
        self.assertFalse(credit.is_reversed)

    def test_marketing_activity_debits_its_budget_once(self):
        self._operation("credit", 1000)
        activity = self.env["partner.marketing.activity"].create({
            "name": "Trade show", "partnership_id": self.partnership.id, "budget": 600, "fund_id": self.fund.id,
        })
        activity.with_user(self.manager).action_debit_fund()
        self.assertRecordValues(activity.operation_id, [{
            "operation_type": "debit", "amount": 600, "source": "activity", "marketing_activity_id": activity.id,
        }])
        self.assertEqual(self.fund.balance, 400)
        with self.assertRaisesRegex(UserError, "already been debited"):
            activity.action_debit_fund()
        expensive = activity.copy({"budget": 401})
        with self.assertRaisesRegex(UserError, "cannot be debited"):
            expensive.action_debit_fund()
        self.assertFalse(expensive.operation_id)

    def test_activity_is_paid_from_its_own_partnership_fund(self):
        other = self._fund(self._partnership(self._reseller("Paris")))
        with self.assertRaisesRegex(UserError, "fund of its own partnership"):
            self.env["partner.marketing.activity"].create({
                "name": "Trade show", "partnership_id": self.partnership.id, "budget": 10, "fund_id": other.id,
            })

    def test_ledger_survives_deleting_its_fund_or_partnership(self):
        self._operation("credit", 10)
        with self.assertRaisesRegex(UserError, "fund with operations cannot be deleted"):
            self.fund.with_user(self.manager).unlink()
        with self.assertRaisesRegex(UserError, "archive it instead"):
            self.partnership.with_user(self.manager).unlink()
        empty = self._partnership(self._reseller("Paris"))
        self._fund(empty)
        empty.with_user(self.manager).unlink()
        self.assertFalse(empty.exists())

    def test_database_refuses_a_negative_balance(self):
        """Last line of defence if code ever bypassed the locked check."""
        self.env.flush_all()
        with mute_logger("odoo.sql_db"), self.assertRaises(errors.CheckViolation), self.env.cr.savepoint():
            self.env.cr.execute("UPDATE partner_fund SET balance = -1 WHERE id = %s", [self.fund.id])


@tagged("post_install", "-at_install")
class TestFundConcurrency(CommittedFundCase):
    """Two real transactions debiting the same fund at the same time: committed data, cleaned up after."""

    def _debit(self, env, amount):
        return env["partner.fund.operation"].create({
            "fund_id": self.ids["fund"], "operation_type": "debit", "amount": amount, "name": "Concurrent debit",
        })

    def _debit_seeing_100(self, env, amount):
        self.assertEqual(env["partner.fund"].browse(self.ids["fund"]).balance, 100)
        self._debit(env, amount)

    def test_concurrent_debits_never_make_the_balance_negative(self):
        # Odoo retries a transaction that failed to serialize: the retry sees the first debit.
        with second_waits_then_fails_to_serialize(self, lambda env: self._debit_seeing_100(env, 80),
                                                  lambda env: self._debit_seeing_100(env, 80), "debit") as env2, \
                self.assertRaisesRegex(UserError, "cannot be debited"):
            self._debit(env2, 80)

        with self.registry.cursor() as cr:
            cr.execute("SELECT balance FROM partner_fund WHERE id = %s", [self.ids["fund"]])
            self.assertEqual(cr.fetchone()[0], 20)
            cr.execute("SELECT count(*), sum(amount_signed) FROM partner_fund_operation WHERE fund_id = %s",
                       [self.ids["fund"]])
            self.assertEqual(cr.fetchone(), (2, 20))
