from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import PartnerProgramCase


@tagged("post_install", "-at_install")
class TestLevelsManagerOnly(PartnerProgramCase):
    """Levels, weights, capacities and groups decide who gets leads and rewards: Partner Program managers set
    them, a Sales "own documents" user does not, not even over RPC."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sales_user = new_test_user(cls.env, "pp_levels_sales", groups="sales_team.group_sale_salesman")
        cls.manager = new_test_user(cls.env, "pp_levels_manager", groups="sales_team.group_sale_manager")
        cls.reseller = cls._reseller("Levels Reseller", grade=cls.grade_silver)
        cls.group = cls.env["partner.group"].create({
            "name": "Levels group", "destination_url": "/", "grade_id": cls.grade_bronze.id,
            "type_id": cls.env["partner.type"].create({"name": "Levels type"}).id})

    def test_sales_user_cannot_create_or_reweight_levels(self):
        Grade = self.env["res.partner.grade"].with_user(self.sales_user)
        self.assertTrue(Grade.search([("id", "=", self.grade_gold.id)]), "levels stay readable")
        with self.assertRaises(AccessError):
            Grade.create({"name": "Diamond", "partner_weight": 100})
        with self.assertRaises(AccessError):
            self.grade_gold.with_user(self.sales_user).write({"partner_weight": 100})
        self.assertEqual(self.grade_gold.partner_weight, 3)

    def test_sales_user_cannot_set_a_resellers_weight_capacity_or_group(self):
        reseller = self.reseller.with_user(self.sales_user)
        for vals in ({"partner_weight_manual": True, "partner_weight": 50}, {"partner_weight": 50},
                     {"partner_capacity": 1000}, {"partner_group_id": self.group.id}):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                reseller.write(vals)
        with self.assertRaises(AccessError):
            self.env["res.partner"].with_user(self.sales_user).create({
                "name": "Self-weighted", "is_company": True, "partner_weight_manual": True, "partner_weight": 99})
        reseller.write({"phone": "+33 4 00 00 00 00"})  # the rest of the contact stays theirs to edit
        self.assertEqual((self.reseller.partner_weight, self.reseller.partner_capacity), (2, 0))

    def test_managers_still_set_them(self):
        self.env["res.partner.grade"].with_user(self.manager).create({"name": "Diamond", "partner_weight": 5})
        self.grade_gold.with_user(self.manager).write({"partner_weight": 4})
        self.reseller.with_user(self.manager).write({"partner_weight_manual": True, "partner_weight": 7,
                                                     "partner_capacity": 3, "partner_group_id": self.group.id})
        self.assertEqual((self.reseller.partner_weight, self.reseller.partner_capacity), (7, 3))
