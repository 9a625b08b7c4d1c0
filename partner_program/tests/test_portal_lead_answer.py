import re

from odoo.tests import tagged

from .common import PARIS
from .common_portal import PartnerPortalCase


@tagged("post_install", "-at_install")
class TestPortalLeadAnswer(PartnerPortalCase):
    """"I'm interested" / "I'm not interested" on /my/lead/<id>, through the real routes."""

    def _messages(self, lead):
        return lead.message_ids.filtered(lambda message: message.message_type == "comment")

    def test_interested_turns_the_lead_into_my_opportunity_with_feedback_and_activity(self):
        self._login(self.user_a)
        response = self._post("/my/lead/%s/interested" % self.lead_a.id, self._interested_form())
        self.assertEqual(response.status_code, 303)
        self.assertTrue(response.headers["Location"].endswith("/my/opportunity/%s" % self.lead_a.id))
        lead = self.lead_a
        self.assertEqual(lead.type, "opportunity")
        self.assertEqual(lead.partner_assigned_id, self.reseller_a)
        self.assertEqual(lead.expected_revenue, 15000)
        self.assertTrue(lead.date_partner_accept)
        self.assertFalse(lead.date_partner_answer_due)
        feedback = self._messages(lead)
        self.assertEqual(len(feedback), 1)
        self.assertEqual(feedback.author_id, self.contact_a)
        self.assertFalse(feedback.is_internal)
        for text in ("I am interested in this lead.", "Call", "Demo of the solution", "15,000",
                     "I have contacted the customer."):
            self.assertIn(text, feedback.body)
        activity = lead.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.user_a)
        self.assertEqual(activity.activity_type_id, self.env.ref("mail.mail_activity_data_call"))
        self.assertEqual(str(activity.date_deadline), "2099-01-15")
        self.assertEqual(activity.summary, "Demo of the solution")
        self.assertIn(self.contact_a, lead.message_partner_ids, "the reseller follows its opportunity")
        page = self.url_open(response.headers["Location"])
        self.assertIn("The lead is now your opportunity", page.text)
        self.assertIn("Demo of the solution", page.text)
        # Once accepted, the lead is gone from the leads list and counted as an opportunity.
        self.assertNotIn(lead.name, self.url_open("/my/leads").text)
        self.assertEqual(self.make_jsonrpc_request("/my/counters", {"counters": ["lead_count", "opp_count"]}),
                         {"lead_count": 0, "opp_count": 2})

    def test_interested_by_a_contact_assigns_the_opportunity_to_the_company(self):
        lead = self._portal_lead("Lead of a contact", self.contact_a2)
        self._login(self.user_a)
        response = self._post("/my/lead/%s/interested" % lead.id, self._interested_form())
        self.assertEqual(response.status_code, 303)
        self.assertEqual(lead.type, "opportunity")
        self.assertEqual(lead.partner_assigned_id, self.reseller_a)

    def test_interested_with_a_missing_field_names_it_and_changes_nothing(self):
        self._login(self.user_a)
        token = self._csrf("/my/lead/%s" % self.lead_a.id)
        cases = {
            "activity_type_id": "Choose the type of the next activity.",
            "activity_date_deadline": "Give the date of the next activity.",
            "activity_summary": "Say what the next activity is about.",
            "expected_revenue": "Expected revenue is required.",
            "contacted": "Confirm that you have contacted the customer.",
        }
        for field, message in cases.items():
            form = self._interested_form()
            form.pop(field)
            response = self._post("/my/lead/%s/interested" % self.lead_a.id, form, token=token)
            self.assertEqual(response.status_code, 400, field)
            self.assertIn('data-error-field="%s"' % field, response.text)
            self.assertEqual(re.findall(r'data-error-field="(\w+)"', response.text), [field])
            self.assertIn(message, response.text)
            self.assertIn("nothing was saved", response.text)
            # The form stays open with what was typed.
            self.assertRegex(response.text, r'id="o_pp_interested"[^>]*class="collapse show"')
            self.assertIn('value="Demo of the solution"' if field != "activity_summary" else 'value="2099-01-15"',
                          response.text)
        response = self._post("/my/lead/%s/interested" % self.lead_a.id, {}, token=token)
        self.assertEqual(response.status_code, 400)
        self.assertEqual(sorted(re.findall(r'data-error-field="(\w+)"', response.text)), sorted(cases))
        self.lead_a.invalidate_recordset()
        self.assertEqual(self.lead_a.type, "lead")
        self.assertFalse(self.lead_a.date_partner_accept)
        self.assertFalse(self._messages(self.lead_a))
        self.assertFalse(self.lead_a.activity_ids)

    def test_interested_refuses_a_past_date_or_a_wrong_amount(self):
        self._login(self.user_a)
        token = self._csrf("/my/lead/%s" % self.lead_a.id)
        for form, field in ((self._interested_form(activity_date_deadline="2001-01-01"), "activity_date_deadline"),
                            (self._interested_form(activity_date_deadline="someday"), "activity_date_deadline"),
                            (self._interested_form(expected_revenue="a lot"), "expected_revenue"),
                            (self._interested_form(expected_revenue="-5"), "expected_revenue"),
                            (self._interested_form(activity_type_id="999999"), "activity_type_id")):
            response = self._post("/my/lead/%s/interested" % self.lead_a.id, form, token=token)
            self.assertEqual(response.status_code, 400, form)
            self.assertIn('data-error-field="%s"' % field, response.text)
        self.assertEqual(self.lead_a.type, "lead")

    def test_not_interested_declines_tags_spam_unsubscribes_and_keeps_spam_back(self):
        self.env.company.partner_reassign_auto = True
        self._reseller("Next reseller", PARIS)
        self.lead_a.message_subscribe(partner_ids=(self.contact_a | self.contact_a2).ids)
        self._login(self.user_a)
        response = self._post("/my/lead/%s/not_interested" % self.lead_a.id, {
            "comment": "Wants a free product.", "contacted": "1", "spam": "1"})
        self.assertEqual(response.status_code, 303)
        self.assertTrue(response.headers["Location"].endswith("/my/leads"))
        lead = self.lead_a
        self.assertFalse(lead.partner_assigned_id, "spam is not passed on to another reseller")
        self.assertIn(self.reseller_a, lead.partner_declined_ids)
        self.assertIn(self.env.ref("partner_program.tag_portal_lead_is_spam"), lead.tag_ids)
        self.assertTrue(lead.date_partner_decline)
        self.assertFalse((self.contact_a | self.contact_a2) & lead.message_partner_ids)
        feedback = self._messages(lead)
        self.assertEqual(len(feedback), 1)
        self.assertTrue(feedback.is_internal and feedback.subtype_id.internal,
                        "the next reseller must not read this one's feedback")
        self.assertEqual(feedback.author_id, self.contact_a)
        for text in ("I am not interested in this lead.", "I have contacted the customer.", "This lead is spam.",
                     "Wants a free product."):
            self.assertIn(text, feedback.body)
        self.assertIn(self.salesperson.partner_id, feedback.partner_ids)
        self.assertIn("the lead has left your list", self.url_open(response.headers["Location"]).text)
        self.assertEqual(self.url_open("/my/lead/%s" % lead.id).status_code, 404)

    def test_not_interested_goes_to_the_next_reseller_when_the_company_wants_it(self):
        self.env.company.partner_reassign_auto = True
        next_reseller = self._reseller("Next reseller", PARIS)
        self.reseller_b.active = False  # leave only one eligible reseller besides A
        self._login(self.user_a)
        response = self._post("/my/lead/%s/not_interested" % self.lead_a.id, {})
        self.assertEqual(response.status_code, 303)
        lead = self.lead_a
        self.assertEqual(lead.partner_assigned_id, next_reseller)
        self.assertIn(self.reseller_a, lead.partner_declined_ids)
        self.assertNotIn(self.env.ref("partner_program.tag_portal_lead_is_spam"), lead.tag_ids)
        self.assertIn("I have not contacted the customer.", self._messages(lead).body)

    def test_not_interested_leaves_the_lead_unassigned_when_reassignment_is_off(self):
        self.env.company.partner_reassign_auto = False
        self._login(self.user_a)
        self._post("/my/lead/%s/not_interested" % self.lead_a.id, {"contacted": "0"})
        self.assertFalse(self.lead_a.partner_assigned_id)
        self.assertIn(self.reseller_a, self.lead_a.partner_declined_ids)

    def test_forms_without_a_valid_csrf_token_are_refused(self):
        url = "/my/lead/%s/interested" % self.lead_a.id
        # Token of another session (reseller B's), then a token of an earlier session of the same user.
        self._login(self.user_b)
        foreign = self._csrf("/my/lead/%s" % self.lead_b.id)
        self._login(self.user_a)
        stale = self._csrf("/my/lead/%s" % self.lead_a.id)
        self.logout()
        self._login(self.user_a)
        for token in (None, "", foreign, stale, stale[:-1] + ("0" if stale[-1] != "0" else "1")):
            data = self._interested_form()
            if token is not None:
                data["csrf_token"] = token
            response = self.url_open(url, data=data, allow_redirects=False)
            self.assertEqual(response.status_code, 400, token)
            self.assertIn("CSRF", response.text)
        self.assertEqual(self.lead_a.type, "lead")
        # The token of the current page works.
        self.assertEqual(self._post(url, self._interested_form()).status_code, 303)
        self.assertEqual(self.lead_a.type, "opportunity")

    def test_answering_an_already_accepted_lead_says_so(self):
        self._login(self.user_a)
        token = self._csrf("/my/lead/%s" % self.lead_a.id)
        self.assertEqual(self._post("/my/lead/%s/interested" % self.lead_a.id, self._interested_form(),
                                    token=token).status_code, 303)
        # A second click from the stale page (or a colleague) gets a clear message, not a second opportunity.
        for url in ("/my/lead/%s/interested", "/my/lead/%s/not_interested"):
            response = self._post(url % self.lead_a.id, self._interested_form(), token=token)
            self.assertEqual(response.status_code, 409)
            self.assertIn("already", response.text)
        self.assertEqual(len(self._messages(self.lead_a)), 1)
        self.assertEqual(len(self.lead_a.activity_ids), 1)
        self.assertEqual(self.lead_a.partner_assigned_id, self.reseller_a)
