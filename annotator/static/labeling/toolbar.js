// The toolbar at a selection: every span key as a button, for the mouse and the finger.
// On touch screens a tap selects the word under the finger and a second tap extends the
// selection to another word, since dragging selection handles on a phone is fiddly.

import { SPAN_KINDS } from "./workspace.js";

export class SelectionToolbar {
  constructor(ws, toolbar, host) {
    this.ws = ws;
    this.toolbar = toolbar;
    this.host = host; // the positioned element the toolbar is placed in
    this.span = null;
    this.tapped = null; // the span a finger has selected so far
    this.pointerDown = false;
    const box = ws.text.box;

    // Buttons must not take the focus or the selection from the text.
    toolbar.addEventListener("pointerdown", (event) => event.preventDefault());
    toolbar.addEventListener("mousedown", (event) => event.preventDefault());
    toolbar.querySelectorAll("[data-mark]").forEach((button) => {
      button.addEventListener("click", () => this.markAs(SPAN_KINDS[button.dataset.mark]));
    });
    toolbar.querySelector('[data-action="cancel-selection"]').addEventListener("click", () => this.cancel());

    document.addEventListener("pointerdown", (event) => {
      if (toolbar.contains(event.target)) return;
      this.pointerDown = event.pointerType === "mouse";
      this.hide();
    });
    document.addEventListener("pointerup", () => {
      if (!this.pointerDown) return;
      this.pointerDown = false;
      this.#fromSelection();
    });
    document.addEventListener("selectionchange", () => requestAnimationFrame(() => this.#fromSelection()));
    box.addEventListener("click", (event) => {
      if (event.pointerType === "touch") this.#tap(event.clientX, event.clientY);
    });
  }

  // While a mouse button is down the selection is still being made: the toolbar waits for its release.
  #fromSelection() {
    if (this.pointerDown) return;
    const span = this.ws.text.selectedSpan();
    if (span) this.show(span);
    else if (!this.tapped) this.hide();
  }

  #tap(x, y) {
    const word = this.ws.text.wordAt(x, y);
    if (!word) return this.cancel();
    const inside = this.tapped && word.start >= this.tapped.start && word.end <= this.tapped.end;
    const span = this.tapped && !inside
      ? this.ws.text.span(Math.min(this.tapped.start, word.start), Math.max(this.tapped.end, word.end))
      : word;
    this.tapped = span;
    this.ws.text.select(span);
    this.show(span);
  }

  show(span) {
    this.span = span;
    this.toolbar.hidden = false;
    this.toolbar.querySelector("[data-slot=selected]").textContent = span.text.length > 40 ? `${span.text.slice(0, 37)}…` : span.text;
    if (getComputedStyle(this.toolbar).position === "fixed") return; // a bar of its own on small screens
    const range = this.ws.text.range(span);
    const rects = range.getClientRects();
    const last = rects[rects.length - 1] ?? range.getBoundingClientRect();
    const host = this.host.getBoundingClientRect();
    const width = this.toolbar.offsetWidth;
    const left = Math.max(0, Math.min(last.left - host.left, host.width - width));
    this.toolbar.style.left = `${left}px`;
    this.toolbar.style.top = `${last.bottom - host.top + 6}px`;
  }

  hide() {
    this.toolbar.hidden = true;
    this.span = null;
  }

  cancel() {
    this.tapped = null;
    this.ws.text.clearSelection();
    this.hide();
  }

  markAs(kind) {
    const span = this.span ?? this.ws.text.selectedSpan();
    this.cancel();
    if (!span) return;
    this.ws.mark(kind, span);
    this.ws.text.focus();
  }
}
