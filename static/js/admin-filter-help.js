// Django's filter boxes (SelectFilter2.js) name their filter help on a bare <span aria-label>,
// which ARIA prohibits; right after each box is built, give those spans the role of an image.
"use strict";
{
    const init = window.SelectFilter.init;
    window.SelectFilter.init = function (field_id, ...rest) {
        init.call(this, field_id, ...rest);
        const selector = document.getElementById(field_id + "_from")?.closest(".selector");
        selector?.querySelectorAll("span.help-tooltip[aria-label]").forEach((span) => {
            span.setAttribute("role", "img");
        });
    };
}
