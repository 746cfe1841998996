import "./style.css";
import { HealthFeed, type AppContext } from "./app";
import { Api, apiBaseFromDocument } from "./lib/api";
import { h, replace } from "./lib/dom";
import { dashboard } from "./pages/dashboard";

const api = new Api(apiBaseFromDocument(document));
const ctx: AppContext = { api, health: new HealthFeed(api) };
const root = document.getElementById("app")!;
let dispose: (() => void) | undefined;

// Hash routes, so the server needs no knowledge of the console's pages: #/, #/fn/{name}, #/edit/{name}[/{version}], #/edit.
async function route(): Promise<void> {
  dispose?.();
  dispose = undefined;
  const path = location.hash.replace(/^#/, "") || "/";
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  try {
    if (parts[0] === "fn" && parts[1]) {
      const { functionPage } = await import("./pages/function");
      dispose = functionPage(ctx, root, parts[1]);
    } else if (parts[0] === "edit") {
      const { editorPage } = await import("./pages/editor");
      dispose = await editorPage(ctx, root, parts[1], parts[2] ? Number(parts[2]) : undefined);
    } else {
      dispose = dashboard(ctx, root);
    }
  } catch (error) {
    replace(root, h("p", { class: "error" }, `Could not open the page: ${(error as Error).message}`));
  }
}

window.addEventListener("hashchange", () => void route());
ctx.health.start();
void route();
