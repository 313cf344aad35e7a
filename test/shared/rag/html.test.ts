import { describe, expect, it } from 'vitest';
import { chunkText } from '../../../shared/rag/chunker.js';
import { htmlToText } from '../../../shared/rag/html.js';

/** Each case is a defect the regex converter had (issue 18), read through the same entry point it had. */
describe('HTML extraction', () => {
  it('decodes every named and numeric character reference, in the text and the title', () => {
    const { text, title } = htmlToText(
      '<html><head><title>Caf&eacute; &amp; Co &ndash; Men&uuml;</title></head><body>' +
        '<p>Which caf&eacute; serves cr&egrave;me br&ucirc;l&eacute;e for &euro;5 &hellip; &copy; 2024&nbsp;Caf&#xE9; &#233;t&#233; &#x1F370; &lt;b&gt; &amp;amp; &frac12; &rarr; &alpha;&beta;&copy</p></body></html>',
    );
    expect(title).toBe('Café & Co – Menü');
    expect(text).toBe('Which café serves crème brûlée for €5 … © 2024 Café été 🍰 <b> &amp; ½ → αβ©');
  });

  it('drops page chrome: nav, aside, the page header and footer, navigation roles, sidebar and footer classes', () => {
    const { text } = htmlToText(`<body>
      <header><a href="/">Home</a> | <a href="/docs">Docs</a></header>
      <nav><ul><li><a href="a.html">Previous page title</a></li><li>Next page title</li></ul></nav>
      <div role="navigation" class="related">Index | Modules</div>
      <aside>Related articles</aside>
      <main><article>
        <header><h1>Backups</h1><p>Updated yesterday.</p></header>
        <p>To take a consistent backup, stop writes first.</p>
        <footer><p>Written by the storage team.</p></footer>
      </article></main>
      <div class="sphinxsidebar"><h3>Quick search</h3></div>
      <div class="footer">&copy; Copyright 2024.</div>
      <footer>Privacy policy</footer>
    </body>`);
    expect(text).toBe('# Backups\n\nUpdated yesterday.\n\nTo take a consistent backup, stop writes first.\n\nWritten by the storage team.');
  });

  it('keeps a note box title as the first words of its text, not as a heading over what follows', () => {
    const html = `<h1>Restore</h1><p>Copy the files back.</p>
      <div class="note"><h3 class="title">Note</h3><p>Stop the server first.</p></div>
      <p>Then start the server again.</p>
      <div class="admonition warning"><p class="admonition-title">Warning</p><p>Never restore over a running database.</p></div>
      <p>Check the logs.</p>`;
    const { text } = htmlToText(html);
    expect(text).toBe('# Restore\n\nCopy the files back.\n\nNote: Stop the server first.\n\nThen start the server again.\n\nWarning: Never restore over a running database.\n\nCheck the logs.');
    expect(chunkText(text).map((c) => c.heading)).toEqual(['Restore']);
  });

  it('separates dt and dd, list items, table cells and rows, so words of neighbouring blocks never glue', () => {
    const { text } = htmlToText(
      '<dl><dt>work_mem</dt><dd>Memory per sort.</dd><dt>shared_buffers</dt><dd><p>Cache size.</p></dd></dl>' +
        '<ul><li>One</li><li><p>Two</p><ul><li>Two and a half</li></ul></li></ul><ol start="3"><li>Third</li><li>Fourth</li></ol>' +
        '<table><tr><th>Name</th><th>Meaning</th></tr><tr><td>k1</td><td><p>Term frequency saturation.</p></td></tr></table>',
    );
    expect(text).toBe(
      'work_mem\n\nMemory per sort.\n\nshared_buffers\n\nCache size.\n\n- One\n- Two\n- Two and a half\n3. Third\n4. Fourth\n\n| Name | Meaning |\n| k1 | Term frequency saturation. |',
    );
  });

  it('keeps pre blocks with their lines and indentation, as fenced code', () => {
    const { text } = htmlToText('<p>Define it:</p><pre>def area(r):\n    return 3.14 * r ** 2\n\nprint(area(2))</pre><p>Done.</p>');
    expect(text).toBe('Define it:\n\n```\ndef area(r):\n    return 3.14 * r ** 2\n\nprint(area(2))\n```\n\nDone.');
  });

  it('drops scripts, styles, forms and permalink anchors; keeps headings as headings', () => {
    const { text } = htmlToText(
      '<script>alert(1)</script><style>p{}</style><h2>Hours<a class="headerlink" href="#hours" title="Permalink to this headline">¶</a></h2><form><input name="q"><button>Go</button></form><p>Open 9&ndash;5.</p>',
    );
    expect(text).toBe('## Hours\n\nOpen 9–5.');
  });
});
