{
    "name": "Partner Program",
    "version": "19.0.1.0.0",
    "category": "Sales/CRM",
    "summary": "Reseller levels, lead assignment, partner portal, partner programs and a published directory",
    "author": "Partner Program developers",
    "website": "https://github.com/partner-program/partner_program",
    "license": "LGPL-3",
    "application": True,
    "depends": ["partnership", "crm", "website", "portal", "base_geolocalize", "mail"],
    "excludes": ["website_crm_partner_assign"],
    "data": [
        "security/partner_program_security.xml",
        "security/ir.model.access.csv",
        "views/partner_program_menus.xml",
    ],
    "demo": [
        "demo/res_partner_grade_demo.xml",
    ],
}
