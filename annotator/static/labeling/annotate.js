// The annotator's labeling page: the shared workspace, and on a training article the known answer after each save.
import { workspace } from "./main.js";
import { showTrainingFeedback } from "./training.js";

if (workspace.data.training) showTrainingFeedback(workspace.data.training, Boolean(workspace.data.saved.revision));

document.body.dataset.ready = "true";
performance.mark("annotator-ready");
