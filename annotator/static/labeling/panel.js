// The labels panel: statements, the current statement's editor, suggestions, article fields.
// The editor is built once per statement and updated in place, so a click or a key never
// loses its focus to a re-render, and the highlights over the text follow every change.

const $ = (id) => document.getElementById(id);
const el = (tag, props = {}, ...children) => {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
};
const MAX_SUGGESTIONS = 12;

function shorten(text, length = 80) {
  return text.length > length ? `${text.slice(0, length - 3)}…` : text;
}

// Replaces a container's children, keeping keyboard focus on the element that stands for the same thing.
function replaceKeepingFocus(container, children) {
  const focusKey = container.contains(document.activeElement) ? document.activeElement.dataset.focusKey : null;
  container.replaceChildren(...children);
  if (focusKey) container.querySelector(`[data-focus-key="${CSS.escape(focusKey)}"]`)?.focus({ preventScroll: true });
}

export class Panel {
  constructor(workspace) {
    this.ws = workspace;
    this.schema = workspace.schema;
    this.built = null; // which statement (and shape) the editor shows
    this.openCategory = null; // the precondition whose category choices are open
    this.#bindArticleFields();
    $("add-statement").addEventListener("click", () => workspace.addStatement());
    $("undo-button").addEventListener("click", () => workspace.undo());
    $("redo-button").addEventListener("click", () => workspace.redo());
  }

  render() {
    this.#renderStatementList();
    this.#renderEditor();
    this.#renderModelStatements();
    this.#renderSuggestions();
    this.#renderArticleFields();
    this.#paint();
    $("undo-button").disabled = !this.ws.history.past.length;
    $("redo-button").disabled = !this.ws.history.future.length;
  }

  // ---- highlights -----------------------------------------------------------------------
  #paint() {
    const kinds = ["actor", "precondition", "outlet", "evidence"];
    const groups = {};
    kinds.forEach((kind, priority) => {
      groups[kind] = { spans: [], priority };
      groups[`${kind}-current`] = { spans: [], priority: priority + 10 };
    });
    this.ws.labels.statements.forEach((s, i) => {
      const suffix = i === this.ws.labels.current ? "-current" : "";
      if (s.actor.span) groups[`actor${suffix}`].spans.push(s.actor.span);
      s.preconditions.forEach((p) => p.span && groups[`precondition${suffix}`].spans.push(p.span));
      if (s.source_outlet.span) groups[`outlet${suffix}`].spans.push(s.source_outlet.span);
      if (s.evidence) groups[`evidence${suffix}`].spans.push(s.evidence);
    });
    const suggested = this.ws.pendingModelStatements().map((s) => s.evidence).filter(Boolean);
    groups.suggestion = { spans: [...this.ws.pendingSuggestions().flatMap((g) => g.occurrences), ...suggested], priority: 4 };
    this.ws.text.paint(groups);
  }

  // ---- statements -----------------------------------------------------------------------
  #renderStatementList() {
    const { statements, current } = this.ws.labels;
    replaceKeepingFocus($("statement-list"), statements.map((s, i) => {
      const pre = s.preconditions.length ? ` · ${s.preconditions.length} precondition(s)` : "";
      const button = el("button", {
        type: "button", className: i === current ? "statement current" : "statement",
        textContent: `${i + 1}. ${s.actor.id || "?"} · ${s.stance || "?"} · ${s.target || "?"}${pre}`,
      });
      button.dataset.focusKey = `statement:${i}`;
      button.setAttribute("aria-current", i === current ? "true" : "false");
      button.addEventListener("click", () => this.ws.select(i));
      return el("li", {}, button);
    }));
  }

  #renderEditor() {
    const host = $("statement-editor");
    const statement = this.ws.statement;
    if (!statement) {
      this.built = null;
      host.replaceChildren(el("p", {
        className: "muted", textContent: "No statement yet. Select words in the text and mark them, press N, or accept a suggestion.",
      }));
      return;
    }
    const shape = `${this.ws.labels.current}/${statement.preconditions.length}/${this.openCategory}/${this.ws.labels.statements.length}`;
    if (this.built !== shape) {
      this.editor = this.#buildEditor(statement);
      replaceKeepingFocus(host, [this.editor]);
      this.built = shape;
    }
    this.#fillEditor(this.editor, statement);
  }

  #buildEditor(statement) {
    const ws = this.ws;
    const editor = $("statement-editor-template").content.firstElementChild.cloneNode(true);
    editor.querySelector('[data-slot="legend"]').textContent = `Statement ${ws.labels.current + 1} of ${ws.labels.statements.length}`;
    for (const kind of ["actor", "source_outlet"]) {
      const input = editor.querySelector(`[data-field="${kind}"]`);
      input.addEventListener("change", () => ws.setId(kind, input.value.trim()));
    }
    for (const field of ["stance", "target"]) {
      editor.querySelectorAll(`[data-field="${field}"]`).forEach((radio) => {
        radio.addEventListener("change", () => ws.setField(field, radio.value));
      });
    }
    editor.querySelectorAll("[data-use-named]").forEach((button) => {
      button.addEventListener("click", () => ws.setId(button.dataset.useNamed, button.dataset.id));
    });
    const list = editor.querySelector('[data-slot="preconditions"]');
    statement.preconditions.forEach((precondition, index) => list.append(this.#buildPrecondition(precondition, index)));
    if (!statement.preconditions.length) {
      list.append(el("li", { className: "muted", textContent: "none: select the words of a condition, then P" }));
    }
    editor.querySelector('[data-action="delete-statement"]').addEventListener("click", () => ws.deleteStatement());
    return editor;
  }

  #buildPrecondition(precondition, index) {
    const item = $("precondition-template").content.firstElementChild.cloneNode(true);
    item.dataset.index = index;
    const choices = item.querySelector('[data-group="category"]');
    const open = !precondition.category || this.openCategory === index;
    choices.hidden = !open;
    choices.querySelectorAll("input").forEach((radio) => {
      radio.name = `category-${index}`;
      radio.dataset.focusKey = `category:${index}:${radio.value}`;
      radio.addEventListener("change", () => {
        this.openCategory = null;
        this.ws.setCategory(index, radio.value);
      });
    });
    const chosen = item.querySelector('[data-action="change-category"]');
    chosen.hidden = open;
    chosen.dataset.focusKey = `change-category:${index}`;
    chosen.addEventListener("click", () => this.openCategoryChoices(index));
    item.querySelector('[data-action="remove-precondition"]').addEventListener("click", () => this.ws.removePrecondition(index));
    item.querySelector('[data-action="remove-precondition"]').setAttribute("aria-label", `Remove precondition ${index + 1}`);
    return item;
  }

  openCategoryChoices(index) {
    this.openCategory = index;
    this.render();
  }

  #fillEditor(editor, statement) {
    const ws = this.ws;
    for (const kind of ["actor", "source_outlet"]) {
      const ref = statement[kind === "actor" ? "actor" : "source_outlet"];
      const input = editor.querySelector(`[data-field="${kind}"]`);
      if (document.activeElement !== input) input.value = ref.id;
      this.#spanChip(editor.querySelector(`[data-span="${kind}"]`), ref.span, () => ws.clearSpan(kind));
      const conflict = ws.conflict(kind, ref);
      const note = editor.querySelector(`[data-conflict="${kind}"]`);
      note.hidden = !conflict;
      if (conflict) {
        note.querySelector("span").textContent = conflict.message;
        Object.assign(note.querySelector("button").dataset, { id: conflict.named.id });
        note.querySelector("button").textContent = `Use ${conflict.named.id}`;
      }
    }
    for (const field of ["stance", "target"]) {
      editor.querySelectorAll(`[data-field="${field}"]`).forEach((radio) => { radio.checked = radio.value === statement[field]; });
      this.#describeChoice(editor.querySelector(`[data-help="${field}"]`), field, statement[field]);
    }
    editor.querySelectorAll("[data-slot=preconditions] > li[data-index]").forEach((item) => {
      const index = Number(item.dataset.index);
      const precondition = statement.preconditions[index];
      item.querySelectorAll("input").forEach((radio) => { radio.checked = radio.value === precondition.category; });
      const category = this.schema.statement.preconditions.categories.find((c) => c.id === precondition.category);
      item.querySelector('[data-action="change-category"]').textContent = category ? `${category.label} ▾` : "choose ▾";
      item.querySelector(".choice-help").textContent = category?.description ?? "Choose the category of this condition.";
      this.#spanChip(item.querySelector('[data-span="precondition"]'), precondition.span, () => ws.clearSpan("precondition", index));
    });
    this.#spanChip(editor.querySelector('[data-span="evidence"]'), statement.evidence, () => ws.clearSpan("evidence"));
  }

  #describeChoice(slot, field, value) {
    const choices = this.schema.statement[field].choices;
    const choice = choices.find((c) => c.id === value);
    slot.textContent = choice ? `${choice.label}: ${choice.description}` : this.schema.statement[field].help;
  }

  #spanChip(slot, span, clear) {
    if (!span) {
      slot.classList.add("empty");
      slot.replaceChildren("not marked");
      return;
    }
    slot.classList.remove("empty");
    const remove = el("button", { type: "button", textContent: "✕" });
    remove.setAttribute("aria-label", `Clear span ${shorten(span.text, 40)}`);
    remove.addEventListener("click", clear);
    slot.replaceChildren(el("q", { textContent: shorten(span.text) }), remove);
  }

  // ---- a model's statements ---------------------------------------------------------------
  #renderModelStatements() {
    const model = this.ws.model;
    $("model-section").hidden = !model;
    if (!model) return;
    $("model-name").textContent = `${model.model}@${model.model_version}`;
    const pending = this.ws.pendingModelStatements();
    const items = pending.map((suggested, i) => {
      const score = suggested.score == null ? "" : ` · score ${suggested.score.toFixed(2)}`;
      const what = `${suggested.actor.id} · ${suggested.stance} · ${suggested.target}`;
      const accept = el("button", { type: "button", className: `suggestion model${i === 0 ? " first" : ""}`, textContent: `${what}${score}` });
      accept.dataset.focusKey = `model:${what}`;
      accept.setAttribute("aria-label", `Accept the model's statement ${what}${score}`);
      accept.addEventListener("click", () => this.ws.acceptModelStatement(suggested));
      const reject = el("button", { type: "button", className: "dismiss", textContent: "✕" });
      reject.setAttribute("aria-label", `Reject the model's statement ${what}`);
      reject.addEventListener("click", () => this.ws.rejectModelStatement(suggested));
      return el("li", { className: "suggestion-item" }, accept, reject);
    });
    if (!items.length) {
      const said = model.statements.length ? "every suggested statement decided" : "the model found no statement in this article";
      items.push(el("li", { className: "muted", textContent: said }));
    }
    replaceKeepingFocus($("model-list"), items);
  }

  // ---- a version saved elsewhere ---------------------------------------------------------
  // Another tab saved this article after this one's edits began: its statements are offered to
  // take, one by one or all; nothing of this tab's edits is thrown away.
  showElsewhere(stored) {
    $("elsewhere-section").hidden = false;
    $("elsewhere-revision").textContent = `revision ${stored.revision}`;
    const items = stored.statements.map((statement) => {
      const what = `${statement.actor.id} · ${statement.stance} · ${statement.target}`;
      const take = el("button", { type: "button", className: "suggestion", textContent: `Take ${what}` });
      take.addEventListener("click", () => this.ws.take([statement]));
      return el("li", { className: "suggestion-item" }, take);
    });
    if (!items.length) items.push(el("li", { className: "muted", textContent: "no statements" }));
    replaceKeepingFocus($("elsewhere-list"), items);
    $("take-elsewhere").onclick = () => {
      this.ws.take(stored.statements, stored.article, true);
      $("elsewhere-section").hidden = true;
    };
    $("close-elsewhere").onclick = () => { $("elsewhere-section").hidden = true; };
  }

  // ---- suggestions ----------------------------------------------------------------------
  #renderSuggestions() {
    const pending = this.ws.pendingSuggestions();
    const items = pending.slice(0, MAX_SUGGESTIONS).map((group, i) => {
      const vocabulary = this.ws.vocabularies[group.vocabulary];
      const count = group.occurrences.length;
      const accept = el("button", {
        type: "button", className: `suggestion${i === 0 ? " first" : ""}`,
        textContent: `“${group.text}” → ${vocabulary.label(group.id)}${count > 1 ? ` ×${count}` : ""}`,
      });
      accept.dataset.focusKey = `suggestion:${group.key}`;
      accept.setAttribute("aria-label", `Accept suggestion ${group.text} as ${group.id}${count > 1 ? ` (${count} places)` : ""}`);
      accept.addEventListener("click", () => this.ws.acceptSuggestion(group));
      const dismiss = el("button", { type: "button", className: "dismiss", textContent: "✕" });
      dismiss.dataset.focusKey = `dismiss:${group.key}`;
      dismiss.setAttribute("aria-label", `Dismiss suggestion ${group.text}`);
      dismiss.addEventListener("click", () => this.ws.dismissSuggestion(group));
      return el("li", { className: "suggestion-item" }, accept, dismiss);
    });
    if (pending.length > MAX_SUGGESTIONS) items.push(el("li", { className: "muted", textContent: `and ${pending.length - MAX_SUGGESTIONS} more` }));
    if (!pending.length) items.push(el("li", { className: "muted", textContent: "none left" }));
    replaceKeepingFocus($("suggestion-list"), items);
  }

  // ---- article fields -------------------------------------------------------------------
  #bindArticleFields() {
    const ws = this.ws;
    $("article-relevant").addEventListener("change", (event) => ws.setArticle("relevant", event.target.checked));
    $("article-outlet").addEventListener("change", (event) => ws.setArticle("outlet", event.target.value.trim() || null));
    // A note is one edit per visit to the field, not one per key.
    const note = $("article-note");
    note.addEventListener("focus", () => { this.noteAtFocus = ws.labels.article.note; });
    note.addEventListener("input", () => { ws.labels.article.note = note.value; ws.notify(); });
    note.addEventListener("change", () => {
      const typed = note.value;
      ws.labels.article.note = this.noteAtFocus ?? typed;
      ws.setArticle("note", typed);
      this.noteAtFocus = typed; // a save applies the field while it keeps the focus: leaving it later adds no edit
    });
  }

  #renderArticleFields() {
    const { article } = this.ws.labels;
    $("article-relevant").checked = article.relevant;
    if (document.activeElement !== $("article-outlet")) $("article-outlet").value = article.outlet ?? "";
    if (document.activeElement !== $("article-note")) $("article-note").value = article.note;
    const hint = $("outlet-hint");
    hint.textContent = this.ws.outletHint ?? (article.outlet ? this.ws.vocabularies.outlets.label(article.outlet) : "");
  }
}

// Where a problem is, in the annotator's words: "Statement 2, precondition 1: pick its category".
const PART_NAMES = { actor: "actor", stance: "stance", target: "target", source_outlet: "source outlet", evidence: "evidence" };

function placeOf(field) {
  const match = /^statements\.(\d+)\.?(.*)$/.exec(field);
  if (!match) return field.startsWith("article") ? "Article" : "Labels";
  const [, index, rest] = match;
  const [part, number] = rest.split(".");
  const within = part === "preconditions" && number !== undefined ? `precondition ${Number(number) + 1}` : PART_NAMES[part];
  return `Statement ${Number(index) + 1}${within ? `, ${within}` : ""}`;
}

export function showProblems(problems) {
  $("problems").replaceChildren(...problems.map((p) => el("li", { textContent: `${placeOf(p.field)}: ${p.message}` })));
}
