// Every page names itself in the tab title (and so in screen readers' announcement of the new page) and
// describes itself for search engines' snippets (`<meta name="description">`, the shop's own by default).
const SHOP = 'Shop'
export const SHOP_DESCRIPTION = 'Phones, cases and accessories, delivered.'

/** At most this many characters of description: what result pages show. */
const DESCRIPTION_CHARS = 160

export function setTitle(page?: string, description?: string): void {
  document.title = page ? `${page} · ${SHOP}` : SHOP
  let meta = document.querySelector<HTMLMetaElement>('meta[name="description"]')
  if (!meta) {
    meta = document.createElement('meta')
    meta.name = 'description'
    document.head.append(meta)
  }
  meta.content = clip(description?.trim() || SHOP_DESCRIPTION)
}

/** `text` on one line, cut at a word boundary with an ellipsis when it is too long. */
export function clip(text: string, chars = DESCRIPTION_CHARS): string {
  const line = text.replace(/\s+/g, ' ').trim()
  if (line.length <= chars) return line
  const cut = line.slice(0, chars - 1)
  const space = cut.lastIndexOf(' ')
  return `${(space > chars / 2 ? cut.slice(0, space) : cut).replace(/[\s,.;:]+$/, '')}…`
}
