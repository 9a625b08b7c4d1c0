from datetime import timedelta

from odoo import SUPERUSER_ID, api, fields
from odoo.exceptions import UserError
from odoo.tests import TransactionCase, tagged

from .common_race import second_waits_then_fails_to_serialize


@tagged("post_install", "-at_install")
class TestFundRequestRace(TransactionCase):
    """Two managers approving two requests of one fund at the same moment, in real concurrent transactions.

    The registry is not in test mode in a TransactionCase: each ``registry.cursor()`` is its own connection, so the
    data raced on is committed first and removed at the end.
    """

    def setUp(self):
        super().setUp()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            partner = env["res.partner"].create({"name": "MDF race reseller", "is_company": True})
            partner_type = env["partner.type"].create({"name": "MDF race type"})
            partnership = env["partner.partnership"].create({
                "partner_id": partner.id, "type_id": partner_type.id,
                "date_start": fields.Date.today() - timedelta(days=1),
            })
            fund = env["partner.fund"].create({"partnership_id": partnership.id, "credit_category_id": False})
            env["partner.fund.operation"].create({
                "fund_id": fund.id, "operation_type": "credit", "amount": 100, "name": "Initial",
            })
            requests = env["partner.fund.request"].create([
                {"fund_id": fund.id, "name": "Race request %s" % index, "amount": 80} for index in (1, 2)
            ])
            self.ids = {"partner": partner.id, "type": partner_type.id, "partnership": partnership.id,
                        "fund": fund.id, "requests": requests.ids}
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        with self.registry.cursor() as cr:
            ids = self.ids
            cr.execute("SELECT id FROM partner_marketing_activity WHERE fund_request_id = ANY(%s)", [ids["requests"]])
            activities = [row[0] for row in cr.fetchall()]
            for model, res_ids in (("partner.fund.request", ids["requests"]), ("partner.fund", [ids["fund"]]),
                                   ("partner.partnership", [ids["partnership"]]),
                                   ("partner.marketing.activity", activities)):
                cr.execute("DELETE FROM mail_message WHERE model = %s AND res_id = ANY(%s)", [model, res_ids])
                cr.execute("DELETE FROM mail_followers WHERE res_model = %s AND res_id = ANY(%s)", [model, res_ids])
            cr.execute("UPDATE partner_fund_request SET marketing_activity_id = NULL WHERE id = ANY(%s)",
                       [ids["requests"]])
            cr.execute("DELETE FROM partner_marketing_activity WHERE id = ANY(%s)", [activities])
            cr.execute("DELETE FROM partner_fund_request WHERE id = ANY(%s)", [ids["requests"]])
            cr.execute("DELETE FROM partner_fund_operation WHERE fund_id = %s", [ids["fund"]])
            cr.execute("DELETE FROM partner_fund WHERE id = %s", [ids["fund"]])
            cr.execute("DELETE FROM partner_partnership WHERE id = %s", [ids["partnership"]])
            cr.execute("DELETE FROM partner_type WHERE id = %s", [ids["type"]])
            cr.execute("DELETE FROM res_partner WHERE id = %s", [ids["partner"]])

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
