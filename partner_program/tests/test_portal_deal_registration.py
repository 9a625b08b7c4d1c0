import re

from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common_portal import PartnerPortalCase


@tagged("post_install", "-at_install")
class TestPortalDealRegistration(PartnerPortalCase):
    """"New opportunity" from /my/opportunities: deal registration and conflicts between resellers."""

    def _deal(self, **values):
        return dict({
            "partner_name": "Gerland Robotics",
            "contact_name": "Nora Petit",
            "email_from": "nora@gerland-robotics.example.com",
            "name": "Robot fleet maintenance",
            "description": "Ten robots, two sites.\nWants a quote in May.",
            "expected_revenue": "30000",
            "date_deadline": "2099-06-30",
        }, **values)

    def _register(self, **values):
        return self._post("/my/opportunities/new", self._deal(**values), csrf_from="/my/opportunities/new")

    def _registered(self, name="Robot fleet maintenance"):
        return self.env["crm.lead"].search([("name", "=", name)])

    def _registration(self, name="Robot fleet maintenance"):
        return self.env["partner.deal.registration"].search([("name", "=", name)])

    def test_registration_creates_an_opportunity_of_my_company_for_its_salesperson(self):
        # A reseller in no group: approved at once when nobody competes (as before registrations needed approval).
        self._login(self.user_a)
        response = self._register()
        self.assertEqual(response.status_code, 303)
        deal = self._registered()
        self.assertEqual(len(deal), 1)
        registration = self._registration()
        self.assertEqual(registration.state, "approved")
        self.assertEqual(deal.deal_registration_id, registration)
        self.assertTrue(response.headers["Location"].endswith("/my/registration/%s" % registration.id))
        self.assertEqual(deal.type, "opportunity")
        self.assertEqual(deal.partner_assigned_id, self.reseller_a)
        self.assertEqual(deal.user_id, self.salesperson)
        self.assertEqual((deal.partner_name, deal.contact_name, deal.email_from),
                         ("Gerland Robotics", "Nora Petit", "nora@gerland-robotics.example.com"))
        self.assertEqual(deal.expected_revenue, 30000)
        self.assertEqual(str(deal.date_deadline), "2099-06-30")
        self.assertIn("Wants a quote in May.", deal.description)
        self.assertIn(self.env.ref("partner_program.tag_registered_by_partner"), deal.tag_ids)
        self.assertNotIn(self.env.ref("partner_program.tag_registration_conflict"), deal.tag_ids)
        self.assertFalse(deal.partner_conflict_ids)
        self.assertIn(self.contact_a, deal.message_partner_ids, "the reseller follows its deal")
        page = self.url_open(response.headers["Location"])
        self.assertIn("Your deal registration is sent", page.text)
        self.assertIn("Approved, protected", page.text)
        self.assertIn(deal.name, self.url_open("/my/opportunities").text)

    def test_conflict_with_another_resellers_customer_waits_for_the_channel_team(self):
        # Intended change: a registration competing with another reseller's open deal is no opportunity yet; it
        # waits under review with the competitor shown to our staff only.
        self._login(self.user_a)
        # Same email as B's open opportunity (case and spaces do not matter), then same company name.
        for values, name in (({"email_from": " MAX@oullins-bikes.example.com"}, "Deal by email"),
                             ({"partner_name": "oullins BIKES", "email_from": "someone@else.example.com"},
                              "Deal by company name")):
            response = self._register(name=name, **values)
            self.assertEqual(response.status_code, 303)
            self.assertFalse(self._registered(name), "no opportunity before the channel team decides")
            registration = self._registration(name)
            self.assertEqual(registration.partner_id, self.reseller_a, "the registration is recorded anyway")
            self.assertEqual(registration.state, "submitted")
            self.assertEqual(registration.conflict_lead_ids, self.opp_b)
            todo = registration.activity_ids.filtered(lambda activity: activity.user_id == self.salesperson)
            self.assertEqual(todo.summary, "Deal registration to review")
            # Nothing of the other reseller reaches me: not on the page, not through the chatter.
            page = self.url_open(response.headers["Location"]).text
            self.assertIn("Under review", page)
            for secret in ("Saône", "Oullins Bikes", "Secret opportunity", "max@", "onflict"):
                self.assertNotIn(secret, page)
            fetched = self.make_jsonrpc_request("/mail/chatter_fetch", {"thread_model": "partner.deal.registration",
                                                                       "thread_id": registration.id})
            self.assertNotIn("Saône", str(fetched))
        self.assertEqual(self.opp_b.partner_assigned_id, self.reseller_b, "the other reseller keeps its deal")
        # Reading the competitors myself is refused.
        registration = self._registration("Deal by email")
        with self.assertRaises(AccessError):
            registration.with_user(self.user_a).read(["conflict_lead_ids"])

    def test_no_conflict_with_my_own_company_or_closed_deals(self):
        self.opp_b.action_set_lost()
        self._login(self.user_a)
        self._register(name="Deal like my own", email_from="zoe@vaise-print.example.com")
        self._register(name="Deal like a lost one", email_from="max@oullins-bikes.example.com")
        self.assertFalse(self._registration("Deal like my own").conflict_lead_ids)
        self.assertFalse(self._registration("Deal like a lost one").conflict_lead_ids)
        self.assertTrue(self._registered("Deal like my own"), "approved at once: nobody competes")

    def test_missing_or_wrong_fields_name_them_and_create_nothing(self):
        self._login(self.user_a)
        token = self._csrf("/my/opportunities/new")
        response = self._post("/my/opportunities/new", {"description": "only this"}, token=token)
        self.assertEqual(response.status_code, 400)
        self.assertEqual(sorted(re.findall(r'data-error-field="(\w+)"', response.text)),
                         ["contact_name", "email_from", "name", "partner_name"])
        self.assertIn("only this", response.text, "what was typed is kept")
        response = self._post("/my/opportunities/new", self._deal(email_from="nora at gerland",
                                                                  expected_revenue="-1", date_deadline="June"),
                              token=token)
        self.assertEqual(response.status_code, 400)
        self.assertEqual(sorted(re.findall(r'data-error-field="(\w+)"', response.text)),
                         ["date_deadline", "email_from", "expected_revenue"])
        self.assertFalse(self._registered())

    def test_users_of_a_company_without_level_cannot_register(self):
        self._login(self.user_customer)
        self.assertEqual(self.url_open("/my/opportunities/new").status_code, 403)
        response = self._post("/my/opportunities/new", self._deal(), token=self._token_from("/my"))
        self.assertEqual(response.status_code, 403)
        self.assertFalse(self._registered())

    def _token_from(self, url):
        """The page's CSRF token (pages without a form still give one to their scripts)."""
        match = re.search(r'csrf_token: "([^"]+)"', self.url_open(url).text)
        return match.group(1)

    def test_the_same_deal_sent_twice_is_registered_once(self):
        self._login(self.user_a)
        first = self._register()
        second = self._register()
        deal = self._registered()
        self.assertEqual(len(deal), 1)
        self.assertEqual(first.headers["Location"], second.headers["Location"])
        self.assertTrue(second.headers["Location"].endswith("/my/registration/%s" % deal.deal_registration_id.id))

    def test_another_title_or_another_reseller_is_another_deal(self):
        self._login(self.user_a)
        self._register()
        self._register(name="Second site")
        self.assertEqual(len(self._registered()), 1)
        self.assertEqual(len(self._registered("Second site")), 1)
        self._login(self.user_b)
        self._register()
        self.assertEqual(len(self._registration()), 2, "B's registration of the same deal is its own (a conflict)")
        self.assertEqual(len(self._registered()), 1, "A's approved registration protects the customer")
        self.assertEqual(self._registration().filtered(lambda reg: reg.partner_id == self.reseller_b).state,
                         "submitted")
