"""Forms of the reseller portal: deal registration, the answers to a lead, the opportunity update and the
customer's contact correction (taken by the crm.lead methods in models/crm_lead_*.py)."""
from odoo.tools.translate import LazyTranslate

from .form import Field, Form

_lt = LazyTranslate(__name__)


def _activity_types(lead, cleaned):
    return lead._portal_activity_types()


def _stages(lead, cleaned):
    return lead._portal_stages()


def _countries(lead, cleaned):
    return lead.env["res.country"].sudo().search([])


def _states(lead, cleaned):
    """States of the country posted along, else of the opportunity's country."""
    country = cleaned["country_id"] if "country_id" in cleaned else lead.sudo().country_id
    return lead.env["res.country.state"].sudo().search([("country_id", "=", country.id)]) if country else \
        lead.env["res.country.state"]


def _activity_fields(required):
    return (
        Field("activity_type_id", _lt("Next activity"), "many2one", required=required, records=_activity_types,
              missing=_lt("Choose the type of the next activity."),
              invalid=_lt("Choose the type of the next activity.")),
        Field("activity_date_deadline", _lt("On"), "date", required=required,
              missing=_lt("Give the date of the next activity."),
              invalid=_lt("The date of the next activity is not a valid date.")),
        Field("activity_summary", _lt("What"), required=required, placeholder=_lt("e.g. Demo of the solution"),
              missing=_lt("Say what the next activity is about.")),
    )


EXPECTED_REVENUE = _lt("Expected revenue")
EXPECTED_CLOSING = _lt("Expected closing")
CLOSING_INVALID = _lt("The expected closing is not a valid date.")

# "I'm interested": the lead becomes the reseller's opportunity with its next activity planned.
INTERESTED_FORM = Form(
    *_activity_fields(required=True),
    Field("expected_revenue", EXPECTED_REVENUE, "number", required=True),
    Field("contacted", _lt("I have contacted the customer"), "boolean", required=True,
          missing=_lt("Confirm that you have contacted the customer.")),
)

# "I'm not interested": the feedback for the salesperson.
NOT_INTERESTED_FORM = Form(
    Field("comment", _lt("Why are you not interested?"), "text"),
    Field("contacted", _lt("Have you contacted the customer?"), "boolean"),
    Field("spam", _lt("This lead is spam"), "boolean"),
)

PRIORITIES = [("0", _lt("Low")), ("1", _lt("Medium")), ("2", _lt("High")), ("3", _lt("Very High"))]

# The opportunity's progress: only the fields posted are checked, only the changed ones written.
OPPORTUNITY_UPDATE_FORM = Form(
    Field("stage_id", _lt("Stage"), "many2one", records=_stages,
          invalid=_lt("Choose one of the stages of this opportunity's sales team.")),
    Field("priority", _lt("Priority"), "selection", choices=PRIORITIES,
          invalid=_lt("Choose a priority between 0 and 3 stars.")),
    Field("date_deadline", EXPECTED_CLOSING, "date", invalid=CLOSING_INVALID),
    Field("expected_revenue", EXPECTED_REVENUE, "number"),
    Field("probability", _lt("Probability"), "number", maximum=100),
    *_activity_fields(required=False),
)

# The customer's contact on an open opportunity: name, email, phone, address (nothing else may be posted).
CONTACT_DETAILS_FORM = Form(
    Field("partner_name", _lt("Customer name")),
    Field("contact_name", _lt("Contact name")),
    Field("email_from", _lt("Email"), "email"),
    Field("phone", _lt("Phone"), "phone"),
    Field("street", _lt("Street")),
    Field("street2", _lt("Street 2")),
    Field("zip", _lt("ZIP"), size=32),
    Field("city", _lt("City")),
    Field("country_id", _lt("Country"), "many2one", records=_countries,
          invalid=_lt("Choose a country from the list.")),
    Field("state_id", _lt("State"), "many2one", records=_states,
          invalid=_lt("Choose a state of the selected country.")),
)

# Deal registration: a deal the reseller found itself, to be approved (the group's questions are added).
DEAL_REGISTRATION_FORM = Form(
    Field("partner_name", _lt("Customer"), required=True, missing=_lt("Give the customer's name.")),
    Field("contact_name", _lt("Contact name"), required=True,
          missing=_lt("Give the name of your contact at the customer.")),
    Field("email_from", _lt("Contact email"), "email", required=True, missing=_lt("Give the contact's email.")),
    Field("phone", _lt("Contact phone"), "phone"),
    Field("vat", _lt("Customer's tax ID"), size=32),
    Field("city", _lt("City")),
    Field("name", _lt("Title"), required=True, missing=_lt("Give this opportunity a title.")),
    Field("description", _lt("Description"), "text"),
    Field("expected_revenue", EXPECTED_REVENUE, "number"),
    Field("date_deadline", EXPECTED_CLOSING, "date", invalid=CLOSING_INVALID),
)
