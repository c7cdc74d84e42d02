// Turns defanged indicators back into their real form, as analysts paste them from reports and emails:
// hxxp://evil[.]com, evil(.)com, user[at]example[dot]com, 198.51.100[.]7, [://] and friends.
const DEFANGED = /[[({\\]|hxxp|fxp/i;
export function refang(text: string): string {
  // Most values are not defanged: one look says so.
  if (!DEFANGED.test(text)) return text;
  return text
    .replace(/\bhxxp(s?)/gi, (_m, s: string) => `http${s.toLowerCase()}`)
    .replace(/\bfxp\b/gi, 'ftp')
    .replace(/\[:\/\/\]|\[:\]\/\//g, '://')
    .replace(/\s*[[({]\s*(\.|dot)\s*[\])}]\s*/gi, '.')
    .replace(/\s*[[({]\s*(@|at)\s*[\])}]\s*/gi, '@')
    .replace(/\\\./g, '.');
}
