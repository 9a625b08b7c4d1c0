
from . import partner_program_portal
