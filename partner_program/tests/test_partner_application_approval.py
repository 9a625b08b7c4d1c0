from unittest.mock import patch

import requests

from odoo.addons.mail.tests.common import MockEmail
from odoo.tests import tagged

from .common import LYON
from .common_referral import ReferralCase


@tagged("post_install", "-at_install")
class TestApprovedPartnerStartsComplete(MockEmail, ReferralCase):
    """An approved applicant's partnership has what its level promises, its company is on the map and, when the
    manager chose so, in the directory."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.fund_credit = cls.env.ref("partner_program.parameter_category_fund_credit")
        cls.env["partner.level.parameter"].create({
            "type_id": cls.type_reseller.id, "grade_id": cls.grade_bronze.id,
            "category_id": cls.fund_credit.id, "value": 3,
        })

    def _application(self, **values):
        company = self.env["res.partner"].create({
            "name": "Alpine Approved Co", "is_company": True, "street": "1 Place Grenette", "city": "Grenoble",
            "zip": "38000", "country_id": self.fr.id,
        })
        return self.env["partner.application"].create(dict({
            "name": "Alpine Approved Co", "contact_name": "Marie Favre",
            "email_from": "marie@alpine-approved.example.com",
            "country_id": self.fr.id, "group_id": self.group.id, "partner_id": company.id,
        }, **values))

    def _approve(self, application):
        geocoder = type(self.env["base.geocoder"])
        with self.mock_mail_gateway(), patch.object(geocoder, "geo_find", return_value=LYON):
            application.with_user(self.manager).action_approve()

    def test_approval_opens_the_funds_the_level_promises_and_geolocates_the_company(self):
        application = self._application()
        self._approve(application)
        partnership = application.partnership_id
        self.assertEqual(partnership.fund_ids.credit_category_id, self.fund_credit)
        self.assertEqual(partnership.fund_ids.name, "Marketing fund")
        self.assertAlmostEqual(application.partner_id.partner_latitude, LYON[0], places=4)
        self.assertFalse(application.partner_id.is_published, "the directory only when the manager chooses it")

    def test_publish_on_approval_puts_the_company_in_the_directory(self):
        application = self._application(publish_on_approval=True)
        self._approve(application)
        self.assertTrue(application.partner_id.is_published)

    def test_unreachable_address_service_does_not_stop_the_approval(self):
        application = self._application()
        with self.mock_mail_gateway(), patch.object(requests, "get", side_effect=requests.exceptions.ConnectionError):
            application.with_user(self.manager).action_approve()
        self.assertEqual(application.state, "approved")
        self.assertTrue(application.partnership_id.fund_ids)
        self.assertFalse(application.partner_id.partner_latitude)
