// The account emails' links carry their token in the fragment (/account/verify#token=...), which a browser never
// sends to a server: it is in no request line, access log or Referer. The page takes it out of the address bar
// before using it, so it is not left in the history, a bookmark, a shared screen or a screenshot either.
import type { Router } from 'vue-router'

/** The `token` of a `#token=...` fragment, or null. */
export function tokenFromHash(hash: string = window.location.hash): string | null {
  const token = new URLSearchParams(hash.replace(/^#/, '')).get('token')?.trim()
  return token || null
}

/** Removes the fragment from the address bar and from the router's record of this history entry. */
export async function clearHash(router: Router): Promise<void> {
  const { pathname, search } = window.location
  window.history.replaceState(window.history.state, '', `${pathname}${search}`)
  // The router remembers the URL it was opened with and writes it (token included) back into this history entry
  // on the next navigation: it must forget it too.
  const current = router.currentRoute.value
  if (current.hash) await router.replace({ path: current.path, query: current.query, hash: '' })
}
