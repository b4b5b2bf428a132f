import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { createMemoryHistory, createRouter, type Router } from 'vue-router'
import * as catalog from '../src/api/catalog'
import SearchBox from '../src/components/SearchBox.vue'
import { SEARCH_DEBOUNCE_MS } from '../src/stores/search'
import { searchResult } from './fixtures'

vi.mock('../src/api/catalog')
const search = vi.mocked(catalog.search)

let router: Router
let wrapper: VueWrapper

async function typeAndWait(text: string) {
  const input = wrapper.get('input')
  await input.setValue(text)
  await vi.advanceTimersByTimeAsync(SEARCH_DEBOUNCE_MS)
  await flushPromises()
  return input
}

const key = (name: string) => wrapper.get('input').trigger('keydown', { key: name })
const attr = (name: string) => wrapper.get('input').attributes(name)

beforeEach(async () => {
  vi.useFakeTimers()
  vi.resetAllMocks()
  setActivePinia(createPinia())
  router = createRouter({
    history: createMemoryHistory(),
    routes: [{ path: '/:any(.*)*', component: { template: '<div />' } }],
  })
  await router.push('/')
  search.mockImplementation(async (q) => searchResult(q, ['iPhone 7', 'iPhone 8']))
  wrapper = mount(SearchBox, { global: { plugins: [router] }, attachTo: document.body })
})
afterEach(() => {
  wrapper.unmount()
  vi.useRealTimers()
})

describe('search combobox', () => {
  it('is a labelled combobox that controls a listbox, collapsed at first', () => {
    const input = wrapper.get('input')
    expect(input.attributes('role')).toBe('combobox')
    expect(input.attributes('aria-autocomplete')).toBe('list')
    expect(input.attributes('aria-expanded')).toBe('false')
    expect(wrapper.get('label[for="search-input"]').text()).toBe('Search products')
    const listbox = wrapper.get(`#${input.attributes('aria-controls')}`)
    expect(listbox.attributes('role')).toBe('listbox')
  })

  it('opens with highlighted product, category and "see all" options as you type', async () => {
    await typeAndWait('iph')
    expect(attr('aria-expanded')).toBe('true')
    const options = wrapper.findAll('[role="option"]')
    expect(options.map((o) => o.text())).toEqual([
      expect.stringContaining('iPhone 7'),
      expect.stringContaining('iPhone 8'),
      expect.stringContaining('“iph” in Phones'),
      expect.stringContaining('See all 2 results for “iph”'),
    ])
    expect(options[0]!.find('mark').text()).toBe('iPh')
    expect(options.every((o) => o.attributes('aria-selected') === 'false')).toBe(true)
    expect(attr('aria-activedescendant')).toBeUndefined()
  })

  it('shows a placeholder instead of a broken thumbnail when the photo host cannot be reached', async () => {
    search.mockImplementation(async (q) => {
      const result = searchResult(q, ['iPhone 7'])
      return { ...result, hits: result.hits.map((hit) => ({ ...hit, image: 'https://unreachable.example/p.jpg' })) }
    })
    await typeAndWait('iph')
    const option = wrapper.findAll('[role="option"]')[0]!
    await option.get('img.search__thumb').trigger('error')
    expect(option.find('img').exists()).toBe(false)
    expect(option.find('.search__thumb--none').exists()).toBe(true)
  })

  it('moves the active option with Down and Up, wrapping at both ends', async () => {
    await typeAndWait('iph')
    const ids = wrapper.findAll('[role="option"]').map((o) => o.attributes('id'))

    await key('ArrowDown')
    expect(attr('aria-activedescendant')).toBe(ids[0])
    expect(wrapper.get(`#${ids[0]}`).attributes('aria-selected')).toBe('true')
    await key('ArrowDown')
    expect(attr('aria-activedescendant')).toBe(ids[1])
    await key('ArrowUp')
    await key('ArrowUp')
    expect(attr('aria-activedescendant')).toBe(ids[3])
    await key('ArrowDown')
    expect(attr('aria-activedescendant')).toBe(ids[0])
  })

  it('opens the active option on Enter', async () => {
    await typeAndWait('iph')
    await key('ArrowDown')
    await key('ArrowDown')
    await key('Enter')
    await flushPromises()
    expect(router.currentRoute.value.fullPath).toBe('/p/p-1')
    expect(attr('aria-expanded')).toBe('false')
  })

  it('opens the full results page on Enter without an active option', async () => {
    await typeAndWait('iph')
    await key('Enter')
    await flushPromises()
    expect(router.currentRoute.value.fullPath).toBe('/search?q=iph')
  })

  it('closes on Escape, then clears the text on a second Escape', async () => {
    const input = await typeAndWait('iph')
    await key('ArrowDown')
    await key('Escape')
    expect(attr('aria-expanded')).toBe('false')
    expect(attr('aria-activedescendant')).toBeUndefined()
    expect((input.element as HTMLInputElement).value).toBe('iph')
    await key('Escape')
    expect((input.element as HTMLInputElement).value).toBe('')
  })

  it('reopens with Down after Escape', async () => {
    await typeAndWait('iph')
    await key('Escape')
    await key('ArrowDown')
    expect(attr('aria-expanded')).toBe('true')
    expect(attr('aria-activedescendant')).toBe(wrapper.findAll('[role="option"]')[0]!.attributes('id'))
  })

  it('announces how many products were found, or that none were', async () => {
    await typeAndWait('iph')
    expect(wrapper.get('[role="status"]').text()).toBe('2 products suggested.')
    search.mockImplementation(async (q) => searchResult(q, []))
    await typeAndWait('zzz')
    expect(wrapper.get('[role="status"]').text()).toBe('No products match “zzz”.')
    expect(wrapper.find('#search-opt-all').exists()).toBe(false)
  })

  it('offers the catalog’s spelling when nothing matched, and never "all 0 results"', async () => {
    search.mockImplementation(async (q) => searchResult(q, [], 'mysql', 'headphones'))
    await typeAndWait('headphnes')
    expect(wrapper.get('[role="status"]').text()).toBe('No products match “headphnes”. Did you mean “headphones”?')
    expect(wrapper.find('#search-opt-all').exists()).toBe(false)
    await key('ArrowDown')
    expect(attr('aria-activedescendant')).toBe('search-opt-suggest')
    await key('Enter')
    await flushPromises()
    expect(router.currentRoute.value.fullPath).toBe('/search?q=headphones')
  })

  it('tells each suggested product’s availability beside its brand and price', async () => {
    search.mockImplementation(async (q) => {
      const result = searchResult(q, ['iPhone 7', 'iPhone 8', 'iPhone X'])
      const [plenty, few, none] = result.hits
      Object.assign(plenty!, { available: 40, in_stock: true })
      Object.assign(few!, { available: 2, in_stock: true })
      Object.assign(none!, { available: 0, in_stock: false })
      return result
    })
    await typeAndWait('iph')
    const metas = wrapper.findAll('.search__option--product .search__meta').map((m) => m.text())
    expect(metas).toEqual(['Brand · $10.00 · In stock', 'Brand · $10.00 · Only 2 left', 'Brand · $10.00 · Out of stock'])
  })

  it('shows the typo-tolerant badge when Meilisearch answered', async () => {
    search.mockImplementation(async (q) => searchResult(q, ['iPhone'], 'meilisearch'))
    await typeAndWait('iphnoe')
    expect(wrapper.text()).toContain('typo-tolerant search')
  })
})
