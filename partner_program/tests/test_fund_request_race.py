from odoo.exceptions import UserError
from odoo.tests import tagged

from .common_race import CommittedFundCase, second_waits_then_fails_to_serialize


@tagged("post_install", "-at_install")
class TestFundRequestRace(CommittedFundCase):
    """Two managers approving two requests of one fund at the same moment, in real concurrent transactions."""

    def _committed_setup(self, env, fund):
        requests = env["partner.fund.request"].create([
            {"fund_id": fund.id, "name": "Race request %s" % index, "amount": 80} for index in (1, 2)
        ])
        return {"requests": requests.ids}

    def _committed_cleanup(self, cr):
        ids = self.ids["requests"]
        cr.execute("SELECT id FROM partner_marketing_activity WHERE fund_request_id = ANY(%s)", [ids])
        activities = [row[0] for row in cr.fetchall()]
        for model, res_ids in (("partner.fund.request", ids), ("partner.marketing.activity", activities)):
            cr.execute("DELETE FROM mail_message WHERE model = %s AND res_id = ANY(%s)", [model, res_ids])
            cr.execute("DELETE FROM mail_followers WHERE res_model = %s AND res_id = ANY(%s)", [model, res_ids])
        cr.execute("UPDATE partner_fund_request SET marketing_activity_id = NULL WHERE id = ANY(%s)", [ids])
        cr.execute("DELETE FROM partner_marketing_activity WHERE id = ANY(%s)", [activities])
        cr.execute("DELETE FROM partner_fund_request WHERE id = ANY(%s)", [ids])

    def _approve(self, env, index):
        env["partner.fund.request"].browse(self.ids["requests"][index]).action_approve()

    def _approve_seeing_100(self, env, index):
        self.assertEqual(env["partner.fund"].browse(self.ids["fund"]).available, 100)
        self._approve(env, index)

    def test_two_approvals_at_once_never_reserve_more_than_the_balance(self):
        # Odoo retries a transaction that failed to serialize: the retry sees the first reservation.
        with second_waits_then_fails_to_serialize(self, lambda env: self._approve_seeing_100(env, 0),
                                                  lambda env: self._approve_seeing_100(env, 1),
                                                  "approval") as env2, \
                self.assertRaisesRegex(UserError, "cannot set aside"):
            self._approve(env2, 1)

        with self.registry.cursor() as cr:
            cr.execute("SELECT balance, reserved FROM partner_fund WHERE id = %s", [self.ids["fund"]])
            self.assertEqual(cr.fetchone(), (100, 80))
            cr.execute("SELECT state FROM partner_fund_request WHERE id = ANY(%s) ORDER BY id", [self.ids["requests"]])
            self.assertEqual([row[0] for row in cr.fetchall()], ["approved", "submitted"])
