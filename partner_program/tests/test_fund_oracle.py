from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common_partnership import PartnershipCase


@tagged("post_install", "-at_install")
class TestFundOracle(PartnershipCase):
    """Recording a fund operation tells nothing about a fund one may not use: access is checked before the fund
    row is locked or its balance read, and the answer is the same whatever the amount."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.reseller = cls._reseller("Oracle Lyon")
        cls.fund = cls._fund(cls._partnership(cls.reseller, grade=cls.grade_silver))
        cls.env["partner.fund.operation"].create({
            "fund_id": cls.fund.id, "operation_type": "credit", "amount": 500, "name": "Budget"})
        outsider = cls.env["res.partner"].create({"name": "Nosy Co", "is_company": True})
        cls.portal_user = new_test_user(cls.env, "pp_oracle_portal", groups="base.group_portal",
                                        partner_id=cls.env["res.partner"].create({
                                            "name": "Nosy Portal", "parent_id": outsider.id}).id)
        cls.sales_user = new_test_user(cls.env, "pp_oracle_sales", groups="sales_team.group_sale_salesman")

    def test_same_refusal_whatever_the_amount(self):
        for user in (self.portal_user, self.sales_user):
            answers = set()
            for amount in (1, 499, 500, 501, 10 ** 9):
                with self.subTest(user=user.login, amount=amount), self.assertRaises(AccessError) as caught:
                    self.env["partner.fund.operation"].with_user(user).create({
                        "fund_id": self.fund.id, "operation_type": "debit", "amount": amount, "name": "Probe"})
                answers.add(str(caught.exception))
            self.assertEqual(len(answers), 1, answers)
            self.assertNotIn("500", answers.pop())
        self.assertEqual(self.fund.balance, 500)
