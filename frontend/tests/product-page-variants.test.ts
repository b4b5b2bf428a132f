import { beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { createMemoryHistory, createRouter, type Router } from 'vue-router'
import * as catalog from '../src/api/catalog'
import * as checkout from '../src/api/checkout'
import type { ProductDetail } from '../src/api/types'
import ProductPage from '../src/pages/ProductPage.vue'
import { CART_TOKEN_KEY } from '../src/stores/cart'
import { cart, cartLine, searchResult } from './fixtures'

vi.mock('../src/api/catalog')
vi.mock('../src/api/checkout')
const getProduct = vi.mocked(catalog.getProduct)
const getRelatedProducts = vi.mocked(catalog.getRelatedProducts)
const api = vi.mocked(checkout)

function shoe(): ProductDetail {
  const variant = (sku: string, size: string, price: string, available: number) => ({
    sku,
    option_values: [size],
    price,
    available,
    in_stock: available > 0,
  })
  return {
    sku: 'TR',
    slug: 'trail-runner',
    name: 'Trail Runner',
    description: 'Trail Runner by Acme.',
    brand: 'Acme',
    status: 'active',
    category_path: [],
    categories: [],
    price: '89.00',
    currency: 'USD',
    available: 7,
    in_stock: true,
    popularity: 1,
    image: null,
    created_at: '2030-01-01T00:00:00Z',
    updated_at: '2030-01-01T00:00:00Z',
    version: 1,
    images: [],
    option_names: ['size'],
    variants: [variant('TR-42', '42', '89.00', 3), variant('TR-44', '44', '99.00', 4), variant('TR-46', '46', '99.00', 0)],
  }
}

let router: Router

async function open(url: string) {
  await router.push(url)
  const wrapper = mount(ProductPage, { global: { plugins: [router] }, attachTo: document.body })
  await flushPromises()
  return wrapper
}

beforeEach(async () => {
  vi.resetAllMocks()
  localStorage.clear()
  localStorage.setItem(CART_TOKEN_KEY, 't1')
  setActivePinia(createPinia())
  getProduct.mockResolvedValue(shoe())
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

describe('the product page of a product with variants', () => {
  it('shows the chosen variant’s price and stock, keeps it in the URL and adds its SKU to the cart', async () => {
    const wrapper = await open('/p/trail-runner')
    expect(wrapper.get('[data-testid="price"]').text()).toBe('$89.00')
    expect(wrapper.get('[data-testid="available"]').text()).toBe('Only 3 left')

    await wrapper.get('input[value="44"]').setValue(true)
    await flushPromises()
    expect(wrapper.get('[data-testid="price"]').text()).toBe('$99.00')
    expect(wrapper.get('[data-testid="available"]').text()).toBe('Only 4 left')
    expect(router.currentRoute.value.query.sku).toBe('TR-44')

    api.addItem.mockResolvedValue(cart('t1', [cartLine({ sku: 'TR-44', name: 'Trail Runner — 44' })]))
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(api.addItem).toHaveBeenCalledWith('t1', 'TR-44', 1)
  })

  it('opens on the variant the URL names, and a sold-out size cannot be chosen', async () => {
    const wrapper = await open('/p/trail-runner?sku=TR-44')
    expect(wrapper.get('[data-testid="price"]').text()).toBe('$99.00')
    expect(wrapper.get('input[value="46"]').attributes('disabled')).toBeDefined()
  })
})

describe('related products', () => {
  it('shows a row of the product’s related products once they arrive, linked to their pages', async () => {
    const { hits } = searchResult('', ['Trail Sock', 'Road Runner'])
    getRelatedProducts.mockResolvedValue(hits)
    const wrapper = await open('/p/trail-runner')
    expect(getRelatedProducts).toHaveBeenCalledWith('trail-runner', 4, expect.anything())
    const related = wrapper.get('[data-testid="related"]')
    expect(related.get('h2').text()).toBe('More like this')
    expect(related.findAll('li').map((li) => li.find('a').attributes('href'))).toEqual(['/p/p-0', '/p/p-1'])
  })

  it('leaves the row out when there are none or the catalog cannot say', async () => {
    getRelatedProducts.mockRejectedValue(new Error('offline'))
    const wrapper = await open('/p/trail-runner')
    expect(wrapper.find('[data-testid="related"]').exists()).toBe(false)
    expect(wrapper.get('[data-testid="price"]').text()).toBe('$89.00')
  })
})
