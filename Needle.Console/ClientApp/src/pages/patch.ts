import { h } from "../lib/dom";
import { unifiedDiff } from "../lib/diff";
import type { FunctionVersion } from "../lib/types";

/**
 * The emergency patch form: the stable version's source to edit (the diff is computed from it) or a pasted diff. The
 * base hash is the stable version's, filled in; the server refuses the patch if the stable version moved meanwhile.
 */
export function patchDialog(stable: FunctionVersion): Promise<{ diff: string; reason: string; ticket: string } | null> {
  return new Promise((resolve) => {
    const source = h("textarea", { rows: 14, spellcheck: false, class: "code", "data-testid": "patch-source" });
    source.value = stable.source;
    const diffBox = h("textarea", { rows: 10, spellcheck: false, class: "code", "data-testid": "patch-diff", placeholder: "a unified diff against the stable version" });
    const reason = h("input", { type: "text", required: true, placeholder: "why (recorded in the audit trail)", "data-testid": "patch-reason" });
    const ticket = h("input", { type: "text", placeholder: "incident or ticket id (optional)" });
    const error = h("p", { class: "error" });
    const recompute = () => (diffBox.value = unifiedDiff(stable.source, source.value, `${stable.function}.js`));
    source.addEventListener("input", recompute);
    const dialog = h("dialog", { class: "confirm wide" });
    const close = (value: { diff: string; reason: string; ticket: string } | null) => {
      dialog.close();
      dialog.remove();
      resolve(value);
    };
    const form = h(
      "form",
      { method: "dialog" },
      h("h2", null, `Emergency patch of ${stable.function} v${stable.number}`),
      h("p", null, "Applies to all traffic at once. Edit the source below (the diff follows) or paste a diff."),
      h("label", null, h("span", null, "Base hash"), h("input", { type: "text", readonly: true, value: stable.contentHash, "data-testid": "patch-base" })),
      h("label", null, h("span", null, "Source"), source),
      h("label", null, h("span", null, "Diff"), diffBox),
      h("label", null, h("span", null, "Reason"), reason),
      h("label", null, h("span", null, "Ticket"), ticket),
      error,
      h("div", { class: "buttons" }, h("button", { type: "button", onclick: () => close(null) }, "Cancel"), h("button", { type: "submit", class: "danger", "data-testid": "patch-ok" }, "Apply patch")),
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      if (diffBox.value.trim().length === 0) return void (error.textContent = "The diff is empty.");
      if (reason.value.trim().length === 0) return void (error.textContent = "A reason is required.");
      close({ diff: diffBox.value, reason: reason.value, ticket: ticket.value });
    });
    dialog.addEventListener("cancel", () => close(null));
    dialog.appendChild(form);
    document.body.appendChild(dialog);
    dialog.showModal();
  });
}
