from psycopg2 import IntegrityError

from odoo.tests import Form, new_test_user, tagged
from odoo.tools import mute_logger

from .common import LYON, PartnerProgramCase


@tagged("post_install", "-at_install")
class TestLevels(PartnerProgramCase):
    def test_partner_weight_follows_the_level(self):
        reseller = self._reseller("Lyon", LYON, grade=self.grade_bronze)
        self.assertEqual(reseller.partner_weight, 1)
        reseller.grade_id = self.grade_gold
        self.assertEqual(reseller.partner_weight, 3)
        self.grade_gold.partner_weight = 5
        self.assertEqual(reseller.partner_weight, 5)

    def test_custom_weight_survives_level_changes_only_when_ticked(self):
        custom = self._reseller("Custom", LYON, grade=self.grade_bronze)
        custom.write({"partner_weight_manual": True, "partner_weight": 7})
        plain = self._reseller("Plain", LYON, grade=self.grade_bronze)
        plain.partner_weight = 7  # typed in without ticking "custom": the level wins again on change
        (custom | plain).grade_id = self.grade_silver
        self.assertEqual(custom.partner_weight, 7)
        self.assertEqual(plain.partner_weight, 2)
        custom.partner_weight_manual = False
        self.assertEqual(custom.partner_weight, 2)

    def test_negative_weight_is_refused_with_a_clear_message(self):
        for record in (self.grade_bronze, self._reseller("Lyon", LYON)):
            with self.subTest(model=record._name), mute_logger("odoo.sql_db"), \
                    self.assertRaises(IntegrityError) as caught, self.env.cr.savepoint():
                record.write({"partner_weight": -1, "partner_weight_manual": True}
                             if record._name == "res.partner" else {"partner_weight": -1})
                record.env.flush_all()
            self.assertIn("cannot be negative", record._sql_error_to_message(caught.exception))

    def test_default_activations_and_levels(self):
        names = self.env["res.partner.activation"].search([]).mapped("name")
        for name in ("Fully Operational", "Ramp-up", "First Contact"):
            self.assertIn(name, names)
        for xmlid in ("partnership.res_partner_grade_data_gold", "partnership.res_partner_grade_data_silver",
                      "partnership.res_partner_grade_data_bronze"):
            grade = self.env.ref(xmlid)
            self.assertTrue(grade.is_published)
            self.assertGreaterEqual(grade.partner_weight, 1)
        self.assertIn("/partners/grade/", self.grade_gold.website_url)

    def test_reseller_form_shows_assignment_fields(self):
        # Capacity and weights are a manager's settings (tests/test_levels_manager_only.py).
        manager = new_test_user(self.env, "pp_levels_form_manager",
                                groups="sales_team.group_sale_salesman_all_leads,partner_program.group_partner_program_manager")
        form = Form(self.env["res.partner"].with_user(manager))
        form.name = "New Reseller"
        form.company_type = "company"
        form.grade_id = self.grade_silver
        self.assertEqual(form.partner_weight, 2)
        form.activation = self.env.ref("partner_program.res_partner_activation_ramp_up")
        form.partner_capacity = 10
        reseller = form.save()
        self.assertEqual(reseller.partner_capacity, 10)
        self.assertEqual(reseller.activation.name, "Ramp-up")

    def test_published_reference_count(self):
        reseller = self._reseller("Lyon", LYON)
        self.env["res.partner"].create([
            {"name": "Published customer", "assigned_partner_id": reseller.id, "is_published": True},
            {"name": "Private customer", "assigned_partner_id": reseller.id},
        ])
        self.assertEqual(reseller.implemented_partner_count, 1)
        self.assertEqual(len(reseller.implemented_partner_ids), 2)
