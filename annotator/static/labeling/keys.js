// Keyboard: one key per action, and no key ever lands in a list it was not meant for.
// Span keys leave the focus on the text; a choice list changes only by its own keys
// (T or G, then the choice's number or the arrows) or a click.

import { SPAN_KINDS } from "./workspace.js";

const TEXT_INPUTS = new Set(["text", "search", "email", "number", "password", "url", "tel"]);
// Keys with which a browser changes a focused radio choice.
const CHOICE_KEYS = new Set(["ArrowUp", "ArrowDown", "ArrowLeft", "ArrowRight", " ", "Home", "End"]);

// Fields that take typed characters: letters typed there are text, not shortcuts.
export function takesTyping(el) {
  if (!el) return false;
  if (el.isContentEditable || el.tagName === "TEXTAREA" || el.tagName === "SELECT") return true;
  return el.tagName === "INPUT" && TEXT_INPUTS.has(el.type);
}

export class Keyboard {
  constructor({ ws, panel, saver, toolbar, dialogs }) {
    Object.assign(this, { ws, panel, saver, toolbar, dialogs });
    this.armed = null; // the choice group that takes the next number key
    this.stanceIds = ws.schema.statement.stance.choices.map((c) => c.id);
    document.addEventListener("keydown", (event) => this.#onKey(event));
    document.addEventListener("focusin", (event) => {
      if (this.armed && !this.armed.contains(event.target)) this.#disarm();
    });
  }

  #onKey(event) {
    const ctrl = event.ctrlKey || event.metaKey;
    const key = event.key.toLowerCase();
    const typing = takesTyping(document.activeElement);
    // A clicked choice keeps the focus, and the browser would move it with the arrows (or Space):
    // only T or G (arming the group) lets them choose.
    if (CHOICE_KEYS.has(event.key) && document.activeElement?.type === "radio" && !this.armed?.contains(document.activeElement)) {
      event.preventDefault();
      return;
    }
    if (ctrl && key === "s") return this.#handled(event, () => this.saver.save());
    if (ctrl && event.key === "Enter") return this.#handled(event, () => this.saver.saveAndNext());
    if (ctrl && key === "z" && !typing) return this.#handled(event, () => (event.shiftKey ? this.ws.redo() : this.ws.undo()));
    if (ctrl && key === "y" && !typing) return this.#handled(event, () => this.ws.redo());
    if (event.key === "Escape") return this.#escape(event, typing);
    if (ctrl || event.altKey || typing) return;
    if (this.dialogs.anyOpen()) {
      // Inside a dialog only its own key closes it; nothing reaches the labels behind it.
      if (event.key === "?" || key === "h") this.#handled(event, () => this.dialogs.toggle(event.key === "?" ? "shortcuts" : "guidelines"));
      return;
    }
    if (event.key === "Enter" && this.armed) return this.#handled(event, () => this.#backToText());

    const number = /^[1-9]$/.test(event.key) ? Number(event.key) : null;
    if (number !== null && this.armed) return this.#handled(event, () => this.#chooseArmed(number));
    if (number !== null && number <= this.stanceIds.length) {
      return this.#handled(event, () => this.ws.setField("stance", this.stanceIds[number - 1]));
    }
    const action = this.#action(event, key);
    if (action) this.#handled(event, action);
  }

  #action(event, key) {
    if (event.key === "?") return () => this.dialogs.toggle("shortcuts");
    if (event.shiftKey) {
      if (key === "s") return () => this.saver.skip();
      if (key === "m") return () => { const [first] = this.ws.pendingModelStatements(); if (first) this.ws.rejectModelStatement(first); };
      if (event.key === "Delete") return () => this.ws.deleteStatement();
      return null;
    }
    if (SPAN_KINDS[key]) return () => this.#markSelection(SPAN_KINDS[key]);
    const ws = this.ws;
    const actions = {
      n: () => ws.addStatement(),
      j: () => ws.select(ws.labels.current + 1),
      k: () => ws.select(ws.labels.current - 1),
      c: () => this.#focusInEditor('[data-field="actor"]'),
      t: () => this.#arm('[data-group="target"]'),
      g: () => this.#armCategory(),
      h: () => this.dialogs.toggle("guidelines"),
      y: () => { const [first] = ws.pendingSuggestions(); if (first) ws.acceptSuggestion(first); },
      m: () => { const [first] = ws.pendingModelStatements(); if (first) ws.acceptModelStatement(first); },
      x: () => { const [first] = ws.pendingSuggestions(); if (first) ws.dismissSuggestion(first); },
      b: () => { const back = document.getElementById("back-link"); if (back) window.location.assign(back.href); },
    };
    return actions[key] ?? null;
  }

  #handled(event, action) {
    event.preventDefault();
    action();
  }

  #escape(event, typing) {
    if (this.dialogs.anyOpen()) return;
    if (typing || this.armed || !this.toolbar.toolbar.hidden) {
      event.preventDefault();
      if (typing) document.activeElement.blur();
      this.toolbar.cancel();
      this.#backToText();
    }
  }

  #markSelection(kind) {
    const span = this.ws.text.selectedSpan();
    this.toolbar.cancel();
    if (!span) return this.ws.say("Select some words of the text first, then press the key.", "error");
    this.ws.mark(kind, span);
    this.#backToText();
  }

  #focusInEditor(selector) {
    if (!this.ws.statement) this.ws.addStatement();
    document.querySelector(`#statement-editor ${selector}`)?.focus();
  }

  // T and G: the group's choices show their numbers, and the next number key picks one.
  #arm(selector) {
    if (!this.ws.statement) this.ws.addStatement();
    const group = document.querySelector(`#statement-editor ${selector}`);
    if (!group) return;
    this.armed = group;
    group.classList.add("armed");
    (group.querySelector("input:checked") ?? group.querySelector("input")).focus();
    this.ws.say("Press the number of a choice (or the arrows, then Enter); Esc leaves.", "pending");
  }

  #armCategory() {
    const preconditions = this.ws.statement?.preconditions ?? [];
    if (!preconditions.length) return this.ws.say("No precondition yet: select its words and press P.", "error");
    this.panel.openCategoryChoices(preconditions.length - 1);
    this.#arm(`li[data-index="${preconditions.length - 1}"] [data-group="category"]`);
  }

  #chooseArmed(number) {
    const radio = this.armed.querySelectorAll("input")[number - 1];
    if (!radio) return this.ws.say(`There is no choice ${number} here.`, "error");
    radio.checked = true;
    radio.dispatchEvent(new Event("change", { bubbles: true }));
    this.#backToText();
  }

  #disarm() {
    this.armed?.classList.remove("armed");
    this.armed = null;
  }

  #backToText() {
    this.#disarm();
    this.ws.text.focus();
  }
}
