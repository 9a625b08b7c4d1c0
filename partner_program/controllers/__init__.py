from . import partner_directory
