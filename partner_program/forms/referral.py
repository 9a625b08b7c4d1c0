"""Forms of the referral pages: lead submission (crm.lead.submit_lead_portal) and custom referral links
(partner.referral.link.create_custom_link_portal)."""
from odoo.tools.translate import LazyTranslate

from .form import Field, Form

_lt = LazyTranslate(__name__)

# "Submit a lead"; the partner group's own questions follow (partner.group.question._form_fields()).
LEAD_SUBMISSION_FORM = Form(
    Field("partner_name", _lt("Customer company")),
    Field("contact_name", _lt("Contact name")),
    Field("email_from", _lt("Contact email"), "email", required=True, missing=_lt("Give the contact's email.")),
    Field("phone", _lt("Contact phone"), "phone"),
    Field("name", _lt("Title")),
    Field("description", _lt("What do they need?"), "text"),
)

# A custom referral link: the code the partner chose and a label.
CUSTOM_LINK_FORM = Form(
    Field("code", _lt("Code"), size=32, placeholder=_lt("spring-webinar")),
    Field("name", _lt("Label"), required=True, size=64, placeholder=_lt("Spring webinar"),
          missing=_lt("Give the link a label, such as the campaign it is for.")),
)
