import { beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createMemoryHistory, createRouter, type Router } from 'vue-router'
import * as catalog from '../src/api/catalog'
import type { CategoryNode, ProductPage } from '../src/api/types'
import * as categories from '../src/lib/categories'
import ListingPage from '../src/pages/ListingPage.vue'

vi.mock('../src/api/catalog')
vi.mock('../src/lib/categories', async (original) => ({
  ...(await original<typeof categories>()),
  loadCategories: vi.fn(),
}))
const listProducts = vi.mocked(catalog.listProducts)
const loadCategories = vi.mocked(categories.loadCategories)

const TREE: CategoryNode[] = [
  {
    slug: 'outdoor',
    name: 'Sports & Outdoor',
    depth: 0,
    product_count: 14,
    children: [{ slug: 'footwear', name: 'Footwear', depth: 1, product_count: 6, children: [] }],
  },
]

function answer(): ProductPage {
  return {
    products: [],
    total: 6,
    page: 1,
    pages: 1,
    limit: 24,
    sort: 'popularity',
    facets: { categories: [], brands: [{ value: 'Acme', count: 6 }], price_ranges: [] },
    category: {
      slug: 'footwear',
      name: 'Footwear',
      path: [
        { slug: 'outdoor', name: 'Sports & Outdoor', depth: 0 },
        { slug: 'footwear', name: 'Footwear', depth: 1 },
      ],
    },
  }
}

let router: Router

async function open(url: string) {
  await router.push(url)
  return mount(ListingPage, { props: { mode: 'listing' }, global: { plugins: [router] } })
}

beforeEach(() => {
  vi.resetAllMocks()
  router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/category/:slug', component: ListingPage },
      { path: '/:any(.*)*', component: { template: '<div />' } },
    ],
  })
})

describe('a category page while its products load', () => {
  it('names the category from the category tree before its products arrive', async () => {
    loadCategories.mockResolvedValue(TREE)
    listProducts.mockReturnValue(new Promise(() => {}))
    const wrapper = await open('/category/footwear')
    await flushPromises()
    expect(wrapper.get('h1').text()).toBe('Footwear')
    expect(wrapper.findAll('.breadcrumb li').map((li) => li.text())).toEqual(['All products', 'Sports & Outdoor', 'Footwear'])
  })

  it('keeps the heading’s and the count’s places, and shows the filters only once they are known', async () => {
    loadCategories.mockReturnValue(new Promise(() => {}))
    let respond: (page: ProductPage) => void = () => {}
    listProducts.mockReturnValue(new Promise((r) => (respond = r)))
    const wrapper = await open('/category/footwear')
    await flushPromises()
    expect(wrapper.get('h1').text()).toBe('Loading…')
    expect(wrapper.get('.listing-head__count').attributes('aria-hidden')).toBe('true')
    expect(wrapper.find('#listing-filters h2').exists()).toBe(false)
    expect(wrapper.get('#listing-filters [aria-hidden="true"]').findAll('.filters__group').length).toBeGreaterThan(0)

    respond(answer())
    await flushPromises()
    expect(wrapper.get('h1').text()).toBe('Footwear')
    expect(wrapper.get('[data-testid="result-count"]').text()).toBe('6 products')
    expect(wrapper.findAll('#listing-filters h2').map((h) => h.text())).toEqual(['Category', 'Brand', 'Price', 'Availability'])
  })
})
