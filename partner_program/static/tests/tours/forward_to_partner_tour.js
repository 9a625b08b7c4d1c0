import { registry } from "@web/core/registry";

// From an opportunity's "Assigned Partner" page: open the wizard, check the proposal, forward.
registry.category("web_tour.tours").add("partner_program_forward_to_partner", {
    steps: () => [
        {
            trigger: ".o_notebook_headers a[name='assigned_partner']",
            content: "Open the Assigned Partner page",
            run: "click",
        },
        {
            trigger: "button:contains('Forward to Partner')",
            content: "Open the Forward to Partner wizard",
            run: "click",
        },
        {
            trigger: ".modal .o_data_row:contains('Reykjavik prospect') td[name='partner_assigned_id']:contains('Reykjavik Reseller')",
            content: "The nearest reseller is proposed",
        },
        {
            trigger: ".modal .o_data_row td[name='proposal']:contains('within 50 km')",
            content: "The proposal says why",
        },
        {
            trigger: ".modal button[name='action_forward']",
            content: "Forward",
            run: "click",
        },
        {
            trigger: ".o_notification:contains('1 lead forwarded to 1 reseller.')",
            content: "The user is told",
        },
        {
            trigger: "body:not(:has(.modal))",
            content: "The wizard is closed",
        },
        {
            trigger: ".o_field_widget[name='partner_assigned_id'] input:value(Reykjavik Reseller)",
            content: "The form shows the assigned reseller",
        },
    ],
});
