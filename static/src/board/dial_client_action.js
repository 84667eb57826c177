/** @odoo-module **/
/* Click-to-call: once the contact rules allow the call (server side), the
   phone's dialler opens on the number.  A client action, because a URL action
   of Odoo 18 turns "tel:..." into a path of the site ("/tel:..."). */

import { browser } from "@web/core/browser/browser";
import { registry } from "@web/core/registry";

registry.category("actions").add("patient_collections.dial", (env, action) => {
    const url = action.params?.url || "";
    if (/^tel:\+?[0-9]+$/.test(url)) {
        browser.location.assign(url);
    }
});
