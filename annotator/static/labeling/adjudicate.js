// Adjudication: each annotator's spans over the text, "Take" buttons that hand an
// annotator's statements to the editor, history restores, and the gold state in the header.

import { request } from "./saving.js";
import { workspace } from "./main.js";

const data = workspace.data;
const GOLD_KINDS = ["actor", "precondition", "outlet", "evidence"];

function spansOf(statement) {
  return [
    statement.actor?.span, ...(statement.preconditions ?? []).map((p) => p.span), statement.source_outlet?.span, statement.evidence,
  ].filter(Boolean);
}

// ---- each annotator's spans, togglable ---------------------------------------------------
const toggles = [...document.querySelectorAll("[data-overlay]")];
const goldToggle = document.getElementById("overlay-gold");

function paintOverlays() {
  const groups = {};
  for (const toggle of toggles) {
    const statements = Object.values(data.versions).map((byAnnotator) => byAnnotator[toggle.dataset.annotator]).filter(Boolean);
    groups[`annotator-${toggle.dataset.overlay}`] = { spans: toggle.checked ? statements.flatMap(spansOf) : [], priority: 20 + Number(toggle.dataset.overlay) };
  }
  workspace.text.paint(groups);
  // The gold being edited keeps its usual highlights unless the lead hides them.
  if (goldToggle && !goldToggle.checked) {
    for (const kind of GOLD_KINDS) for (const name of [kind, `${kind}-current`]) CSS.highlights?.get(name)?.clear();
  }
}
toggles.forEach((toggle) => toggle.addEventListener("change", paintOverlays));
goldToggle?.addEventListener("change", () => workspace.notify());
workspace.onChange(paintOverlays);
paintOverlays();

// ---- taking versions -----------------------------------------------------------------------
const take = (statements, article, replace = false) => workspace.take(statements, article, replace);

document.querySelectorAll("[data-take]").forEach((button) => {
  button.addEventListener("click", () => {
    const key = `${button.dataset.actor}\u0000${button.dataset.target}`;
    take([data.versions[key][button.dataset.take]]);
  });
});

document.querySelectorAll("[data-take-all]").forEach((button) => {
  button.addEventListener("click", () => {
    const who = button.dataset.takeAll;
    const statements = Object.values(data.versions).map((byAnnotator) => byAnnotator[who]).filter(Boolean);
    take(statements, data.articles[who], true);
  });
});

// ---- gold state and history ----------------------------------------------------------------
document.addEventListener("annotator:saved", (event) => {
  const gold = event.detail;
  document.getElementById("gold-state").textContent = `Gold saved: revision ${gold.revision} (${gold.method}, by ${gold.adjudicator})`;
});

// Restoring makes an earlier revision the newest again (nothing is deleted).
document.querySelectorAll("[data-restore]").forEach((button) => {
  button.addEventListener("click", async () => {
    const response = await request(button.dataset.restore, { method: "POST" });
    if (response.ok) {
      window.location.reload();
    } else {
      const body = await response.json().catch(() => ({}));
      document.getElementById("history-status").textContent = `Not restored: ${body.message ?? response.statusText}`;
    }
  });
});

document.body.dataset.ready = "true";
