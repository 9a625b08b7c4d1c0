from datetime import timedelta

from psycopg2 import IntegrityError

from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged
from odoo.tools import SQL, mute_logger

from .common_partnership import PartnershipCase


@tagged("post_install", "-at_install")
class TestPartnership(PartnershipCase):
    def test_period_lasts_one_year_by_default(self):
        form = Form(self.env["partner.partnership"].with_user(self.manager))
        form.partner_id = self._reseller("Lyon")
        form.type_id = self.type_reseller
        form.date_start = self.today.replace(month=1, day=1)
        partnership = form.save()
        self.assertEqual(partnership.date_due, self.today.replace(month=12, day=31))
        # The level starts at the partner's own level.
        self.assertEqual(partnership.grade_id, self.grade_bronze)
        self.assertEqual(partnership.user_id, self.manager)

    def test_second_active_partnership_over_an_overlapping_period_is_refused(self):
        reseller = self._reseller("Lyon")
        first = self._partnership(reseller, start=self.today - timedelta(days=100))
        with self.assertRaisesRegex(ValidationError, "already has an active partnership"):
            self._partnership(reseller, start=first.date_due)
        # Back to back, another partner, or an archived one: all fine.
        self._partnership(reseller, start=first.date_due + timedelta(days=1))
        self._partnership(self._reseller("Paris"), start=first.date_start)
        archived = self._partnership(reseller, start=first.date_start, active=False)
        with self.assertRaisesRegex(ValidationError, "already has an active partnership"):
            archived.active = True

    def test_database_refuses_overlaps_the_python_check_cannot_see(self):
        """Two transactions each creating a partnership see no overlap; the EXCLUDE constraint does."""
        reseller = self._reseller("Lyon")
        partnership = self._partnership(reseller)
        self.env.flush_all()
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError) as caught, self.env.cr.savepoint():
            self.env.cr.execute(SQL(
                """INSERT INTO partner_partnership (partner_id, type_id, company_id, date_start, date_due, active)
                   VALUES (%s, %s, %s, %s, %s, true)""",
                reseller.id, self.type_reseller.id, self.env.company.id,
                partnership.date_start + timedelta(days=10), partnership.date_due + timedelta(days=10),
            ))
        self.assertEqual(
            self.env["partner.partnership"]._sql_error_to_message(caught.exception),
            "This partner already has an active partnership over an overlapping period.",
        )

    def test_due_date_before_start_is_refused(self):
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError), self.env.cr.savepoint():
            self._partnership(self._reseller("Lyon"), date_due=self.today - timedelta(days=60))
            self.env.flush_all()

    def test_progress_is_measured_from_the_partners_leads_over_the_period(self):
        reseller = self._reseller("Lyon")
        partnership = self._partnership(reseller, grade=self.grade_bronze)
        self._leads(2, partner_assigned_id=reseller.id)
        self._opportunities(reseller, [30000, 4000])
        self._opportunities(reseller, [8000], won=False)
        lost = self._opportunities(reseller, [2000], won=False)
        lost.action_set_lost()
        # Not counted: assigned before the period, won after it, another reseller's.
        before = self._leads(1, partner_assigned_id=reseller.id)
        before.date_partner_assign = partnership.date_start - timedelta(days=1)
        late = self._opportunities(reseller, [99000])
        late.write({"date_partner_assign": partnership.date_start - timedelta(days=1),
                    "date_closed": partnership.date_due + timedelta(days=3)})
        late.order_ids.date_order = partnership.date_due + timedelta(days=3)
        self._opportunities(self._reseller("Paris"), [50000])

        self.assertEqual(partnership.lead_count, 6)
        self.assertEqual(partnership.opportunity_count, 4)
        self.assertEqual(partnership.won_count, 2)
        self.assertEqual(partnership.won_revenue, 34000)
        self.assertEqual(partnership.pipeline_amount, 8000)

        # Targets of the next level (Silver): 3 leads and 10,000 won.
        self.assertEqual(partnership.next_grade_id, self.grade_silver)
        lines = {line.category_id: line for line in partnership.progress_ids}
        self.assertEqual(set(lines), {self.cat_leads, self.cat_revenue})
        self.assertEqual((lines[self.cat_leads].value, lines[self.cat_leads].target), (6, 3))
        self.assertEqual(lines[self.cat_leads].percent, 100)
        self.assertEqual(lines[self.cat_leads].value_display, "6 leads")
        self.assertEqual((lines[self.cat_revenue].value, lines[self.cat_revenue].target), (34000, 10000))
        self.assertTrue(all(line.is_met for line in lines.values()))

    def test_progress_percent_and_manual_obligation(self):
        reseller = self._reseller("Lyon")
        manual = self.env["partner.parameter.category"].create({
            "name": "Test events", "kind": "obligation", "measure": "manual",
        })
        self.env["partner.level.parameter"].create({
            "type_id": self.type_reseller.id, "grade_id": self.grade_silver.id, "category_id": manual.id,
            "target": 4,
        })
        partnership = self._partnership(reseller, grade=self.grade_bronze)
        self._leads(1, partner_assigned_id=reseller.id)
        lines = {line.category_id: line for line in partnership.progress_ids}
        self.assertEqual(lines[self.cat_leads].percent, 100 / 3)
        self.assertFalse(lines[self.cat_leads].is_met)
        lines[manual].with_user(self.manager).value_manual = 3
        self.assertEqual(lines[manual].value, 3)
        self.assertEqual(lines[manual].percent, 75)

    def test_certified_contacts_count_valid_certifications_only(self):
        reseller = self._reseller("Lyon")
        partnership = self._partnership(reseller)
        alice, bob, carol = self.env["res.partner"].create([
            {"name": name, "parent_id": reseller.id} for name in ("Alice", "Bob", "Carol")
        ])
        self.env["partner.training"].create([
            {"partnership_id": partnership.id, "name": "Sales", "kind": "certification", "contact_id": alice.id},
            {"partnership_id": partnership.id, "name": "Tech", "kind": "certification", "contact_id": alice.id},
            {"partnership_id": partnership.id, "name": "Old", "kind": "certification", "contact_id": bob.id,
             "date": self.today - timedelta(days=400), "date_valid_until": self.today - timedelta(days=35)},
            {"partnership_id": partnership.id, "name": "Intro", "kind": "training", "contact_id": carol.id},
        ])
        self.assertEqual(partnership.certified_contact_count, 1)

    def test_summary_is_computed_for_many_partnerships_at_once(self):
        resellers = [self._reseller("Reseller %s" % index) for index in range(3)]
        partnerships = self.env["partner.partnership"].union(*[self._partnership(r) for r in resellers])
        for index, reseller in enumerate(resellers):
            self._leads(index + 1, partner_assigned_id=reseller.id)
        self.env.invalidate_all()
        with self.assertQueryCount(5):  # partnerships, their partners, leads, won leads, certifications
            self.assertEqual(partnerships.mapped("lead_count"), [1, 2, 3])

    def test_benefits_are_those_of_the_current_level(self):
        partnership = self._partnership(self._reseller("Lyon"), grade=self.grade_silver)
        self.assertEqual(partnership.benefit_ids.category_id, self.cat_fund | self.cat_discount)
        self.assertEqual(sorted(partnership.benefit_ids.mapped("value_display")), ["10 %", "2 %"])

    def test_running_partnership_gives_the_partner_its_level(self):
        reseller = self._reseller("Lyon", grade=self.grade_bronze)
        partnership = self._partnership(reseller, grade=self.grade_silver)
        self.assertEqual(reseller.grade_id, self.grade_silver)
        partnership.grade_id = self.grade_gold
        self.assertEqual(reseller.grade_id, self.grade_gold)
        # A future partnership leaves today's level alone.
        future = self._reseller("Paris", grade=self.grade_bronze)
        self._partnership(future, grade=self.grade_gold, start=self.today + timedelta(days=30))
        self.assertEqual(future.grade_id, self.grade_bronze)

    def test_changing_a_level_parameter_keeps_what_applied_before(self):
        parameter = self.env["partner.level.parameter"].search([
            ("type_id", "=", self.type_reseller.id), ("grade_id", "=", self.grade_silver.id),
            ("category_id", "=", self.cat_leads.id),
        ])
        parameter.date_from = self.today - timedelta(days=90)
        parameter.with_user(self.manager).target = 7
        self.assertEqual(parameter.target, 7)
        self.assertEqual(parameter.date_from, self.today)
        self.assertEqual(len(parameter.history_ids), 1)
        self.assertRecordValues(parameter.history_ids, [{
            "target": 3, "date_from": self.today - timedelta(days=90), "date_to": self.today,
            "user_id": self.manager.id, "grade_id": self.grade_silver.id, "type_id": self.type_reseller.id,
        }])
        # Writing the same figure again is not a change.
        parameter.target = 7
        self.assertEqual(len(parameter.history_ids), 1)

    def test_new_obligation_adds_a_progress_line_to_existing_partnerships(self):
        partnership = self._partnership(self._reseller("Lyon"))
        won = self.env["partner.parameter.category"].create({
            "name": "Test won deals", "kind": "obligation", "measure": "won_count",
        })
        self.env["partner.level.parameter"].create({
            "type_id": self.type_reseller.id, "grade_id": self.grade_gold.id, "category_id": won.id, "target": 2,
        })
        self.assertIn(won, partnership.progress_ids.category_id)

    def test_obligation_category_needs_a_measure(self):
        category = self.env["partner.parameter.category"].create({"name": "Test", "kind": "benefit"})
        self.assertEqual((category.benefit_type, category.measure), ("text", False))
        category.kind = "obligation"
        self.assertEqual((category.benefit_type, category.measure), (False, "manual"))
