/**
 * The part of Odoo's clickbot the add-on needs and the clickbot does not do: open given actions in every
 * view type they declare, and open a record's form on each of its notebook pages. Fails (console.error)
 * on an error dialog, an RPC error or a view that never settles; uncaught exceptions fail the test anyway.
 * Driven by tests/test_click_everywhere.py, which passes the list of targets.
 */
import { App } from "@odoo/owl";
import { browser } from "@web/core/browser/browser";
import { rpcBus } from "@web/core/network/rpc";

export const SUCCESS_SIGNAL = "partner program click test succeeded";

const pendingRPC = new Set();
let rpcError = null;

rpcBus.addEventListener("RPC:REQUEST", ({ detail }) => pendingRPC.add(detail.data.id));
rpcBus.addEventListener("RPC:RESPONSE", ({ detail }) => {
    pendingRPC.delete(detail.data.id);
    if (detail.error) {
        rpcError = detail.error;
    }
});

function scheduledTasks() {
    let size = 0;
    for (const app of App.apps) {
        size += app.scheduler.tasks.size;
    }
    return size;
}

function checkErrors(where) {
    const dialog = document.querySelector(".o_error_dialog");
    if (dialog) {
        throw new Error(`Error dialog on ${where}: ${dialog.innerText}`);
    }
    if (rpcError) {
        const error = rpcError;
        rpcError = null;
        throw new Error(`RPC error on ${where}: ${JSON.stringify(error.data || error.message || error)}`);
    }
}

async function settle(where, condition = () => true) {
    const deadline = Date.now() + 30000;
    // let the click or action start its RPCs before looking for quiet
    await new Promise((resolve) => browser.setTimeout(resolve, 50));
    while (!condition() || pendingRPC.size || scheduledTasks()) {
        checkErrors(where);
        if (Date.now() > deadline) {
            throw new Error(`Timeout: ${where} did not settle in 30 seconds`);
        }
        await new Promise((resolve) => browser.setTimeout(resolve, 25));
    }
    await new Promise((resolve) => requestAnimationFrame(resolve));
    checkErrors(where);
}

function click(element) {
    for (const type of ["mouseover", "mouseenter", "mousedown", "mouseup", "click"]) {
        element.dispatchEvent(new MouseEvent(type, { bubbles: true, cancelable: true, view: window }));
    }
}

async function openPages(where) {
    const selector = ".o_action_manager .o_form_view .o_notebook .nav-link";
    const count = document.querySelectorAll(selector).length;
    for (let index = 0; index < count; index++) {
        const page = document.querySelectorAll(selector)[index];
        const name = page.innerText.trim() || `page ${index + 1}`;
        browser.console.log(`Opening page "${name}" of ${where}`);
        click(page);
        await settle(`page "${name}" of ${where}`, () =>
            document.querySelectorAll(selector)[index]?.classList.contains("active")
        );
    }
    return count;
}

/**
 * @param {Array<{action: number, name: string, viewTypes: string[], resId: number|false}>} targets
 */
async function clickTargets(targets) {
    const env = odoo.__WOWL_DEBUG__.root.env;
    const action = env.services.action;
    let views = 0;
    let pages = 0;
    for (const target of targets) {
        for (const viewType of target.viewTypes) {
            const where = `${target.name} (${viewType})`;
            browser.console.log(`Opening ${where}`);
            await action.doAction(target.action, { viewType, clearBreadcrumbs: true });
            await settle(where, () => document.querySelector(`.o_action_manager .o_${viewType}_view`));
            views++;
        }
        if (target.resId) {
            const where = `${target.name} record ${target.resId} (form)`;
            browser.console.log(`Opening ${where}`);
            await action.doAction(target.action, {
                viewType: "form",
                props: { resId: target.resId },
                clearBreadcrumbs: true,
            });
            await settle(where, () => document.querySelector(".o_action_manager .o_form_view"));
            views++;
            pages += await openPages(where);
        }
    }
    browser.console.log(`Opened ${views} views and ${pages} notebook pages`);
    browser.console.log(SUCCESS_SIGNAL);
}

window.partnerProgramClickEverywhere = (targets) =>
    clickTargets(targets).catch((error) => browser.console.error(String(error?.stack || error)));
