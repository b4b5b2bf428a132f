import { beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { createMemoryHistory, createRouter, type Router } from 'vue-router'
import * as catalog from '../src/api/catalog'
import type { CategoryNode } from '../src/api/types'
import * as categories from '../src/lib/categories'
import { AISLES_SHOWN, departments } from '../src/lib/categories'
import HomePage from '../src/pages/HomePage.vue'

vi.mock('../src/api/catalog')
// The tree is shared per page load (cached); each test here gives its own.
vi.mock('../src/lib/categories', async (original) => ({
  ...(await original<typeof categories>()),
  loadCategories: vi.fn(),
}))
const loadCategories = vi.mocked(categories.loadCategories)
const listProducts = vi.mocked(catalog.listProducts)

function node(name: string, product_count: number, children: CategoryNode[] = [], depth = 0): CategoryNode {
  const slug = name.toLowerCase().replace(/[^a-z]+/g, '-')
  return { slug, name, depth, product_count, children: children.map((c) => ({ ...c, depth: depth + 1 })) }
}

const TREE = [
  node('Cell Phones', 3300, [
    node('Cell Phone Accessories', 2836),
    node('iPhone', 35),
    node('Prepaid Phones', 55),
    node('Unlocked Cell Phones', 198),
    node('Mobile Broadband', 1),
  ]),
  node('Electronics', 20, [node('Computers', 11), node('Photo', 9), node('Retired', 0)]),
  node('Empty Department', 0, [node('Nothing', 0)]),
]

let router: Router

beforeEach(async () => {
  vi.resetAllMocks()
  setActivePinia(createPinia())
  listProducts.mockResolvedValue({ products: [], total: 0, page: 1, pages: 1, limit: 10, sort: 'popularity', facets: { categories: [], brands: [], price_ranges: [] }, category: null })
  loadCategories.mockResolvedValue(TREE)
  router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/:any(.*)*', component: HomePage }] })
  await router.push('/')
})

describe('the home page’s departments', () => {
  it('are the top of the tree with products, each with its biggest aisles, never mixed with them as peers', () => {
    const shown = departments(TREE)
    expect(shown.map((d) => d.name)).toEqual(['Cell Phones', 'Electronics'])
    expect(shown[0]!.aisles.map((a) => a.name)).toEqual(['Cell Phone Accessories', 'Unlocked Cell Phones', 'Prepaid Phones'])
    expect(shown[1]!.aisles.map((a) => a.name)).toEqual(['Computers', 'Photo'])
    expect(TREE[0]!.children.map((c) => c.name)[0]).toBe('Cell Phone Accessories') // the tree itself is not reordered
  })

  it('shows each department as a card: its link and count, then a few aisles and "All <department>"', async () => {
    const wrapper = mount(HomePage, { global: { plugins: [router] } })
    await flushPromises()
    const cards = wrapper.findAll('[data-testid="departments"] > li')
    expect(cards.map((c) => c.get('h3').text())).toEqual(['Cell Phones', 'Electronics'])
    expect(cards[0]!.get('h3 a').attributes('href')).toBe('/category/cell-phones')
    expect(cards[0]!.get('.department__count').text()).toBe('3,300 products')

    const aisles = cards[0]!.findAll('.department__aisles a')
    expect(aisles.map((a) => [a.text(), a.attributes('href')])).toEqual([
      ['Cell Phone Accessories 2,836 products', '/category/cell-phone-accessories'],
      ['Unlocked Cell Phones 198 products', '/category/unlocked-cell-phones'],
      ['Prepaid Phones 55 products', '/category/prepaid-phones'],
      ['All Cell Phones ›', '/category/cell-phones'],
    ])
    expect(cards[1]!.findAll('.department__aisles a').map((a) => a.text())).toEqual([
      'Computers 11 products',
      'Photo 9 products',
      'All Electronics ›',
    ])
  })

  it('keeps the same lines free while loading, hidden from assistive technology', async () => {
    let resolve: (tree: CategoryNode[]) => void = () => {}
    loadCategories.mockReturnValue(new Promise((r) => (resolve = r)))
    const wrapper = mount(HomePage, { global: { plugins: [router] } })
    await flushPromises()
    const placeholder = wrapper.get('#departments-heading + ul')
    expect(placeholder.attributes('aria-hidden')).toBe('true')
    const cards = placeholder.findAll(':scope > li')
    expect(cards.length).toBeGreaterThan(0)
    // Room for every row a loaded card can have: its aisles and "All …".
    expect(cards.every((card) => card.findAll('.department__aisles > li').length === AISLES_SHOWN + 1)).toBe(true)
    resolve(TREE)
    await flushPromises()
    expect(wrapper.get('#departments-heading + ul').attributes('aria-hidden')).toBeUndefined()
  })
})
