/**
 * `attachment` for a download named after a wave: an ASCII file name for old clients and the wave's own
 * name (RFC 6266 / RFC 5987 `filename*`) for the rest, so "Høst 2026" arrives as "Høst 2026.pdf".
 */
export function attachment(name: string, extension: 'csv' | 'pdf'): string {
  const ascii =
    name
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .replace(/[æÆ]/g, 'ae')
      .replace(/[øØ]/g, 'o')
      .replace(/[^A-Za-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .toLowerCase() || 'survey';
  return `attachment; filename="${ascii}.${extension}"; filename*=UTF-8''${encodeURIComponent(name)}.${extension}`;
}
