from . import partner_directory
from . import partner_program_portal
from . import portal
