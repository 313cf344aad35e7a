/** A tiny element builder: the console is a handful of tables and a graph, no framework needed. */
export type Child = Node | string | number | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string | ((event: Event) => void)> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (typeof value === 'function') element.addEventListener(name.replace(/^on/, ''), value);
    else element.setAttribute(name, value);
  }
  append(element, children);
  return element;
}

export function append(parent: Node, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
  }
}

/** A table with a header row; each row's cells as given. */
export function table(headers: string[], rows: Child[][], attrs: Record<string, string> = {}): HTMLTableElement {
  return h(
    'table',
    attrs,
    h('thead', {}, h('tr', {}, ...headers.map((title) => h('th', {}, title)))),
    h('tbody', {}, ...rows.map((cells) => h('tr', {}, ...cells.map((cell) => h('td', {}, cell))))),
  );
}

/** JSON, indented, for outputs and other shapes the console does not know in advance. */
export function pre(value: unknown): HTMLPreElement {
  return h('pre', { class: 'json' }, JSON.stringify(value, null, 2) ?? '');
}

export function when(iso: unknown): string {
  if (typeof iso !== 'string' || !iso) return '';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}

export function seconds(from: unknown, to: unknown): string {
  if (typeof from !== 'string' || !from) return '';
  const end = typeof to === 'string' && to ? Date.parse(to) : Date.now();
  return `${((end - Date.parse(from)) / 1000).toFixed(1)} s`;
}

export function badge(state: unknown): HTMLSpanElement {
  const text = String(state ?? 'unknown');
  return h('span', { class: `badge state-${text}` }, text);
}
