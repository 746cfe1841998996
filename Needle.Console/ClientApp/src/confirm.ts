import { h, type Child } from "./lib/dom";

/** An extra input of a confirmation (a weight, a status ...). */
export interface Field {
  name: string;
  label: string;
  value?: string;
  type?: "text" | "number" | "textarea";
  required?: boolean;
}

/**
 * Asks for confirmation and a reason (required: it goes into the audit trail). Resolves with the values, or null
 * when cancelled.
 */
export function confirmAction(title: string, description: Child, fields: Field[] = [], confirmLabel = "Confirm"): Promise<Record<string, string> | null> {
  return new Promise((resolve) => {
    const inputs = new Map<string, HTMLInputElement | HTMLTextAreaElement>();
    const reason = h("input", { type: "text", name: "reason", required: true, placeholder: "why (recorded in the audit trail)", "data-testid": "confirm-reason" });
    inputs.set("reason", reason);
    const rows = fields.map((f) => {
      const input =
        f.type === "textarea"
          ? h("textarea", { name: f.name, rows: 8, required: f.required !== false, "data-testid": `confirm-${f.name}` })
          : h("input", { type: f.type ?? "text", name: f.name, required: f.required !== false, step: f.type === "number" ? "any" : null, "data-testid": `confirm-${f.name}` });
      input.value = f.value ?? "";
      inputs.set(f.name, input);
      return h("label", null, h("span", null, f.label), input);
    });
    const error = h("p", { class: "error" });
    const dialog = h("dialog", { class: "confirm" });
    const close = (result: Record<string, string> | null) => {
      dialog.close();
      dialog.remove();
      resolve(result);
    };
    const form = h(
      "form",
      { method: "dialog" },
      h("h2", null, title),
      h("div", { class: "description" }, description),
      ...rows,
      h("label", null, h("span", null, "Reason"), reason),
      error,
      h(
        "div",
        { class: "buttons" },
        h("button", { type: "button", onclick: () => close(null) }, "Cancel"),
        h("button", { type: "submit", class: "primary", "data-testid": "confirm-ok" }, confirmLabel),
      ),
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const values: Record<string, string> = {};
      for (const [name, input] of inputs) values[name] = input.value;
      if (values.reason.trim().length === 0) {
        error.textContent = "A reason is required.";
        return;
      }
      close(values);
    });
    dialog.addEventListener("cancel", () => close(null));
    dialog.appendChild(form);
    document.body.appendChild(dialog);
    dialog.showModal();
    reason.focus();
  });
}

/** A short-lived notice at the top of the page. */
export function toast(message: string, kind: "ok" | "error" = "ok"): void {
  const note = h("div", { class: `toast ${kind}`, role: "status" }, message);
  document.body.appendChild(note);
  window.setTimeout(() => note.remove(), kind === "error" ? 8000 : 4000);
}
