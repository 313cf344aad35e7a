import { Parser, type Handler, type ParserOptions } from 'htmlparser2';

/** Deepest element nesting kept; elements opened deeper are read as if empty (their text stays, as siblings). */
export const maxHtmlDepth = 256;

interface ParserInternals {
  stack?: string[];
  tagname?: string;
  openTagStart?: number;
}

/**
 * htmlparser2's Parser with its element stack bounded. The Parser keeps open elements in an
 * array it `unshift`s and searches for each end tag, so nesting depth d costs O(d^2): 400 KB of
 * `<b>` takes 7 s of CPU, a 2 MB document would take minutes. Its documented extension point,
 * `isVoidElement`, decides whether an element goes on the stack; here it also says yes for any
 * element opened at the depth limit. The decision must be the same each time the Parser asks
 * about one start tag (once before pushing it, once after its attributes), so it is kept per
 * start-tag offset. This reads three private fields (`stack`, `tagname`, `openTagStart`) of
 * htmlparser2 10: if a later version renames them the bound silently stops applying, and the
 * hostile-input test's deep-nesting cases fail.
 */
export class BoundedParser extends Parser {
  #decidedAt = -1;
  #decision = false;

  constructor(handler: Partial<Handler>, options: ParserOptions) {
    super(handler, options);
  }

  protected override isVoidElement(name: string): boolean {
    if (super.isVoidElement(name)) return true;
    const internals = this as unknown as ParserInternals;
    // An end tag: closing what is on the (bounded) stack is cheap.
    if (internals.tagname !== name || internals.openTagStart === undefined) return false;
    if (this.#decidedAt !== internals.openTagStart) {
      this.#decidedAt = internals.openTagStart;
      this.#decision = (internals.stack?.length ?? 0) >= maxHtmlDepth;
    }
    return this.#decision;
  }
}
