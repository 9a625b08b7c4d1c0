from . import res_partner_activation
from . import res_partner_grade
from . import res_partner
from . import crm_team
from . import crm_lead
from . import res_company
from . import res_config_settings
