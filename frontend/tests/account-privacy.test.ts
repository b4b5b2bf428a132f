import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { h } from 'vue'
import { RouterView, createMemoryHistory, createRouter, type Router } from 'vue-router'
import * as catalog from '../src/api/catalog'
import * as categories from '../src/lib/categories'
import AccountPage from '../src/pages/AccountPage.vue'
import HomePage from '../src/pages/HomePage.vue'
import { SIGNED_IN_KEY, useAccountStore } from '../src/stores/account'
import { CART_TOKEN_KEY, useCartStore } from '../src/stores/cart'
import { type FakeApi, fakeApi, problem } from './fake-api'
import { cart, customer } from './fixtures'

// The home page's own catalog requests are beside the point here.
vi.mock('../src/api/catalog')
vi.mock('../src/lib/categories', async (original) => ({
  ...(await original<typeof categories>()),
  loadCategories: vi.fn(),
}))

let api: FakeApi
let router: Router
let wrapper: VueWrapper | null = null

beforeEach(async () => {
  vi.mocked(catalog.listProducts).mockResolvedValue({
    products: [],
    total: 0,
    page: 1,
    pages: 1,
    limit: 10,
    sort: 'popularity',
    facets: { categories: [], brands: [], price_ranges: [] },
    category: null,
  })
  vi.mocked(categories.loadCategories).mockResolvedValue([])
  localStorage.clear()
  localStorage.setItem(SIGNED_IN_KEY, '1')
  localStorage.setItem(CART_TOKEN_KEY, 'mine')
  setActivePinia(createPinia())
  api = fakeApi({
    'GET /api/account': { body: { customer: customer(), cart_token: 'mine' } },
    'GET /api/carts/mine': { body: cart('mine') },
  })
  router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/', component: HomePage },
      { path: '/account/privacy', component: AccountPage, props: { section: 'privacy' } },
      { path: '/:any(.*)*', component: { render: () => h('p', 'elsewhere') } },
    ],
  })
  await router.push('/account/privacy')
  wrapper = mount({ render: () => h(RouterView) }, { global: { plugins: [router] }, attachTo: document.body })
  await flushPromises()
})
afterEach(() => {
  wrapper?.unmount()
  wrapper = null
  vi.unstubAllGlobals()
})

async function askToDelete(password: string): Promise<void> {
  await wrapper!.get('[data-testid="start-delete"]').trigger('click')
  await flushPromises()
  expect(document.activeElement?.id).toBe('delete-password')
  await wrapper!.get('#delete-password').setValue(password)
  await wrapper!.get('[data-testid="delete-form"]').trigger('submit')
  await flushPromises()
}

describe('privacy', () => {
  it('offers the data as a plain download', () => {
    const link = wrapper!.get('[data-testid="export"]')
    expect(link.element.tagName).toBe('A')
    expect(link.attributes('href')).toBe('/api/account/export')
    expect(link.attributes('download')).toBe('account-export.json')
    expect(link.text()).toBe('Download my data')
  })

  it('deletes the account only with the right password, after saying what goes and what stays', async () => {
    expect(wrapper!.text()).toContain('This can’t be undone.')
    expect(wrapper!.text()).toContain('Orders you placed are kept')
    expect(wrapper!.find('#delete-password').exists()).toBe(false)

    api.routes['DELETE /api/account'] = problem(400, { errors: [{ field: 'password', reason: 'is not right' }] })
    await askToDelete('wrong one')
    expect(api.bodyOf('DELETE /api/account')).toEqual({ password: 'wrong one' })
    expect(wrapper!.get('#delete-password-error').text()).toBe('Password is not right.')
    expect(document.activeElement?.id).toBe('delete-password')
    expect(useAccountStore().signedIn).toBe(true)
    expect(useCartStore().token).toBe('mine')
  })

  it('asks for the password before sending anything', async () => {
    await askToDelete('')
    expect(api.calls()).not.toContain('DELETE /api/account')
    expect(wrapper!.get('#delete-password-error').text()).toBe('Password is required.')
  })

  it('once deleted: signed out here, the account’s cart forgotten, and the home page says so', async () => {
    api.routes['DELETE /api/account'] = { status: 204 }
    await askToDelete('violet tulips 42')
    expect(api.bodyOf('DELETE /api/account')).toEqual({ password: 'violet tulips 42' })
    expect(router.currentRoute.value.path).toBe('/')
    expect(useAccountStore().signedIn).toBe(false)
    expect(localStorage.getItem(SIGNED_IN_KEY)).toBeNull()
    expect(useCartStore().token).toBeNull()
    expect(localStorage.getItem(CART_TOKEN_KEY)).toBeNull()
    expect(wrapper!.get('[data-testid="home-notice"]').text()).toBe('Your account is deleted. Thank you for shopping with us.')
    // Shown once.
    expect(useAccountStore().flash).toBeNull()
  })

  it('explains why an account with an order on its way cannot go yet', async () => {
    api.routes['DELETE /api/account'] = problem(409, { code: 'orders_in_progress', detail: 'an order of yours is still on its way' })
    await askToDelete('violet tulips 42')
    expect(wrapper!.get('[data-testid="delete-error"]').text()).toContain('once it has shipped or been cancelled')
    expect(useAccountStore().signedIn).toBe(true)
  })

  it('says so when the deletion could not be done', async () => {
    api.routes['DELETE /api/account'] = problem(503)
    await askToDelete('violet tulips 42')
    expect(wrapper!.get('[data-testid="delete-error"]').text()).toContain('Your account is not deleted.')
    expect(router.currentRoute.value.path).toBe('/account/privacy')
    expect(useAccountStore().signedIn).toBe(true)
  })
})
