"""The public "Become a partner" form (partner.application._website_submit)."""
from odoo.tools.translate import LazyTranslate

from .form import Field, Form

_lt = LazyTranslate(__name__)


# The form is validated and rendered for the partner.group the applicant joins (the callables below get it).
def _countries(group, cleaned):
    return group.env["res.country"].sudo().search([])


def _partner_types(group, cleaned):
    return group.env["partner.application"]._website_form_values(group)["partner_types"]


def _has_terms(group):
    return bool(group.tos_url)


# The fixed fields; the group's own questions follow (partner.group.question._form_fields()).
APPLICATION_FORM = Form(
    Field("name", _lt("Company"), required=True, missing=_lt("Give your company's name.")),
    Field("contact_name", _lt("Your name"), required=True, missing=_lt("Give your name.")),
    Field("email_from", _lt("Email"), "email", required=True, missing=_lt("Give your email address.")),
    Field("phone", _lt("Phone"), "phone"),
    Field("website", _lt("Website"), "url", invalid=_lt("This is not a web address.")),
    Field("country_id", _lt("Country"), "many2one", records=_countries, invalid=_lt("Pick a country from the list.")),
    Field("type_id", _lt("Type of partnership"), "many2one", records=_partner_types,
          invalid=_lt("Pick a type of partnership from the list.")),
    Field("accept_tos", _lt("I accept the partner terms"), "boolean", required=_has_terms,
          missing=_lt("Please accept the partner terms.")),
)
