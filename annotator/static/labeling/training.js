// A trainee's feedback: after each save of a training article, where their answer and the known
// answer part, with the codebook's words, fetched from the server (the known answer is never in
// the page before they save).

import { request } from "./saving.js";

const $ = (id) => document.getElementById(id);

function cell(text) {
  const td = document.createElement("td");
  td.textContent = text;
  return td;
}

async function fetchFeedback(url) {
  const response = await request(url, { method: "GET" }).catch(() => null);
  if (!response?.ok) return;
  const feedback = await response.json();
  const share = feedback.scored ? Math.round((100 * feedback.right) / feedback.scored) : 100;
  const { done, required, finished_at: finished } = feedback.training;
  const standing = finished ? "You have passed the training round: the next article is real work."
    : `${done} of ${required} training articles done.`;
  $("training-score").textContent = feedback.lines.length
    ? `${share}% of your answer matches the known answer. ${standing}`
    : `Your answer matches the known answer in every field. ${standing}`;
  $("training-lines").replaceChildren(...feedback.lines.map((line) => {
    const row = document.createElement("tr");
    row.append(cell(line.field), cell(line.where), cell(line.yours), cell(line.known), cell(line.explanation));
    return row;
  }));
  $("training-intro").hidden = true;
  $("training-result").hidden = false;
}

export function showTrainingFeedback(training, alreadySaved) {
  document.addEventListener("annotator:saved", () => fetchFeedback(training.feedback));
  if (alreadySaved) fetchFeedback(training.feedback);
}
