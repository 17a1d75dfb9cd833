// The labels being edited, in the shape the server stores, and the history that undoes them.

export function normaliseStatement(s) {
  return {
    origin: s.origin ?? null, // the model suggestion (actor|target) it was accepted from, if any
    actor: { id: s.actor?.id ?? "", span: s.actor?.span ?? null },
    stance: s.stance ?? "",
    target: s.target ?? "",
    preconditions: (s.preconditions ?? []).map((p) => ({ category: p.category ?? "", span: p.span ?? null })),
    source_outlet: s.source_outlet ? { id: s.source_outlet.id ?? "", span: s.source_outlet.span ?? null } : { id: "", span: null },
    evidence: s.evidence ?? null,
  };
}

export function normaliseArticle(article) {
  return { relevant: article?.relevant ?? true, outlet: article?.outlet ?? null, note: article?.note ?? "" };
}

// The labels as a save sends them.
// A draft kept under an older schema version, moved by the project's upgrades since (each from the
// version it left: where every changed id went, null where people decide). What cannot be carried
// stays as typed, and a note says so.
export function carriedOver(draft, migrations, current) {
  const moved = structuredClone(draft);
  const notes = [];
  let version = moved.schema_version;
  const carried = Boolean(version) && version !== current;
  while (version && version !== current && migrations[version]) {
    const { to, fields } = migrations[version];
    const move = (holder, key, field, where) => {
      const old = holder?.[key];
      if (!old || !(old in (fields[field] ?? {}))) return;
      const goes = fields[field][old];
      if (goes) holder[key] = goes;
      else notes.push(`${where}: ${field} "${old}" was split or retired in ${to}: choose again.`);
    };
    moved.statements.forEach((s, i) => {
      const where = `Statement ${i + 1}`;
      move(s.actor, "id", "actor", where);
      move(s, "stance", "stance", where);
      move(s, "target", "target", where);
      s.preconditions.forEach((p) => move(p, "category", "category", where));
      move(s.source_outlet, "id", "outlet", where);
    });
    move(moved.article, "outlet", "outlet", "The article");
    version = to;
  }
  moved.schema_version = current;
  return { draft: moved, carried, notes };
}

export function content(labels) {
  return {
    article: { relevant: labels.article.relevant, outlet: labels.article.outlet || null, note: labels.article.note },
    statements: labels.statements.map((s) => ({
      actor: { id: s.actor.id, span: s.actor.span },
      stance: s.stance,
      target: s.target,
      preconditions: s.preconditions.map((p) => ({ category: p.category, span: p.span })),
      source_outlet: s.source_outlet.id || s.source_outlet.span ? s.source_outlet : null,
      evidence: s.evidence,
    })),
  };
}

// What was done with the model's suggestions: those rejected, and the suggestion each statement was taken from.
export const decided = (labels) => ({ rejected: [...labels.rejected].sort(), origins: labels.statements.map((s) => s.origin) });

// What a save would store: the labels, and the decisions about suggestions (a rejection alone is a
// change worth saving).
export const fingerprint = (labels) => JSON.stringify({ ...content(labels), ...decided(labels) });

// Undo and redo over whole snapshots of the labels: an article's labels are small,
// and a snapshot cannot miss an edit the way a list of inverse operations can.
export class History {
  constructor(limit = 300) {
    this.limit = limit;
    this.past = [];
    this.future = [];
  }

  static snapshot(labels) {
    return structuredClone({
      statements: labels.statements, article: labels.article, current: labels.current,
      dismissed: [...labels.dismissed], rejected: [...labels.rejected],
    });
  }

  record(labels) {
    this.past.push(History.snapshot(labels));
    if (this.past.length > this.limit) this.past.shift();
    this.future = [];
  }

  undo(labels) {
    return this.#step(this.past, this.future, labels);
  }

  redo(labels) {
    return this.#step(this.future, this.past, labels);
  }

  #step(from, to, labels) {
    const snapshot = from.pop();
    if (!snapshot) return false;
    to.push(History.snapshot(labels));
    Object.assign(labels, snapshot, { dismissed: new Set(snapshot.dismissed), rejected: new Set(snapshot.rejected) });
    return true;
  }
}

// A statement's key, as the server aligns statements.
export const keyOf = (s) => `${s.actor?.id ?? ""}|${s.target ?? ""}`;

// The parts of a statement a decision about a suggestion compares.
export function parts(s) {
  const outlet = s.source_outlet?.id || null;
  return {
    actor: s.actor?.id ?? "",
    target: s.target ?? "",
    stance: s.stance ?? "",
    preconditions: [...new Set((s.preconditions ?? []).map((p) => p.category))].sort().join(","),
    source_outlet: outlet,
    evidence: s.evidence ? `${s.evidence.start}:${s.evidence.end}` : null,
  };
}
