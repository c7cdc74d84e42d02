// MITRE ATT&CK, and producers who follow it, cite sources inside a description as "(Citation: NAME)", NAME
// being the `source_name` of one of the object's external references. Shown as written, a page is strewn
// with them; here each run of citations becomes the sources' names in parentheses, each linked to the
// source when it gives a web address, so that a reader sees "(CISA 2024; Dragos 2023)" and can follow them.

const OPEN = '(Citation: ';

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
  for (const r of externalReferences) {
    if (!r || typeof r !== 'object') continue;
    const { source_name: name, url } = r as { source_name?: unknown; url?: unknown };
    if (typeof name === 'string' && name !== '' && !sources.has(name)) sources.set(name, webAddress(url));
  }
  // Longest first: a name may hold parentheses, or begin with another name ("BlackEnergy (Group)").
  const names = [...sources.keys()].sort((a, b) => b.length - a.length);
  /**
   * The citation at `at` (the index of "(Citation: "): the source's name and where the citation ends. A name
   * the object's references do not give (ATT&CK cites some sources it does not list) runs to the parenthesis
   * that closes the citation; none closes it: not a citation.
   */
  const citationAt = (at: number): { name: string; end: number } | null => {
    const from = at + OPEN.length;
    for (const name of names) if (description.startsWith(name, from) && description[from + name.length] === ')') return { name, end: from + name.length + 1 };
    let depth = 0;
    for (let j = from; j < description.length && j < from + 300; j += 1) {
      const c = description[j];
      if (c === '\n') return null;
      if (c === '(') depth += 1;
      else if (c === ')' && depth-- === 0) return j > from ? { name: description.slice(from, j), end: j + 1 } : null;
    }
    return null;
  };
  let out = '';
  let i = 0;
  for (let at = description.indexOf(OPEN); at !== -1; at = description.indexOf(OPEN, i)) {
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
      const next = description.slice(end).match(/^[ \t]*/)![0].length + end;
      const c = description.startsWith(OPEN, next) ? citationAt(next) : null;
      if (!c) break;
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
