import { renderBlocks, type Block } from './blocks.js';
import { BoundedParser } from './bounded-html-parser.js';
import { collapseSpaces } from './markdown.js';

/**
 * HTML to blocks through a real parser (htmlparser2: the HTML spec's implied end tags, void
 * elements, every named and numeric character reference decoded by `entities`). What is kept:
 * - headings as headings, except inside a note/tip/warning box, whose title becomes the first
 *   words of its text ("Note: ...") so the text after the box keeps its real heading path;
 * - paragraphs, list items, `dt` and `dd`, table rows (cells joined by " | "), `pre` with its
 *   lines and indentation, each its own block, so words of neighbouring blocks never glue;
 * What is dropped: scripts, styles and other non-text elements, forms, and page chrome (`nav`,
 * `aside`, the page's own `header` and `footer`, landmark roles such as navigation, hidden
 * elements, permalink anchors, and the sidebar and footer classes of common generators), which
 * otherwise index every neighbouring page's title as this page's content.
 */

const dropped = new Set(['script', 'style', 'noscript', 'template', 'svg', 'math', 'canvas', 'iframe', 'object', 'embed', 'audio', 'video', 'map', 'form', 'button', 'select', 'textarea', 'input', 'nav', 'aside', 'dialog']);
const chromeRoles = new Set(['navigation', 'banner', 'contentinfo', 'complementary', 'search', 'menu', 'menubar', 'toolbar']);
/** Class names that mark chrome in widespread generators (Sphinx, Bootstrap and others). */
const chromeClasses = new Set(['sphinxsidebar', 'sidebar', 'footer', 'navbar', 'breadcrumb', 'breadcrumbs', 'skip-link', 'mobile-nav', 'headerlink', 'header-anchor', 'anchorjs-link', 'permalink']);
const admonitionClasses = new Set(['admonition', 'note', 'tip', 'hint', 'warning', 'caution', 'important', 'danger', 'attention', 'error', 'seealso', 'callout', 'alert', 'markdown-alert']);
const titleClasses = new Set(['admonition-title', 'title', 'callout-title', 'alert-title', 'markdown-alert-title']);
const blockElements = new Set([
  'address', 'article', 'blockquote', 'body', 'caption', 'center', 'dd', 'details', 'dir', 'div', 'dl', 'dt', 'fieldset', 'figcaption', 'figure', 'footer',
  'header', 'hgroup', 'hr', 'html', 'legend', 'li', 'main', 'menu', 'ol', 'p', 'section', 'summary', 'table', 'tbody', 'tfoot', 'thead', 'ul',
]);
const sectioning = new Set(['article', 'main', 'section']);

type Role = 'skip' | 'title' | 'heading' | 'admonition-title' | 'pre' | 'row' | 'cell' | 'item' | 'list' | 'admonition' | 'block' | 'inline';

interface Frame {
  name: string;
  role: Role;
  level?: number;
  /** Where text inside this element goes, when not to the current paragraph. */
  sink?: string[];
  cells?: string[];
  /** An ordered list's next number. */
  next?: number;
  /** An admonition's title is taken. */
  titled?: boolean;
}

/** Paragraph text as it arrives, and the list marker or admonition title waiting for it. */
class BlockWriter {
  readonly blocks: Block[] = [];
  marker: string | undefined;
  prefix: string | undefined;
  #text: string[] = [];

  text(piece: string): void {
    this.#text.push(piece);
  }

  endParagraph(): void {
    const text = collapseSpaces(this.#text.join(''));
    this.#text = [];
    if (!text) return;
    const full = this.prefix ? `${this.prefix} ${text}` : text;
    this.prefix = undefined;
    this.blocks.push(this.marker !== undefined ? { kind: 'prose', text: full, marker: this.marker } : { kind: 'prose', text: full });
    this.marker = undefined;
  }

  /** Code, a row or a heading: an admonition title still waiting stands alone before it. */
  push(block: Block): void {
    this.endParagraph();
    if (this.prefix) this.blocks.push({ kind: 'prose', text: this.prefix });
    this.prefix = undefined;
    this.blocks.push(block);
  }
}

function classesOf(attributes: Record<string, string>): string[] {
  return (attributes.class ?? '').split(' ').filter(Boolean);
}

function isChrome(name: string, attributes: Record<string, string>, inSection: boolean, admonition: boolean): boolean {
  if (admonition) return false;
  if (dropped.has(name)) return true;
  if ((name === 'header' || name === 'footer') && !inSection) return true;
  if (chromeRoles.has((attributes.role ?? '').toLowerCase())) return true;
  if ('hidden' in attributes || attributes['aria-hidden'] === 'true') return true;
  return classesOf(attributes).some((c) => chromeClasses.has(c.toLowerCase()));
}

export interface HtmlDocument {
  blocks: Block[];
  title?: string;
}

export function htmlToBlocks(html: string): HtmlDocument {
  const writer = new BlockWriter();
  const stack: Frame[] = [];
  const sinks: string[][] = [];
  let skipping = 0;
  let sections = 0;
  let admonitions = 0;
  let pres = 0;
  let cells = 0;
  let title: string | undefined;

  const nearest = (role: Role): Frame | undefined => {
    // Lists and rows are found near the top of the stack; the walk stops at the first match.
    for (let i = stack.length - 1; i >= 0; i--) if (stack[i]?.role === role) return stack[i];
    return undefined;
  };

  const open = (name: string, attributes: Record<string, string>): Frame => {
    if (skipping) return { name, role: 'skip' };
    if (name === 'title') return title === undefined && !pres ? { name, role: 'title', sink: [] } : { name, role: 'skip' };
    const classes = classesOf(attributes).map((c) => c.toLowerCase());
    const isAdmonition = (name === 'div' || name === 'aside' || name === 'section' || name === 'blockquote') && classes.some((c) => admonitionClasses.has(c));
    if (isChrome(name, attributes, sections > 0, isAdmonition)) return { name, role: 'skip' };
    if (pres) {
      if (name === 'br') sinks.at(-1)?.push('\n');
      return { name, role: 'inline' };
    }
    if (cells) {
      // Inside a table cell everything is the cell's text; blocks and breaks become spaces.
      if (name === 'br' || blockElements.has(name) || /^h[1-6]$/.test(name)) sinks.at(-1)?.push(' ');
      return { name, role: 'inline' };
    }
    const admonition = admonitions ? nearest('admonition') : undefined;
    const heading = /^h[1-6]$/.test(name);
    if (admonition && !admonition.titled && (heading || classes.some((c) => titleClasses.has(c)))) {
      admonition.titled = true;
      writer.endParagraph();
      return { name, role: 'admonition-title', sink: [] };
    }
    if (heading && !admonition) {
      writer.endParagraph();
      return { name, role: 'heading', level: Number(name[1]), sink: [] };
    }
    switch (name) {
      case 'pre':
        writer.endParagraph();
        return { name, role: 'pre', sink: [] };
      case 'tr':
        writer.endParagraph();
        return { name, role: 'row', cells: [] };
      case 'td':
      case 'th':
        return nearest('row') ? { name, role: 'cell', sink: [] } : { name, role: 'block' };
      case 'ul':
      case 'ol': {
        writer.endParagraph();
        const start = Number.parseInt(attributes.start ?? '1', 10);
        return { name, role: 'list', next: Number.isFinite(start) ? start : 1 };
      }
      case 'li': {
        writer.endParagraph();
        const list = nearest('list');
        if (list?.name === 'ol') {
          const n = list.next ?? 1;
          list.next = n + 1;
          writer.marker = `${n}. `;
        } else writer.marker = '- ';
        return { name, role: 'item' };
      }
      case 'br':
        writer.text(' ');
        return { name, role: 'inline' };
    }
    if (isAdmonition) {
      writer.endParagraph();
      return { name, role: 'admonition', titled: false };
    }
    if (heading || blockElements.has(name)) {
      writer.endParagraph();
      return { name, role: 'block' };
    }
    return { name, role: 'inline' };
  };

  const close = (frame: Frame): void => {
    const text = frame.sink ? frame.sink.join('') : '';
    switch (frame.role) {
      case 'title':
        title = collapseSpaces(text) || undefined;
        break;
      case 'heading': {
        const heading = collapseSpaces(text);
        if (heading) writer.push({ kind: 'heading', level: frame.level ?? 1, text: heading });
        break;
      }
      case 'admonition-title': {
        const words = collapseSpaces(text);
        if (words) writer.prefix = /[:.!?]$/.test(words) ? words : `${words}:`;
        break;
      }
      case 'pre': {
        // The HTML parser drops a newline right after <pre>; trailing blank lines say nothing.
        const code = (text.startsWith('\n') ? text.slice(1) : text).trimEnd();
        if (code.trim()) writer.push({ kind: 'code', text: code });
        break;
      }
      case 'cell':
        nearest('row')?.cells?.push(collapseSpaces(text));
        break;
      case 'row':
        if (frame.cells?.some(Boolean)) writer.push({ kind: 'row', text: `| ${frame.cells.join(' | ')} |` });
        break;
      case 'item':
        writer.endParagraph();
        writer.marker = undefined;
        break;
      case 'admonition':
        writer.endParagraph();
        writer.prefix = undefined;
        break;
      case 'list':
      case 'block':
        writer.endParagraph();
        break;
    }
  };

  const parser = new BoundedParser(
    {
      onopentag(name, attributes) {
        const frame = open(name, attributes);
        stack.push(frame);
        if (frame.role === 'skip') skipping++;
        if (sectioning.has(name) && frame.role !== 'skip') sections++;
        if (frame.role === 'admonition') admonitions++;
        if (frame.role === 'pre') pres++;
        if (frame.role === 'cell') cells++;
        if (frame.sink) sinks.push(frame.sink);
      },
      ontext(text) {
        if (skipping) return;
        const sink = sinks.at(-1);
        if (sink) sink.push(text);
        else writer.text(text);
      },
      onclosetag() {
        // htmlparser2 closes every element it opened (implied end tags included), innermost first.
        const frame = stack.pop();
        if (!frame) return;
        if (frame.role === 'skip') {
          skipping--;
          return;
        }
        if (frame.sink) sinks.pop();
        if (sectioning.has(frame.name)) sections--;
        if (frame.role === 'admonition') admonitions--;
        if (frame.role === 'pre') pres--;
        if (frame.role === 'cell') cells--;
        close(frame);
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  parser.write(html);
  parser.end();
  writer.endParagraph();
  return title ? { blocks: writer.blocks, title } : { blocks: writer.blocks };
}

/** HTML as the Markdown the chunker writes (headings as `#` lines, lists, fenced code, rows). */
export function htmlToText(html: string): { text: string; title?: string } {
  const { blocks, title } = htmlToBlocks(html);
  const text = renderBlocks(blocks);
  return title ? { text, title } : { text };
}
