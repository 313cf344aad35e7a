import Table from 'cli-table3';

/** A table for people: borders only where a terminal shows them well, and plain text otherwise. */
export function table(head: string[], rows: Array<Array<string | number>>): string {
  const rendered = new Table({ head, style: { head: [], border: [] } });
  for (const row of rows) rendered.push(row.map((cell) => String(cell)));
  return rendered.toString();
}

export function say(line = ''): void {
  process.stdout.write(`${line}\n`);
}

/** Seconds since `start`, as `12.3s`. */
export function elapsed(start: number, now = Date.now()): string {
  return `${((now - start) / 1000).toFixed(1)}s`;
}
