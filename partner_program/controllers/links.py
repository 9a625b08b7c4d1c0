from odoo.http import request


def direct_link_prefix():
    """The language prefix the website puts before the page's links ("" or "/fr"), for long lists of links
    rendered with ``data-no-post-process``: the website then leaves them as they are instead of working out
    each one again (per link, a good share of a long list's cost). None when each link must still go through
    the website: a CDN or URL rewrites are configured."""
    ir_http = request.env["ir.http"]
    if request.website.cdn_activated or ir_http._rewrite_len(request.website_routing):
        return None
    return ir_http._url_for("/my")[:-len("/my")]
