from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common_referral import ReferralCase


@tagged("post_install", "-at_install")
class TestRewardImmutability(ReferralCase):
    """Approved and paid rewards, and their statements, change only through the documented actions: for every
    user, administrators over RPC and the superuser included."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.offer = cls._offer("referral_signup", amount=40)
        cls.admin = cls.env.ref("base.user_admin")

    def _approved(self, email):
        reward = self.env["partner.reward"].search([
            ("lead_id", "=", self._referred_lead(self.partner_a, email_from=email).id)])
        reward.action_approve()
        return reward

    def test_nobody_rewrites_an_approved_or_paid_reward(self):
        approved = self._approved("approved@customer.example.com")
        paid = self._approved("paid@customer.example.com")
        paid.action_mark_paid()
        other = self.env["partner.commission.statement"].create({
            "partner_id": self.partner_b.id, "date_from": approved.statement_id.date_from,
            "currency_id": approved.currency_id.id})
        for env_name, rewards in (("admin over RPC", (approved | paid).with_user(self.admin)),
                                  ("superuser", (approved | paid).sudo())):
            for reward in rewards:
                for vals in ({"state": "cancelled"}, {"state": "pending"}, {"amount": 99999},
                             {"partner_id": self.partner_b.id}, {"statement_id": other.id},
                             {"statement_id": False}, {"date_approved": "2000-01-01"}, {"name": "Renamed"}):
                    with self.subTest(who=env_name, state=reward.state, vals=vals), \
                            self.assertRaises(UserError), self.env.cr.savepoint():
                        reward.write(vals)
                with self.subTest(who=env_name, action="unlink"), self.assertRaises(UserError), \
                        self.env.cr.savepoint():
                    reward.unlink()
        # Through the statement's lines: neither taken away, nor moved onto another partner's statement.
        with self.assertRaises(UserError), self.env.cr.savepoint():
            other.with_user(self.admin).write({"reward_ids": [(4, approved.id)]})
        with self.assertRaises(UserError), self.env.cr.savepoint():
            approved.statement_id.sudo().write({"reward_ids": [(3, approved.id)]})
        self.assertRecordValues(approved | paid, [
            {"state": "approved", "amount": 40, "partner_id": self.partner_a.id},
            {"state": "paid", "amount": 40, "partner_id": self.partner_a.id},
        ])
        self.assertEqual((approved | paid).statement_id.partner_id, self.partner_a)

    def test_statements_holding_rewards_keep_their_partner_and_month(self):
        statement = self._approved("s@customer.example.com").statement_id
        for vals in ({"partner_id": self.partner_b.id}, {"date_from": "2000-01-01"}):
            with self.subTest(vals=vals), self.assertRaises(UserError), self.env.cr.savepoint():
                statement.with_user(self.admin).write(vals)
        with self.assertRaises(UserError), self.env.cr.savepoint():
            statement.sudo().unlink()

    def test_a_reward_is_only_ever_on_its_own_partners_statement(self):
        reward = self._approved("own@customer.example.com")
        foreign = self.env["partner.commission.statement"].create({
            "partner_id": self.partner_b.id, "date_from": reward.statement_id.date_from,
            "currency_id": reward.currency_id.id})
        with self.assertRaises(ValidationError), self.env.cr.savepoint():
            reward._workflow_write({"statement_id": foreign.id})

    def test_documented_actions_still_work_and_the_chatter_tracks_them(self):
        reward = self._approved("tracked@customer.example.com")
        reward.with_user(self.manager).action_cancel()
        self.assertEqual((reward.state, reward.statement_id.id), ("cancelled", False))
        reward.with_user(self.manager).action_reset()
        reward.with_user(self.manager).write({"amount": 45})  # a pending reward may be corrected
        reward.with_user(self.manager).action_approve()
        reward.with_user(self.manager).action_mark_paid()
        # The chatter tracks what money depends on (the tracking messages themselves are written at commit,
        # which this test case does not reach).
        self.assertIn("message_ids", self.env["partner.reward"]._fields)
        self.assertLessEqual({"state", "amount", "partner_id", "statement_id"}, reward._track_get_fields())
        self.assertEqual(reward.state, "paid")
