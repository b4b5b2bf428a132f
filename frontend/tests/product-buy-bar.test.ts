import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { createMemoryHistory, createRouter, type Router } from 'vue-router'
import * as catalog from '../src/api/catalog'
import * as checkout from '../src/api/checkout'
import type { ProductDetail } from '../src/api/types'
import ProductPage from '../src/pages/ProductPage.vue'
import { CART_TOKEN_KEY, useCartStore } from '../src/stores/cart'
import { cart, cartLine } from './fixtures'

vi.mock('../src/api/catalog')
vi.mock('../src/api/checkout')
const getProduct = vi.mocked(catalog.getProduct)
const getRelatedProducts = vi.mocked(catalog.getRelatedProducts)
const api = vi.mocked(checkout)

function jacket(stock: [number, number]): ProductDetail {
  const variant = (sku: string, colour: string, available: number) => ({
    sku,
    option_values: [colour],
    price: '120.00',
    available,
    in_stock: available > 0,
  })
  return {
    sku: 'RJ',
    slug: 'rain-jacket',
    name: 'Rain Jacket',
    description: 'Rain Jacket by Acme.',
    brand: 'Acme',
    status: 'active',
    category_path: [],
    categories: [],
    price: '120.00',
    currency: 'USD',
    available: stock[0] + stock[1],
    in_stock: stock[0] + stock[1] > 0,
    popularity: 1,
    image: null,
    created_at: '2030-01-01T00:00:00Z',
    updated_at: '2030-01-01T00:00:00Z',
    version: 1,
    images: [],
    option_names: ['colour'],
    variants: [variant('RJ-RED', 'Red', stock[0]), variant('RJ-BLUE', 'Blue', stock[1])],
  }
}

/** The viewport as the page sees it: its width (through matchMedia) and where the observed element is. */
let phone = true
let observed: Element[] = []
let report: ((entries: Partial<IntersectionObserverEntry>[]) => void) | null = null

class FakeIntersectionObserver {
  constructor(callback: (entries: Partial<IntersectionObserverEntry>[]) => void) {
    report = callback
  }
  observe(element: Element) {
    observed.push(element)
  }
  disconnect() {
    observed = []
  }
}

/** The page's own "Add to cart" scrolls up behind the header (`past`), or back into view. */
async function scroll(past: boolean) {
  report!([
    {
      isIntersecting: !past,
      boundingClientRect: { bottom: past ? -20 : 400 } as DOMRectReadOnly,
      rootBounds: { top: 136 } as DOMRectReadOnly,
    },
  ])
  await flushPromises()
}

let router: Router
let wrapper: VueWrapper | null = null

async function open(url: string) {
  await router.push(url)
  const mounted = mount(ProductPage, { global: { plugins: [router] }, attachTo: document.body })
  wrapper = mounted
  await flushPromises()
  return mounted
}

function close() {
  wrapper?.unmount()
  wrapper = null
}

const bar = () => wrapper!.find('[data-testid="buy-bar"]')

beforeEach(() => {
  vi.resetAllMocks()
  phone = true
  observed = []
  report = null
  vi.stubGlobal('IntersectionObserver', FakeIntersectionObserver)
  vi.stubGlobal('matchMedia', (query: string) => ({
    matches: query === '(max-width: 40rem)' && phone,
    addEventListener() {},
    removeEventListener() {},
  }))
  localStorage.clear()
  localStorage.setItem(CART_TOKEN_KEY, 't1')
  setActivePinia(createPinia())
  getProduct.mockResolvedValue(jacket([3, 20]))
  getRelatedProducts.mockResolvedValue([])
  api.getCart.mockResolvedValue(cart('t1'))
  router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/p/:slug', component: ProductPage },
      { path: '/:any(.*)*', component: { template: '<div />' } },
    ],
  })
})
afterEach(() => {
  close()
  vi.unstubAllGlobals()
})

describe('the buy bar on a phone', () => {
  it('appears once the page’s own button has scrolled away, and leaves room for itself below the page', async () => {
    const page = await open('/p/rain-jacket')
    expect(observed).toEqual([page.get('form.buy__form').element])
    expect(bar().exists()).toBe(false)

    await scroll(true)
    expect(bar().attributes('aria-label')).toBe('Buy Rain Jacket')
    expect(bar().find('.buy-bar__name').text()).toBe('Rain Jacket — Red')
    expect(bar().find('.price').text()).toBe('$120.00')
    expect(bar().get('[data-testid="buy-bar-stock"]').text()).toBe('Only 3 left')
    expect(document.documentElement.classList.contains('has-buy-bar')).toBe(true)

    await scroll(false)
    expect(bar().exists()).toBe(false)
    expect(document.documentElement.classList.contains('has-buy-bar')).toBe(false)
  })

  it('adds what the page’s own button would: the chosen variant, in the chosen quantity', async () => {
    const page = await open('/p/rain-jacket?sku=RJ-BLUE')
    await page.get('#quantity').setValue('2')
    await scroll(true)
    expect(bar().get('[data-testid="buy-bar-stock"]').text()).toBe('In stock')

    api.addItem.mockResolvedValue(cart('t1', [cartLine({ sku: 'RJ-BLUE', quantity: 2 })]))
    await bar().get('button').trigger('click')
    await flushPromises()
    expect(api.addItem).toHaveBeenCalledWith('t1', 'RJ-BLUE', 2)
    expect(bar().text()).toContain('Added · View cart (2)')
    expect(page.get('[data-testid="added"]').text()).toContain('Added to your cart')
  })

  it('is disabled like the page’s own button when nothing can be added', async () => {
    getProduct.mockResolvedValue(jacket([0, 0]))
    const page = await open('/p/rain-jacket')
    // Out of stock the page has no button: the bar follows the line that says so.
    expect(observed).toEqual([page.get('.buy__stock').element])
    await scroll(true)
    expect(bar().get('[data-testid="buy-bar-stock"]').text()).toBe('Out of stock')
    expect(bar().get('button').attributes('disabled')).toBeDefined()
    await bar().get('button').trigger('click')
    expect(api.addItem).not.toHaveBeenCalled()
  })

  it('is disabled when the cart already holds all there is', async () => {
    api.getCart.mockResolvedValue(cart('t1', [cartLine({ sku: 'RJ-RED', quantity: 3 })]))
    await useCartStore().refresh()
    const page = await open('/p/rain-jacket')
    await scroll(true)
    expect(page.get('form.buy__form button').attributes('disabled')).toBeDefined()
    expect(bar().get('button').attributes('disabled')).toBeDefined()
  })

  it('never shows on a wider screen, and its room goes with the page', async () => {
    phone = false
    await open('/p/rain-jacket')
    await scroll(true)
    expect(bar().exists()).toBe(false)
    expect(document.documentElement.classList.contains('has-buy-bar')).toBe(false)

    phone = true
    close()
    await open('/p/rain-jacket')
    await scroll(true)
    expect(document.documentElement.classList.contains('has-buy-bar')).toBe(true)
    close()
    expect(document.documentElement.classList.contains('has-buy-bar')).toBe(false)
  })
})
