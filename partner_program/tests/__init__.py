from . import test_assignment
from . import test_http
from . import test_install
from . import test_levels
from . import test_forward_wizard
from . import test_partnership_report
from . import test_directory
from . import test_directory_partner_page
