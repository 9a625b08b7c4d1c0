import html
import re

from odoo.tests import TransactionCase, tagged
from odoo.tools.translate import LazyGettext

from ..forms.form import LIMITS, Field, Form, FormError
from ..forms.reseller_portal import DEAL_REGISTRATION_FORM, OPPORTUNITY_UPDATE_FORM
from .common_directory import DirectoryHttpCase
from .common_portal import PartnerPortalCase
from .common_referral import ReferralHttpCase

NUL = "Acme\x00Corp"
OVERLONG_NAME = "x" * (LIMITS["char"] + 1)
BAD_NUMBERS = ("nan", "inf", "-inf", "1e308", "12345678901234567890", "1,5", "0x10")


def _error_fields(response):
    return sorted(re.findall(r'data-error-field="(\w+)"', response.text))


@tagged("post_install", "-at_install")
class TestFormLayer(TransactionCase):
    """The form layer itself: what it refuses, how it normalises, every error at once."""

    def setUp(self):
        super().setUp()
        self.Lead = self.env["crm.lead"].with_context(lang="en_US")

    def _errors(self, form, values, **kwargs):
        return form.validate(self.Lead, values, **kwargs)[1]

    def test_texts_are_stripped_and_control_characters_refused(self):
        form = Form(Field("name", "Name"), Field("description", "Description", "text"))
        cleaned, errors = form.validate(self.Lead, {"name": "  Acme  ", "description": " line 1\nline 2\t "})
        self.assertEqual(cleaned, {"name": "Acme", "description": "line 1\nline 2"})
        self.assertFalse(errors)
        for value in (NUL, "Acme\x07", "Acme\u2028Corp", "two\nlines"):
            errors = self._errors(form, {"name": value})
            self.assertIn("control character", errors["name"], repr(value))
        self.assertIn("control character", self._errors(form, {"description": "a\x00b"})["description"])

    def test_every_text_has_a_length_limit(self):
        form = Form(Field("name", "Name"), Field("email", "Email", "email"), Field("phone", "Phone", "phone"),
                    Field("description", "Description", "text"))
        self.assertEqual([field.size for field in form], [256, 254, 64, 10000])
        errors = self._errors(form, {"name": OVERLONG_NAME, "email": "a" * 250 + "@b.example.com",
                                     "phone": "1" * 65, "description": "x" * 10001})
        self.assertEqual(sorted(errors), ["description", "email", "name", "phone"])
        self.assertIn("at most 256 characters", errors["name"])
        for form_ in (DEAL_REGISTRATION_FORM, OPPORTUNITY_UPDATE_FORM):
            for field in form_:
                if field.type in LIMITS:
                    self.assertTrue(field.size, field.name)

    def test_numbers_are_finite_plain_decimals(self):
        form = Form(Field("amount", "Amount", "number"), Field("share", "Share", "number", maximum=100))
        for value in BAD_NUMBERS:
            errors = self._errors(form, {"amount": value})
            self.assertIn("amount", errors, value)
        self.assertIn("too many digits", self._errors(form, {"amount": "12345678901234567890"})["amount"])
        self.assertIn("cannot be negative", self._errors(form, {"amount": "-1"})["amount"])
        self.assertIn("between 0 and 100", self._errors(form, {"share": "100.5"})["share"])
        for value, number in (("1234.5", 1234.5), ("1,234.5", 1234.5), (" 1 234.50 ", 1234.5), ("0", 0.0)):
            self.assertEqual(form.validate(self.Lead, {"amount": value})[0]["amount"], number, value)

    def test_the_decimal_separator_of_the_user_language_is_accepted(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        form = Form(Field("amount", "Amount", "number"))
        Lead = self.env["crm.lead"].with_context(lang="fr_FR")
        self.assertEqual(form.validate(Lead, {"amount": "1,5"})[0]["amount"], 1.5)
        self.assertEqual(form.validate(Lead, {"amount": "1.5"})[0]["amount"], 1.5, "as <input type=number> sends it")
        self.assertEqual(form.validate(Lead, {"amount": "1\u202f234,5"})[0]["amount"], 1234.5)
        self.assertIn("amount", form.validate(self.Lead, {"amount": "1,5"})[1], "in English, 1,5 is no number")

    def test_dates_are_iso_and_choices_are_checked(self):
        opportunity = self.Lead.create({"name": "Form layer opportunity", "type": "opportunity"})
        cleaned, errors = OPPORTUNITY_UPDATE_FORM.validate(opportunity, {
            "date_deadline": "31/12/2099", "priority": "9", "stage_id": "999999999", "activity_type_id": "abc",
            "probability": "50",
        }, only_posted=True)
        self.assertEqual(cleaned, {"probability": 50.0}, "only the posted fields, when right")
        self.assertEqual(sorted(errors), ["activity_type_id", "date_deadline", "priority", "stage_id"])
        self.assertEqual(errors["priority"], "Choose a priority between 0 and 3 stars.")

    def test_all_errors_are_reported_at_once(self):
        with self.assertRaises(FormError) as caught:
            DEAL_REGISTRATION_FORM.parse(self.Lead, {
                "partner_name": NUL, "contact_name": "", "email_from": "nope", "name": OVERLONG_NAME,
                "expected_revenue": "nan", "date_deadline": "tomorrow",
            })
        errors = caught.exception.errors
        self.assertEqual(sorted(errors), ["contact_name", "date_deadline", "email_from", "expected_revenue", "name",
                                          "partner_name"])
        self.assertEqual(errors["contact_name"], "Give the name of your contact at the customer.")
        self.assertEqual(errors["email_from"], "This is not a valid email address.")

    def test_labels_are_translatable_terms(self):
        widgets = DEAL_REGISTRATION_FORM.widgets(self.Lead)
        self.assertEqual(widgets["partner_name"].label, "Customer")
        self.assertTrue(widgets["partner_name"].required)
        self.assertEqual(widgets["email_from"].maxlength, 254)
        self.assertEqual(widgets["email_from"].input_type, "email")
        # Lazy terms of this add-on: Odoo's export finds them, each language renders its translation.
        for form in (DEAL_REGISTRATION_FORM, OPPORTUNITY_UPDATE_FORM):
            for field in form:
                self.assertIsInstance(field.label, LazyGettext, field.name)
                self.assertEqual(field.label._module, "partner_program")


@tagged("post_install", "-at_install")
class TestFormLayerPortal(PartnerPortalCase):
    """Bad input through the reseller portal's forms: 400, the message under the field, nothing written."""

    def _assert_refused(self, response, fields, *messages):
        self.assertEqual(response.status_code, 400)
        self.assertEqual(_error_fields(response), sorted(fields))
        text = html.unescape(response.text)
        for message in messages:
            self.assertIn(message, text)
        self.assertIn("nothing was saved", text)

    def test_deal_registration_refuses_bad_input(self):
        self._login(self.user_a)
        deal = {"partner_name": NUL, "contact_name": OVERLONG_NAME, "email_from": "nora@gerland.example.com",
                "name": "Deal with bad input", "expected_revenue": "nan", "date_deadline": "2099-13-45"}
        response = self._post("/my/opportunities/new", deal, csrf_from="/my/opportunities/new")
        self._assert_refused(response, ["contact_name", "date_deadline", "expected_revenue", "partner_name"],
                             "control character", "at most 256 characters", "Expected revenue must be a number.")
        self.assertIn('maxlength="256"', response.text)
        for amount in ("inf", "1e308", "12345678901234567890", "1,5"):
            response = self._post("/my/opportunities/new", dict(deal, partner_name="Gerland Co", contact_name="Nora",
                                                                expected_revenue=amount),
                                  csrf_from="/my/opportunities/new")
            self._assert_refused(response, ["date_deadline", "expected_revenue"])
        self.assertFalse(self.env["crm.lead"].search([("name", "=", "Deal with bad input")]))

    def test_lead_answer_refuses_bad_input(self):
        self._login(self.user_a)
        response = self._post("/my/lead/%s/interested" % self.lead_a.id, self._interested_form(
            activity_summary="Call\x00", expected_revenue="-inf"))
        self._assert_refused(response, ["activity_summary", "expected_revenue"], "control character")
        response = self._post("/my/lead/%s/not_interested" % self.lead_a.id, {"comment": "x" * 10001})
        self._assert_refused(response, ["comment"], "at most 10000 characters")
        self.lead_a.invalidate_recordset()
        self.assertEqual((self.lead_a.type, self.lead_a.partner_assigned_id), ("lead", self.reseller_a))

    def test_opportunity_update_refuses_bad_input(self):
        self._login(self.user_a)
        response = self._post("/my/opportunity/%s/update" % self.opp_a.id, {
            "expected_revenue": "1e308", "probability": "nan", "priority": "4", "date_deadline": "2099-1-1"})
        self._assert_refused(response, ["date_deadline", "expected_revenue", "priority", "probability"])
        self.assertEqual(self.opp_a.expected_revenue, 8000)

    def test_contact_correction_refuses_bad_input(self):
        self._login(self.user_a)
        response = self._post("/my/opportunity/%s/contact" % self.opp_a.id, {
            "partner_name": OVERLONG_NAME, "phone": "+33\x00", "city": "Lyon", "country_id": "abc"})
        self._assert_refused(response, ["country_id", "partner_name", "phone"], "Choose a country from the list.")
        self.opp_a.invalidate_recordset()
        self.assertEqual((self.opp_a.partner_name, self.opp_a.phone), ("Vaise Print", False))


@tagged("post_install", "-at_install")
class TestFormLayerReferral(ReferralHttpCase):
    """Bad input through the lead submission, custom link and application forms."""

    def test_lead_submission_refuses_bad_input(self):
        self._login(self.user_a)
        response = self._post("/my/leads/submit", {
            "partner_name": NUL, "email_from": "yves@perrache-test.example.com", "description": "x" * 10001})
        self.assertEqual(response.status_code, 400)
        self.assertEqual(_error_fields(response), ["description", "partner_name"])
        self.assertIn("control character", html.unescape(response.text))
        self.assertFalse(self.env["crm.lead"].search([("email_from", "=", "yves@perrache-test.example.com")]))

    def test_custom_link_refuses_bad_input(self):
        self._login(self.user_a)
        response = self._post("/my/referrals/links/new", {"code": "ok-code\x00", "name": "y" * 65},
                              csrf_from="/my/referrals")
        self.assertEqual(response.status_code, 400)
        self.assertEqual(_error_fields(response), ["code", "name"])
        self.assertFalse(self.env["partner.referral.link"].search([("code", "like", "ok-code")]))

    def test_application_refuses_bad_input(self):
        self._login(None)
        response = self._post("/partners/apply", {
            "name": NUL, "contact_name": "Marie", "email_from": "marie@alpine-test.example.com",
            "phone": "1" * 65, "country_id": "999999999", "type_id": "abc"})
        self.assertEqual(response.status_code, 400)
        self.assertEqual(_error_fields(response), ["country_id", "name", "phone", "type_id"])
        self.assertIn("Pick a country from the list.", response.text)
        self.assertFalse(self.env["partner.application"].search(
            [("email_normalized", "=", "marie@alpine-test.example.com")]))


@tagged("post_install", "-at_install")
class TestFormLayerDirectory(DirectoryHttpCase):
    """Bad input through the directory's contact form."""

    def test_partner_contact_refuses_bad_input(self):
        self._login(None)
        url = "/partners/%s/contact" % self.env["ir.http"]._slug(self.lyon)
        response = self._post(url, {"contact_name": "Jane\x00", "email_from": "jane@example.com",
                                    "phone": "1" * 65, "description": "Hello"})
        self.assertEqual(response.status_code, 400)
        self.assertEqual(_error_fields(response), ["contact_name", "phone"])
        self.assertIn("Please fill in your name.", response.text)
        self.assertIn("control character", response.text)
        self.assertFalse(self.env["crm.lead"].search([("email_from", "=", "jane@example.com")]))
