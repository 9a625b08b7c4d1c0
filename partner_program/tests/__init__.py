from . import test_http, test_install
