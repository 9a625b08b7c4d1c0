from odoo.tests import tagged

from .common import PartnerProgramCase


@tagged("post_install", "-at_install")
class TestDealRegistrationConflicts(PartnerProgramCase):
    """What a partner types as the customer's name is compared as text: % and _ are letters, not wildcards."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.reseller_a = cls._reseller("Conflicts A")
        cls.reseller_b = cls._reseller("Conflicts B")
        Lead = cls.env["crm.lead"]
        cls.acme = Lead.create({"name": "Acme deal", "partner_name": "Acme", "partner_assigned_id": cls.reseller_b.id})
        cls.percent = Lead.create({"name": "100% deal", "partner_name": "100% Bio",
                                   "partner_assigned_id": cls.reseller_b.id})
        cls.underscore = Lead.create({"name": "A_B deal", "partner_name": "A_B",
                                      "partner_assigned_id": cls.reseller_b.id})

    def _conflicts(self, name):
        return self.env["crm.lead"]._portal_registration_conflicts(False, name, self.reseller_a)

    def test_wildcards_typed_in_a_customer_name_are_literal(self):
        self.assertFalse(self._conflicts("%"), "% matched every open lead of every other reseller")
        self.assertFalse(self._conflicts("A%"))
        self.assertFalse(self._conflicts("A_me"))
        self.assertEqual(self._conflicts("100% bio"), self.percent)
        self.assertEqual(self._conflicts("a_b"), self.underscore)
        self.assertEqual(self._conflicts("ACME"), self.acme, "still the same customer in any case")
