// Text as PostgreSQL can store it: no NUL character (refused in any text) and no half of a character (a lone
// surrogate, refused inside JSON). For what the platform writes about someone else's text (a refused object's
// id, another server's error): each NUL is written as the escape `\u0000`, each half character as U+FFFD.

export function storable(text: string): string {
  return text.toWellFormed().replaceAll('\u0000', '\\u0000');
}
