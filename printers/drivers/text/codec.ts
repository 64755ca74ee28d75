/** Template handling of the configurable text printer: `{code}` placeholder, `\r` `\n` `\t` `\xHH` escapes. */
export function unescapeTemplate(template: string): string {
  return template.replace(/\\(r|n|t|\\|x[0-9A-Fa-f]{2})/g, (_, e: string) => {
    if (e === 'r') return '\r';
    if (e === 'n') return '\n';
    if (e === 't') return '\t';
    if (e === '\\') return '\\';
    return String.fromCharCode(Number.parseInt(e.slice(1), 16));
  });
}

/** The bytes to send for one code, or null when the code contains a line end (it would split the message). */
export function renderTemplate(template: string, code: string): string | null {
  if (/[\r\n]/.test(code)) return null;
  return template.replaceAll('{code}', code);
}
