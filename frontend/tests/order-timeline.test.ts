import { afterEach, describe, expect, it } from 'vitest'
import { mount, type VueWrapper } from '@vue/test-utils'
import OrderTimeline from '../src/components/OrderTimeline.vue'
import type { TimelineEntry } from '../src/api/types'

let wrapper: VueWrapper
afterEach(() => wrapper.unmount())

const at = '2026-11-30T10:00:00Z'
function timeline(entries: TimelineEntry[]) {
  wrapper = mount(OrderTimeline, { props: { entries, currency: 'USD' } })
  return wrapper
}

describe('the order timeline', () => {
  it('tells each step in order, with the tracking link and the refunded amount', () => {
    timeline([
      { type: 'placed', at },
      { type: 'paid', at },
      { type: 'shipped', at, carrier: 'UPS', tracking_number: '1Z999', tracking_url: 'https://www.ups.com/track?tracknum=1Z999' },
      { type: 'refunded', at, amount: '12.50' },
    ])
    const steps = wrapper.findAll('li').map((li) => li.text())
    expect(steps).toHaveLength(4)
    expect(steps[0]).toContain('Order placed')
    expect(steps[1]).toContain('Payment received')
    expect(steps[2]).toContain('Shipped with UPS')
    const link = wrapper.get('[data-testid="tracking-link"]')
    expect(link.attributes('href')).toBe('https://www.ups.com/track?tracknum=1Z999')
    expect(link.attributes('rel')).toContain('noopener')
    expect(wrapper.get('[data-testid="timeline-refunded"]').text()).toContain('$12.50')
  })

  it('shows a tracking number without a link when the address is not a web link', () => {
    timeline([{ type: 'shipped', at, carrier: 'Acme', tracking_number: 'X1', tracking_url: 'javascript:alert(1)' }])
    expect(wrapper.find('[data-testid="tracking-link"]').exists()).toBe(false)
    expect(wrapper.get('[data-testid="timeline-shipped"]').text()).toContain('X1')
  })
})
