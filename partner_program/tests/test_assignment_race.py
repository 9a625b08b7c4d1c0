from uuid import uuid4

from psycopg2.errors import SerializationFailure

from odoo import SUPERUSER_ID, api
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestAssignmentRace(TransactionCase):
    """Two assignment runs at the same moment, in real concurrent transactions: the round-robin credit
    they both update is never lost (the later run is refused by PostgreSQL and replayed, as Odoo replays
    a request or a scheduled action after a serialization failure).

    The registry is not in test mode in a TransactionCase: each ``registry.cursor()`` is its own connection,
    so the data is committed first and removed at the end.
    """

    def setUp(self):
        super().setUp()
        tag = uuid4().hex[:8]
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            # the demo resellers would be candidates too: only ours are graded with a weight here
            grade_1 = env["res.partner.grade"].create({"name": "Race weight 1 %s" % tag, "partner_weight": 1})
            grade_3 = env["res.partner.grade"].create({"name": "Race weight 3 %s" % tag, "partner_weight": 3})
            fr = env.ref("base.fr")
            # Far out at sea: nobody else within the outer ring.
            spot = {"partner_latitude": 44.0, "partner_longitude": -20.0, "country_id": fr.id}
            resellers = env["res.partner"].create([
                dict(spot, name="Race reseller %s %s" % (weight, tag), is_company=True, grade_id=grade.id)
                for weight, grade in ((1, grade_1), (3, grade_3))])
            leads = env["crm.lead"].create([
                dict(spot, name="Race assignment lead %s %s" % (index, tag), type="lead") for index in range(6)])
            self.ids = {"grades": (grade_1 | grade_3).ids, "resellers": resellers.ids, "leads": leads.ids}
        self.addCleanup(self._remove)

    def _remove(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"active_test": False})
            env["crm.lead"].browse(self.ids["leads"]).unlink()
            env["res.partner"].browse(self.ids["resellers"]).unlink()
            env["res.partner.grade"].browse(self.ids["grades"]).unlink()

    def _credits(self, env):
        return dict(env["res.partner"].browse(self.ids["resellers"]).mapped(
            lambda partner: (partner.id, partner.partner_assign_credit)))

    def test_two_concurrent_runs_never_lose_round_robin_credit(self):
        lead_ids = self.ids["leads"]
        with self.registry.cursor() as cr_a, self.registry.cursor() as cr_b:
            env_a = api.Environment(cr_a, SUPERUSER_ID, {})
            env_b = api.Environment(cr_b, SUPERUSER_ID, {})
            self._credits(env_b)  # run B's transaction has started, before run A commits
            env_a["crm.lead"].browse(lead_ids[:3]).assign_partner()
            cr_a.commit()
            refused = False
            try:
                env_b["crm.lead"].browse(lead_ids[3:]).assign_partner()
                env_b.flush_all()
                cr_b.commit()
            except SerializationFailure:
                refused = True
                cr_b.rollback()
                env_b.invalidate_all()
                env_b["crm.lead"].browse(lead_ids[3:]).assign_partner()  # the replay
                cr_b.commit()
        self.assertTrue(refused, "the second run must not overwrite the credit the first one committed")
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            # the same credit and shares as one run over the six leads
            resellers = env["res.partner"].browse(self.ids["resellers"])
            credit, expected_counts = dict.fromkeys(resellers.ids, 0.0), {}
            for _turn in range(6):
                best, _total = env["crm.lead"]._round_robin_pick(
                    credit, resellers.ids, resellers.mapped("partner_weight"), [0.0] * len(resellers))
                expected_counts[resellers.ids[best]] = expected_counts.get(resellers.ids[best], 0) + 1
            self.assertEqual(self._credits(env), credit)
            leads = env["crm.lead"].browse(lead_ids)
            counts = {pid: len(leads.filtered(lambda lead, pid=pid: lead.partner_assigned_id.id == pid))
                      for pid in self.ids["resellers"]}
            self.assertEqual(counts, {pid: expected_counts.get(pid, 0) for pid in self.ids["resellers"]})
