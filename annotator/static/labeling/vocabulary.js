// The schema's vocabularies: which id a name stands for, and suggestions grouped for display.

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

export class Vocabulary {
  constructor(entries) {
    this.entries = entries;
    this.byName = new Map();
    for (const entry of entries) {
      for (const name of [entry.id, entry.label, ...(entry.aliases ?? [])]) this.byName.set(name.toLocaleLowerCase(), entry);
    }
    const names = [...this.byName.keys()].sort((a, b) => b.length - a.length).map(escape);
    // Longest first, so "Kremlin spokesman Dmitry Peskov" is read as one name, not "Kremlin".
    this.pattern = names.length ? new RegExp(`(?<![\\p{L}\\p{N}_])(?:${names.join("|")})(?![\\p{L}\\p{N}_])`, "giu") : null;
  }

  label(id) {
    return this.entries.find((e) => e.id === id)?.label ?? id;
  }

  has(id) {
    return this.entries.some((e) => e.id === id);
  }

  // The entries a marked text names: the whole text as one name, else the names inside it.
  named(text) {
    const whole = this.byName.get(text.trim().toLocaleLowerCase());
    if (whole) return [whole];
    const found = new Map();
    for (const match of text.matchAll(this.pattern ?? /$^/g)) {
      const entry = this.byName.get(match[0].toLocaleLowerCase());
      found.set(entry.id, entry);
    }
    return [...found.values()];
  }
}

// Suggestions of the same name and id show once, with how often the name occurs.
export function groupSuggestions(suggestions) {
  const groups = new Map();
  for (const s of suggestions) {
    const key = `${s.vocabulary}:${s.id}:${s.text}`;
    if (!groups.has(key)) groups.set(key, { key, vocabulary: s.vocabulary, id: s.id, text: s.text, occurrences: [] });
    groups.get(key).occurrences.push(s);
  }
  return [...groups.values()];
}
