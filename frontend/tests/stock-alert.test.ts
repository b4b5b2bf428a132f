import { beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createMemoryHistory, createRouter } from 'vue-router'
import * as catalog from '../src/api/catalog'
import { ApiError } from '../src/api/http'
import StockAlertForm from '../src/components/StockAlertForm.vue'
import StockAlertPage from '../src/pages/StockAlertPage.vue'

vi.mock('../src/api/catalog')
const api = vi.mocked(catalog)

beforeEach(() => {
  vi.resetAllMocks()
})

function form() {
  return mount(StockAlertForm, { props: { slug: 'acme-phone', sku: 'PH-1', name: 'Acme Phone' } })
}

describe('the "email me when it’s back" form', () => {
  it('records the address for the chosen variant and says what will happen', async () => {
    api.requestStockAlert.mockResolvedValue()
    const wrapper = form()
    await wrapper.get('input[type="email"]').setValue(' ann@example.com ')
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(api.requestStockAlert).toHaveBeenCalledWith('acme-phone', 'PH-1', 'ann@example.com')
    expect(wrapper.get('[data-testid="stock-alert-done"]').text()).toContain('once when Acme Phone is back in stock')
  })

  it('names a malformed address at the field without asking the catalog', async () => {
    const wrapper = form()
    await wrapper.get('input[type="email"]').setValue('ann')
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(api.requestStockAlert).not.toHaveBeenCalled()
    expect(wrapper.get('input').attributes('aria-invalid')).toBe('true')
    expect(wrapper.text()).toContain('Enter an email address')
  })

  it('asks the page to look again when the variant is in stock after all', async () => {
    api.requestStockAlert.mockRejectedValue(new ApiError(409, { code: 'in_stock' }))
    const wrapper = form()
    await wrapper.get('input[type="email"]').setValue('ann@example.com')
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(wrapper.emitted('inStock')).toHaveLength(1)
  })
})

describe('the unsubscribe link’s page', () => {
  async function open(token: string) {
    const router = createRouter({
      history: createMemoryHistory(),
      routes: [
        { path: '/stock-alerts/:token', component: StockAlertPage },
        { path: '/:any(.*)*', component: { template: '<div />' } },
      ],
    })
    await router.push(`/stock-alerts/${token}`)
    const wrapper = mount(StockAlertPage, { global: { plugins: [router] } })
    await flushPromises()
    return wrapper
  }

  it('shows the alert and unsubscribes only when asked (a link scanner opening it changes nothing)', async () => {
    api.getStockAlert.mockResolvedValue({ product_name: 'Acme Phone', slug: 'acme-phone', variant: '', sku: 'PH-1', state: 'waiting' })
    api.unsubscribeStockAlert.mockResolvedValue()
    const wrapper = await open('0123456789abcdef0123456789abcdef')
    expect(wrapper.text()).toContain('once when Acme Phone is back in stock')
    expect(api.unsubscribeStockAlert).not.toHaveBeenCalled()
    await wrapper.get('button').trigger('click')
    await flushPromises()
    expect(api.unsubscribeStockAlert).toHaveBeenCalledWith('0123456789abcdef0123456789abcdef')
    expect(wrapper.get('[data-testid="alert-unsubscribed"]').text()).toContain('Acme Phone')
  })

  it('says so for an unknown link', async () => {
    api.getStockAlert.mockRejectedValue(new ApiError(404, { title: 'Not found' }))
    const wrapper = await open('nope')
    expect(wrapper.text()).toContain('We couldn’t find that alert')
  })
})
