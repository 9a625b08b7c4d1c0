"""pytest settings shared by `make test`'s two runs (plain bootstrap tests, and the add-on through pytest-odoo)."""
import pytest

BROWSER_START_SECONDS = 60


def pytest_configure(config):
    if not config.pluginmanager.has_plugin("odoo"):
        return  # the plain run never imports Odoo
    from odoo.tests import common

    # Odoo waits 10 s for Chromium to start and then *skips* the tour; on a busy 2-core machine that is
    # too short, and a skipped tour proves nothing. Wait longer instead.
    common.CHECK_BROWSER_ITERATIONS = int(BROWSER_START_SECONDS / common.CHECK_BROWSER_SLEEP)
    common.BROWSER_WAIT = BROWSER_START_SECONDS


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A skipped test is not a passing one: report it as a failure, with the reason."""
    outcome = yield
    report = outcome.get_result()
    if report.skipped and call.when in ("setup", "call"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = "skipped, which counts as a failure here: %s" % reason
