import { registry } from "@web/core/registry";

// A visitor narrows the directory to a country, then opens a partner's page.
// Data: setup_directory() in tests/common_directory.py.
registry.category("web_tour.tours").add("partner_program_directory", {
    url: "/partners",
    steps: () => [
        {
            content: "Both countries are listed",
            trigger: ".o_partner_directory_countries a:contains('France')",
        },
        {
            content: "Filter on Belgium",
            trigger: ".o_partner_directory_countries a:contains('Belgium')",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Only the Belgian partner is left",
            trigger: "h1:contains('Find a partner in Belgium')",
        },
        {
            trigger: ".o_partner_directory_results:not(:has(.o_partner_card:contains('Lyon Test Reseller')))",
        },
        {
            content: "Open the Belgian partner",
            trigger: ".o_partner_card:contains('Brussels Test Reseller')",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The partner page shows its name, level and description",
            trigger: ".o_partner_page h1:contains('Brussels Test Reseller')",
        },
        {
            trigger: ".o_partner_page .o_partner_level:contains('Test Gold')",
        },
        {
            trigger: ".o_partner_page .o_partner_description:contains('Waffles and ERP')",
        },
        {
            trigger: ".o_partner_page a.o_partner_contact_button",
        },
    ],
});
