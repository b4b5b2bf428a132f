// Every page names itself in the tab title (and so in screen readers' announcement of the new page).
const SHOP = 'Shop'

export function setTitle(page?: string): void {
  document.title = page ? `${page} · ${SHOP}` : SHOP
}
