// Adjudication: "Take" buttons hand an annotator's statements to the editor (annotate.js).
"use strict";

(() => {
  const data = JSON.parse(document.getElementById("page-data").textContent);
  const take = (statements, article, replace = false) =>
    document.dispatchEvent(new CustomEvent("annotator:take", { detail: { statements, article, replace } }));

  document.querySelectorAll("[data-take]").forEach((button) => {
    button.addEventListener("click", () => {
      const key = `${button.dataset.actor}\u0000${button.dataset.target}`;
      take([data.versions[key][button.dataset.take]]);
    });
  });

  // History: restoring makes an earlier revision the newest again (nothing is deleted).
  const csrfToken = document.querySelector('meta[name="csrf-token"]').content;
  document.querySelectorAll("[data-restore]").forEach((button) => {
    button.addEventListener("click", async () => {
      const response = await fetch(button.dataset.restore, {
        method: "POST", credentials: "same-origin", headers: { "X-CSRFToken": csrfToken },
      });
      if (response.ok) {
        window.location.reload();
      } else {
        const body = await response.json().catch(() => ({}));
        document.getElementById("history-status").textContent = `Not restored: ${body.message ?? response.statusText}`;
      }
    });
  });

  document.querySelectorAll("[data-take-all]").forEach((button) => {
    button.addEventListener("click", () => {
      const who = button.dataset.takeAll;
      const statements = Object.values(data.versions).map((byAnnotator) => byAnnotator[who]).filter(Boolean);
      take(statements, data.articles[who], true);
    });
  });
})();
