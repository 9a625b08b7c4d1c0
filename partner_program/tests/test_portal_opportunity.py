import re

import requests

from odoo.exceptions import UserError
from odoo.tests import JsonRpcException, tagged

from .common_portal import PartnerPortalCase


@tagged("post_install", "-at_install")
class TestPortalOpportunity(PartnerPortalCase):
    """/my/opportunity/<id>: progress, contact details and the chatter with the salesperson."""

    def _update_form(self, **values):
        return dict({
            "stage_id": str(self.stage_proposition.id),
            "priority": "2",
            "expected_revenue": "12500",
            "probability": "60",
            "date_deadline": "2099-03-31",
            "activity_type_id": str(self.env.ref("mail.mail_activity_data_meeting").id),
            "activity_date_deadline": "2099-02-01",
            "activity_summary": "Proposal meeting",
        }, **values)

    def test_page_offers_only_the_stages_of_the_opportunity_team(self):
        self._login(self.user_a)
        page = self.url_open("/my/opportunity/%s" % self.opp_a.id)
        self.assertEqual(page.status_code, 200)
        options = re.findall(r'<option value="(\d+)"[^>]*>([^<]*)</option>',
                             page.text.split('name="stage_id"')[1].split("</select>")[0])
        names = {name for _id, name in options}
        self.assertIn("Tour Proposition", names)
        self.assertNotIn("Other Team Stage", names)
        self.assertNotIn("Tour Won", names)
        self.assertIn("Talk with your salesperson", page.text)
        self.assertIn('data-res_model="crm.lead"', page.text)

    def test_update_writes_stage_priority_revenue_probability_closing_and_my_activity(self):
        self._login(self.user_a)
        response = self._post("/my/opportunity/%s/update" % self.opp_a.id, self._update_form())
        self.assertEqual(response.status_code, 303)
        opportunity = self.opp_a
        self.assertEqual(opportunity.stage_id, self.stage_proposition)
        self.assertEqual(opportunity.priority, "2")
        self.assertEqual(opportunity.expected_revenue, 12500)
        self.assertEqual(opportunity.probability, 60)
        self.assertEqual(str(opportunity.date_deadline), "2099-03-31")
        activity = opportunity.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.user_a)
        self.assertEqual(activity.summary, "Proposal meeting")
        self.assertIn("Your changes are saved.", self.url_open(response.headers["Location"]).text)
        # A second update moves my activity instead of adding one.
        self._post("/my/opportunity/%s/update" % self.opp_a.id, self._update_form(
            activity_date_deadline="2099-02-08", activity_summary="Second meeting"))
        self.assertEqual(len(opportunity.activity_ids), 1)
        self.assertEqual(str(opportunity.activity_ids.date_deadline), "2099-02-08")
        self.assertEqual(opportunity.activity_ids.summary, "Second meeting")
        # Changing the stage is tracked in the chatter for the salesperson.
        self.assertIn(self.stage_proposition.name, opportunity.message_ids.tracking_value_ids.mapped("new_value_char"))

    def test_stage_of_another_team_or_a_won_stage_is_refused(self):
        self._login(self.user_a)
        token = self._csrf("/my/opportunity/%s" % self.opp_a.id)
        for stage in (self.stage_other_team, self.stage_won):
            response = self._post("/my/opportunity/%s/update" % self.opp_a.id, self._update_form(
                stage_id=str(stage.id)), token=token)
            self.assertEqual(response.status_code, 400, stage.name)
            self.assertIn("Choose one of the stages of this opportunity", response.text)
            self.assertEqual(re.findall(r'data-error-field="(\w+)"', response.text), ["stage_id"])
        self.assertEqual(self.opp_a.stage_id, self.stage_qualified)
        self.assertEqual(self.opp_a.expected_revenue, 8000, "nothing of the refused form is written")
        self.assertFalse(self.opp_a.activity_ids)

    def test_wrong_values_are_refused_and_nothing_changes(self):
        self._login(self.user_a)
        token = self._csrf("/my/opportunity/%s" % self.opp_a.id)
        cases = (({"probability": "150"}, "probability"), ({"expected_revenue": "lots"}, "expected_revenue"),
                 ({"priority": "9"}, "priority"), ({"date_deadline": "soon"}, "date_deadline"),
                 ({"activity_type_id": ""}, "activity_type_id"))
        for values, field in cases:
            response = self._post("/my/opportunity/%s/update" % self.opp_a.id, self._update_form(**values),
                                  token=token)
            self.assertEqual(response.status_code, 400, values)
            self.assertIn('data-error-field="%s"' % field, response.text)
        self.assertEqual(self.opp_a.stage_id, self.stage_qualified)
        self.assertEqual(self.opp_a.expected_revenue, 8000)

    def test_contact_update_changes_the_contact_details_only(self):
        customer = self.env["res.partner"].create({"name": "Vaise Print", "email": "zoe@vaise-print.example.com"})
        self.opp_a.partner_id = customer
        state = self.env["res.country.state"].search([("country_id", "=", self.us.id)], limit=1)
        self.assertTrue(state)
        self._login(self.user_a)
        response = self._post("/my/opportunity/%s/contact" % self.opp_a.id, {
            "partner_name": "Vaise Print & Co", "contact_name": "Zoé Martin", "email_from": "zoe@vaise.example.com",
            "phone": "+33 4 78 00 00 00", "street": "1 Quai Arloing", "street2": "", "zip": "69009",
            "city": "Lyon", "country_id": str(self.us.id), "state_id": str(state.id)})
        self.assertEqual(response.status_code, 303)
        opportunity = self.opp_a
        self.assertEqual(opportunity.partner_name, "Vaise Print & Co")
        self.assertEqual(opportunity.contact_name, "Zoé Martin")
        self.assertEqual(opportunity.email_from, "zoe@vaise.example.com")
        self.assertEqual(opportunity.phone, "+33 4 78 00 00 00")
        self.assertEqual((opportunity.street, opportunity.zip, opportunity.city), ("1 Quai Arloing", "69009", "Lyon"))
        self.assertEqual((opportunity.country_id, opportunity.state_id), (self.us, state))
        # The customer record is the salesperson's: the reseller's correction does not spread to it.
        self.assertEqual(customer.email, "zoe@vaise-print.example.com")
        self.assertFalse(customer.phone)

    def test_contact_update_with_a_forbidden_field_is_refused(self):
        self._login(self.user_a)
        token = self._csrf("/my/opportunity/%s" % self.opp_a.id)
        for forbidden in ({"expected_revenue": "1"}, {"partner_assigned_id": str(self.reseller_b.id)},
                          {"user_id": str(self.user_a.id)}, {"name": "Renamed"}):
            response = self._post("/my/opportunity/%s/contact" % self.opp_a.id,
                                  dict({"phone": "+33 9 99 99 99 99"}, **forbidden), token=token)
            self.assertEqual(response.status_code, 400, forbidden)
            self.assertIn("can be changed here, not: %s" % list(forbidden)[0], response.text)
        opportunity = self.opp_a
        self.assertFalse(opportunity.phone, "the allowed field posted along is not written either")
        self.assertEqual(opportunity.expected_revenue, 8000)
        self.assertEqual(opportunity.partner_assigned_id, self.reseller_a)
        self.assertEqual(opportunity.user_id, self.salesperson)
        self.assertEqual(opportunity.name, "Opportunity of A - Vaise Print")
        # Wrong values in allowed fields are refused field by field.
        state_elsewhere = self.env["res.country.state"].search([("country_id", "=", self.us.id)], limit=1)
        self.assertTrue(state_elsewhere)
        response = self._post("/my/opportunity/%s/contact" % self.opp_a.id, {
            "email_from": "not an email", "country_id": str(self.fr.id), "state_id": str(state_elsewhere.id)},
            token=token)
        self.assertEqual(response.status_code, 400)
        self.assertEqual(sorted(re.findall(r'data-error-field="(\w+)"', response.text)), ["email_from", "state_id"])
        self.assertEqual(opportunity.email_from, "zoe@vaise-print.example.com")

    def test_reseller_talks_with_the_salesperson_in_the_chatter(self):
        self.opp_a.message_subscribe(partner_ids=self.salesperson.partner_id.ids)
        self._login(self.user_a)
        self.make_jsonrpc_request("/mail/message/post", {
            "thread_model": "crm.lead", "thread_id": self.opp_a.id,
            "post_data": {"body": "We met them today.", "message_type": "comment",
                          "subtype_xmlid": "mail.mt_comment"}})
        message = self.opp_a.message_ids.filtered(lambda msg: "We met them today." in msg.body)
        self.assertEqual(message.author_id, self.contact_a)
        self.assertIn(self.salesperson.partner_id, message.notification_ids.res_partner_id)
        # The portal chatter shows it back, and the salesperson's answer.
        self.opp_a.with_user(self.salesperson).message_post(body="Great, send the proposal.",
                                                             message_type="comment", subtype_xmlid="mail.mt_comment")
        fetched = self.make_jsonrpc_request("/mail/chatter_fetch", {"thread_model": "crm.lead",
                                                                   "thread_id": self.opp_a.id})
        bodies = " ".join(str(msg["body"]) for msg in fetched["data"]["mail.message"])
        self.assertIn("We met them today.", bodies)
        self.assertIn("Great, send the proposal.", bodies)
        # Another reseller can neither post nor read there.
        self._login(self.user_b)
        try:
            self.make_jsonrpc_request("/mail/message/post", {
                "thread_model": "crm.lead", "thread_id": self.opp_a.id,
                "post_data": {"body": "Hijack", "message_type": "comment", "subtype_xmlid": "mail.mt_comment"}})
        except (requests.HTTPError, JsonRpcException) as error:
            self.assertIn("NotFound", str(error))
        else:
            self.fail("another reseller posted in the chatter")
        fetched = self.make_jsonrpc_request("/mail/chatter_fetch", {"thread_model": "crm.lead",
                                                                   "thread_id": self.opp_a.id})
        self.assertFalse(fetched["data"]["mail.message"])
        self.assertFalse(self.opp_a.message_ids.filtered(lambda msg: "Hijack" in (msg.body or "")))

    def test_won_or_lost_opportunity_cannot_be_updated(self):
        self.opp_a.action_set_won()
        self._login(self.user_a)
        page = self.url_open("/my/opportunity/%s" % self.opp_a.id)
        self.assertIn("Won", page.text)
        self.assertNotIn("o_pp_update_form", page.text)
        with self.assertRaisesRegex(UserError, "Only open opportunities"):
            self.opp_a.with_user(self.user_a).update_lead_portal({"priority": "3"})

    def test_contact_details_of_a_won_or_lost_opportunity_are_refused(self):
        """The page hides the contact form of a closed opportunity; the model refuses it too."""
        self._login(self.user_a)
        token = self._csrf("/my/opportunity/%s" % self.opp_a.id)
        for close in ("action_set_won", "action_set_lost"):
            opportunity = self._portal_lead("Closed opportunity of A (%s)" % close, self.reseller_a,
                                            type="opportunity", stage_id=self.stage_qualified.id,
                                            partner_name="Closed Co", phone="+33 1 00 00 00 00")
            getattr(opportunity, close)()
            page = self.url_open("/my/opportunity/%s" % opportunity.id)
            self.assertNotIn("o_pp_contact_form", page.text)
            response = self._post("/my/opportunity/%s/contact" % opportunity.id,
                                  {"partner_name": "Renamed Co", "phone": "+33 9 99 99 99 99"}, token=token)
            self.assertEqual(response.status_code, 400, close)
            self.assertIn("Only open opportunities can be updated.", response.text)
            opportunity.invalidate_recordset()
            self.assertEqual((opportunity.partner_name, opportunity.phone), ("Closed Co", "+33 1 00 00 00 00"))
            with self.assertRaisesRegex(UserError, "Only open opportunities"):
                opportunity.with_user(self.user_a).update_contact_details_portal({"phone": "+33 9 99 99 99 99"})
