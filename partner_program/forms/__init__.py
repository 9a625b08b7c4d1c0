from . import form, partner_application, partner_directory, referral, reseller_portal
