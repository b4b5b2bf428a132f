// The category tree changes rarely and several pages want it (home departments, listing sidebar): fetch it once per
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

/** How many of a department's aisles (its child categories) the home page names before "All <department>". */
export const AISLES_SHOWN = 3

/** A top-level category as the home page shows it: its biggest aisles first. */
export interface Department {
  slug: string
  name: string
  product_count: number
  /** At most AISLES_SHOWN child categories with products, most products first. */
  aisles: CategoryNode[]
}

/**
 * The departments of `tree` that have products, in the catalog's order, each with its biggest aisles that have
 * products: the top of the tree and the level below it are never mixed as if they were peers.
 */
export function departments(tree: CategoryNode[]): Department[] {
  return tree
    .filter((node) => node.product_count > 0)
    .map((node) => ({
      slug: node.slug,
      name: node.name,
      product_count: node.product_count,
      aisles: node.children
        .filter((child) => child.product_count > 0)
        .sort((a, b) => b.product_count - a.product_count || a.name.localeCompare(b.name))
        .slice(0, AISLES_SHOWN),
    }))
}
