import re
from datetime import timedelta

import requests

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import JsonRpcException, new_test_user, tagged

from ..models.partner_deal_registration import customer_keys
from .common_portal import PartnerPortalCase


@tagged("post_install", "-at_install")
class TestDealRegistration(PartnerPortalCase):
    """Deal registration as a request: approval, protection, conflicts resolved, rewards, the portal pages."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.channel_manager = new_test_user(
            cls.env, "pp_channel_manager",
            groups="partner_program.group_partner_program_user,sales_team.group_sale_salesman_all_leads")
        cls.group = cls.env["partner.group"].create({
            "name": "Deal group", "destination_url": "/", "grade_id": cls.grade_bronze.id,
            "type_id": cls.env["partner.type"].create({"name": "Deal type"}).id,
            "deal_protection_days": 30, "deal_team_id": cls.team.id, "deal_stage_id": cls.stage_proposition.id,
            "user_id": cls.channel_manager.id,
            "deal_registration_intro": "Register only deals above 5000 euros.",
        })
        cls.question = cls.env["partner.group.question"].create({
            "group_id": cls.group.id, "form": "deal_registration", "name": "Budget approved?",
            "field_type": "selection", "options": "Yes\nNo", "required": True,
        })
        (cls.reseller_a | cls.reseller_b).partner_group_id = cls.group
        Offer = cls.env["partner.offer"]
        cls.offer_approved = Offer.create({"name": "Registration bonus", "group_id": cls.group.id,
                                           "trigger": "registration_approved", "amount": 100})
        cls.offer_won = Offer.create({"name": "Registered win", "group_id": cls.group.id,
                                      "trigger": "registration_won", "reward_type": "percent", "percent": 10})

    def _deal(self, **values):
        return dict({
            "partner_name": "Gerland Robotics SAS",
            "contact_name": "Nora Petit",
            "email_from": "nora@gerland-robotics.example.org",
            "name": "Robot fleet maintenance",
            "expected_revenue": "30000",
            "question_%s" % self.question.id: "Yes",
        }, **values)

    def _register(self, **values):
        return self._post("/my/registrations/new", self._deal(**values), csrf_from="/my/registrations/new")

    def _token_from(self, url):
        """The page's CSRF token (pages without a form still give one to their scripts)."""
        return re.search(r'csrf_token: "([^"]+)"', self.url_open(url).text).group(1)

    def _registration(self, name="Robot fleet maintenance", partner=None):
        return self.env["partner.deal.registration"].search(
            [("name", "=", name), ("partner_id", "=", (partner or self.reseller_a).id)])

    def _rewards(self, registration):
        return self.env["partner.reward"].search([("lead_id", "=", registration.lead_id.id)]) \
            if registration.lead_id else self.env["partner.reward"]

    # ------------------------------------------------------------------ request, approval, portal
    def test_registration_waits_then_one_click_approval_protects_and_converts(self):
        self._login(self.user_a)
        form = self.url_open("/my/registrations/new").text
        self.assertIn("Register only deals above 5000 euros.", form)
        self.assertIn("Budget approved?", form)
        response = self._register()
        self.assertEqual(response.status_code, 303)
        registration = self._registration()
        self.assertTrue(response.headers["Location"].endswith("/my/registration/%s" % registration.id))
        self.assertEqual(registration.state, "submitted")
        self.assertFalse(registration.lead_id, "no opportunity before approval")
        self.assertIn("Budget approved?: Yes", registration.answers)
        page = self.url_open(response.headers["Location"]).text
        self.assertIn("Under review", page)
        self.assertTrue(registration.activity_ids.filtered(lambda act: act.user_id == self.channel_manager))

        registration.with_user(self.channel_manager).action_approve()
        self.assertEqual(registration.state, "approved")
        self.assertTrue(registration.protected)
        end = fields.Date.context_today(registration) + timedelta(days=30)
        self.assertEqual(registration.protection_end, end)
        opportunity = registration.lead_id
        self.assertEqual((opportunity.type, opportunity.partner_assigned_id, opportunity.team_id, opportunity.stage_id),
                         ("opportunity", self.reseller_a, self.team, self.stage_proposition))
        self.assertEqual(opportunity.expected_revenue, 30000)
        self.assertGreaterEqual(registration.approval_hours, 0)
        page = self.url_open("/my/registration/%s" % registration.id).text
        self.assertIn("Approved, protected", page)
        listing = self.url_open("/my/registrations").text
        self.assertIn("Robot fleet maintenance", listing)
        self.assertIn("30,000", listing)
        # reward for the approval: fired once by our side
        self.assertEqual(self._rewards(registration).mapped("amount"), [100])
        with self.assertRaises(UserError):
            registration.with_user(self.channel_manager).action_approve()
        self.assertEqual(len(self._rewards(registration)), 1)

    def test_reseller_cannot_approve_or_read_others(self):
        self._login(self.user_a)
        self._register()
        registration = self._registration()
        with self.assertRaises(AccessError):
            registration.with_user(self.user_a).action_approve()
        with self.assertRaises(AccessError):
            registration.with_user(self.user_a).write({"state": "approved"})
        self._login(self.user_b)
        response = self.url_open("/my/registration/%s" % registration.id)
        self.assertEqual(response.status_code, 404)
        self.assertNotIn("Gerland", response.text)
        self.assertEqual(self.url_open("/my/registration/999999999").status_code, 404)
        self.assertNotIn("Robot fleet", self.url_open("/my/registrations").text)
        self.assertFalse(self.env["partner.deal.registration"].with_user(self.user_b).search(
            [("id", "=", registration.id)]))
        self.logout()
        response = self.url_open("/my/registration/%s" % registration.id, allow_redirects=False)
        self.assertIn(response.status_code, (302, 303))
        self.assertIn("/web/login", response.headers["Location"])

    def test_reseller_talks_with_the_channel_team_on_its_registration_only(self):
        self._login(self.user_a)
        self._register()
        registration = self._registration()
        self.make_jsonrpc_request("/mail/message/post", {
            "thread_model": "partner.deal.registration", "thread_id": registration.id,
            "post_data": {"body": "They sign next week.", "message_type": "comment",
                          "subtype_xmlid": "mail.mt_comment"}})
        message = registration.message_ids.filtered(lambda msg: "They sign next week." in (msg.body or ""))
        self.assertEqual(message.author_id, self.contact_a)
        self._login(self.user_b)
        try:
            self.make_jsonrpc_request("/mail/message/post", {
                "thread_model": "partner.deal.registration", "thread_id": registration.id,
                "post_data": {"body": "Hijack", "message_type": "comment", "subtype_xmlid": "mail.mt_comment"}})
        except (requests.HTTPError, JsonRpcException) as error:
            self.assertIn("NotFound", str(error))
        else:
            self.fail("another reseller posted in the chatter")
        fetched = self.make_jsonrpc_request("/mail/chatter_fetch", {"thread_model": "partner.deal.registration",
                                                                   "thread_id": registration.id})
        self.assertFalse(fetched["data"]["mail.message"])
        self.assertFalse(registration.message_ids.filtered(lambda msg: "Hijack" in (msg.body or "")))

    def test_rejection_reason_is_required_and_shown_to_the_reseller(self):
        self._login(self.user_a)
        self._register()
        registration = self._registration()
        with self.assertRaises(UserError):
            registration.with_user(self.channel_manager).action_reject()
        registration.rejection_reason = "Already our direct customer."
        registration.with_user(self.channel_manager).action_reject()
        self.assertEqual(registration.state, "rejected")
        self.assertFalse(registration.lead_id)
        self.assertIn("Already our direct customer.", self.url_open("/my/registrations").text)
        self.assertIn("Already our direct customer.", self.url_open("/my/registration/%s" % registration.id).text)

    # ------------------------------------------------------------------ protection and conflicts
    def test_protected_customer_cannot_be_taken_by_another_reseller(self):
        self._login(self.user_a)
        self._register()
        mine = self._registration()
        mine.with_user(self.channel_manager).action_approve()
        self.group.deal_auto_approve = True
        self._login(self.user_b)
        # the same customer by its email domain, another contact and another spelling of the name
        response = self._register(email_from="paul@GERLAND-robotics.example.org", partner_name="Other name")
        self.assertEqual(response.status_code, 303)
        theirs = self._registration(partner=self.reseller_b)
        self.assertEqual(theirs.state, "submitted", "told it is under review, not protected")
        self.assertFalse(theirs.protected)
        self.assertEqual(theirs.conflict_ids, mine)
        self.assertNotIn("Rhône", self.url_open(response.headers["Location"]).text, "the other reseller is not named")
        with self.assertRaises(UserError):
            theirs.with_user(self.channel_manager).action_approve()
        # the same customer by its company name ("SAS", case and accents do not matter)
        self._register(name="Second", partner_name="gérland robotics", email_from="x@elsewhere.example.net")
        self.assertEqual(self._registration("Second", self.reseller_b).conflict_ids, mine)
        # a website lead for the protected customer is flagged for the salesperson
        lead = self.env["crm.lead"].create({"name": "Contact form", "email_from": "boss@gerland-robotics.example.org"})
        self.assertEqual(lead.protected_registration_id, mine)
        self.assertIn("Protected customer", lead.message_ids[0].body)
        other = self.env["crm.lead"].create({"name": "Gmail", "email_from": "someone@gmail.com"})
        self.assertFalse(other.protected_registration_id, "a mailbox provider names no customer")

    def test_manager_picks_the_winner_and_the_losers_are_told_without_naming_it(self):
        self._login(self.user_a)
        self._register()
        registration_a = self._registration()
        self._login(self.user_b)
        self._register(contact_name="Paul")
        registration_b = self._registration(partner=self.reseller_b)
        self.assertEqual(registration_a.conflict_ids, registration_b)
        self.assertEqual(registration_b.conflict_ids, registration_a)
        registration_b.with_user(self.channel_manager).action_pick_winner()
        self.assertEqual(registration_b.state, "approved")
        self.assertTrue(registration_b.lead_id)
        self.assertEqual(registration_a.state, "rejected")
        self.assertIn("Another registration for this customer was accepted.", registration_a.rejection_reason)
        self._login(self.user_a)
        page = self.url_open("/my/registration/%s" % registration_a.id).text
        self.assertIn("Another registration for this customer was accepted.", page)
        self.assertNotIn("Saône", page)
        self.assertNotIn("Paul", page)

    def test_open_leads_of_other_resellers_are_shown_as_competitors(self):
        self._login(self.user_a)
        self._register(name="Bikes deal", partner_name="Oullins Bikes", email_from="max@oullins-bikes.example.com")
        registration = self._registration("Bikes deal")
        self.assertEqual(registration.conflict_lead_ids, self.opp_b)
        self.assertEqual(registration.conflict_count, 1)
        registration.with_user(self.channel_manager).action_approve()
        self.assertEqual(registration.lead_id.partner_conflict_ids, self.opp_b, "the salesperson sees it too")
        self.assertIn(self.env.ref("partner_program.tag_registration_conflict"), registration.lead_id.tag_ids)

    def test_expiry_frees_the_customer(self):
        self._login(self.user_a)
        self._register()
        registration = self._registration()
        registration.with_user(self.channel_manager).action_approve()
        registration.protection_end = fields.Date.context_today(registration) - timedelta(days=1)
        self.env["partner.deal.registration"]._cron_expire()
        self.assertEqual(registration.state, "expired")
        self.assertFalse(registration.protected)
        self.assertIn("protection of this customer has ended", self.url_open(
            "/my/registration/%s" % registration.id).text)
        self._login(self.user_b)
        self._register()
        registration_b = self._registration(partner=self.reseller_b)
        registration_b.with_user(self.channel_manager).action_approve()
        self.assertTrue(registration_b.protected)

    # ------------------------------------------------------------------ rewards
    def test_automatic_approval_and_partner_close_never_reward_the_partner(self):
        self.group.write({"deal_auto_approve": True, "deal_partner_can_close": True})
        self._login(self.user_a)
        self._register()
        registration = self._registration()
        self.assertEqual(registration.state, "approved", "approved at once: no conflict, the group says so")
        self.assertFalse(self._rewards(registration), "the partner's own submission fires no reward")
        token = self._csrf("/my/registration/%s" % registration.id)
        response = self._post("/my/registration/%s/close" % registration.id, {"won": "1"}, token=token)
        self.assertEqual(response.status_code, 303)
        self.assertEqual(registration.lead_id.won_status, "won")
        self.assertFalse(self._rewards(registration), "won by the partner itself: no reward")

    def test_deal_won_by_our_side_rewards_a_percentage_once(self):
        self._login(self.user_a)
        self._register()
        registration = self._registration()
        registration.with_user(self.channel_manager).action_approve()
        registration.lead_id.with_user(self.channel_manager).action_set_won()
        rewards = self._rewards(registration)
        self.assertEqual(sorted(rewards.mapped("amount")), [100, 3000])
        self.assertEqual(rewards.partner_id, self.reseller_a)
        self.env["partner.reward"]._grant_registrations(registration, "registration_won")
        self.assertEqual(len(self._rewards(registration)), 2, "one per offer and registration")

    def test_partner_cannot_close_when_the_group_does_not_allow_it(self):
        self.group.deal_auto_approve = True
        self._login(self.user_a)
        self._register()
        registration = self._registration()
        self.assertNotIn("Mark as won", self.url_open("/my/registration/%s" % registration.id).text)
        token = self._token_from("/my/registration/%s" % registration.id)
        response = self._post("/my/registration/%s/close" % registration.id, {"won": "1"}, token=token)
        self.assertEqual(response.status_code, 400)
        self.assertEqual(registration.lead_id.won_status, "pending")
        self._login(self.user_b)
        response = self._post("/my/registration/%s/close" % registration.id, {"won": "1"},
                              token=self._token_from("/my/registrations"))
        self.assertEqual(response.status_code, 404)

    # ------------------------------------------------------------------ the form
    def test_group_questions_required_and_bad_input_refused(self):
        self._login(self.user_a)
        response = self._register(**{"question_%s" % self.question.id: ""})
        self.assertEqual(response.status_code, 400)
        self.assertIn("question_%s" % self.question.id, re.findall(r'data-error-field="(\w+)"', response.text))
        response = self._register(partner_name="A\x00B", description="x" * 1_000_000, expected_revenue="nan",
                                  vat="FR" * 40)
        self.assertEqual(response.status_code, 400)
        self.assertEqual(sorted(re.findall(r'data-error-field="(\w+)"', response.text)),
                         ["description", "expected_revenue", "partner_name", "vat"])
        response = self._register(expected_revenue="-5")
        self.assertEqual(response.status_code, 400)
        self.assertFalse(self.env["partner.deal.registration"].search([("partner_id", "=", self.reseller_a.id)]))

    def test_deal_registration_switched_off_for_the_group(self):
        self.group.allow_deal_registration = False
        self._login(self.user_a)
        self.assertEqual(self.url_open("/my/registrations/new").status_code, 403)
        response = self._post("/my/registrations/new", self._deal(), token=self._token_from("/my/registrations"))
        self.assertEqual(response.status_code, 403)
        self.assertFalse(self._registration())

    def test_home_card_and_double_submission(self):
        self._login(self.user_a)
        self.assertIn("/my/registrations", self.url_open("/my").text)
        first = self._register()
        second = self._register()
        self.assertEqual(first.headers["Location"], second.headers["Location"])
        self.assertEqual(len(self._registration()), 1)

    def test_customer_keys(self):
        self.assertEqual(customer_keys("Nora@Acme.Example.com", "ACMÉ S.A.S.", "fr 12-345"),
                         ("acme.example.com", "acme", "FR12345"))
        self.assertEqual(customer_keys("x@gmail.com", "Acme Company Ltd", False), (False, "acme", False))
        self.assertEqual(customer_keys(False, "", ""), (False, False, False))

    def test_reporting_by_partner_and_state_with_approval_time_and_win_rate(self):
        self._login(self.user_a)
        self._register()
        self._register(name="Lost one", partner_name="Other Customer", email_from="x@other-customer.example.org")
        won, lost = self._registration(), self._registration("Lost one")
        (won | lost).with_user(self.channel_manager).action_approve()
        won.lead_id.with_user(self.channel_manager).action_set_won()
        lost.lead_id.with_user(self.channel_manager).action_set_lost()
        rows = self.env["partner.deal.registration"].with_user(self.channel_manager)._read_group(
            [("partner_id", "=", self.reseller_a.id)], ["partner_id", "state"],
            ["__count", "win_rate:avg", "approval_hours:avg"])
        self.assertEqual([(partner, state, count, rate) for partner, state, count, rate, _hours in rows],
                         [(self.reseller_a, "approved", 2, 50.0)])
        action = self.env.ref("partner_program.partner_deal_registration_action_report")
        self.assertTrue(action.view_mode.startswith("pivot,graph"))


@tagged("post_install", "-at_install")
class TestDealRegistrationTour(PartnerPortalCase):
    # The first backend page of a fresh test database builds the web client's assets in one request while the
    # browser's other requests wait for the test cursor: on a loaded machine longer than Odoo's 20 s.
    test_cursor_lock_timeout = 120

    def test_register_then_manager_approves_then_partner_sees_the_protection(self):
        manager = new_test_user(self.env, "pp_tour_channel_manager",
                                groups="partner_program.group_partner_program_user")
        group = self.env["partner.group"].create({
            "name": "Tour deal group", "destination_url": "/", "grade_id": self.grade_bronze.id,
            "type_id": self.env["partner.type"].create({"name": "Tour deal type"}).id, "deal_protection_days": 60,
        })
        self.reseller_a.partner_group_id = group
        # another reseller works the same customer: the manager (no Sales rights) sees the conflict counted
        competing = self._portal_lead("Robotics lead of B", self.reseller_b, type="opportunity",
                                      email_from="buyer@tour-customer-robotics.example.org")
        self.start_tour("/my/registrations", "partner_program_deal_registration", login=self.user_a.login)
        registration = self.env["partner.deal.registration"].search([("name", "=", "Tour registered deal")])
        self.assertEqual((registration.state, registration.partner_id, registration.expected_revenue),
                         ("submitted", self.reseller_a, 12000))
        # the channel manager's click, in the backend: Partner Program > Deal Registrations, open it, Approve
        self.start_tour("/odoo", "partner_program_deal_registration_approve", login=manager.login)
        registration.invalidate_recordset()
        self.assertEqual((registration.state, registration.protected, registration.protection_end),
                         ("approved", True, fields.Date.context_today(registration) + timedelta(days=60)))
        self.assertEqual((registration.lead_id.partner_assigned_id, registration.lead_id.type,
                          registration.lead_id.partner_conflict_ids), (self.reseller_a, "opportunity", competing))
        self.start_tour("/my/registrations", "partner_program_deal_registration_approved", login=self.user_a.login)
