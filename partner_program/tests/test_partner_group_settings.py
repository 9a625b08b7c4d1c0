from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common_referral import ReferralHttpCase


@tagged("post_install", "-at_install")
class TestPartnerGroupSettings(ReferralHttpCase):
    """Settings that would break every click of the group's links are refused when saved."""

    def test_absurd_attribution_periods_are_refused(self):
        for days in (10 ** 7, 3651, 0, -1):
            with self.subTest(days=days), self.assertRaises(ValidationError), self.env.cr.savepoint():
                self.group.write({"cookie_days": days})
        self.group.write({"cookie_days": 3650})
        self._login(None)
        response = self.url_open("/r/%s" % self.link_a.code, allow_redirects=False)
        self.assertEqual(response.status_code, 302, "ten years is the longest period, and still works")

    def test_control_and_separator_characters_in_a_destination_are_refused(self):
        for url in ("https://www.example.com/\u2028next", "https://www.example.com/a\u2029", "/pricing\u0085",
                    "/pricing\u200b", "https://www.example.com/a\u00a0b", "/pricing\u202e"):
            with self.subTest(url=url), self.assertRaises(ValidationError), self.env.cr.savepoint():
                self.group.write({"destination_url": url})
        self.group.write({"destination_url": "https://www.example.com/caf\u00e9"})  # letters of any script
