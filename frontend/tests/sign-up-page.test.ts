import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { createMemoryHistory, createRouter, type Router } from 'vue-router'
import { newPasswordReason, validateSignUp } from '../src/lib/account-forms'
import SignUpPage from '../src/pages/SignUpPage.vue'
import { type FakeApi, fakeApi, problem } from './fake-api'

const NEUTRAL = 'If this address can be used, we sent a link to it. Open it to finish.'

let api: FakeApi
let router: Router

beforeEach(async () => {
  localStorage.clear()
  setActivePinia(createPinia())
  api = fakeApi()
  router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/account/sign-up', component: SignUpPage },
      { path: '/:any(.*)*', component: { template: '<p>elsewhere</p>' } },
    ],
  })
  await router.push('/account/sign-up')
})
afterEach(() => {
  vi.unstubAllGlobals()
})

async function open() {
  const wrapper = mount(SignUpPage, { global: { plugins: [router] }, attachTo: document.body })
  await flushPromises()
  return wrapper
}

async function fill(wrapper: Awaited<ReturnType<typeof open>>, password = 'violet tulips 42') {
  await wrapper.get('#name').setValue(' Ann Lee ')
  await wrapper.get('#email').setValue(' ann@example.com ')
  await wrapper.get('#password').setValue(password)
}

describe('the sign-up page', () => {
  it('shows the password rules before anything is typed, and the fields’ autocomplete', async () => {
    const wrapper = await open()
    const password = wrapper.get('#password')
    expect(password.attributes('autocomplete')).toBe('new-password')
    expect(password.attributes('aria-describedby')).toBe('password-hint')
    expect(wrapper.get('#password-hint').text()).toContain('8 to 128 characters')
    expect(wrapper.get('#name').attributes('autocomplete')).toBe('name')
    expect(wrapper.get('#email').attributes('autocomplete')).toBe('email')
    await wrapper.get('button[aria-controls="password"]').trigger('click')
    expect(password.attributes('type')).toBe('text')
    wrapper.unmount()
  })

  it('says the same neutral thing whatever the address, and nothing about an account being created', async () => {
    api.routes['POST /api/account/sign-up'] = { status: 202, body: { status: 'check_email' } }
    const wrapper = await open()
    await fill(wrapper)
    await wrapper.get('form').trigger('submit')
    await flushPromises()

    expect(api.bodyOf('POST /api/account/sign-up')).toEqual({ email: 'ann@example.com', password: 'violet tulips 42', name: 'Ann Lee' })
    expect(wrapper.get('[data-testid="sign-up-done"]').text()).toBe(NEUTRAL)
    expect(wrapper.text()).not.toMatch(/created|already exists/i)
    expect(document.activeElement?.tagName).toBe('H1')
    wrapper.unmount()
  })

  it('sends a new link on request, with the same neutral answer', async () => {
    api.routes['POST /api/account/sign-up'] = { status: 202, body: { status: 'check_email' } }
    api.routes['POST /api/account/verify/resend'] = { status: 202 }
    const wrapper = await open()
    await fill(wrapper)
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    await wrapper.get('button').trigger('click')
    await flushPromises()
    expect(api.bodyOf('POST /api/account/verify/resend')).toEqual({ email: 'ann@example.com' })
    expect(wrapper.text()).toContain('If this address can be used, we sent a new link to it.')
    wrapper.unmount()
  })

  it('puts the server’s field errors on their fields', async () => {
    api.routes['POST /api/account/sign-up'] = problem(422, {
      errors: [
        { field: 'password', reason: 'is one of the most common passwords; choose another' },
        { field: 'name', reason: 'must be at most 100 characters' },
      ],
    })
    const wrapper = await open()
    await fill(wrapper)
    await wrapper.get('form').trigger('submit')
    await flushPromises()

    expect(wrapper.get('#password-error').text()).toBe('Password is one of the most common passwords; choose another.')
    expect(wrapper.get('#password').attributes('aria-describedby')).toBe('password-hint password-error')
    expect(wrapper.get('#name-error').text()).toBe('Name must be at most 100 characters.')
    expect(wrapper.get('[data-testid="form-error"]').text()).toBe('Please correct the fields marked below.')
    expect(document.activeElement).toBe(wrapper.get('#name').element)
    wrapper.unmount()
  })

  it('checks the server’s rules first and sends nothing that breaks them', async () => {
    const wrapper = await open()
    await fill(wrapper, 'short')
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(api.calls()).toEqual([])
    expect(wrapper.get('#password-error').text()).toBe('Password must be at least 8 characters.')

    await wrapper.get('#password').setValue('xANN@example.comx')
    expect(wrapper.get('#password-error').text()).toBe('Password must not be or contain the email address.')
    await wrapper.get('#password').setValue('violet tulips 42')
    expect(wrapper.find('#password-error').exists()).toBe(false)
    wrapper.unmount()
  })

  it('shows a field-less failure without losing what was typed', async () => {
    api.routes['POST /api/account/sign-up'] = 'network-error'
    const wrapper = await open()
    await fill(wrapper)
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(wrapper.get('[role="alert"]').text()).toBe('We can’t reach the shop. Check your connection and try again.')
    expect((wrapper.get('#name').element as HTMLInputElement).value).toBe(' Ann Lee ')
    wrapper.unmount()
  })
})

describe('account field rules, as the accounts service has them', () => {
  it.each([
    ['is required', '', ''],
    ['must be at least 8 characters', '1234567', ''],
    ['must be at most 128 characters', 'ab'.repeat(64) + 'c', ''],
    ['must not be or contain the email address', 'my ann@example.com!', 'Ann@Example.com'],
    ['must not be the name in the email address', 'Annabelle', 'annabelle@example.com'],
    ['must not be one character repeated', 'aaaaaaaa', ''],
    ['must not be one character repeated', '🔑'.repeat(8), ''],
    [undefined, 'violet tulips 42', 'ann@example.com'],
    [undefined, 'ab'.repeat(64), ''],
  ])('%j (case %#)', (reason, password, email) => {
    expect(newPasswordReason(password, email)).toBe(reason)
  })

  it('names a missing or too long name and a malformed address', () => {
    expect(validateSignUp({ name: '  ', email: 'ann', password: 'violet tulips 42' })).toEqual({
      name: 'is required',
      email: 'must be an email address like ann@example.com',
    })
    expect(validateSignUp({ name: 'x'.repeat(101), email: 'ann@example.com', password: 'violet tulips 42' })).toEqual({
      name: 'must be at most 100 characters',
    })
  })
})
