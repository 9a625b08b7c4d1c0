import { registry } from "@web/core/registry";

// CRM > Reporting > Partnership Analysis opens as a pivot per reseller with the measures.
registry.category("web_tour.tours").add("partner_program_partnership_report", {
    url: "/odoo/crm",
    steps: () => [
        {
            trigger: ".dropdown-toggle[data-menu-xmlid='crm.crm_menu_report']",
            content: "Open the Reporting menu",
            run: "click",
        },
        {
            trigger: ".dropdown-item[data-menu-xmlid='partner_program.menu_crm_partner_report']",
            content: "Open Partnership Analysis",
            run: "click",
        },
        {
            trigger: ".o_pivot th:contains('# Leads Assigned')",
            content: "Leads are counted",
        },
        {
            trigger: ".o_pivot th:contains('Invoiced Turnover')",
            content: "Turnover is shown",
        },
        {
            trigger: ".o_pivot .o_pivot_header_cell_closed:contains('Reykjavik Reseller')",
            content: "One row per reseller",
        },
    ],
});
