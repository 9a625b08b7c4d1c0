from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, TransactionCase, new_test_user, tagged

from .common import LYON, PARIS, VILLEURBANNE, PartnerProgramCase
from .common_performance import PerformanceMixin


@tagged("post_install", "-at_install")
class TestPartnerPerformance(PerformanceMixin, PartnerProgramCase):
    """The performance factor, computed from constructed answer histories."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._performance_setup()

    def _gold(self, name):
        return self._reseller(name, grade=self.grade_gold)

    # ------------------------------------------------------------------ the factor
    def test_fast_reseller_gets_more_slow_one_fewer(self):
        fast, slow = self._gold("Fast Gold"), self._gold("Slow Gold")
        self._history(fast, accepted=15, declined=5, hours=1)
        self._history(slow, accepted=15, declined=5, hours=48)
        self._recompute()
        self.assertGreater(fast.partner_performance_factor, 1.0)
        self.assertLess(slow.partner_performance_factor, 1.0)
        self.assertEqual((fast.partner_performance_cause, slow.partner_performance_cause), ("fast", "slow"))
        self.assertEqual(fast.partner_performance_answer_hours, 1.0)
        self.assertEqual(slow.partner_performance_answer_hours, 48.0)
        self.assertAlmostEqual(fast.partner_performance_acceptance, 0.75)
        self.assertEqual(fast.partner_performance_sample, 20)
        self.assertTrue(fast.partner_performance_date)

    def test_winning_reseller_gets_more_losing_one_fewer(self):
        winner, loser = self._gold("Winning Gold"), self._gold("Losing Gold")
        self._history(winner, accepted=10, hours=5, won=8, lost=2)
        self._history(loser, accepted=10, hours=5, won=2, lost=8)
        self._recompute()
        self.assertGreater(winner.partner_performance_factor, 1.0)
        self.assertLess(loser.partner_performance_factor, 1.0)
        self.assertEqual((winner.partner_performance_cause, loser.partner_performance_cause), ("wins", "loses"))
        self.assertAlmostEqual(winner.partner_performance_win_rate, 0.8)
        self.assertAlmostEqual(loser.partner_performance_win_rate, 0.2)
        # Same speed and acceptance: the win rates alone, smoothed toward the level's 50 %: 0.8 -> 0.65 / 0.5.
        self.assertEqual(winner.partner_performance_factor, 1.3)
        self.assertEqual(loser.partner_performance_factor, 0.7)

    def test_pending_leads_are_not_rated(self):
        reseller, other = self._gold("Pending Gold"), self._gold("Rated Gold")
        self._history(reseller, accepted=10, hours=5, won=1)  # one won, nine accepted ones pending
        self._history(other, accepted=10, hours=5, won=1, lost=1)
        self._recompute()
        self.assertEqual(reseller.partner_performance_win_rate, 1.0)
        self.assertEqual(other.partner_performance_win_rate, 0.5)

    def test_declines_and_timeouts_lower_it_and_name_the_cause(self):
        good, decliner, sleeper = self._gold("Good"), self._gold("Decliner"), self._gold("Sleeper")
        self._history(good, accepted=20, hours=6)
        self._history(decliner, accepted=5, declined=15, hours=6)
        self._history(sleeper, accepted=5, declined=3, expired=12, hours=6)
        self._recompute()
        self.assertGreater(good.partner_performance_factor, 1.0)
        self.assertEqual(good.partner_performance_cause, "accepts")
        self.assertLess(decliner.partner_performance_factor, 1.0)
        self.assertEqual(decliner.partner_performance_cause, "declines")
        self.assertLess(sleeper.partner_performance_factor, 1.0)
        self.assertEqual(sleeper.partner_performance_cause, "timeouts")
        self.assertEqual(sleeper.partner_performance_timeouts, 12)

    def test_new_reseller_stays_neutral(self):
        veteran, newcomer = self._gold("Veteran"), self._gold("Newcomer")
        self._history(veteran, accepted=20, hours=2, won=5, lost=5)
        self._recompute()
        self.assertEqual(newcomer.partner_performance_factor, 1.0)
        self.assertEqual(newcomer.partner_performance_cause, "neutral")
        self.assertEqual(newcomer.partner_performance_sample, 0)
        # Alone in its level, the veteran is its level's average: neutral too.
        self.assertEqual(veteran.partner_performance_factor, 1.0)
        self.assertEqual(veteran.partner_performance_cause, "neutral")

    def test_one_lucky_win_barely_moves_it(self):
        regular, lucky = self._gold("Regular"), self._gold("Lucky")
        self._history(regular, accepted=20, hours=10, won=6, lost=14)
        self._history(lucky, accepted=1, hours=10, won=1)
        self._recompute()
        # Level win rate 7/21; smoothed (1 + 10 x 1/3) / (1 + 10) = 0.39: x 1.18, not x 3.
        self.assertEqual(lucky.partner_performance_factor, 1.18)
        self.assertEqual(lucky.partner_performance_win_rate, 1.0)
        self.company.partner_performance_prior = 0  # recomputed at once: no smoothing, the bound holds it
        self.assertEqual(lucky.partner_performance_factor, 1.5)

    def test_bounds_clamp_the_factor(self):
        self.company.write({"partner_performance_min": 0.8, "partner_performance_max": 1.2})
        star, laggard = self._gold("Star"), self._gold("Laggard")
        self._history(star, accepted=30, hours=1, won=20, lost=2)
        self._history(laggard, accepted=5, declined=10, expired=15, hours=100, won=0, lost=5)
        self._recompute()
        self.assertEqual(star.partner_performance_factor, 1.2)
        self.assertEqual(laggard.partner_performance_factor, 0.8)

    def test_levels_are_compared_within_themselves(self):
        gold, silver = self._gold("Gold slow"), self._reseller("Silver fast", grade=self.grade_silver)
        self._history(gold, accepted=10, hours=48)
        self._history(silver, accepted=10, hours=1)
        self._recompute()
        # Each is alone in its level: its level's average, whatever the other level does.
        self.assertEqual((gold.partner_performance_factor, silver.partner_performance_factor), (1.0, 1.0))

    def test_only_the_period_counts(self):
        recent, old = self._gold("Recent"), self._gold("Old timer")
        self._history(recent, accepted=10, hours=5)
        self._history(old, accepted=10, hours=200, days_ago=120)
        self._recompute()
        self.assertEqual(old.partner_performance_sample, 0)
        self.assertEqual(old.partner_performance_factor, 1.0)
        self.company.partner_performance_days = 150
        self.assertEqual(old.partner_performance_sample, 10)
        self.assertLess(old.partner_performance_factor, 1.0)

    def test_settings_recompute_at_once_and_routing_off_keeps_the_factors_unapplied(self):
        fast, slow = self._gold("Fast"), self._gold("Slow")
        self._history(fast, accepted=10, hours=1)
        self._history(slow, accepted=10, hours=30)
        settings = Form(self.env["res.config.settings"])
        settings.partner_performance_routing = False
        settings.save().execute()
        self.assertFalse(self.company.partner_performance_routing)
        # Off: the factors are still computed (the simulation shows their effect), the assignment ignores them.
        self._recompute()
        factor = fast.partner_performance_factor
        self.assertGreater(factor, 1.0)
        self.assertLess(slow.partner_performance_factor, 1.0)
        self.assertEqual(fast.partner_performance_answer_hours, 1.0)
        # Changing a setting recomputes at once, without waiting for the schedule.
        settings = Form(self.env["res.config.settings"])
        settings.partner_performance_routing = True
        settings.partner_performance_max = 1.1
        settings.save().execute()
        self.assertEqual(fast.partner_performance_factor, 1.1)
        self.company.partner_performance_min = 0.95
        self.assertEqual(slow.partner_performance_factor, 0.95)
        self._history(fast, declined=30, hours=1)
        self.company.partner_performance_routing = False  # off: nothing recomputed, nothing applied
        self.assertEqual(fast.partner_performance_factor, 1.1)
        self.company.partner_performance_routing = True
        self.assertLess(fast.partner_performance_factor, 1.1)

    def test_reseller_of_another_company_uses_its_company_settings(self):
        other_company = self.env["res.company"].create({"name": "Perf Other Co"})
        fast, slow = (self._reseller(name, grade=self.grade_gold, company_id=other_company.id)
                      for name in ("Other fast", "Other slow"))
        self._history(fast, accepted=10, hours=1)
        self._history(slow, accepted=10, hours=30)
        self._recompute()
        self.assertEqual(fast.partner_performance_factor, 1.5)
        other_company.partner_performance_max = 1.25
        self.assertEqual(fast.partner_performance_factor, 1.25)
        self.assertEqual(self.company.partner_performance_max, 1.5)

    # ------------------------------------------------------------------ history, graph, schedule, button
    def test_history_keeps_one_row_per_change(self):
        fast, slow = self._gold("Fast hist"), self._gold("Slow hist")
        History = self.env["partner.performance.history"]
        self._history(fast, accepted=10, hours=1)
        self._history(slow, accepted=10, hours=30)
        self._recompute()
        rows = History.search([("partner_id", "in", (fast | slow).ids)])
        self.assertEqual(len(rows), 2)
        self.assertEqual(rows.filtered(lambda row: row.partner_id == fast).factor, fast.partner_performance_factor)
        self._recompute()
        self.assertEqual(History.search_count([("partner_id", "in", (fast | slow).ids)]), 2, "nothing changed")
        self._history(slow, declined=5, hours=30)
        self._recompute()
        self.assertEqual(History.search_count([("partner_id", "=", slow.id)]), 2)
        # fast's figures did not change (its factor stays at the highest bound): no new row
        self.assertEqual(fast.partner_performance_factor, 1.5)
        self.assertEqual(History.search_count([("partner_id", "=", fast.id)]), 1)
        graph = slow.partner_performance_graph
        self.assertIn("<svg", graph)
        self.assertIn("<polyline", graph)
        self.assertEqual(slow.partner_performance_history_count, 2)
        action = slow.action_view_performance_history()
        self.assertEqual(History.search(action["domain"]).partner_id, slow)

    def test_cron_and_button_recompute(self):
        fast, slow = self._gold("Cron fast"), self._gold("Cron slow")
        self._history(fast, accepted=10, hours=1)
        self._history(slow, accepted=10, hours=30)
        cron = self.env.ref("partner_program.ir_cron_partner_performance")
        self.assertEqual((cron.active, cron.interval_number, cron.interval_type), (True, 1, "days"))
        cron.ir_actions_server_id.run()
        self.assertGreater(fast.partner_performance_factor, 1.0)
        self._history(fast, expired=20, hours=170)
        manager = new_test_user(self.env, "pp_perf_manager", groups="partner_program.group_partner_program_manager")
        action = self.env["res.partner"].with_user(manager).browse(fast.id).action_performance_recompute()
        self.assertEqual(action["params"]["type"], "success")
        self.assertLess(fast.partner_performance_factor, 1.0)
        user = new_test_user(self.env, "pp_perf_user", groups="partner_program.group_partner_program_user")
        with self.assertRaises(AccessError):
            self.env["res.partner"].with_user(user).browse(fast.id).action_performance_recompute()
        # the same button in the settings
        self._history(fast, accepted=40, hours=1)
        self.assertEqual(fast.partner_performance_factor, 0.5)
        admin = new_test_user(self.env, "pp_perf_admin", groups="base.group_system,sales_team.group_sale_manager")
        settings = self.env["res.config.settings"].with_user(admin).create({})
        self.assertEqual(settings.action_partner_performance_recompute()["params"]["type"], "success")
        self.assertEqual(fast.partner_performance_factor, 0.96)

    def test_answer_log_and_history_are_per_company(self):
        other_company = self.env["res.company"].create({"name": "Perf Rule Co"})
        mine, theirs = self._gold("Mine"), self._gold("Theirs")
        self._history(mine, accepted=3, hours=2)
        self.env["partner.lead.answer"].sudo().create({
            "partner_id": theirs.id, "company_id": other_company.id, "outcome": "declined",
            "date_answered": fields.Datetime.now(),
        })
        user = new_test_user(self.env, "pp_perf_other_user", groups="partner_program.group_partner_program_user",
                             company_id=other_company.id, company_ids=other_company.ids)
        visible = self.env["partner.lead.answer"].with_user(user).search([("partner_id", "in", (mine | theirs).ids)])
        self.assertEqual(visible.partner_id, theirs)

    # ------------------------------------------------------------------ append-only
    def test_answer_log_and_history_are_append_only_even_for_admins(self):
        reseller, other = self._gold("Append"), self._gold("Append other")
        answers = self._history(reseller, accepted=2, declined=1, hours=3)
        self._history(other, accepted=2, hours=30)
        self._recompute()
        history = self.env["partner.performance.history"].search([("partner_id", "=", reseller.id)])
        self.assertTrue(history)
        admin = self.env.ref("base.user_admin")
        for records in (answers, history):
            field = "answer_hours" if records._name == "partner.lead.answer" else "factor"
            with self.assertRaises(AccessError):
                records.with_user(admin).write({field: 0})
            with self.assertRaises(AccessError):
                records.with_user(admin).unlink()
            with self.assertRaises(UserError):
                records.sudo().write({field: 0})
            with self.assertRaises(UserError):
                records.sudo().unlink()
            with self.assertRaises(AccessError):
                records.with_user(admin).create({"partner_id": reseller.id})
        self.assertEqual(len(answers.exists()), 3)
        self.assertEqual(answers.mapped("answer_hours"), [3.0, 3.0, 3.0])

    def test_answer_log_is_not_readable_from_the_portal(self):
        reseller = self._gold("Portal-less")
        answers = self._history(reseller, accepted=1, hours=3)
        portal = new_test_user(self.env, "pp_perf_portal", groups="base.group_portal")
        with self.assertRaises(AccessError):
            answers.with_user(portal).read(["outcome"])

    # ------------------------------------------------------------------ cost
    def test_recompute_queries_do_not_grow_with_resellers(self):
        def run(count):
            resellers = self.env["res.partner"].browse()
            for index in range(count):
                resellers |= self._gold("Count %s-%s" % (count, index))
            for index, reseller in enumerate(resellers):
                self._history(reseller, accepted=3 + index % 4, declined=index % 3, hours=1 + index)
            self.env.flush_all()
            before = self.env.cr.sql_log_count
            self._recompute()
            self.assertTrue(all(reseller.partner_performance_sample for reseller in resellers))
            return self.env.cr.sql_log_count - before

        run(2)  # warm the caches first (xmlids, access rules of the history)
        self.assertEqual(run(3), run(15))

    # ------------------------------------------------------------------ where the log is written
    def test_expiry_logs_the_expired_answer(self):
        self.env.company.partner_answer_days = 4
        near = self._reseller("Near expiry", VILLEURBANNE)
        self._reseller("Far expiry", PARIS)
        lead = self._leads(1, LYON, user_id=self.salesperson.id)
        lead.assign_partner()
        self.assertEqual(lead.partner_assigned_id, near)
        self.assertTrue(lead.date_partner_answer_due)  # computed now, before the clock is moved
        assigned_at = fields.Datetime.now() - timedelta(hours=100)
        lead.date_partner_assigned_at = assigned_at
        lead.date_partner_answer_due = fields.Datetime.now() - timedelta(hours=4)
        result = self.env["crm.lead"]._cron_partner_answer_deadline()
        self.assertEqual(result["expired"], lead)
        row = self.env["partner.lead.answer"].search([("lead_id", "=", lead.id)])
        self.assertEqual(len(row), 1)
        self.assertEqual((row.partner_id, row.outcome), (near, "expired"))
        self.assertEqual(row.date_assigned, assigned_at)
        self.assertAlmostEqual(row.answer_hours, 100, delta=0.1)
        self.assertNotEqual(lead.partner_assigned_id, near, "taken back and given to the next reseller")


@tagged("post_install", "-at_install")
class TestPartnerPerformanceDemo(TransactionCase):
    """The demo data shows one reseller above 1, one below, the others neutral (computed, not applied: the demo
    company keeps routing by performance off)."""

    def test_demo_resellers_factors(self):
        self.env["res.partner"]._performance_recompute()
        lyon = self.env.ref("partner_program.reseller_lyon")
        berlin = self.env.ref("partner_program.reseller_berlin")
        newcomer = self.env.ref("partner_program.reseller_sanfrancisco")
        self.assertFalse(self.env.ref("base.main_company").partner_performance_routing)
        self.assertEqual((lyon.partner_performance_factor, lyon.partner_performance_cause), (1.41, "wins"))
        self.assertEqual((berlin.partner_performance_factor, berlin.partner_performance_cause), (0.62, "slow"))
        self.assertEqual((newcomer.partner_performance_factor, newcomer.partner_performance_sample), (1.0, 0))
        self.assertEqual(berlin.partner_performance_timeouts, 2)
