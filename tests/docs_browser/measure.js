// Loaded by tests/test_docs_browser.py into a page of the built site, with PAGES defined:
// each page is opened in a 1280 px wide frame and measured; the results (JSON) replace the
// text of <pre id="out">, which the test reads from chromium's --dump-dom.
//
// page:   the page itself scrolls sideways (scrollWidth > clientWidth);
// code:   a code block is wider than its box (it would scroll);
// tables: a table is wider than its wrapper;
// broken: inline code wraps to a new line inside a word (not at a space).
function check(doc) {
  const root = doc.documentElement;
  const out = {page: null, code: [], tables: [], broken: []};
  if (root.scrollWidth > root.clientWidth + 1) out.page = [root.scrollWidth, root.clientWidth];
  for (const code of doc.querySelectorAll('.md-content pre > code')) {
    if (code.scrollWidth > code.clientWidth + 1) {
      const line = code.textContent.split('\n').reduce((a, b) => b.length > a.length ? b : a, '');
      out.code.push(`${code.scrollWidth}>${code.clientWidth}: ${line.slice(0, 120)}`);
    }
  }
  for (const wrap of doc.querySelectorAll('.md-content .md-typeset__scrollwrap')) {
    if (wrap.scrollWidth > wrap.clientWidth + 1) {
      const head = wrap.querySelector('tr');
      out.tables.push(`${wrap.scrollWidth}>${wrap.clientWidth}: ${head ? head.textContent.trim().replace(/\s+/g, ' ').slice(0, 100) : ''}`);
    }
  }
  for (const code of doc.querySelectorAll('.md-content code')) {
    if (code.closest('pre') || code.getClientRects().length < 2) continue;
    // Wrapped over lines: fine at a space, not inside a word. Walk its characters (in
    // every text node: the words are in spans) and look at each line break.
    const range = doc.createRange();
    const walker = doc.createTreeWalker(code, NodeFilter.SHOW_TEXT);
    let previous = null;
    let broken = false;
    for (let node = walker.nextNode(); node && !broken; node = walker.nextNode()) {
      for (let i = 0; i < node.data.length; i++) {
        range.setStart(node, i);
        range.setEnd(node, i + 1);
        const rect = range.getClientRects()[0];
        const ch = node.data[i];
        if (!rect) {
          // A space where the line wrapped has no box of its own: it is still the break.
          if (/\s/.test(ch) && previous) previous = {ch, top: previous.top};
          continue;
        }
        if (previous && rect.top > previous.top + 2 && !/\s/.test(previous.ch) && !/\s/.test(ch)) {
          out.broken.push(code.textContent.slice(0, 80));  // once per element
          broken = true;
          break;
        }
        previous = {ch, top: rect.top};
      }
    }
  }
  return out;
}
async function measure(path) {
  return new Promise(resolve => {
    const frame = document.createElement('iframe');
    frame.style.width = '1280px'; frame.style.height = '800px'; frame.style.border = '0';
    frame.onload = () => setTimeout(() => { const r = check(frame.contentDocument); frame.remove(); resolve(r); }, 100);
    frame.src = '/' + path;
    document.body.appendChild(frame);
  });
}
(async () => {
  const results = {};
  for (const page of PAGES) results[page] = await measure(page);
  document.getElementById('out').textContent = JSON.stringify(results);
})();
