from . import crm_lead_forward_to_partner
from . import crm_lead_forward_to_partner_line
from . import partner_application_reject
from . import partner_routing_simulation
from . import partner_routing_simulation_line
