import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { createMemoryHistory, createRouter, type Router } from 'vue-router'
import App from '../src/App.vue'
import AccountPage from '../src/pages/AccountPage.vue'
import CartPage from '../src/pages/CartPage.vue'
import { SIGNED_IN_KEY, useAccountStore } from '../src/stores/account'
import { CART_TOKEN_KEY, useCartStore } from '../src/stores/cart'
import { type FakeApi, fakeApi, problem } from './fake-api'
import { cart, cartLine, customer } from './fixtures'

let api: FakeApi
let router: Router

beforeEach(() => {
  localStorage.clear()
  setActivePinia(createPinia())
  api = fakeApi({ 'GET /api/carts/mine': { body: cart('mine', [cartLine({ sku: 'ABC-1', name: 'Phone case', quantity: 3 })]) } })
  router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/account', component: AccountPage },
      { path: '/cart', component: CartPage },
      { path: '/:any(.*)*', component: { template: '<p>elsewhere</p>' } },
    ],
  })
})
afterEach(() => {
  vi.unstubAllGlobals()
})

function signedInHere(): void {
  localStorage.setItem(SIGNED_IN_KEY, '1')
  localStorage.setItem(CART_TOKEN_KEY, 'mine')
  api.routes['GET /api/account'] = { body: { customer: customer({ email_verified: true }), cart_token: 'mine' } }
}

async function open(page: typeof AccountPage | typeof CartPage, url: string) {
  await router.push(url)
  const wrapper = mount(page, { global: { plugins: [router] }, attachTo: document.body })
  await flushPromises()
  return wrapper
}

describe('the account page', () => {
  it('sends a signed-out visitor to sign in, and back here afterwards', async () => {
    api.routes['GET /api/account'] = problem(401, { code: 'signed_out' })
    const wrapper = await open(AccountPage, '/account')
    expect(router.currentRoute.value.fullPath).toBe('/account/sign-in?next=/account')
    wrapper.unmount()
  })

  it('shows who is signed in, asking the server afresh', async () => {
    signedInHere()
    const wrapper = await open(AccountPage, '/account')
    expect(api.calls()).toContain('GET /api/account')
    expect(wrapper.get('h2').text()).toBe('Ann Lee')
    expect(wrapper.get('[data-testid="account-email"]').text()).toContain('ann@example.com')
    expect(wrapper.get('.badge').text()).toBe('Confirmed')
    wrapper.unmount()
  })

  it('shows a wrong current password on its field, and a change that worked', async () => {
    signedInHere()
    api.routes['POST /api/account/password'] = problem(401, { code: 'invalid_credentials' })
    const wrapper = await open(AccountPage, '/account')
    expect(wrapper.get('#current_password').attributes('autocomplete')).toBe('current-password')
    expect(wrapper.get('#new_password').attributes('autocomplete')).toBe('new-password')
    await wrapper.get('#current_password').setValue('old password')
    await wrapper.get('#new_password').setValue('violet tulips 42')
    await wrapper.get('form').trigger('submit')
    await flushPromises()

    expect(api.bodyOf('POST /api/account/password')).toEqual({ current_password: 'old password', new_password: 'violet tulips 42' })
    expect(wrapper.get('#current_password-error').text()).toBe('Current password is not right.')
    expect(document.activeElement).toBe(wrapper.get('#current_password').element)
    expect(useAccountStore().signedIn).toBe(true)

    api.routes['POST /api/account/password'] = { status: 204 }
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(wrapper.find('#current_password-error').exists()).toBe(false)
    expect(wrapper.get('[role="status"]').text()).toBe('Your password is changed.')
    expect((wrapper.get('#new_password').element as HTMLInputElement).value).toBe('')
    wrapper.unmount()
  })

  it('puts the server’s rule for the new password on its field', async () => {
    signedInHere()
    api.routes['POST /api/account/password'] = problem(422, {
      errors: [{ field: 'new_password', reason: 'is one of the most common passwords; choose another' }],
    })
    const wrapper = await open(AccountPage, '/account')
    await wrapper.get('#current_password').setValue('old password')
    await wrapper.get('#new_password').setValue('password123')
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(wrapper.get('#new_password-error').text()).toBe('New password is one of the most common passwords; choose another.')
    wrapper.unmount()
  })

  it('signs out: the cart stays with the account, and the sign-in page says so', async () => {
    signedInHere()
    api.routes['POST /api/account/sign-out'] = { status: 204 }
    const wrapper = await open(AccountPage, '/account')
    await wrapper.get('[data-testid="sign-out"]').trigger('click')
    await flushPromises()
    expect(api.calls()).toContain('POST /api/account/sign-out')
    expect(router.currentRoute.value.path).toBe('/account/sign-in')
    expect(useCartStore().token).toBeNull()
    expect(useAccountStore().flash).toBe('You’re signed out.')
    wrapper.unmount()
  })
})

describe('the cart page after a merge', () => {
  it('says once what the merge could not keep, until dismissed', async () => {
    localStorage.setItem(CART_TOKEN_KEY, 'mine')
    const carts = useCartStore()
    await carts.adopt({ token: 'mine', notes: [{ sku: 'ABC-1', requested: 5, kept: 3, reason: 'quantity_limit' }] })
    const wrapper = await open(CartPage, '/cart')

    const notice = wrapper.get('[data-testid="merge-notice"]')
    expect(notice.text()).toContain('We merged the cart from your last visit.')
    expect(notice.text()).toContain('3 × Phone case were kept instead of 5: at most 10 per product.')
    await wrapper.get('[data-testid="dismiss-merge-notice"]').trigger('click')
    expect(wrapper.find('[data-testid="merge-notice"]').exists()).toBe(false)
    expect(document.activeElement?.tagName).toBe('H1')
    wrapper.unmount()

    await carts.adopt({ token: 'mine', notes: [{ sku: 'NEW-1', requested: 2, kept: 0, reason: 'line_limit' }] })
    const again = await open(CartPage, '/cart')
    expect(again.get('[data-testid="merge-notice"]').text()).toContain(
      '2 × NEW-1 could not be added: your cart holds as many different products as it can.',
    )
    again.unmount()
    expect(carts.mergeNotes).toEqual([])
  })
})

describe('the header’s account link', () => {
  async function shell() {
    const wrapper = mount(App, { global: { plugins: [router] } })
    await router.push('/p/phone')
    await flushPromises()
    return wrapper
  }

  it('says "Sign in" to a guest without asking the server, and comes back to the page', async () => {
    const wrapper = await shell()
    const link = wrapper.get('[data-testid="account-link"]')
    expect(link.attributes('href')).toBe('/account/sign-in?next=/p/phone')
    expect(link.find('.is-off').text()).toBe('Account')
    expect(api.calls()).not.toContain('GET /api/account')
    wrapper.unmount()
  })

  it('says "Account" once signed in, with both words kept in place so nothing moves', async () => {
    signedInHere()
    const wrapper = await shell()
    const link = wrapper.get('[data-testid="account-link"]')
    expect(link.attributes('href')).toBe('/account')
    expect(link.findAll('.account-link__label > span').map((span) => span.text())).toEqual(['Sign in', 'Account'])
    expect(link.find('.is-off').text()).toBe('Sign in')
    wrapper.unmount()
  })
})
