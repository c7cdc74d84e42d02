// Turns defanged indicators back into their real form, as analysts paste them from reports and emails:
// hxxp://evil[.]com, evil(.)com, user[at]example[dot]com, 198.51.100[.]7, [://] and friends.
export function refang(text: string): string {
  return text
    .replace(/\bhxxp(s?)/gi, (_m, s: string) => `http${s.toLowerCase()}`)
    .replace(/\bfxp\b/gi, 'ftp')
    .replace(/\[:\/\/\]|\[:\]\/\//g, '://')
    .replace(/\s*[[({]\s*(\.|dot)\s*[\])}]\s*/gi, '.')
    .replace(/\s*[[({]\s*(@|at)\s*[\])}]\s*/gi, '@')
    .replace(/\\\./g, '.');
}
