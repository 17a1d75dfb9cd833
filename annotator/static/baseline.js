// The baseline page: while a training run is under way, show its progress and reload when it ends.

const box = document.getElementById("training");

async function poll() {
  const response = await fetch(box.dataset.statusUrl, { credentials: "same-origin" }).catch(() => null);
  if (response?.status === 401) {
    window.location.assign(`/login?ended=1&next=${encodeURIComponent(window.location.pathname)}`);
    return;
  }
  if (!response?.ok || response.status === 204) return setTimeout(poll, 2000);
  const status = await response.json();
  box.querySelector("progress")?.setAttribute("value", status.done);
  const stage = document.getElementById("training-stage");
  if (stage) stage.textContent = `${status.state}: ${status.stage}`;
  if (status.state === "running") setTimeout(poll, 1000);
  else window.location.reload();
}

if (box?.dataset.state === "running") setTimeout(poll, 1000);
