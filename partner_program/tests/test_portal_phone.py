from odoo.tests import HttpCase, tagged

# Fails with the elements that stick out to the right, so the fix is obvious from the message.
NO_OVERFLOW = """
const overflow = document.documentElement.scrollWidth - window.innerWidth;
if (overflow > 0) {
    const wide = [...document.querySelectorAll("#wrap *")]
        .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1)
        .slice(0, 5)
        .map((el) => `${el.tagName}.${[...el.classList].join(".")}`);
    console.error(`${location.pathname} is ${overflow}px wider than a 375px phone: ${wide.join(", ")}`);
} else {
    console.log("test successful");
}
"""


@tagged("post_install", "-at_install")
class TestPortalOnAPhone(HttpCase):
    """The reseller's pages fit a 375 px wide phone: nothing scrolls sideways (tables scroll inside themselves)."""

    browser_size = "375x667"
    touch_enabled = True

    def test_program_and_referral_pages_fit_a_phone(self):
        user = self.env.ref("partner_program.user_reseller_lyon", raise_if_not_found=False)
        self.assertTrue(user, "make test installs the demo reseller")
        for path in ("/my/partner-program", "/my/referrals", "/my/leads", "/my/opportunities", "/my/rewards"):
            with self.subTest(path=path):
                self.browser_js(path, NO_OVERFLOW, login="reseller", timeout=120)

    def test_amounts_in_portal_lists_are_formatted_with_the_currency(self):
        self.assertTrue(self.env.ref("partner_program.user_reseller_lyon", raise_if_not_found=False),
                        "make test installs the demo reseller")
        self.authenticate("reseller", "reseller")
        for path in ("/my/opportunities", "/my/partner-program", "/my/rewards"):
            with self.subTest(path=path):
                page = self.url_open(path)
                self.assertEqual(page.status_code, 200)
                self.assertNotRegex(page.text, r">\s*\d+\.0\s*<", "a raw float instead of an amount")
        self.assertIn("45,000.00", self.url_open("/my/opportunities").text, "the demo's Bellecour opportunity")

    def test_lead_list_search_says_what_it_searches(self):
        self.assertTrue(self.env.ref("partner_program.user_reseller_lyon", raise_if_not_found=False),
                        "make test installs the demo reseller")
        self.authenticate("reseller", "reseller")
        page = self.url_open("/my/leads").text
        self.assertIn("Search in name, company, contact, e-mail or city", page)
        self.assertIn("Answer Before", page)

    def test_referrals_page_is_titled_referrals_and_offers_a_copy_button(self):
        self.assertTrue(self.env.ref("partner_program.user_reseller_lyon", raise_if_not_found=False),
                        "make test installs the demo reseller")
        self.authenticate("reseller", "reseller")
        page = self.url_open("/my/referrals").text
        self.assertRegex(page, r'<h2 class="mb-0">\s*Referrals\s*</h2>')
        self.assertIn("o_pp_copy_link", page)
