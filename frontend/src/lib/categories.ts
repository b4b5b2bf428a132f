// The category tree changes rarely and several pages want it (home tiles, listing sidebar): fetch it once per
// page load and share the promise; a failed fetch is forgotten so the next caller tries again.
import { getCategories } from '../api/catalog'
import type { CategoryNode } from '../api/types'

let pending: Promise<CategoryNode[]> | null = null

export function loadCategories(): Promise<CategoryNode[]> {
  pending ??= getCategories().catch((err: unknown) => {
    pending = null
    throw err
  })
  return pending
}

/** The path of nodes from the root to `slug` (empty when the slug is not in the tree). */
export function pathTo(tree: CategoryNode[], slug: string): CategoryNode[] {
  for (const node of tree) {
    if (node.slug === slug) return [node]
    const below = pathTo(node.children, slug)
    if (below.length) return [node, ...below]
  }
  return []
}
