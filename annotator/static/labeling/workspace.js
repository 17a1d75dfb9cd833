// One article's labels and every edit an annotator can make to them. Each edit goes
// through `edit`, so undo, the draft kept in the browser and the panel never miss one.

import { fingerprint, History, keyOf, normaliseArticle, normaliseStatement, parts } from "./labels.js";
import { ArticleText } from "./text.js";
import { groupSuggestions, Vocabulary } from "./vocabulary.js";

export const SPAN_KINDS = { a: "actor", p: "precondition", o: "source_outlet", e: "evidence" };
const KIND_NAMES = { actor: "actor", precondition: "precondition", source_outlet: "source outlet", evidence: "evidence" };
const QUOTE_CHARS = 28;

// The id-and-span field of a statement that an actor or source outlet mark fills.
const refOf = (statement, kind) => (kind === "actor" ? statement.actor : statement.source_outlet);

// A quote short enough for the status line, which must be read whole in its two lines.
const quoted = (text) => (text.length > QUOTE_CHARS ? `${text.slice(0, QUOTE_CHARS - 1)}…` : text);

export class Workspace {
  constructor(data, { box, say }) {
    this.data = data;
    this.schema = data.schema;
    this.text = new ArticleText(box, data.article.text);
    this.say = say;
    this.vocabularies = {
      actors: new Vocabulary(this.schema.vocabularies.actors),
      outlets: new Vocabulary(this.schema.vocabularies.outlets),
    };
    this.revision = data.saved.revision;
    const decisions = data.saved.suggestion_decisions ?? [];
    this.labels = {
      statements: data.saved.statements.map(normaliseStatement),
      article: normaliseArticle(data.saved.article),
      current: data.saved.statements.length ? 0 : -1,
      dismissed: new Set(),
      // Model suggestions rejected before (in an earlier save) or now.
      rejected: new Set(decisions.filter((d) => d.decision === "rejected").map((d) => `${d.actor}|${d.target}`)),
    };
    // A saved statement taken from a suggestion remembers it, so the decision stays "accepted" or "edited".
    for (const decision of decisions) {
      const taken = this.labels.statements[decision.statement];
      if (taken && ["accepted", "edited"].includes(decision.decision)) taken.origin = `${decision.actor}|${decision.target}`;
    }
    this.model = data.model_suggestions; // a model's statements for this article, or null
    this.outletHint = this.#prefillOutlet();
    this.history = new History();
    this.baseline = fingerprint(this.labels);
    this.listeners = new Set();
  }

  // First labels of an article start from the outlet it was imported with, for the annotator to confirm.
  #prefillOutlet() {
    const imported = this.data.article.outlet;
    if (!imported) return null;
    const [entry, ...others] = this.vocabularies.outlets.named(imported);
    if (this.revision !== null || this.labels.article.outlet) return null;
    if (!entry || others.length) return `The article came with the outlet “${imported}”, which is not in the vocabulary.`;
    this.labels.article.outlet = entry.id;
    return `Pre-filled from the article's outlet “${imported}”: check it.`;
  }

  get dirty() {
    return fingerprint(this.labels) !== this.baseline;
  }

  // An unchanged article that was saved before needs no new revision.
  get unchanged() {
    return this.revision !== null && !this.dirty;
  }

  // The labels are stored as `revision`; `stored` is the fingerprint of what was sent, when edits came after it.
  saved(revision, stored = null) {
    this.revision = revision;
    this.baseline = stored ?? fingerprint(this.labels);
    this.outletHint = null;
    this.notify();
  }

  // The labels on screen now build on `revision`, saved elsewhere: they stay as they are, unsaved.
  rebase(revision) {
    this.revision = revision;
    this.baseline = null;
    this.notify();
  }

  onChange(listener) {
    this.listeners.add(listener);
  }

  notify() {
    for (const listener of this.listeners) listener(this);
  }

  edit(change) {
    this.history.record(this.labels);
    const message = change();
    this.notify();
    if (message) this.say(message, "ok");
  }

  undo() {
    if (this.history.undo(this.labels)) this.notify(); else this.say("Nothing to undo.", "pending");
  }

  redo() {
    if (this.history.redo(this.labels)) this.notify(); else this.say("Nothing to redo.", "pending");
  }

  get statement() {
    return this.labels.statements[this.labels.current];
  }

  #currentOrNew() {
    if (!this.statement) this.#addStatement();
    return this.statement;
  }

  #addStatement(actor = { id: "", span: null }) {
    this.labels.statements.push(normaliseStatement({ actor }));
    this.labels.current = this.labels.statements.length - 1;
  }

  addStatement() {
    this.edit(() => { this.#addStatement(); return `Statement ${this.labels.current + 1} added.`; });
  }

  deleteStatement() {
    if (!this.statement) return;
    this.edit(() => {
      const number = this.labels.current + 1;
      if (this.statement.origin) this.labels.rejected.add(this.statement.origin); // taken, then thrown away
      this.labels.statements.splice(this.labels.current, 1);
      this.labels.current = Math.min(this.labels.current, this.labels.statements.length - 1);
      return `Statement ${number} deleted (Ctrl+Z brings it back).`;
    });
  }

  select(index) {
    if (index < 0 || index >= this.labels.statements.length) return;
    this.labels.current = index;
    this.notify();
  }

  // Marks a span as the current statement's actor, precondition, source outlet or evidence. A
  // marked field is never silently marked again: a second actor starts a new statement, and a
  // second source outlet or evidence replaces the first only if the annotator says so.
  mark(kind, span) {
    const held = this.#markedAlready(kind);
    if (held && kind !== "actor"
        && !window.confirm(`Statement ${this.labels.current + 1} already has the ${KIND_NAMES[kind]} “${held.text}”. Replace it with “${span.text}”?`)) {
      this.say(`The ${KIND_NAMES[kind]} stays “${quoted(held.text)}”.`, "pending");
      return;
    }
    this.edit(() => {
      if (held && kind === "actor") this.#addStatement();
      const statement = this.#currentOrNew();
      const where = held && kind === "actor" ? `New statement ${this.labels.current + 1}` : `Statement ${this.labels.current + 1}`;
      if (kind === "precondition") {
        statement.preconditions.push({ category: "", span });
        return `${where}: precondition “${quoted(span.text)}” marked; pick its category (G, then a number).`;
      }
      if (kind === "evidence") {
        statement.evidence = span;
        return `${where}: evidence marked.`;
      }
      const ref = refOf(statement, kind);
      ref.span = span;
      return `${where}: ${KIND_NAMES[kind]} “${quoted(span.text)}” marked. ${this.#idFromName(kind, ref, span.text)}`;
    });
  }

  // The span the current statement already holds for this kind (preconditions are many: none).
  #markedAlready(kind) {
    const statement = this.statement;
    if (!statement || kind === "precondition") return null;
    if (kind === "evidence") return statement.evidence;
    return refOf(statement, kind).span;
  }

  // A marked name that the vocabulary knows sets the id; the message says what happened.
  #idFromName(kind, ref, text) {
    const vocabulary = kind === "actor" ? this.vocabularies.actors : this.vocabularies.outlets;
    const entries = vocabulary.named(text);
    if (entries.length > 1) return `It names ${entries.map((e) => e.id).join(" and ")}: type the id (${kind === "actor" ? "C" : "click the field"}).`;
    if (!entries.length) return ref.id ? `Id stays ${ref.id}.` : "No id known for it: type one.";
    const [entry] = entries;
    if (ref.id === entry.id) return `Id ${entry.id}.`;
    const was = ref.id;
    ref.id = entry.id;
    return was ? `Id changed from ${was} to ${entry.id} (${entry.label}).` : `Id set to ${entry.id} (${entry.label}).`;
  }

  // What a marked name and the chosen id disagree on, if they do (shown beside the field).
  conflict(kind, ref) {
    if (!ref.span || !ref.id) return null;
    const vocabulary = kind === "actor" ? this.vocabularies.actors : this.vocabularies.outlets;
    const entries = vocabulary.named(ref.span.text);
    if (entries.length !== 1 || entries[0].id === ref.id) return null;
    return { named: entries[0], message: `“${ref.span.text}” names ${entries[0].id} (${entries[0].label}), not ${ref.id}.` };
  }

  // Stance or target of the current statement (a new one if there is none).
  setField(field, value) {
    this.edit(() => { this.#currentOrNew()[field] = value; });
  }

  setId(kind, id) {
    const ref = this.statement && refOf(this.statement, kind);
    if (ref?.id === id) return; // applied already (a save applies the field being typed in, then it loses focus)
    this.edit(() => { refOf(this.#currentOrNew(), kind).id = id; });
  }

  setCategory(index, category) {
    const precondition = this.statement?.preconditions[index];
    if (precondition) this.edit(() => { precondition.category = category; });
  }

  removePrecondition(index) {
    this.edit(() => { this.statement.preconditions.splice(index, 1); return "Precondition removed."; });
  }

  clearSpan(kind, index = 0) {
    this.edit(() => {
      const statement = this.statement;
      if (kind === "precondition") statement.preconditions[index].span = null;
      else if (kind === "evidence") statement.evidence = null;
      else refOf(statement, kind).span = null;
    });
  }

  setArticle(field, value) {
    if (this.labels.article[field] === value) return;
    this.edit(() => { this.labels.article[field] = value; });
  }

  // ---- suggestions ----------------------------------------------------------------------
  pendingSuggestions() {
    const used = new Set();
    for (const s of this.labels.statements) {
      for (const span of [s.actor.span, s.source_outlet.span]) if (span) used.add(`${span.start}:${span.end}`);
    }
    const pending = this.data.suggestions.filter((s) => !used.has(`${s.start}:${s.end}`));
    return groupSuggestions(pending).filter((group) => !this.labels.dismissed.has(group.key));
  }

  acceptSuggestion(group) {
    const [first] = group.occurrences;
    const span = this.text.span(first.start, first.end);
    this.edit(() => {
      this.labels.dismissed.add(group.key);
      if (group.vocabulary === "outlets") {
        this.#currentOrNew().source_outlet = { id: group.id, span };
        return `Statement ${this.labels.current + 1}: source outlet ${group.id}.`;
      }
      const statement = this.statement;
      if (statement && !statement.actor.id && !statement.actor.span) statement.actor = { id: group.id, span };
      else this.#addStatement({ id: group.id, span });
      return `Statement ${this.labels.current + 1}: actor ${group.id}.`;
    });
  }

  dismissSuggestion(group) {
    this.edit(() => { this.labels.dismissed.add(group.key); });
  }

  // ---- a model's statements --------------------------------------------------------------
  pendingModelStatements() {
    if (!this.model) return [];
    const taken = new Set(this.labels.statements.map((s) => s.origin ?? keyOf(s)));
    return this.model.statements.filter((s) => !taken.has(keyOf(s)) && !this.labels.rejected.has(keyOf(s)));
  }

  acceptModelStatement(suggested) {
    this.edit(() => {
      const { score, ...statement } = suggested;
      this.labels.statements.push(normaliseStatement({ ...statement, origin: keyOf(suggested) }));
      this.labels.current = this.labels.statements.length - 1;
      return `Statement ${this.labels.current + 1}: taken from ${this.model.model}@${this.model.model_version}; check it, edit what is wrong.`;
    });
  }

  rejectModelStatement(suggested) {
    this.edit(() => {
      this.labels.rejected.add(keyOf(suggested));
      return `Suggested statement ${keyOf(suggested).replace("|", " · ")} rejected.`;
    });
  }

  // What was done with each suggested statement, sent with the save.
  suggestionDecisions() {
    if (!this.model) return [];
    return this.model.statements.map((suggested) => {
      const key = keyOf(suggested);
      const [actor, target] = [suggested.actor.id, suggested.target];
      const base = { model: this.model.model, model_version: this.model.model_version, actor, target };
      const index = this.labels.statements.findIndex((s) => s.origin === key);
      if (index >= 0) {
        const was = parts(suggested), now = parts(this.labels.statements[index]);
        const changed = Object.keys(was).filter((part) => was[part] !== now[part]);
        return { ...base, decision: changed.length ? "edited" : "accepted", changed, statement: index };
      }
      return { ...base, decision: this.labels.rejected.has(key) ? "rejected" : "ignored", changed: [] };
    });
  }

  // Another script on the page (adjudication) hands over statements to take.
  take(statements, article, replace) {
    this.edit(() => {
      if (replace) this.labels.statements = [];
      for (const taken of statements.map(normaliseStatement)) {
        const index = this.labels.statements.findIndex((s) => s.actor.id === taken.actor.id && s.target === taken.target);
        if (index >= 0) this.labels.statements[index] = taken; else this.labels.statements.push(taken);
        this.labels.current = index >= 0 ? index : this.labels.statements.length - 1;
      }
      if (article) this.labels.article = normaliseArticle(article);
      return `Took ${statements.length} statement(s).`;
    });
  }

  restore(draft) {
    this.labels.statements = draft.statements.map((s, i) => normaliseStatement({ ...s, origin: draft.origins?.[i] }));
    this.labels.article = normaliseArticle(draft.article);
    this.labels.rejected = new Set(draft.rejected ?? this.labels.rejected);
    this.labels.current = this.labels.statements.length ? 0 : -1;
    this.notify();
  }
}
