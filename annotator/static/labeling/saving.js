// Saving: drafts kept in the browser, saves retried until the server answers, next and skip.

import { takesTyping } from "./keys.js";
import { carriedOver, content, decided, fingerprint } from "./labels.js";
import { showProblems } from "./panel.js";

const csrfToken = document.querySelector('meta[name="csrf-token"]').content;
const wait = (seconds) => new Promise((resolve) => setTimeout(resolve, seconds * 1000));

export async function request(url, options = {}) {
  const response = await fetch(url, {
    credentials: "same-origin",
    ...options,
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken, ...(options.headers ?? {}) },
  });
  if (response.status === 401) sessionEnded();
  return response;
}

// Logged out elsewhere, password changed or account disabled: this tab's session is over on the
// server. Go to the login page (unsaved edits stay in this browser's draft) instead of failing quietly.
function sessionEnded() {
  const here = window.location.pathname + window.location.search;
  window.location.assign(`/login?ended=1&next=${encodeURIComponent(here)}`);
}

// This tab, across its reloads: a tab drops only its own draft (two tabs share the browser's storage).
const TAB = sessionStorage.getItem("annotator:tab") ?? `${Date.now()}-${Math.random()}`;
sessionStorage.setItem("annotator:tab", TAB);

// Unsaved edits survive a closed tab or a crash.
export class Drafts {
  constructor(ws) {
    this.ws = ws;
    this.key = `annotator:draft:${ws.data.urls.save}`;
  }

  keep() {
    if (!this.ws.dirty) return this.drop();
    try {
      const { labels } = this.ws;
      localStorage.setItem(this.key, JSON.stringify({
        base_revision: this.ws.revision, ...content(labels), ...decided(labels), kept_at: Date.now(), tab: TAB,
        schema_version: this.ws.data.schema_version,
      }));
    } catch (storageFull) {
      this.ws.say("Unsaved changes (this browser cannot keep a copy: storage is full)", "error");
    }
  }

  drop() {
    if (this.#read()?.tab !== TAB) return; // another tab's edits (a restored draft becomes this tab's)
    localStorage.removeItem(this.key);
  }

  #read() {
    return JSON.parse(localStorage.getItem(this.key) ?? "null");
  }

  // Unsaved edits come back. If the labels were saved elsewhere since they began, the edits are
  // still restored, and the version saved elsewhere is shown beside them to take from.
  restore() {
    const kept = this.#read();
    if (!kept) return null;
    const when = new Date(kept.kept_at).toLocaleTimeString();
    const { draft, carried, notes } = carriedOver(kept, this.ws.data.draft_migration ?? {}, this.ws.data.schema_version);
    this.ws.restore(draft);
    if (draft.base_revision === this.ws.revision && !carried) {
      return { message: `Restored unsaved edits kept in this browser at ${when}. Save to keep them.`, kind: "pending" };
    }
    this.ws.rebase(this.ws.revision);
    document.dispatchEvent(new CustomEvent("annotator:elsewhere", { detail: { revision: this.ws.revision, ...this.ws.data.saved } }));
    if (carried) {
      const left = notes.length ? ` ${notes.join(" ")}` : "";
      return { message: `The codebook changed to ${this.ws.data.schema_version}: your unsaved edits from ${when} are carried over, the stored labels shown beside them.${left}`, kind: "error" };
    }
    return { message: `Restored your unsaved edits from ${when}; this article was saved elsewhere since: that version is shown beside yours.`, kind: "error" };
  }
}

// A field being typed in is applied when it loses focus. A save takes exactly what is on screen,
// so it applies that field first, as leaving it would.
function applyFieldBeingTyped() {
  const field = document.activeElement;
  if (takesTyping(field) && field.closest(".panel")) field.dispatchEvent(new Event("change", { bubbles: true }));
}

// Time spent on the labels: the time between the annotator's actions, a pause longer than
// IDLE_SECONDS counted as that long, so a tab left open overnight adds minutes, not a day.
const IDLE_SECONDS = 60;

export class ActiveTime {
  constructor() {
    this.seconds = 0;
    this.last = Date.now();
    for (const type of ["keydown", "pointerdown", "input", "wheel"]) {
      document.addEventListener(type, () => this.tick(), { capture: true, passive: true });
    }
  }

  tick() {
    const now = Date.now();
    this.seconds += Math.min(Math.max(now - this.last, 0), IDLE_SECONDS * 1000) / 1000;
    this.last = now;
  }

  spent() {
    this.tick();
    return Math.round(this.seconds * 10) / 10;
  }

  restart() {
    this.seconds = 0;
    this.last = Date.now();
  }
}

export class Saver {
  constructor(ws, drafts) {
    this.ws = ws;
    this.drafts = drafts;
    this.urls = ws.data.urls;
    this.saving = false;
    this.queue = Promise.resolve(true); // saves run one after another, each once the one before has landed
    this.active = new ActiveTime();
  }

  // Retries while the network or server is down; gives up only on an answer. True once stored.
  // Asked again while a save is under way (offline, say), it waits its turn: nothing is dropped.
  save() {
    applyFieldBeingTyped();
    if (this.saving) this.ws.say("Saving… this save goes after the one under way.", "pending");
    const turn = this.queue.then(() => this.#saveNow());
    this.queue = turn.catch(() => false);
    return turn;
  }

  async #saveNow() {
    if (this.ws.unchanged) {
      this.ws.say("No changes since the last save: nothing to store.", "ok");
      return true;
    }
    this.saving = true;
    try {
      for (let attempt = 0; ; attempt++) {
        const sent = content(this.ws.labels);
        const sentPrint = fingerprint(this.ws.labels);
        let response;
        try {
          this.ws.say("Saving…", "pending");
          response = await request(this.urls.save, { method: "PUT", body: JSON.stringify(this.#body(sent)) });
        } catch (networkError) {
          await this.#retry(attempt, "the server cannot be reached");
          continue;
        }
        if (response.status >= 500) {
          await this.#retry(attempt, `server error ${response.status}`);
          continue;
        }
        const body = await response.json().catch(() => ({}));
        return this.#answered(response, body, sentPrint);
      }
    } finally {
      this.saving = false;
    }
  }

  #body(sent) {
    const decisions = this.ws.suggestionDecisions();
    return {
      base_revision: this.ws.revision,
      seconds_spent: this.active.spent(),
      ...(this.ws.data.schema_version ? { schema_version: this.ws.data.schema_version } : {}),
      ...sent,
      ...(decisions.length ? { suggestion_decisions: decisions } : {}),
    };
  }

  async #retry(attempt, why) {
    const seconds = Math.min(30, 2 ** attempt);
    this.ws.say(`Not saved: ${why}. Retrying in ${seconds} s…`, "error");
    await wait(seconds);
  }

  async #answered(response, body, sentPrint) {
    if (response.ok) {
      // Edits made while the save was under way stay unsaved.
      const editedMeanwhile = fingerprint(this.ws.labels) !== sentPrint;
      this.ws.saved(body.revision, editedMeanwhile ? sentPrint : null);
      this.drafts.keep();
      this.active.restart();
      showProblems([]);
      this.ws.say(`Saved (revision ${body.revision}) at ${new Date().toLocaleTimeString()}`, "ok");
      document.dispatchEvent(new CustomEvent("annotator:saved", { detail: body }));
      this.refreshProgress();
      return true;
    }
    showProblems(body.problems ?? []);
    if (body.error === "schema_changed") {
      // The codebook moved on while this page was open: the edits are kept, and come back carried over.
      this.drafts.keep();
      this.ws.keptForReload = true; // the browser need not warn of unsaved edits: they are kept
      this.ws.say(`Not saved: ${body.message}`, "error");
      window.setTimeout(() => window.location.reload(), 1500);
    } else if (response.status === 409) {
      await this.#savedElsewhere();
    } else {
      this.ws.say(`Not saved: ${body.message ?? response.statusText}`, "error");
    }
    return false;
  }

  // Another tab or device saved first: this tab's edits stay on screen, now building on that
  // save, and what it stored is shown beside them to take from.
  async #savedElsewhere() {
    const response = await request(this.urls.save, { method: "GET" }).catch(() => null);
    if (response?.ok) {
      const stored = await response.json();
      this.ws.rebase(stored.revision);
      this.drafts.keep();
      document.dispatchEvent(new CustomEvent("annotator:elsewhere", { detail: stored }));
    }
    this.ws.say("Not saved: another tab or device saved first. Your edits are kept: take what you want from its version, then save.", "error");
  }

  async refreshProgress() {
    if (!this.urls.progress) return;
    const response = await request(this.urls.progress, { method: "GET" }).catch(() => null);
    if (response?.ok) {
      const { done, total } = await response.json();
      document.getElementById("progress").textContent = `${done} of ${total} done`;
    }
  }

  async goToNext() {
    const response = await request(this.urls.next, { method: "POST", body: "{}" });
    const body = await response.json().catch(() => ({}));
    if (response.ok && body.article) {
      window.location.assign(this.urls.annotate.replace("{id}", body.article.id));
    } else if (response.ok) {
      window.location.assign(this.urls.home);
    } else {
      this.ws.say(`Could not get the next article: ${body.message ?? response.statusText}`, "error");
    }
  }

  async saveAndNext() {
    if (!this.urls.next) return this.save();
    // A trainee reads the known answer first: the feedback's own button goes on from there.
    if (this.ws.data.training) return this.save();
    if (await this.save()) await this.goToNext();
  }

  async skip() {
    if (!this.urls.skip) return;
    if (!window.confirm("Skip this article? It goes back to the pool for someone else.")) return;
    const response = await request(this.urls.skip, { method: "POST", body: "{}" });
    if (response.ok) {
      this.ws.saved(this.ws.revision); // nothing of this article is left to save
      this.drafts.drop();
      await this.goToNext();
    } else {
      const body = await response.json().catch(() => ({}));
      this.ws.say(`Not skipped: ${body.message ?? response.statusText}`, "error");
    }
  }
}
