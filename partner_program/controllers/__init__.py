from . import partner_directory
from . import partnership_portal
from . import reseller_portal
from . import partner_application
from . import referral_link
from . import referral_portal
from . import partner_fund_portal
