import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { h } from 'vue'
import { RouterView, createMemoryHistory, createRouter, type Router } from 'vue-router'
import type { SavedAddress } from '../src/api/account'
import AccountPage from '../src/pages/AccountPage.vue'
import { SIGNED_IN_KEY } from '../src/stores/account'
import { CART_TOKEN_KEY } from '../src/stores/cart'
import { type FakeApi, fakeApi, problem } from './fake-api'
import { cart, customer, savedAddress } from './fixtures'

let api: FakeApi
let router: Router
let wrapper: VueWrapper | null = null

beforeEach(() => {
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
      { path: '/account/addresses', component: AccountPage, props: { section: 'addresses' } },
      { path: '/:any(.*)*', component: { render: () => h('p', 'elsewhere') } },
    ],
  })
})
afterEach(() => {
  wrapper?.unmount()
  wrapper = null
  vi.unstubAllGlobals()
})

async function open(addresses: SavedAddress[]) {
  api.routes['GET /api/account/addresses'] = { body: { addresses } }
  await router.push('/account/addresses')
  wrapper = mount({ render: () => h(RouterView) }, { global: { plugins: [router] }, attachTo: document.body })
  await flushPromises()
  return wrapper
}

const shown = (page: VueWrapper) =>
  page.findAll('[data-testid="address"]').map((card) => ({
    name: card.get('h3').text(),
    // The address's first line is its first text.
    line1: card.get('address').element.firstChild!.textContent!.trim(),
    isDefault: card.find('[data-testid="default-badge"]').exists(),
  }))

async function fill(page: VueWrapper, values: Record<string, string>) {
  for (const [field, value] of Object.entries(values)) await page.get(`#address-${field}`).setValue(value)
}

describe('saved addresses', () => {
  it('lists them with the default first and marked', async () => {
    const page = await open([savedAddress(2, { is_default: true, name: 'Ann at work' }), savedAddress(1)])
    expect(shown(page)).toEqual([
      { name: 'Ann at work', line1: '2 Main St', isDefault: true },
      { name: 'Ann Lee', line1: '1 Main St', isDefault: false },
    ])
    expect(page.get('[data-testid="address"] address').text()).toContain('United States')
  })

  it('adds one: the form checks its fields as checkout does, then the server’s field errors land on theirs', async () => {
    const page = await open([])
    expect(page.find('[data-testid="no-addresses"]').exists()).toBe(true)
    await page.get('[data-testid="add-address"]').trigger('click')
    await flushPromises()
    expect(document.activeElement?.id).toBe('address-name')
    expect(page.get('#address-line1').attributes('autocomplete')).toBe('address-line1')

    await fill(page, { name: 'Ann Lee', postal_code: '123456789012345678901' })
    await page.get('[data-testid="address-form"]').trigger('submit')
    await flushPromises()
    expect(api.calls()).not.toContain('POST /api/account/addresses')
    expect(page.get('#address-line1-error').text()).toBe('Address is required.')
    expect(page.get('#address-city-error').text()).toBe('City is required.')
    expect(page.get('#address-postal_code-error').text()).toBe('At most 20 characters.')
    expect(page.find('#address-line2-error').exists()).toBe(false)
    expect(document.activeElement?.id).toBe('address-line1')

    api.routes['POST /api/account/addresses'] = problem(400, { errors: [{ field: 'postal_code', reason: 'is not a postal code of the United States' }] })
    await fill(page, { line1: '1 Main St', city: 'Springfield', postal_code: '1' })
    await page.get('[data-testid="address-form"]').trigger('submit')
    await flushPromises()
    expect(api.bodyOf('POST /api/account/addresses')).toEqual({
      name: 'Ann Lee',
      line1: '1 Main St',
      city: 'Springfield',
      postal_code: '1',
      country: 'US',
    })
    expect(page.get('#address-postal_code-error').text()).toBe('Postal code is not a postal code of the United States.')
    expect(page.get('[data-testid="address-form-error"]').text()).toBe('Please correct the fields marked below.')
    expect(document.activeElement?.id).toBe('address-postal_code')

    api.routes['POST /api/account/addresses'] = { status: 201, body: savedAddress(7, { line1: '1 Main St', postal_code: '62701', is_default: true }) }
    await fill(page, { postal_code: '62701' })
    await page.get('[data-testid="address-form"]').trigger('submit')
    await flushPromises()
    expect(page.find('[data-testid="address-form"]').exists()).toBe(false)
    expect(shown(page)).toEqual([{ name: 'Ann Lee', line1: '1 Main St', isDefault: true }])
    expect(page.get('[data-testid="addresses-status"]').text()).toBe('Address added.')
    expect(document.activeElement?.id).toBe('address-7-name')
  })

  it('says when the account holds as many addresses as it can', async () => {
    const page = await open([savedAddress(1, { is_default: true })])
    api.routes['POST /api/account/addresses'] = problem(409, { code: 'too_many_addresses' })
    await page.get('[data-testid="add-address"]').trigger('click')
    await fill(page, { name: 'Ann Lee', line1: '9 Elm St', city: 'Springfield', postal_code: '62701' })
    await page.get('[data-testid="address-form"]').trigger('submit')
    await flushPromises()
    expect(page.get('[data-testid="address-form-error"]').text()).toContain('You have 20 saved addresses')
  })

  it('edits one in place, and Cancel gives focus back to its Edit button', async () => {
    const page = await open([savedAddress(1, { is_default: true }), savedAddress(2, { line2: 'Apt 4' })])
    const second = page.findAll('[data-testid="address"]')[1]!
    await second.get('[data-testid="edit-address"]').trigger('click')
    await flushPromises()
    expect((page.get('#address-line2').element as HTMLInputElement).value).toBe('Apt 4')
    expect(page.get('#address-form-title').text()).toBe('Edit the address for Ann Lee')
    expect(page.find('input[name="is_default"]').exists()).toBe(true)

    await page.get('[data-testid="cancel-address"]').trigger('click')
    await flushPromises()
    expect(document.activeElement).toBe(page.find('[data-edit="2"]').element)

    api.routes['PUT /api/account/addresses/2'] = { body: savedAddress(2, { city: 'Shelbyville', line2: 'Apt 4', is_default: true }) }
    await page.get('[data-edit="2"]').trigger('click')
    await fill(page, { city: 'Shelbyville' })
    await page.get('input[name="is_default"]').setValue(true)
    await page.get('[data-testid="address-form"]').trigger('submit')
    await flushPromises()
    expect(api.bodyOf('PUT /api/account/addresses/2')).toEqual({
      name: 'Ann Lee',
      line1: '2 Main St',
      line2: 'Apt 4',
      city: 'Shelbyville',
      region: 'IL',
      postal_code: '62701',
      country: 'US',
      is_default: true,
    })
    // Made the default: it comes first, and the other one lost it.
    expect(shown(page)).toEqual([
      { name: 'Ann Lee', line1: '2 Main St', isDefault: true },
      { name: 'Ann Lee', line1: '1 Main St', isDefault: false },
    ])
    expect(page.get('[data-testid="address"] address').text()).toContain('Shelbyville')
    expect(page.get('[data-testid="addresses-status"]').text()).toBe('Address saved.')
  })

  it('makes another address the default', async () => {
    const page = await open([savedAddress(1, { is_default: true }), savedAddress(2)])
    expect(page.findAll('[data-testid="make-default"]')).toHaveLength(1)
    api.routes['PUT /api/account/addresses/2'] = { body: savedAddress(2, { is_default: true }) }
    await page.get('[data-testid="make-default"]').trigger('click')
    await flushPromises()
    expect(api.bodyOf('PUT /api/account/addresses/2')).toMatchObject({ line1: '2 Main St', is_default: true })
    expect(shown(page).map((a) => [a.line1, a.isDefault])).toEqual([
      ['2 Main St', true],
      ['1 Main St', false],
    ])
    expect(page.get('[data-testid="addresses-status"]').text()).toBe('Ann Lee, 2 Main St is now your default address.')
    expect(document.activeElement?.id).toBe('address-2-name')
  })

  it('deletes one only after the confirmation, and reads the list again when it was the default', async () => {
    const page = await open([savedAddress(1, { is_default: true }), savedAddress(2), savedAddress(3)])
    api.routes['DELETE /api/account/addresses/1'] = { status: 204 }

    await page.get('[data-delete="1"]').trigger('click')
    await flushPromises()
    expect(api.calls()).not.toContain('DELETE /api/account/addresses/1')
    expect(document.activeElement?.id).toBe('address-1-confirm')
    expect(page.get('#address-1-confirm').text()).toContain('This can’t be undone.')

    // "Keep it" puts things back as they were.
    await page.get('.address__confirm .button--secondary').trigger('click')
    await flushPromises()
    expect(document.activeElement).toBe(page.get('[data-delete="1"]').element)

    await page.get('[data-delete="1"]').trigger('click')
    await flushPromises()
    api.routes['GET /api/account/addresses'] = { body: { addresses: [savedAddress(3, { is_default: true }), savedAddress(2)] } }
    await page.get('[data-testid="confirm-delete"]').trigger('click')
    await flushPromises()
    expect(api.calls()).toContain('DELETE /api/account/addresses/1')
    expect(shown(page).map((a) => [a.line1, a.isDefault])).toEqual([
      ['3 Main St', true],
      ['2 Main St', false],
    ])
    expect(page.get('[data-testid="addresses-status"]').text()).toBe('Address deleted.')
    expect(document.activeElement?.id).toBe('addresses-heading')
  })
})
