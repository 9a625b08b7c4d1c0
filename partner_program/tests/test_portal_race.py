from uuid import uuid4

from odoo import SUPERUSER_ID, api
from odoo.exceptions import UserError
from odoo.tests import TransactionCase, tagged

from .common import LYON

INTERESTED = {
    "activity_date_deadline": "2099-01-15",
    "activity_summary": "Call them",
    "expected_revenue": "1000",
    "contacted": "1",
}


@tagged("post_install", "-at_install")
class TestPortalRace(TransactionCase):
    """Resellers answering one lead at the same moment, in real concurrent transactions.

    The registry is not in test mode in a TransactionCase: each ``registry.cursor()`` is its own connection, so
    the data these tests race on is committed first and removed at the end.
    """

    def setUp(self):
        super().setUp()
        tag = uuid4().hex[:8]
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            grade = env["res.partner.grade"].create({"name": "Race level %s" % tag, "partner_weight": 1})
            portal = env.ref("base.group_portal")
            ids = {"grade": grade.id, "partners": [], "users": []}
            for key in ("a", "b"):
                company = env["res.partner"].create({
                    "name": "Race reseller %s %s" % (key, tag), "is_company": True, "grade_id": grade.id,
                    "partner_latitude": LYON[0], "partner_longitude": LYON[1], "country_id": env.ref("base.fr").id})
                users = env["res.users"]
                for index in (1, 2):
                    users |= env["res.users"].create({
                        "name": "Race user %s%s" % (key, index), "login": "race_%s%s_%s" % (key, index, tag),
                        "group_ids": [(6, 0, portal.ids)],
                        "partner_id": env["res.partner"].create({
                            "name": "Race contact %s%s" % (key, index), "parent_id": company.id}).id,
                    })
                ids[key] = company.id
                ids["users_%s" % key] = users.ids
                ids["partners"] += [company.id, *users.partner_id.ids]
                ids["users"] += users.ids
            ids["call"] = env.ref("mail.mail_activity_data_call").id
            ids["leads"] = env["crm.lead"].create([{
                "name": "Race lead %s %s" % (index, tag), "type": "lead", "partner_assigned_id": ids["a"],
                "country_id": env.ref("base.fr").id, "partner_latitude": LYON[0], "partner_longitude": LYON[1],
            } for index in range(3)]).ids
        self.race = ids
        self.addCleanup(self._remove_race_data)

    def _remove_race_data(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"active_test": False})
            env["crm.lead"].browse(self.race["leads"]).unlink()
            env["res.users"].browse(self.race["users"]).unlink()
            env["res.partner"].browse(self.race["partners"]).unlink()
            env["res.partner.grade"].browse(self.race["grade"]).unlink()

    def _env(self, cr, user_id):
        return api.Environment(cr, user_id, {})

    def _lead(self, env, index):
        return env["crm.lead"].browse(self.race["leads"][index])

    def _interested(self, env, index):
        return self._lead(env, index).partner_interested(dict(INTERESTED, activity_type_id=self.race["call"]))

    def _reassign_to_b(self, index):
        with self.registry.cursor() as cr:
            self._lead(api.Environment(cr, SUPERUSER_ID, {}), index).partner_assigned_id = self.race["b"]

    def _race_result(self, index):
        with self.registry.cursor() as cr:
            lead = self._lead(api.Environment(cr, SUPERUSER_ID, {}), index)
            feedback = lead.message_ids.filtered(lambda message: "I am interested" in (message.body or ""))
            return lead.type, lead.partner_assigned_id.id, len(feedback), lead.activity_ids.user_id.ids

    def test_two_resellers_racing_on_interested_exactly_one_wins(self):
        user_a, user_b = self.race["users_a"][0], self.race["users_b"][0]

        # 1. Both click at the same moment: B holds the row, A is told at once instead of waiting.
        with self.registry.cursor() as cr_a:
            env_a = self._env(cr_a, user_a)
            self.assertTrue(self._lead(env_a, 0).name)  # A's page was loaded while the lead was A's
            self._reassign_to_b(0)
            with self.registry.cursor() as cr_b:
                self._interested(self._env(cr_b, user_b), 0)
                with self.assertRaisesRegex(UserError, "recorded at the same moment"):
                    self._interested(env_a, 0)
            cr_a.rollback()
        self.assertEqual(self._race_result(0), ("opportunity", self.race["b"], 1, [user_b]))

        # 2. B has already committed when A's stale click arrives: refused as well, nothing doubled.
        with self.registry.cursor() as cr_a:
            env_a = self._env(cr_a, user_a)
            self.assertTrue(self._lead(env_a, 1).name)
            self._reassign_to_b(1)
            with self.registry.cursor() as cr_b:
                self._interested(self._env(cr_b, user_b), 1)
            with self.assertRaisesRegex(UserError, "recorded at the same moment"):
                self._interested(env_a, 1)
            cr_a.rollback()
        self.assertEqual(self._race_result(1), ("opportunity", self.race["b"], 1, [user_b]))

    def test_two_users_of_one_reseller_double_answer_only_once(self):
        first, second = self.race["users_a"]
        with self.registry.cursor() as cr_1:
            self._interested(self._env(cr_1, first), 2)
            with self.registry.cursor() as cr_2:
                env_2 = self._env(cr_2, second)
                with self.assertRaisesRegex(UserError, "recorded at the same moment"):
                    self._interested(env_2, 2)
                with self.assertRaisesRegex(UserError, "recorded at the same moment"):
                    self._lead(env_2, 2).partner_desinterested({})
                cr_2.rollback()
        # Later, the colleague's click on the old page says the lead was already accepted.
        with self.registry.cursor() as cr_3:
            with self.assertRaisesRegex(UserError, "already"):
                self._interested(self._env(cr_3, second), 2)
            cr_3.rollback()
        self.assertEqual(self._race_result(2), ("opportunity", self.race["a"], 1, [first]))
