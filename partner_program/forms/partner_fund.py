"""Forms of the market development funds: the partner's fund request and its claim (taken by the
partner.fund.request methods in models/partner_fund_request.py)."""
from odoo.tools.translate import LazyTranslate

from .form import Field, Form

_lt = LazyTranslate(__name__)

# The same choices as partner.fund.request's activity_type (whose labels Odoo translates itself).
ACTIVITY_TYPES = [
    ("event", _lt("Event or trade show")),
    ("digital", _lt("Digital campaign")),
    ("print", _lt("Print and mailing")),
    ("webinar", _lt("Webinar or training")),
    ("other", _lt("Other")),
]


def _funds(request, cleaned):
    """The funds the user may read (the portal rule: its own company's active partnership's)."""
    return request.env["partner.fund"].search([])


# "Request funds": a marketing activity and the amount asked for it.
FUND_REQUEST_FORM = Form(
    Field("fund_id", _lt("Fund"), "many2one", required=True, records=_funds,
          missing=_lt("Choose the fund to draw from."), invalid=_lt("Choose one of your funds.")),
    Field("activity_type", _lt("Type of activity"), "selection", required=True, choices=ACTIVITY_TYPES,
          missing=_lt("Choose the type of activity.")),
    Field("name", _lt("Activity"), required=True, placeholder=_lt("e.g. Stand at the Lyon trade show"),
          missing=_lt("Name the activity.")),
    Field("date_start", _lt("Starts on"), "date", required=True, missing=_lt("Give the activity's first day.")),
    Field("date_end", _lt("Ends on"), "date"),
    Field("description", _lt("Description"), "text"),
    Field("expected_results", _lt("Expected results"), "text", placeholder=_lt("e.g. 40 qualified leads")),
    Field("amount", _lt("Amount requested"), "number", required=True,
          missing=_lt("Give the amount you request (more than zero).")),
)

# The claim after the activity: what it actually cost and what it brought; proof files are posted with it.
FUND_CLAIM_FORM = Form(
    Field("claim_amount", _lt("Actual cost"), "number", required=True,
          missing=_lt("Give the actual cost (more than zero).")),
    Field("claim_results", _lt("Results"), "text", required=True, missing=_lt("Say what the activity brought.")),
)
