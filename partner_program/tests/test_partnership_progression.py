from datetime import timedelta

from odoo.tests import tagged

from .common_partnership import PartnershipCase


@tagged("post_install", "-at_install")
class TestPartnershipProgression(PartnershipCase):
    def test_partner_moves_up_when_every_obligation_of_the_next_level_is_met(self):
        reseller = self._reseller_with_email("Lyon Sales")
        partnership = self._partnership(reseller, grade=self.grade_bronze)
        self._leads(1, partner_assigned_id=reseller.id)
        self._opportunities(reseller, [6000, 5000])  # 3 leads, 11,000 won: Silver's targets

        action = partnership.with_user(self.manager).action_recompute_level()

        self.assertEqual(action["params"]["type"], "success")
        self.assertEqual(partnership.grade_id, self.grade_silver)
        self.assertEqual(reseller.grade_id, self.grade_silver, "the reseller's level follows the partnership")
        self.assertEqual(partnership.next_grade_id, self.grade_gold)
        history = partnership.level_history_ids
        self.assertRecordValues(history, [{
            "grade_from_id": self.grade_bronze.id, "grade_to_id": self.grade_silver.id, "reason": "promotion",
            "date": self.today,
        }])
        self.assertIn("Test leads: 3 leads / 3 leads", history.measure_summary)
        self.assertIn("Test won revenue: ", history.measure_summary)
        # Posted in the chatter and mailed to the partner.
        message = partnership.message_ids.filtered(lambda m: m.message_type == "comment")[:1]
        self.assertIn("your partner level is now Test Silver", message.subject)
        self.assertIn(reseller, message.partner_ids)
        self.assertIn("Test leads: 3 leads / 3 leads", str(message.body))
        mail = self.env["mail.mail"].search([("mail_message_id", "=", message.id)])
        self.assertIn(reseller, mail.recipient_ids)

    def test_no_promotion_when_one_target_is_missed(self):
        reseller = self._reseller("Lyon")
        partnership = self._partnership(reseller, grade=self.grade_bronze)
        self._leads(5, partner_assigned_id=reseller.id)  # leads enough even for Gold
        self._opportunities(reseller, [9999])  # but 1 short of Silver's revenue

        self.assertFalse(partnership._recompute_levels())
        self.assertEqual(partnership.grade_id, self.grade_bronze)
        self.assertFalse(partnership.level_history_ids)
        progress = {line.category_id: line for line in partnership.progress_ids}
        self.assertTrue(progress[self.cat_leads].is_met)
        self.assertFalse(progress[self.cat_revenue].is_met)

    def test_partner_skips_levels_whose_obligations_are_met_too(self):
        reseller = self._reseller("Lyon")
        partnership = self._partnership(reseller, grade=self.grade_bronze)
        self._opportunities(reseller, [20000, 20000, 5000, 5000, 1000])  # 5 leads, 51,000 won: Gold
        partnership._recompute_levels()
        self.assertEqual(partnership.grade_id, self.grade_gold)
        self.assertFalse(partnership.next_grade_id, "Gold is the top of this ladder")

    def test_partnership_without_level_enters_the_lowest_level_it_qualifies_for(self):
        reseller = self._reseller("Lyon", grade=self.grade_zero)
        partnership = self._partnership(reseller, grade=self.grade_zero)
        partnership.grade_id = False
        self.assertEqual(partnership.next_grade_id, self.grade_bronze)
        self._leads(1, partner_assigned_id=reseller.id)
        partnership._recompute_levels()
        self.assertEqual(partnership.grade_id, self.grade_bronze)

    def test_scheduled_action_recomputes_running_partnerships_only(self):
        running = self._partnership(self._reseller("Running"))
        future = self._partnership(self._reseller("Future"), start=self.today + timedelta(days=5))
        archived = self._partnership(self._reseller("Archived"), active=False)
        for partnership in running | future | archived:
            self._opportunities(partnership.partner_id, [6000, 5000, 1000])
        self.env["partner.partnership"]._cron_recompute_levels()
        self.assertEqual(running.grade_id, self.grade_silver)
        self.assertEqual(future.grade_id, self.grade_bronze)
        self.assertEqual(archived.grade_id, self.grade_bronze)

    def test_partner_moves_down_at_period_end_only_when_its_type_says_so(self):
        start = self.today - timedelta(days=400)
        stays = self._partnership(self._reseller("Stays"), grade=self.grade_gold, start=start)
        self.type_reseller.demote_at_period_end = True
        goes_down = self._partnership(self._reseller("Goes down"), grade=self.grade_gold, start=start)
        # Silver's obligations met during the period (opportunities dated inside it), not Gold's.
        for partnership in stays | goes_down:
            leads = self._opportunities(partnership.partner_id, [6000, 5000, 1000])
            leads.write({"date_partner_assign": start + timedelta(days=10),
                         "date_closed": start + timedelta(days=20)})
            leads.order_ids.date_order = start + timedelta(days=20)
        # Still running: no demotion before the period is over.
        running = self._partnership(self._reseller("Running"), grade=self.grade_gold)
        self._opportunities(running.partner_id, [100])

        self.type_reseller.demote_at_period_end = False
        changes = stays._recompute_levels()
        self.assertFalse(changes)
        self.assertTrue(stays.period_reviewed)
        self.type_reseller.demote_at_period_end = True
        changes = (goes_down | running)._recompute_levels()

        self.assertEqual(goes_down.grade_id, self.grade_silver)
        self.assertEqual(running.grade_id, self.grade_gold)
        self.assertRecordValues(goes_down.level_history_ids, [{
            "grade_from_id": self.grade_gold.id, "grade_to_id": self.grade_silver.id, "reason": "demotion",
        }])
        self.assertEqual(list(changes), [goes_down])
        # Reviewed once: the next run leaves it alone.
        self.assertTrue(goes_down.period_reviewed)
        self.assertFalse(goes_down._recompute_levels())

    def test_level_set_by_the_manager_is_recorded_in_the_history(self):
        partnership = self._partnership(self._reseller("Lyon"), grade=self.grade_bronze)
        partnership.with_user(self.manager).grade_id = self.grade_gold
        self.assertRecordValues(partnership.level_history_ids, [{
            "grade_from_id": self.grade_bronze.id, "grade_to_id": self.grade_gold.id, "reason": "manual",
            "user_id": self.manager.id,
        }])

    def test_recompute_costs_the_same_queries_for_5_and_100_partnerships(self):
        resellers = self.env["res.partner"].create([
            {"name": "Bulk reseller %s" % index, "is_company": True, "grade_id": self.grade_bronze.id}
            for index in range(100)
        ])
        partnerships = self.env["partner.partnership"].create([{
            "partner_id": reseller.id, "type_id": self.type_reseller.id, "grade_id": self.grade_bronze.id,
            "date_start": self.today - timedelta(days=30),
        } for reseller in resellers])
        # Every reseller has results, none enough for Silver: a lead and a sale of its deal.
        leads = self.env["crm.lead"].create([{
            "name": "Deal %s" % index, "type": "opportunity", "partner_assigned_id": reseller.id,
            "expected_revenue": 1000,
        } for index, reseller in enumerate(resellers)])
        self._deal_orders(leads, [1000 + index for index in range(100)]).action_confirm()

        def queries(records):
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            records._recompute_levels()
            self.env.flush_all()
            return self.env.cr.sql_log_count - before

        few, many = queries(partnerships[:5]), queries(partnerships)
        self.assertEqual(few, many)
        self.assertLessEqual(many, 12)
        self.assertEqual(partnerships.grade_id, self.grade_bronze)
        self.assertEqual(partnerships[:3].mapped("won_revenue"), [1000, 1001, 1002])
