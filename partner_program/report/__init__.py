from . import crm_partner_report
from . import partner_lead_origin_report
