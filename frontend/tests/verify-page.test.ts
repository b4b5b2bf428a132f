import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { createRouter, createWebHistory, type Router } from 'vue-router'
import ResetPasswordPage from '../src/pages/ResetPasswordPage.vue'
import VerifyEmailPage from '../src/pages/VerifyEmailPage.vue'
import { SIGNED_IN_KEY, useAccountStore } from '../src/stores/account'
import { CART_TOKEN_KEY, useCartStore } from '../src/stores/cart'
import { type FakeApi, fakeApi, problem } from './fake-api'
import { cart, cartLine, signedIn } from './fixtures'

let api: FakeApi
let router: Router

beforeEach(() => {
  localStorage.clear()
  setActivePinia(createPinia())
  api = fakeApi({ 'GET /api/carts/mine': { body: cart('mine', [cartLine({ quantity: 2 })]) } })
})
afterEach(() => {
  vi.unstubAllGlobals()
  window.history.replaceState(null, '', '/')
})

/** Opens `url` as the email's link would: a real address bar (web history), the token in the fragment. */
async function open(url: string, page: typeof VerifyEmailPage | typeof ResetPasswordPage) {
  window.history.replaceState(null, '', url)
  router = createRouter({
    history: createWebHistory(),
    routes: [
      { path: '/account/verify', component: VerifyEmailPage },
      { path: '/account/reset', component: ResetPasswordPage },
      { path: '/:any(.*)*', component: { template: '<p>elsewhere</p>' } },
    ],
  })
  await router.replace(url)
  const wrapper = mount(page, { global: { plugins: [router] }, attachTo: document.body })
  await flushPromises()
  return wrapper
}

describe('the email’s verify link', () => {
  it('takes the token out of the address bar at once, then confirms with this browser’s cart on request', async () => {
    localStorage.setItem(CART_TOKEN_KEY, 'guest')
    api.routes['POST /api/account/verify'] = { body: signedIn('mine', [{ sku: 'ABC-1', requested: 5, kept: 3, reason: 'quantity_limit' }]) }
    const wrapper = await open('/account/verify#token=tok_123', VerifyEmailPage)

    expect(window.location.hash).toBe('')
    expect(window.location.pathname).toBe('/account/verify')
    expect(router.currentRoute.value.fullPath).toBe('/account/verify')
    // Opening the link spends nothing (a mail scanner opening it would otherwise use it up).
    expect(api.calls()).toEqual([])

    await wrapper.get('[data-testid="verify"]').trigger('click')
    await flushPromises()

    expect(api.bodyOf('POST /api/account/verify')).toEqual({ token: 'tok_123', cart_token: 'guest' })
    expect(wrapper.get('[data-testid="verify-done"]').text()).toBe('You’re signed in, Ann Lee.')
    expect(useAccountStore().signedIn).toBe(true)
    expect(useCartStore().token).toBe('mine')
    expect(localStorage.getItem(SIGNED_IN_KEY)).toBe('1')
    expect(wrapper.text()).toContain('see your cart')
    wrapper.unmount()
  })

  it('does not put the token back when the shopper moves on', async () => {
    api.routes['POST /api/account/verify'] = { body: signedIn(null) }
    const wrapper = await open('/account/verify#token=tok_123', VerifyEmailPage)
    await router.push('/account')
    expect(window.location.pathname).toBe('/account')
    window.history.back()
    await vi.waitFor(() => expect(router.currentRoute.value.path).toBe('/account/verify'))
    expect(window.location.href).not.toContain('tok_123')
    wrapper.unmount()
  })

  it('offers a new link when the token expired or was used', async () => {
    api.routes['POST /api/account/verify'] = problem(400, { code: 'invalid_token' })
    api.routes['POST /api/account/verify/resend'] = { status: 202 }
    const wrapper = await open('/account/verify#token=old', VerifyEmailPage)
    await wrapper.get('[data-testid="verify"]').trigger('click')
    await flushPromises()

    expect(wrapper.get('h1').text()).toBe('This link has expired or was already used')
    expect(document.activeElement).toBe(wrapper.get('h1').element)
    await wrapper.get('#resend-email').setValue('ann@example.com')
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(api.bodyOf('POST /api/account/verify/resend')).toEqual({ email: 'ann@example.com' })
    expect(wrapper.text()).toContain('If this address can be used, we sent a new link to it.')
    wrapper.unmount()
  })

  it('keeps the token for another try after a network error', async () => {
    api.routes['POST /api/account/verify'] = 'network-error'
    const wrapper = await open('/account/verify#token=tok_123', VerifyEmailPage)
    await wrapper.get('[data-testid="verify"]').trigger('click')
    await flushPromises()
    expect(wrapper.get('[data-testid="form-error"]').text()).toContain('We can’t reach the shop')

    api.routes['POST /api/account/verify'] = { body: signedIn(null) }
    await wrapper.get('[data-testid="verify"]').trigger('click')
    await flushPromises()
    expect(api.bodyOf('POST /api/account/verify')).toEqual({ token: 'tok_123', cart_token: null })
    expect(wrapper.find('[data-testid="verify-done"]').exists()).toBe(true)
    wrapper.unmount()
  })

  it('says a link without a token is incomplete', async () => {
    const wrapper = await open('/account/verify', VerifyEmailPage)
    expect(wrapper.get('h1').text()).toBe('This link is incomplete')
    expect(api.calls()).toEqual([])
    wrapper.unmount()
  })
})

describe('the email’s reset link', () => {
  it('takes the token out of the address bar, then sets the password and sends the shopper to sign in', async () => {
    api.routes['POST /api/account/password-reset/confirm'] = { status: 204 }
    const wrapper = await open('/account/reset#token=reset_1', ResetPasswordPage)
    expect(window.location.hash).toBe('')
    expect(wrapper.get('#new-password').attributes('autocomplete')).toBe('new-password')

    await wrapper.get('#new-password').setValue('violet tulips 42')
    await wrapper.get('form').trigger('submit')
    await flushPromises()

    expect(api.bodyOf('POST /api/account/password-reset/confirm')).toEqual({ token: 'reset_1', password: 'violet tulips 42' })
    expect(router.currentRoute.value.path).toBe('/account/sign-in')
    expect(useAccountStore().flash).toBe('Your password is changed. Sign in with the new one.')
    wrapper.unmount()
  })

  it('shows the server’s password error on the field, and an expired link as such', async () => {
    api.routes['POST /api/account/password-reset/confirm'] = problem(422, {
      errors: [{ field: 'password', reason: 'is one of the most common passwords; choose another' }],
    })
    const wrapper = await open('/account/reset#token=reset_1', ResetPasswordPage)
    await wrapper.get('#new-password').setValue('password123')
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(wrapper.get('#new-password-error').text()).toBe('New password is one of the most common passwords; choose another.')

    api.routes['POST /api/account/password-reset/confirm'] = problem(400, { code: 'invalid_token' })
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(wrapper.find('[data-testid="reset-invalid"]').exists()).toBe(true)
    expect(wrapper.find('a[href="/account/forgot"]').exists()).toBe(true)
    wrapper.unmount()
  })
})
