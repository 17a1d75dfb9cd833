// The labeling workspace: one article, its statements, keyboard-first. The page data
// says what was saved (`saved`) and where saving goes (`urls.save`): an annotator's own
// labels on the labeling page, gold on the adjudication page.
// Offsets sent to the server count Unicode code points (as Python does);
// the browser counts UTF-16 units, so every offset crosses `offsets` below.
"use strict";

(() => {
  const data = JSON.parse(document.getElementById("page-data").textContent);
  const csrfToken = document.querySelector('meta[name="csrf-token"]').content;
  const text = data.article.text;
  const SPAN_KINDS = ["actor", "precondition", "outlet", "evidence", "suggestion"];
  const stanceIds = data.schema.statement.stance.choices.map((c) => c.id);
  const $ = (id) => document.getElementById(id);

  // ---- offsets: code points <-> UTF-16 units -------------------------------
  const offsets = (() => {
    if (!/[\uD800-\uDFFF]/.test(text)) {
      return { toUnits: (cp) => cp, toPoints: (units) => units };
    }
    const unitsAt = [0]; // unitsAt[codePointIndex] = UTF-16 index
    for (const ch of text) unitsAt.push(unitsAt[unitsAt.length - 1] + ch.length);
    return {
      toUnits: (cp) => unitsAt[cp],
      toPoints: (units) => {
        let low = 0, high = unitsAt.length - 1;
        while (low < high) {
          const mid = (low + high) >> 1;
          if (unitsAt[mid] < units) low = mid + 1; else high = mid;
        }
        return low;
      },
    };
  })();

  const quote = (start, end) => text.slice(offsets.toUnits(start), offsets.toUnits(end));
  const makeSpan = (start, end) => ({ start, end, text: quote(start, end) });

  // ---- state -----------------------------------------------------------------
  const saved = data.saved;
  const state = {
    revision: saved.revision,
    statements: saved.statements.map(normaliseStatement),
    article: { ...saved.article },
    current: saved.statements.length ? 0 : -1,
    dismissed: new Set(),
    dirty: false,
    saving: false,
    openedAt: Date.now(),
  };

  function normaliseStatement(s) {
    return {
      actor: { id: s.actor?.id ?? "", span: s.actor?.span ?? null },
      stance: s.stance ?? "",
      target: s.target ?? "",
      preconditions: (s.preconditions ?? []).map((p) => ({ category: p.category ?? "", span: p.span ?? null })),
      source_outlet: s.source_outlet ? { id: s.source_outlet.id, span: s.source_outlet.span } : { id: "", span: null },
      evidence: s.evidence ?? null,
    };
  }

  function payload() {
    return {
      base_revision: state.revision,
      seconds_spent: Math.round((Date.now() - state.openedAt) / 100) / 10,
      article: { relevant: state.article.relevant, outlet: state.article.outlet || null, note: state.article.note },
      statements: state.statements.map((s) => ({
        actor: { id: s.actor.id, span: s.actor.span },
        stance: s.stance,
        target: s.target,
        preconditions: s.preconditions.map((p) => ({ category: p.category, span: p.span })),
        source_outlet: s.source_outlet.id || s.source_outlet.span ? s.source_outlet : null,
        evidence: s.evidence,
      })),
    };
  }

  function changed() {
    state.dirty = true;
    keepDraft();
    setStatus("Unsaved changes (kept in this browser)", "pending");
    render();
  }

  // ---- drafts: unsaved edits survive a closed tab or a crash -------------------------
  const draftKey = `annotator:draft:${data.urls.save}`;

  function keepDraft() {
    try {
      localStorage.setItem(draftKey, JSON.stringify({ base_revision: state.revision, ...payload(), kept_at: Date.now() }));
    } catch (storageFull) {
      setStatus("Unsaved changes (this browser cannot keep a copy: storage is full)", "error");
    }
  }

  function dropDraft() {
    localStorage.removeItem(draftKey);
  }

  function restoreDraft() {
    const draft = JSON.parse(localStorage.getItem(draftKey) ?? "null");
    if (!draft) return null;
    if (draft.base_revision !== state.revision) {
      dropDraft();
      return "A draft in this browser was set aside: these labels were saved elsewhere after it was made.";
    }
    state.statements = draft.statements.map(normaliseStatement);
    state.article = { ...draft.article, outlet: draft.article.outlet ?? null };
    state.current = state.statements.length ? 0 : -1;
    state.dirty = true;
    return `Restored unsaved edits kept in this browser at ${new Date(draft.kept_at).toLocaleTimeString()}. Save to keep them.`;
  }

  // ---- the text and its highlights --------------------------------------------
  const textBox = $("article-text");
  textBox.textContent = text;
  const textNode = textBox.firstChild;
  const canHighlight = typeof CSS !== "undefined" && "highlights" in CSS;

  function range(span) {
    const r = new Range();
    r.setStart(textNode, offsets.toUnits(span.start));
    r.setEnd(textNode, offsets.toUnits(span.end));
    return r;
  }

  function spansByKind() {
    const kinds = Object.fromEntries(SPAN_KINDS.map((k) => [k, []]));
    const current = Object.fromEntries(SPAN_KINDS.map((k) => [k, []]));
    state.statements.forEach((s, i) => {
      const into = i === state.current ? current : kinds;
      if (s.actor.span) into.actor.push(s.actor.span);
      s.preconditions.forEach((p) => p.span && into.precondition.push(p.span));
      if (s.source_outlet.span) into.outlet.push(s.source_outlet.span);
      if (s.evidence) into.evidence.push(s.evidence);
    });
    kinds.suggestion = pendingSuggestions();
    return { kinds, current };
  }

  // Highlights are painted by the browser over the one text node: the text is
  // never re-rendered, so long articles stay responsive.
  function paintHighlights() {
    if (!canHighlight || !textNode) return;
    const { kinds, current } = spansByKind();
    SPAN_KINDS.forEach((kind, priority) => {
      CSS.highlights.set(kind, Object.assign(new Highlight(...kinds[kind].map(range)), { priority }));
      CSS.highlights.set(`${kind}-current`, Object.assign(new Highlight(...current[kind].map(range)), { priority: priority + 10 }));
    });
  }

  // ---- selection ---------------------------------------------------------------
  const isWordChar = (ch) => /[\p{L}\p{N}_'’-]/u.test(ch);

  // The selected text as a span, trimmed of spaces and widened to whole words.
  function selectedSpan() {
    const selection = window.getSelection();
    if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return null;
    const r = selection.getRangeAt(0);
    if (!textBox.contains(r.startContainer) || !textBox.contains(r.endContainer)) return null;
    let start = r.startContainer === textNode ? r.startOffset : 0;
    let end = r.endContainer === textNode ? r.endOffset : text.length;
    while (start < end && /\s/.test(text[start])) start++;
    while (end > start && /\s/.test(text[end - 1])) end--;
    while (start > 0 && isWordChar(text[start - 1]) && isWordChar(text[start])) start--;
    while (end < text.length && isWordChar(text[end]) && isWordChar(text[end - 1])) end++;
    if (end <= start) return null;
    selection.removeAllRanges();
    return makeSpan(offsets.toPoints(start), offsets.toPoints(end));
  }

  function currentStatement(create = true) {
    if (state.current < 0 && create) addStatement();
    return state.statements[state.current];
  }

  function addStatement(actor = { id: "", span: null }) {
    state.statements.push(normaliseStatement({ actor }));
    state.current = state.statements.length - 1;
  }

  const markers = {
    a(span) { currentStatement().actor.span = span; },
    p(span) {
      const statement = currentStatement();
      statement.preconditions.push({ category: "", span });
      focusLater(() => lastPreconditionSelect());
    },
    o(span) { currentStatement().source_outlet.span = span; },
    e(span) { currentStatement().evidence = span; },
  };

  // ---- suggestions -------------------------------------------------------------
  const key = (s) => `${s.vocabulary}:${s.start}:${s.end}`;

  function usedSpans() {
    const used = new Set();
    state.statements.forEach((s) => {
      [s.actor.span, s.source_outlet.span].forEach((span) => span && used.add(`${span.start}:${span.end}`));
    });
    return used;
  }

  function pendingSuggestions() {
    const used = usedSpans();
    return data.suggestions.filter((s) => !state.dismissed.has(key(s)) && !used.has(`${s.start}:${s.end}`));
  }

  function acceptSuggestion(suggestion) {
    const span = makeSpan(suggestion.start, suggestion.end);
    if (suggestion.vocabulary === "outlets") {
      const statement = currentStatement();
      statement.source_outlet = { id: suggestion.id, span };
    } else {
      const statement = state.statements[state.current];
      if (statement && !statement.actor.id && !statement.actor.span) statement.actor = { id: suggestion.id, span };
      else addStatement({ id: suggestion.id, span });
    }
    changed();
  }

  // ---- rendering the panel -------------------------------------------------------
  const vocabularyLabel = (name, id) =>
    data.schema.vocabularies[name].find((e) => e.id === id)?.label ?? id;

  function render() {
    renderSuggestions();
    renderStatementList();
    renderEditor();
    paintHighlights();
  }

  function renderSuggestions() {
    const list = $("suggestion-list");
    const pending = pendingSuggestions();
    list.replaceChildren(...pending.slice(0, 12).map((s, i) => {
      const item = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.className = `suggestion${i === 0 ? " first" : ""}`;
      button.textContent = `“${s.text}” → ${vocabularyLabel(s.vocabulary, s.id)}`;
      button.setAttribute("aria-label", `Accept suggestion ${s.text} as ${s.id}`);
      button.addEventListener("click", () => acceptSuggestion(s));
      item.append(button);
      return item;
    }));
    if (pending.length > 12) {
      const more = document.createElement("li");
      more.className = "muted";
      more.textContent = `and ${pending.length - 12} more`;
      list.append(more);
    }
    if (!pending.length) list.replaceChildren(Object.assign(document.createElement("li"), { className: "muted", textContent: "none left" }));
  }

  function renderStatementList() {
    const list = $("statement-list");
    list.replaceChildren(...state.statements.map((s, i) => {
      const item = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.className = i === state.current ? "statement current" : "statement";
      button.setAttribute("aria-current", i === state.current ? "true" : "false");
      const pre = s.preconditions.length ? ` · ${s.preconditions.length} precondition(s)` : "";
      button.textContent = `${i + 1}. ${s.actor.id || "?"} · ${s.stance || "?"} · ${s.target || "?"}${pre}`;
      button.addEventListener("click", () => { state.current = i; render(); });
      item.append(button);
      return item;
    }));
  }

  function spanChip(slot, span, clear) {
    slot.replaceChildren();
    if (!span) {
      slot.textContent = "select text, then press the key";
      slot.classList.add("empty");
      return;
    }
    slot.classList.remove("empty");
    const quoteText = document.createElement("q");
    quoteText.textContent = span.text.length > 80 ? `${span.text.slice(0, 77)}…` : span.text;
    const remove = document.createElement("button");
    remove.type = "button";
    remove.textContent = "✕";
    remove.setAttribute("aria-label", "Clear span");
    remove.addEventListener("click", () => { clear(); changed(); });
    slot.append(quoteText, remove);
  }

  function renderEditor() {
    const host = $("statement-editor");
    const statement = state.statements[state.current];
    if (!statement) {
      host.replaceChildren(Object.assign(document.createElement("p"), {
        className: "muted", textContent: "No statement selected. Press N to add one, or Y to accept a suggestion.",
      }));
      return;
    }
    const editor = $("statement-editor-template").content.firstElementChild.cloneNode(true);
    editor.querySelector('[data-slot="legend"]').textContent = `Statement ${state.current + 1} of ${state.statements.length}`;

    const actor = editor.querySelector('[data-field="actor"]');
    actor.value = statement.actor.id;
    actor.addEventListener("change", () => { statement.actor.id = actor.value.trim(); changed(); });
    spanChip(editor.querySelector('[data-span="actor"]'), statement.actor.span, () => { statement.actor.span = null; });

    editor.querySelectorAll('[data-field="stance"]').forEach((radio) => {
      radio.checked = radio.value === statement.stance;
      radio.addEventListener("change", () => { statement.stance = radio.value; changed(); });
    });

    const target = editor.querySelector('[data-field="target"]');
    target.value = statement.target;
    target.addEventListener("change", () => { statement.target = target.value; changed(); });

    const preconditionList = editor.querySelector('[data-slot="preconditions"]');
    statement.preconditions.forEach((precondition, index) => {
      const item = $("precondition-template").content.firstElementChild.cloneNode(true);
      const category = item.querySelector('[data-field="category"]');
      category.value = precondition.category;
      category.addEventListener("change", () => { precondition.category = category.value; changed(); });
      spanChip(item.querySelector('[data-span="precondition"]'), precondition.span, () => { precondition.span = null; });
      item.querySelector('[data-action="remove-precondition"]').addEventListener("click", () => {
        statement.preconditions.splice(index, 1);
        changed();
      });
      preconditionList.append(item);
    });
    if (!statement.preconditions.length) {
      preconditionList.append(Object.assign(document.createElement("li"), { className: "muted", textContent: "none (select text, press P)" }));
    }

    const outlet = editor.querySelector('[data-field="source_outlet"]');
    outlet.value = statement.source_outlet.id;
    outlet.addEventListener("change", () => { statement.source_outlet.id = outlet.value.trim(); changed(); });
    spanChip(editor.querySelector('[data-span="source_outlet"]'), statement.source_outlet.span, () => { statement.source_outlet.span = null; });
    spanChip(editor.querySelector('[data-span="evidence"]'), statement.evidence, () => { statement.evidence = null; });

    editor.querySelector('[data-action="delete-statement"]').addEventListener("click", deleteCurrent);
    host.replaceChildren(editor);
  }

  function deleteCurrent() {
    if (state.current < 0) return;
    state.statements.splice(state.current, 1);
    state.current = Math.min(state.current, state.statements.length - 1);
    changed();
  }

  function lastPreconditionSelect() {
    const selects = $("statement-editor").querySelectorAll('[data-field="category"]');
    return selects[selects.length - 1];
  }

  function focusLater(find) {
    requestAnimationFrame(() => find()?.focus());
  }

  // ---- article fields ----------------------------------------------------------------
  const relevant = $("article-relevant");
  const articleOutlet = $("article-outlet");
  const note = $("article-note");
  function showArticleFields() {
    relevant.checked = state.article.relevant;
    articleOutlet.value = state.article.outlet ?? "";
    note.value = state.article.note;
  }
  relevant.addEventListener("change", () => { state.article.relevant = relevant.checked; changed(); });
  articleOutlet.addEventListener("change", () => { state.article.outlet = articleOutlet.value.trim(); changed(); });
  note.addEventListener("input", () => {
    state.article.note = note.value;
    state.dirty = true;
    keepDraft();
    setStatus("Unsaved changes (kept in this browser)", "pending");
  });

  // ---- saving --------------------------------------------------------------------------
  const status = $("save-status");
  function setStatus(message, kind) {
    status.textContent = message;
    status.dataset.kind = kind;
  }

  function showProblems(problems) {
    $("problems").replaceChildren(...problems.map((p) => {
      const item = document.createElement("li");
      const match = /^statements\.(\d+)/.exec(p.field);
      item.textContent = match ? `Statement ${Number(match[1]) + 1}: ${p.field.replace(match[0], "").replace(/^\./, "") || "statement"}: ${p.message}` : `${p.field || "annotation"}: ${p.message}`;
      return item;
    }));
  }

  async function request(url, options) {
    return fetch(url, {
      credentials: "same-origin",
      ...options,
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken, ...(options.headers ?? {}) },
    });
  }

  // Retries while the network or server is down; gives up only on an answer.
  async function save() {
    if (state.saving) return false;
    state.saving = true;
    try {
      for (let attempt = 0; ; attempt++) {
        let response;
        try {
          setStatus("Saving…", "pending");
          response = await request(data.urls.save, { method: "PUT", body: JSON.stringify(payload()) });
        } catch (networkError) {
          const wait = Math.min(30, 2 ** attempt);
          setStatus(`Not saved: the server cannot be reached. Retrying in ${wait} s…`, "error");
          await new Promise((resolve) => setTimeout(resolve, wait * 1000));
          continue;
        }
        const body = await response.json().catch(() => ({}));
        if (response.ok) {
          state.revision = body.revision;
          state.dirty = false;
          dropDraft();
          state.openedAt = Date.now();
          showProblems([]);
          setStatus(`Saved (revision ${body.revision}) at ${new Date().toLocaleTimeString()}`, "ok");
          refreshProgress();
          return true;
        }
        if (response.status >= 500) {
          const wait = Math.min(30, 2 ** attempt);
          setStatus(`Not saved: server error ${response.status}. Retrying in ${wait} s…`, "error");
          await new Promise((resolve) => setTimeout(resolve, wait * 1000));
          continue;
        }
        showProblems(body.problems ?? []);
        if (response.status === 409) {
          setStatus("Not saved: this article was saved from another tab or device. Reload to see the latest version.", "error");
        } else {
          setStatus(`Not saved: ${body.message ?? response.statusText}`, "error");
        }
        return false;
      }
    } finally {
      state.saving = false;
    }
  }

  async function refreshProgress() {
    if (!data.urls.progress) return;
    const response = await fetch(data.urls.progress, { credentials: "same-origin" }).catch(() => null);
    if (response?.ok) {
      const { done, total } = await response.json();
      $("progress").textContent = `${done} of ${total} done`;
    }
  }

  async function goToNext() {
    const response = await request(data.urls.next, { method: "POST", body: "{}" });
    const body = await response.json().catch(() => ({}));
    if (response.ok && body.article) {
      window.location.assign(data.urls.annotate.replace("{id}", body.article.id));
    } else if (response.ok) {
      window.location.assign(data.urls.home);
    } else {
      setStatus(`Could not get the next article: ${body.message ?? response.statusText}`, "error");
    }
  }

  async function saveAndNext() {
    if (await save()) await goToNext();
  }

  async function skip() {
    if (!window.confirm("Skip this article? It goes back to the pool for someone else.")) return;
    const response = await request(data.urls.skip, { method: "POST", body: "{}" });
    if (response.ok) {
      state.dirty = false;
      dropDraft();
      await goToNext();
    } else {
      const body = await response.json().catch(() => ({}));
      setStatus(`Not skipped: ${body.message ?? response.statusText}`, "error");
    }
  }

  $("save-button").addEventListener("click", save);
  $("save-next-button")?.addEventListener("click", saveAndNext);
  $("skip-button")?.addEventListener("click", skip);
  $("add-statement").addEventListener("click", () => { addStatement(); changed(); });

  // Another script on the page (adjudication) hands over statements to take.
  document.addEventListener("annotator:take", (event) => {
    const { statements, article, replace } = event.detail;
    if (replace) state.statements = [];
    for (const taken of statements.map(normaliseStatement)) {
      const index = state.statements.findIndex((s) => s.actor.id === taken.actor.id && s.target === taken.target);
      if (index >= 0) state.statements[index] = taken; else state.statements.push(taken);
      state.current = index >= 0 ? index : state.statements.length - 1;
    }
    if (article) {
      state.article = { ...article };
      showArticleFields();
    }
    changed();
  });
  window.addEventListener("beforeunload", (event) => {
    if (state.dirty) event.preventDefault();
  });

  // ---- keyboard ----------------------------------------------------------------------
  const inField = (el) => el && (el.isContentEditable || ["INPUT", "SELECT", "TEXTAREA"].includes(el.tagName));

  function focusField(selector) {
    currentStatement();
    render();
    focusLater(() => $("statement-editor").querySelector(selector));
  }

  document.addEventListener("keydown", (event) => {
    const ctrl = event.ctrlKey || event.metaKey;
    if (ctrl && event.key.toLowerCase() === "s") { event.preventDefault(); save(); return; }
    if (ctrl && event.key === "Enter") { event.preventDefault(); if (data.urls.next) saveAndNext(); else save(); return; }
    if (event.key === "Escape") {
      if (inField(document.activeElement)) { document.activeElement.blur(); textBox.focus(); }
      return;
    }
    if (ctrl || event.altKey || inField(document.activeElement)) return;

    const letter = event.key.toLowerCase();
    const handled = (() => {
      if (event.key === "?") { toggleHelp(); return true; }
      if (event.shiftKey && letter === "s") { if (data.urls.skip) skip(); return true; }
      if (event.shiftKey && event.key === "Delete") { deleteCurrent(); return true; }
      if (event.shiftKey) return false;
      if (markers[letter]) {
        const span = selectedSpan();
        if (!span) { setStatus("Select some text first, then press the key.", "error"); return true; }
        markers[letter](span);
        changed();
        return true;
      }
      const stanceIndex = Number(event.key) - 1;
      if (Number.isInteger(stanceIndex) && stanceIndex >= 0 && stanceIndex < stanceIds.length) {
        currentStatement().stance = stanceIds[stanceIndex];
        changed();
        return true;
      }
      switch (letter) {
        case "n": addStatement(); changed(); return true;
        case "j": state.current = Math.min(state.current + 1, state.statements.length - 1); render(); return true;
        case "k": state.current = Math.max(state.current - 1, state.statements.length ? 0 : -1); render(); return true;
        case "c": focusField('[data-field="actor"]'); return true;
        case "t": focusField('[data-field="target"]'); return true;
        case "g": focusLater(() => lastPreconditionSelect()); return true;
        case "y": { const first = pendingSuggestions()[0]; if (first) acceptSuggestion(first); return true; }
        case "x": { const first = pendingSuggestions()[0]; if (first) { state.dismissed.add(key(first)); render(); } return true; }
        case "b": { const back = $("back-link"); if (back) window.location.assign(back.href); return true; }
        default: return false;
      }
    })();
    if (handled) event.preventDefault();
  });

  // ---- help ---------------------------------------------------------------------------
  const help = $("shortcuts");
  function toggleHelp() {
    if (help.open) help.close(); else help.showModal();
  }
  $("help-button").addEventListener("click", toggleHelp);
  help.querySelector("[data-action=close-help]").addEventListener("click", () => help.close());

  // ---- start ----------------------------------------------------------------------------
  const restored = restoreDraft();
  showArticleFields();
  render();
  if (restored) setStatus(restored, state.dirty ? "pending" : "error");
  if (!canHighlight) setStatus("This browser cannot highlight spans; use a current Chromium or Firefox.", "error");
  textBox.focus();
  document.body.dataset.ready = "true";
  performance.mark("annotator-ready");
})();
