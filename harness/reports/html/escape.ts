/**
 * Escaping for the HTML views. Everything a runtime or user controls (logs, bodies, headers, reasons, names) goes
 * through `esc` or `attr` before it touches markup: a runtime can print `<script>`.
 */

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text content: markup characters as entities, control characters (NULs, CRs, ESC) shown as `\uXXXX`. */
export function esc(text: string | number | undefined): string {
  if (text === undefined) return '';
  return String(text)
    .replace(/[&<>"']/g, (c) => ENTITIES[c]!)
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** An attribute value (always written double-quoted); the same escaping, newlines kept as entities. */
export function attr(text: string | number | undefined): string {
  return esc(text).replace(/\n/g, '&#10;');
}

/** A URL for `href`: only http(s) and relative links; anything else (javascript:, data:) becomes inert. */
export function safeHref(url: string): string | undefined {
  const trimmed = url.trim();
  if (/^https?:\/\//i.test(trimmed)) return attr(trimmed);
  if (/^[a-z][a-z0-9+.-]*:/i.test(trimmed)) return undefined;
  return attr(trimmed);
}

/** JSON for an inline `<script type="application/json">` block: `<` escaped so no `</script>` can close it. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}
