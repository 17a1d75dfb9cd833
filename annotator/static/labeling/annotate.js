// The annotator's labeling page: the shared workspace, and nothing else yet.
import "./main.js";

document.body.dataset.ready = "true";
performance.mark("annotator-ready");
