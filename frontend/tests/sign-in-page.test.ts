import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { createMemoryHistory, createRouter, type Router } from 'vue-router'
import { safeNext } from '../src/lib/account-forms'
import SignInPage from '../src/pages/SignInPage.vue'
import { useAccountStore } from '../src/stores/account'
import { CART_TOKEN_KEY } from '../src/stores/cart'
import { type FakeApi, fakeApi, problem } from './fake-api'
import { cart, signedIn } from './fixtures'

let api: FakeApi
let router: Router

beforeEach(() => {
  localStorage.clear()
  setActivePinia(createPinia())
  api = fakeApi({ 'GET /api/carts/mine': { body: cart('mine') } })
  router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/account/sign-in', component: SignInPage },
      { path: '/:any(.*)*', component: { template: '<p>elsewhere</p>' } },
    ],
  })
})
afterEach(() => {
  vi.unstubAllGlobals()
})

async function open(url = '/account/sign-in') {
  await router.push(url)
  const wrapper = mount(SignInPage, { global: { plugins: [router] }, attachTo: document.body })
  await flushPromises()
  return wrapper
}

async function signIn(wrapper: Awaited<ReturnType<typeof open>>, password = 'correct horse') {
  await wrapper.get('#email').setValue('ann@example.com')
  await wrapper.get('#password').setValue(password)
  await wrapper.get('form').trigger('submit')
  await flushPromises()
}

describe('the sign-in page', () => {
  it('signs in with this browser’s cart and goes back to a page of this site', async () => {
    localStorage.setItem(CART_TOKEN_KEY, 'guest')
    api.routes['POST /api/account/sign-in'] = { body: signedIn('mine') }
    const wrapper = await open('/account/sign-in?next=%2Fcheckout%3Fstep%3D1')

    await signIn(wrapper)

    expect(api.bodyOf('POST /api/account/sign-in')).toEqual({ email: 'ann@example.com', password: 'correct horse', cart_token: 'guest' })
    expect(router.currentRoute.value.fullPath).toBe('/checkout?step=1')
    wrapper.unmount()
  })

  it.each(['//evil.example', '/\\evil.example', 'https://evil.example/', 'javascript:alert(1)', 'checkout'])(
    'goes to the account page instead of next=%s',
    async (next) => {
      api.routes['POST /api/account/sign-in'] = { body: signedIn('mine') }
      const wrapper = await open(`/account/sign-in?next=${encodeURIComponent(next)}`)
      await signIn(wrapper)
      expect(router.currentRoute.value.fullPath).toBe('/account')
      wrapper.unmount()
    },
  )

  it('says when the email or password is not right, and stays', async () => {
    api.routes['POST /api/account/sign-in'] = problem(401, { code: 'invalid_credentials' })
    const wrapper = await open()
    await signIn(wrapper, 'wrong password')
    expect(wrapper.get('[role="alert"]').text()).toBe('The email or password is not right.')
    expect(router.currentRoute.value.path).toBe('/account/sign-in')
    expect(useAccountStore().signedIn).toBe(false)
    wrapper.unmount()
  })

  it('says that a new link was sent when the address is not confirmed yet', async () => {
    api.routes['POST /api/account/sign-in'] = problem(403, { code: 'email_not_verified' })
    const wrapper = await open()
    await signIn(wrapper)
    const alert = wrapper.get('[role="alert"]').text()
    expect(alert).toContain('Your email address isn’t confirmed yet.')
    expect(alert).toContain('We’ve sent you a new link')
    wrapper.unmount()
  })

  it('says how long to wait after too many attempts', async () => {
    api.routes['POST /api/account/sign-in'] = problem(429, { code: 'too_many_attempts' }, { 'Retry-After': '42' })
    const wrapper = await open()
    await signIn(wrapper)
    expect(wrapper.get('[role="alert"]').text()).toBe('Too many attempts. Try again in 42 seconds.')
    wrapper.unmount()
  })

  it('shows, once, what the page before it had to say (a reset password, a sign-out)', async () => {
    useAccountStore().flash = 'Your password is changed. Sign in with the new one.'
    const wrapper = await open()
    expect(wrapper.get('[data-testid="sign-in-notice"]').text()).toBe('Your password is changed. Sign in with the new one.')
    expect(useAccountStore().flash).toBeNull()
    wrapper.unmount()
  })

  it('names missing fields and sends nothing', async () => {
    const wrapper = await open()
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(api.calls()).toEqual([])
    expect(wrapper.get('#email-error').text()).toBe('Email is required.')
    expect(wrapper.get('#password-error').text()).toBe('Password is required.')
    expect(document.activeElement).toBe(wrapper.get('#email').element)
    wrapper.unmount()
  })

  it('labels its fields for password managers and offers to show the password', async () => {
    const wrapper = await open()
    expect(wrapper.get('#email').attributes('autocomplete')).toBe('email')
    const password = wrapper.get('#password')
    expect(password.attributes('autocomplete')).toBe('current-password')
    expect(password.attributes('type')).toBe('password')
    await wrapper.get('button[aria-controls="password"]').trigger('click')
    expect(password.attributes('type')).toBe('text')
    expect(wrapper.get('button[aria-controls="password"]').attributes('aria-pressed')).toBe('true')
    expect(wrapper.find('a[href="/account/forgot"]').exists()).toBe(true)
    expect(wrapper.find('a[href^="/account/sign-up"]').exists()).toBe(true)
    wrapper.unmount()
  })
})

describe('where sign-in may send the shopper', () => {
  it.each([
    ['/account', '/account'],
    ['/p/phone?sku=PH-1#reviews', '/p/phone?sku=PH-1#reviews'],
    ['//evil.example', null],
    ['//evil.example/account', null],
    ['/\\evil.example', null],
    ['/\t/evil.example', null],
    ['https://evil.example', null],
    ['', null],
    [undefined, null],
    [['/a', '/b'], null],
  ])('%j -> %j', (value, expected) => {
    expect(safeNext(value)).toBe(expected)
  })
})
