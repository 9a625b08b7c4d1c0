import { registry } from "@web/core/registry";

// A reseller finds the sale of one of its deals from /my and opens it.
registry.category("web_tour.tours").add("partner_program_deal_sales", {
    url: "/my",
    steps: () => [
        {
            content: "Open Sales from my deals",
            trigger: "a[href='/my/deal-sales']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The deal's order is listed with its customer",
            trigger: ".o_pp_deal_sale:contains('Croix-Rousse Bakery') a",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Its page shows the customer and the invoices block",
            trigger: ".o_pp_deal_sale_page:contains('Croix-Rousse Bakery')",
        },
    ],
});
