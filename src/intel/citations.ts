// MITRE ATT&CK, and producers who follow it, cite sources inside a description as "(Citation: NAME)", NAME
// being the `source_name` of one of the object's external references. Shown as written, a page is strewn
// with them; here each run of citations becomes the sources' names in parentheses, each linked to the
// source when it gives a web address, so that a reader sees "(CISA 2024; Dragos 2023)" and can follow them.

const OPEN = '(Citation: ';
/** The longest source name read. */
const MAX_NAME = 300;
/** Citations resolved in one description at most, and the external references they are looked up in. */
const MAX_CITATIONS = 2_000;
const MAX_REFERENCES = 1_000;

/** A Markdown link text that reads as the name and nothing else (every ASCII punctuation escaped). */
function markdownText(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!<>|~&"'=:;,?@$%^/]/g, (c) => `\\${c}`).replace(/\s+/g, ' ');
}

/** The source's address as a link destination, when it is a web address (http or https); else null. */
function webAddress(url: unknown): string | null {
  if (typeof url !== 'string') return null;
  try {
    const u = new URL(url);
    // Serialised, the address holds no space, '<' or '>': it can go between angle brackets as it is.
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.href : null;
  } catch {
    return null;
  }
}

/**
 * The description as Markdown with its citations resolved against `externalReferences`; a citation of a
 * source they do not give is shown as its name, without a link.
 */
export function linkCitations(description: string, externalReferences: unknown): string {
  if (!description.includes(OPEN) || !Array.isArray(externalReferences)) return description;
  const sources = new Map<string, string | null>();
  for (const r of externalReferences.slice(0, MAX_REFERENCES)) {
    if (!r || typeof r !== 'object') continue;
    const { source_name: name, url } = r as { source_name?: unknown; url?: unknown };
    if (typeof name === 'string' && name !== '' && !sources.has(name)) sources.set(name, webAddress(url));
  }
  // A name is read to the parenthesis that closes its citation; names that hold a parenthesis of their own
  // without its pair cannot be read that way, and are looked for as they are (longest first).
  const odd = [...sources.keys()].filter((n) => /[()]/.test(n)).sort((a, b) => b.length - a.length);
  /**
   * The citation at `at` (the index of "(Citation: "): the source's name and where the citation ends. A source
   * the object's references do not give (ATT&CK cites some it does not list) is named all the same; nothing
   * closing the citation on its line (within MAX_NAME characters): not a citation.
   */
  const citationAt = (at: number): { name: string; end: number } | null => {
    const from = at + OPEN.length;
    let depth = 0;
    for (let j = from; j < description.length && j <= from + MAX_NAME; j += 1) {
      const c = description[j];
      if (c === '\n') break;
      if (c === '(') depth += 1;
      else if (c === ')' && depth-- === 0) {
        const name = description.slice(from, j);
        if (sources.has(name)) return { name, end: j + 1 };
        break;
      }
    }
    for (const name of odd) if (description.startsWith(name, from) && description[from + name.length] === ')') return { name, end: from + name.length + 1 };
    let close = from;
    for (depth = 0; close < description.length && close <= from + MAX_NAME; close += 1) {
      const c = description[close];
      if (c === '\n') return null;
      if (c === '(') depth += 1;
      else if (c === ')' && depth-- === 0) return close > from ? { name: description.slice(from, close), end: close + 1 } : null;
    }
    return null;
  };
  let out = '';
  let i = 0;
  // A description with more citations than any producer writes keeps the rest as written: the page is
  // rendered for every view, and this is no place to spend a second.
  let budget = MAX_CITATIONS;
  for (let at = description.indexOf(OPEN); at !== -1 && budget > 0; at = description.indexOf(OPEN, i)) {
    budget -= 1;
    const first = citationAt(at);
    if (!first) {
      out += description.slice(i, at + OPEN.length);
      i = at + OPEN.length;
      continue;
    }
    // A run of citations, with at most spaces between them, reads as one list.
    const run = [first.name];
    let end = first.end;
    for (;;) {
      let next = end;
      while (description[next] === ' ' || description[next] === '\t') next += 1;
      const c = budget > 0 && description.startsWith(OPEN, next) ? citationAt(next) : null;
      if (!c) break;
      budget -= 1;
      run.push(c.name);
      end = c.end;
    }
    const items = [...new Set(run)].map((name) => {
      const href = sources.get(name);
      return href ? `[${markdownText(name)}](<${href}>)` : markdownText(name);
    });
    // Written as ATT&CK writes it, the citation follows a word or a full stop without a space.
    const before = at > 0 && !/\s/.test(description[at - 1]!) ? ' ' : '';
    out += `${description.slice(i, at)}${before}\\(${items.join('; ')}\\)`;
    i = end;
  }
  return out + description.slice(i);
}
