// The import page: files go to the import API with a progress bar; the answer is the
// same per-record report `annotator import` prints.

const form = document.getElementById("import-form");
const progress = document.getElementById("import-progress");
const status = document.getElementById("import-status");
const csrfToken = document.querySelector('meta[name="csrf-token"]').content;

function where(position) {
  if (position.line != null) return `${position.source} line ${position.line}`;
  if (position.task != null) return `${position.source} task ${position.task}`;
  return position.source;
}

function showReport(report) {
  document.getElementById("report-summary").textContent =
    `imported ${report.imported}, duplicates ${report.duplicate_count}, rejected ${report.rejected_count}`;
  const lines = [
    ...report.duplicates.map((d) => `duplicate  ${where(d)}: same text as article ${d.duplicate_of}`),
    ...report.rejected.map((r) => `rejected   ${where(r)}: ${r.reason}`),
  ];
  document.getElementById("report-lines").replaceChildren(...lines.map((line) => Object.assign(document.createElement("li"), { textContent: line })));
  document.getElementById("import-report").hidden = false;
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const body = new FormData();
  for (const file of document.getElementById("import-files").files) body.append("file", file, file.name);
  // XMLHttpRequest, because fetch cannot report upload progress.
  const upload = new XMLHttpRequest();
  upload.open("POST", form.dataset.url);
  upload.setRequestHeader("X-CSRFToken", csrfToken);
  upload.responseType = "json";
  upload.upload.addEventListener("progress", (e) => {
    if (!e.lengthComputable) return;
    progress.max = e.total;
    progress.value = e.loaded;
    status.textContent = e.loaded < e.total ? `Uploading… ${Math.round((100 * e.loaded) / e.total)}%` : "Uploaded; reading the records…";
  });
  upload.addEventListener("load", () => {
    progress.hidden = true;
    if (upload.status === 200) {
      status.textContent = "Done.";
      showReport(upload.response);
    } else {
      status.textContent = `Not imported: ${upload.response?.message ?? upload.statusText}`;
    }
  });
  upload.addEventListener("error", () => { status.textContent = "Not imported: the server cannot be reached."; });
  progress.hidden = false;
  progress.value = 0;
  status.textContent = "Uploading…";
  upload.send(body);
});
document.body.dataset.ready = "true";
