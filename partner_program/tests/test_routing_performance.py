from collections import Counter
from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged
from odoo.tools import SQL

from .common import LYON, VILLEURBANNE, PartnerProgramCase


@tagged("post_install", "-at_install")
class TestRoutingPerformance(PartnerProgramCase):
    """The performance factor in automatic assignment: effective weight, fair share floor, the "why" line,
    and the simulation. The factors are set by hand here (their computation has its own tests)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.fast = cls._reseller("Fast", LYON, grade=cls.grade_silver)
        cls.slow = cls._reseller("Slow", LYON, grade=cls.grade_silver)

    def _route(self, floor=0.0, fast=1.5, slow=0.5):
        self.company.write({"partner_performance_routing": True, "partner_performance_floor": floor})
        self.fast.write({"partner_performance_factor": fast, "partner_performance_cause": "fast",
                         "partner_performance_sample": 40, "partner_performance_answer_hours": 1.0,
                         "partner_performance_acceptance": 0.9, "partner_performance_win_rate": 0.34})
        self.slow.write({"partner_performance_factor": slow, "partner_performance_cause": "slow",
                         "partner_performance_sample": 30, "partner_performance_answer_hours": 96.0,
                         "partner_performance_acceptance": 0.5, "partner_performance_win_rate": 0.1,
                         "partner_performance_timeouts": 6})

    def _shares(self, count=400):
        leads = self._leads(count, VILLEURBANNE)
        leads.assign_partner()
        counts = Counter(lead.partner_assigned_id.name for lead in leads)
        self.assertEqual(sum(counts.values()), count)
        return {name: counts[name] / count for name in ("Fast", "Slow")}, leads

    def test_off_by_default_factors_change_nothing(self):
        self.assertFalse(self.company.partner_performance_routing)
        self.fast.partner_performance_factor = 1.5
        self.slow.partner_performance_factor = 0.5
        shares, leads = self._shares(200)
        self.assertEqual(shares, {"Fast": 0.5, "Slow": 0.5})
        body = leads[0].message_ids[:1].body
        self.assertIn("weight 2 of 4 among 2 eligible resellers", body)
        self.assertNotIn(" x ", body)

    def test_effective_weight_is_level_weight_times_factor(self):
        self._route()
        shares, _leads = self._shares()
        # 2 x 1.5 = 3 against 2 x 0.5 = 1: three leads in four
        self.assertAlmostEqual(shares["Fast"], 0.75, delta=0.01)
        self.assertAlmostEqual(shares["Slow"], 0.25, delta=0.01)

    def test_why_line_names_the_factor_and_its_cause(self):
        self._route()
        _shares, leads = self._shares(8)
        fast_lead = leads.filtered(lambda lead: lead.partner_assigned_id == self.fast)[:1]
        slow_lead = leads.filtered(lambda lead: lead.partner_assigned_id == self.slow)[:1]
        fast_body = fast_lead.message_ids[:1].body
        self.assertIn("weight 2 x 1.50 = 3.00 (answers in 1.0 h, accepts 90 % of its leads, wins 34 %) of 4.00",
                      fast_body)
        self.assertIn("answers in 96 h, accepts 50 % of its leads, wins 10 %, let 6 leads expire",
                      slow_lead.message_ids[:1].body)

    def test_fair_share_floor(self):
        # Level weights alone give each half; with the factors Slow would get a quarter. A floor of 0.8
        # keeps it at 0.8 x 50 % = 40 %.
        self._route(floor=0.8)
        shares, leads = self._shares()
        self.assertAlmostEqual(shares["Slow"], 0.40, delta=0.01)
        slow_lead = leads.filtered(lambda lead: lead.partner_assigned_id == self.slow)[:1]
        self.assertIn("weight 2 x 0.50, raised to 2.00 by the fair share floor (answers in 96 h",
                      slow_lead.message_ids[:1].body)

    def test_floor_below_the_factors_spread_changes_nothing(self):
        # 0.5 / 1.5: no share can fall under a third of the level share, so a floor of 0.3 never acts
        self._route(floor=0.3)
        shares, _leads = self._shares()
        self.assertAlmostEqual(shares["Slow"], 0.25, delta=0.01)

    def test_floor_holds_for_every_reseller_of_a_turn(self):
        Lead = self.env["crm.lead"]
        rows = [{"partner_id": index, "weight": weight, "factor": factor}
                for index, (weight, factor) in enumerate([(3, 0.5), (3, 1.5), (2, 0.5), (1, 1.5), (1, 0.5)])]
        for floor in (0.0, 0.4, 0.6, 0.9, 1.0):
            weighted = Lead._performance_weights(rows, floor)
            total, level_total = sum(r["weight"] for r in weighted), sum(r["level_weight"] for r in weighted)
            for row in weighted:
                self.assertGreaterEqual(row["weight"] / total + 1e-9, floor * row["level_weight"] / level_total,
                                        msg="floor %s, row %s" % (floor, row))
                if not row["floored"]:
                    self.assertEqual(row["weight"], row["level_weight"] * row["factor"])

    def test_capacity_and_declines_still_hold(self):
        self._route()
        self.fast.partner_capacity = 3
        declined = self._leads(1, VILLEURBANNE, partner_declined_ids=[(4, self.slow.id)])
        leads = self._leads(10, VILLEURBANNE)
        (declined | leads).assign_partner()
        self.assertEqual(declined.partner_assigned_id, self.fast)
        self.assertEqual(len(leads.filtered(lambda lead: lead.partner_assigned_id == self.fast)), 2)
        self.assertEqual(len(leads.filtered(lambda lead: lead.partner_assigned_id == self.slow)), 8)

    def _age_other_leads(self):
        """The database's own leads (demo data) out of the simulated period."""
        self.env.cr.execute("UPDATE crm_lead SET create_date = now() - interval '2 years'")
        self.env["crm.lead"].invalidate_model(["create_date"])

    def test_simulation_compares_both_and_writes_nothing(self):
        self._route()
        self._age_other_leads()
        self.company.partner_performance_routing = False  # the simulation shows the effect before switching on
        leads = self._leads(100, VILLEURBANNE)
        too_old = self._leads(5, VILLEURBANNE, name="Too old")  # outside the period
        self.env.cr.execute(SQL("UPDATE crm_lead SET create_date = %s WHERE id = ANY(%s)",
                                fields.Datetime.now() - timedelta(days=200), too_old.ids))
        too_old.invalidate_recordset(["create_date"])
        credit_before = (self.fast | self.slow).sudo().mapped("partner_assign_credit")
        result = self.env["crm.lead"]._simulate_routing(days=90)
        self.assertEqual(result["leads"], 100)
        rows = {row["partner"]: row for row in result["rows"]}
        self.assertEqual((rows[self.fast]["plain"], rows[self.slow]["plain"]), (50, 50))
        self.assertEqual((rows[self.fast]["routed"], rows[self.slow]["routed"]), (75, 25))
        # more leads to the reseller that accepts more and answers faster
        self.assertGreater(result["routed"]["acceptance"], result["plain"]["acceptance"])
        self.assertLess(result["routed"]["answer_hours"], result["plain"]["answer_hours"])
        self.assertAlmostEqual(result["plain"]["acceptance"], 0.7)
        self.assertFalse(leads.partner_assigned_id)
        self.assertFalse(leads.message_ids.filtered(lambda m: "Assigned to reseller" in (m.body or "")))
        self.assertEqual((self.fast | self.slow).sudo().mapped("partner_assign_credit"), credit_before)

    def test_simulation_wizard_for_a_channel_manager(self):
        self._route()
        self._age_other_leads()
        self._leads(20, VILLEURBANNE)
        manager = new_test_user(self.env, "pp_routing_manager", groups="partner_program.group_partner_program_manager")
        wizard = self.env["partner.routing.simulation"].with_user(manager).create({})
        wizard.action_simulate()
        lines = {line.partner_id: line for line in wizard.line_ids}
        self.assertEqual(wizard.lead_count, 20)
        self.assertEqual((lines[self.fast].routed_count, lines[self.slow].routed_count), (15, 5))
        self.assertEqual((lines[self.fast].plain_count, lines[self.slow].plain_count), (10, 10))
        other = self.env["res.company"].create({"name": "Other company"})
        wizard.sudo().company_id = other
        with self.assertRaises(AccessError):
            wizard.action_simulate()
        self.assertEqual(wizard.line_ids[:1].partner_id, self.fast)  # most leads first
