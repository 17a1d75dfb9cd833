// The labeling workspace shared by the annotate and adjudicate pages (each has an entry
// module of its own that imports this one). The page data says what was
// saved (`saved`) and where saving goes (`urls.save`): an annotator's own labels on the
// labeling page, gold on the adjudication page.

import { Keyboard } from "./keys.js";
import { Panel } from "./panel.js";
import { Drafts, Saver } from "./saving.js";
import { SelectionToolbar } from "./toolbar.js";
import { Workspace } from "./workspace.js";

const $ = (id) => document.getElementById(id);
const data = JSON.parse($("page-data").textContent);

const status = $("save-status");
function say(message, kind) {
  status.textContent = message;
  status.title = message; // the status line never wraps; the whole message is one hover away
  status.dataset.kind = kind;
}

export const workspace = new Workspace(data, { box: $("article-text"), say });
const drafts = new Drafts(workspace);
const saver = new Saver(workspace, drafts);
const panel = new Panel(workspace);
const toolbar = new SelectionToolbar(workspace, $("selection-toolbar"), $("article-text").parentElement);

const dialogs = {
  byName: { shortcuts: $("shortcuts"), guidelines: $("guidelines") },
  anyOpen() { return Object.values(this.byName).some((d) => d.open); },
  toggle(name) {
    const dialog = this.byName[name];
    if (dialog.open) dialog.close(); else dialog.showModal();
  },
};
new Keyboard({ ws: workspace, panel, saver, toolbar, dialogs });

workspace.onChange(() => {
  drafts.keep();
  panel.render();
  if (workspace.dirty) say("Unsaved changes (kept in this browser)", "pending");
});

$("save-button").addEventListener("click", () => saver.save());
$("save-next-button")?.addEventListener("click", () => saver.saveAndNext());
$("skip-button")?.addEventListener("click", () => saver.skip());
$("help-button").addEventListener("click", () => dialogs.toggle("shortcuts"));
$("guidelines-button").addEventListener("click", () => dialogs.toggle("guidelines"));
document.querySelectorAll("[data-action=close-dialog]").forEach((button) => {
  button.addEventListener("click", () => button.closest("dialog").close());
});
document.addEventListener("annotator:elsewhere", (event) => panel.showElsewhere(event.detail));
document.addEventListener("annotator:take", (event) => {
  const { statements, article, replace } = event.detail;
  workspace.take(statements, article, replace);
});
window.addEventListener("beforeunload", (event) => {
  if (workspace.dirty && !workspace.keptForReload) event.preventDefault();
});

const restored = drafts.restore();
panel.render();
if (restored) say(restored.message, restored.kind);
else if (workspace.outletHint) say(workspace.outletHint, "pending");
if (!workspace.text.canHighlight) say("This browser cannot highlight spans; use a current Chromium or Firefox.", "error");
workspace.text.focus();
