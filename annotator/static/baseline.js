// The baseline page: while a run is queued or under way (a job, on whichever host's worker), show its
// progress and reload when it ends.

const box = document.getElementById("training");
const UNDER_WAY = ["queued", "running"];

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
  if (UNDER_WAY.includes(status.state)) setTimeout(poll, 1000);
  else window.location.reload();
}

if (UNDER_WAY.includes(box?.dataset.state)) setTimeout(poll, 1000);
