import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderBlocks, type Block } from '../../../shared/rag/blocks.js';
import { markdownBlocks } from '../../../shared/rag/markdown.js';

describe('Markdown to blocks', () => {
  it('reads headings, list items, fenced and indented code, tables, quotes and rules', () => {
    const text = [
      'Title',
      '=====',
      '',
      'Intro line one',
      'and two.',
      '',
      '- first item',
      '  continues here',
      '* second item',
      '10) tenth',
      '',
      '```js',
      'const x = 1;',
      '',
      '  indented();',
      '```',
      '',
      '    four spaces of code',
      '',
      '| a | b |',
      '|---|:-:|',
      '| 1 | 2 |',
      '',
      '> quoted',
      '> text',
      '',
      '---',
      '## Closing ##',
      'Sub',
      '---',
    ].join('\n');
    expect(markdownBlocks(text)).toEqual<Block[]>([
      { kind: 'heading', level: 1, text: 'Title' },
      { kind: 'prose', text: 'Intro line one and two.' },
      { kind: 'prose', text: 'first item continues here', marker: '- ' },
      { kind: 'prose', text: 'second item', marker: '- ' },
      { kind: 'prose', text: 'tenth', marker: '10. ' },
      { kind: 'code', text: 'const x = 1;\n\n  indented();' },
      { kind: 'code', text: 'four spaces of code' },
      { kind: 'row', text: '| a | b |' },
      { kind: 'row', text: '| 1 | 2 |' },
      { kind: 'prose', text: 'quoted text' },
      { kind: 'heading', level: 2, text: 'Closing' },
      { kind: 'heading', level: 2, text: 'Sub' },
    ]);
  });

  it('an unclosed fence runs to the end; "#hashtag" and "C#" are not headings', () => {
    expect(markdownBlocks('#hashtag\n\n# C#\n\n```\ncode\n# not a heading')).toEqual<Block[]>([
      { kind: 'prose', text: '#hashtag' },
      { kind: 'heading', level: 1, text: 'C#' },
      { kind: 'code', text: 'code\n# not a heading' },
    ]);
  });

  it('keeps a list item whose text would make its line a rule ("- --", found by the property below)', () => {
    const blocks: Block[] = [{ kind: 'prose', text: '--', marker: '- ' }, { kind: 'prose', text: '\\* starred', marker: '- ' }];
    // Prose that reads as an ordered item ("1.", another counterexample) comes back as written.
    for (const text of ['1.', '12) x', '\\1.', '\\1 x']) expect(markdownBlocks(renderBlocks([{ kind: 'prose', text }]))).toEqual([{ kind: 'prose', text }]);
    expect(renderBlocks(blocks)).toBe('- \\--\n- \\\\* starred');
    expect(markdownBlocks(renderBlocks(blocks))).toEqual(blocks);
  });

  it('reads back what it renders, whatever the blocks hold', () => {
    const line = fc.string({ unit: fc.constantFrom('a', 'B', ' ', '#', '-', '*', '1', '.', ')', '|', '`', '~', '>', '\\', '=', '_', ':'), maxLength: 12 });
    const collapsed = line.map((s) => s.replace(/\s+/g, ' ').trim()).filter((s) => s.length > 0);
    const block: fc.Arbitrary<Block> = fc.oneof(
      collapsed.filter((s) => !s.endsWith('#') && !s.startsWith('#')).map((text): Block => ({ kind: 'heading', level: 2, text })),
      collapsed.map((text): Block => ({ kind: 'prose', text })),
      collapsed.map((text): Block => ({ kind: 'prose', text, marker: '- ' })),
      fc.array(line, { minLength: 1, maxLength: 3 }).map((lines): Block => ({ kind: 'code', text: lines.join('\n') })),
    );
    fc.assert(
      fc.property(fc.array(block, { maxLength: 6 }), (blocks) => {
        // Code that is only blank lines carries nothing and is not kept; a rendered list item is read back as one.
        const meaningful = blocks.filter((b) => b.kind !== 'code' || b.text.trim());
        expect(markdownBlocks(renderBlocks(meaningful))).toEqual(meaningful);
      }),
      { numRuns: 300 },
    );
  });
});
