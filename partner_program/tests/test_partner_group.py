from psycopg2 import IntegrityError

from odoo.exceptions import ValidationError
from odoo.tools import mute_logger

from .common_referral import ReferralCase


class TestPartnerGroup(ReferralCase):
    """Groups: one default per company, safe destinations, statistics computed set-based."""

    def test_choosing_a_new_default_group_unticks_the_previous_one(self):
        self.assertEqual(self.env["partner.group"]._get_default_group(), self.group)
        self.assertFalse(self.env.ref("partner_program.partner_group_resellers").is_default,
                         "the demo default was unticked when the test group became the default")
        self.group_consultants.is_default = True
        self.assertFalse(self.group.is_default)
        self.assertEqual(self.env["partner.group"]._get_default_group(), self.group_consultants)
        self.group_consultants.action_archive()
        self.assertFalse(self.group_consultants.is_default, "an archived group is nobody's default")

    def test_the_database_refuses_two_default_groups(self):
        self.env["partner.group"].flush_model()
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"), self.env.cr.savepoint():
            self.env.cr.execute("UPDATE partner_group SET is_default = TRUE WHERE id = %s", [self.group_consultants.id])

    def test_destination_is_a_web_address_or_a_page_of_this_website(self):
        for url in ("javascript:alert(1)", "//evil.example", "ftp://files.example.com", "https://", "evil.example",
                    "/\\evil.example", "https://user@evil.example", "https://www.example.com/a b"):
            with self.subTest(url=url), self.assertRaises(ValidationError), self.env.cr.savepoint():
                self.group.destination_url = url
        for url in ("/pricing", "https://www.example.com/", "http://example.com/landing?x=1"):
            self.group.destination_url = url
            self.assertEqual(self.group.destination_url, url)

    def test_destination_carries_the_groups_utm_parameters(self):
        self.assertEqual(self.group.destination_preview,
                         "https://www.example.com/pricing?lang=en&utm_source=Referral&utm_medium=Website")
        self.group.write({"destination_url": "/contactus?utm_source=spoofed", "utm_medium_id": False})
        self.assertEqual(self.group.destination_preview, "/contactus?utm_source=Referral")

    def test_statistics_count_members_clicks_signups_and_won_revenue(self):
        self.env["partner.referral.link"]._register_click(self.link_a.code)
        self.env["partner.referral.link"]._register_click(self.link_a.code)
        self.env["partner.referral.link"]._register_click(self.link_b.code)
        self._referred_lead(self.partner_a)
        won = self._referred_lead(self.partner_b, type="opportunity", expected_revenue=12000)
        won.action_set_won()
        lost = self._referred_lead(self.partner_b)
        lost.action_set_lost()
        self.env["crm.lead"].create({"name": "Submitted", "referral_partner_id": self.partner_a.id,
                                     "referral_group_id": self.group.id, "partner_submitted": True})
        self.env["crm.lead"].create({"name": "Not from a partner"})
        self.group.invalidate_recordset()
        self.assertEqual(
            (self.group.partner_count, self.group.click_count, self.group.signup_count,
             self.group.submitted_count, self.group.won_revenue),
            (2, 3, 3, 1, 12000),
        )
        self.assertEqual((self.group_consultants.partner_count, self.group_consultants.click_count,
                          self.group_consultants.signup_count, self.group_consultants.won_revenue), (0, 0, 0, 0))

    def test_statistics_cost_the_same_few_queries_for_any_number_of_groups(self):
        groups = self.env["partner.group"].create([
            {"name": "Stats %s" % index, "type_id": self.type_reseller.id, "grade_id": self.grade_bronze.id}
            for index in range(10)
        ])
        for partner_index in range(10):
            self._reseller("Stats reseller %s" % partner_index, partner_group_id=groups[partner_index].id)
        self.env.invalidate_all()
        with self.assertQueryCount(4):
            self.assertEqual(self.group.partner_count, 2)
        self.env.invalidate_all()
        with self.assertQueryCount(4):
            (groups | self.group).mapped("won_revenue")
