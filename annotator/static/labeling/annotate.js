// The annotator's labeling page: the shared workspace, and on a training article the known answer after each save.
import { workspace } from "./main.js";

if (workspace.data.training) {
  // Only a training article fetches the feedback's module: every other labeling page goes without it.
  const { showTrainingFeedback } = await import("./training.js");
  showTrainingFeedback(workspace.data.training, Boolean(workspace.data.saved.revision));
}

document.body.dataset.ready = "true";
performance.mark("annotator-ready");
