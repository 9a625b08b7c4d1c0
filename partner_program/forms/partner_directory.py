"""The directory's "Contact this partner" form (res.partner._directory_create_lead)."""
from odoo.tools.translate import LazyTranslate

from .form import Field, Form

_lt = LazyTranslate(__name__)

PARTNER_CONTACT_FORM = Form(
    Field("contact_name", _lt("Your name"), required=True, summary=_lt("your name")),
    Field("email_from", _lt("Email"), "email", required=True, summary=_lt("a valid email address")),
    Field("phone", _lt("Phone"), "phone"),
    Field("partner_name", _lt("Company")),
    Field("description", _lt("Your message"), "text", required=True, summary=_lt("your message")),
    summary=_lt("Please fill in %(fields)s."),
)
