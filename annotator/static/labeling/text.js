// The article text: one text node, never re-rendered. Spans are painted over it with the
// CSS Custom Highlight API, and selections (mouse, keyboard or finger) become spans.
// Offsets sent to the server count Unicode code points (as Python does); the browser
// counts UTF-16 units, so every offset crosses `offsets` below.

const isWordChar = (ch) => /[\p{L}\p{N}_'’-]/u.test(ch ?? "");

function codePointOffsets(text) {
  if (!/[\uD800-\uDFFF]/.test(text)) return { toUnits: (cp) => cp, toPoints: (units) => units };
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
}

export class ArticleText {
  constructor(box, text) {
    this.box = box;
    this.text = text;
    box.textContent = text;
    this.node = box.firstChild;
    this.offsets = codePointOffsets(text);
    this.canHighlight = typeof CSS !== "undefined" && "highlights" in CSS;
  }

  quote(start, end) {
    return this.text.slice(this.offsets.toUnits(start), this.offsets.toUnits(end));
  }

  span(start, end) {
    return { start, end, text: this.quote(start, end) };
  }

  range(span) {
    const r = new Range();
    r.setStart(this.node, this.offsets.toUnits(span.start));
    r.setEnd(this.node, this.offsets.toUnits(span.end));
    return r;
  }

  // Paints each named group of spans; a name's priority orders overlapping highlights.
  paint(groups) {
    if (!this.canHighlight || !this.node) return;
    for (const [name, { spans, priority }] of Object.entries(groups)) {
      CSS.highlights.set(name, Object.assign(new Highlight(...spans.map((s) => this.range(s))), { priority }));
    }
  }

  // The selected text as a span, trimmed of spaces and widened to whole words; null if none.
  selectedSpan() {
    const selection = window.getSelection();
    if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return null;
    const r = selection.getRangeAt(0);
    if (!this.box.contains(r.startContainer) || !this.box.contains(r.endContainer)) return null;
    const start = r.startContainer === this.node ? r.startOffset : 0;
    const end = r.endContainer === this.node ? r.endOffset : this.text.length;
    return this.wholeWords(start, end);
  }

  wholeWords(start, end) {
    const text = this.text;
    while (start < end && /\s/.test(text[start])) start++;
    while (end > start && /\s/.test(text[end - 1])) end--;
    while (start > 0 && isWordChar(text[start - 1]) && isWordChar(text[start])) start--;
    while (end < text.length && isWordChar(text[end]) && isWordChar(text[end - 1])) end++;
    if (end <= start) return null;
    return this.span(this.offsets.toPoints(start), this.offsets.toPoints(end));
  }

  // The word under a point of the screen (a finger's tap), as a span; null off the words.
  wordAt(x, y) {
    const caret = document.caretPositionFromPoint?.(x, y);
    const node = caret ? caret.offsetNode : document.caretRangeFromPoint?.(x, y)?.startContainer;
    const offset = caret ? caret.offset : document.caretRangeFromPoint?.(x, y)?.startOffset;
    if (node !== this.node || offset === undefined) return null;
    let start = offset, end = offset;
    if (!isWordChar(this.text[start]) && isWordChar(this.text[start - 1])) start--;
    if (!isWordChar(this.text[start])) return null;
    while (start > 0 && isWordChar(this.text[start - 1])) start--;
    while (end < this.text.length && isWordChar(this.text[end])) end++;
    return this.span(this.offsets.toPoints(start), this.offsets.toPoints(end));
  }

  select(span) {
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(this.range(span));
  }

  clearSelection() {
    window.getSelection()?.removeAllRanges();
  }

  focus() {
    this.box.focus({ preventScroll: true });
  }
}
