from . import partner_directory
from . import partner_program_portal
from . import portal
from . import partner_application
from . import partner_referral
from . import partner_growth_portal
