import { describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import VariantPicker from '../src/components/VariantPicker.vue'
import { choose, initialVariant, optionChoices, type Variant } from '../src/lib/variants'

function variant(sku: string, values: string[], price: string, available: number): Variant {
  return { sku, option_values: values, price, available, in_stock: available > 0 }
}

// Sizes 42 and 44; 42 comes in blue and red, 44 only in blue and black, and 44 black is sold out.
const SHOE = [
  variant('TR-42-BLUE', ['42', 'Blue'], '89.00', 5),
  variant('TR-42-RED', ['42', 'Red'], '89.00', 2),
  variant('TR-44-BLUE', ['44', 'Blue'], '99.00', 1),
  variant('TR-44-BLACK', ['44', 'Black'], '99.00', 0),
]
const OPTIONS = ['size', 'colour']

// The picker's v-model, wired as a page does: an update becomes the new model value.
function mountPicker(sku: string) {
  return mount(VariantPicker, {
    props: {
      optionNames: OPTIONS,
      variants: SHOE,
      modelValue: sku,
      'onUpdate:modelValue': (next: string) => wrapper.setProps({ modelValue: next }),
    },
  })
}
let wrapper: ReturnType<typeof mountPicker>

const radio = (value: string) => wrapper.get(`input[value="${value}"]`)
const chosenSku = () => wrapper.props('modelValue')

describe('VariantPicker', () => {
  it('shows one group per option with the chosen values checked', () => {
    wrapper = mountPicker('TR-42-RED')
    expect(wrapper.findAll('fieldset').map((f) => f.get('legend').text())).toEqual(['size: 42', 'colour: Red'])
    expect((radio('42').element as HTMLInputElement).checked).toBe(true)
    expect((radio('Red').element as HTMLInputElement).checked).toBe(true)
  })

  it('disables values that do not exist with the earlier choices or are sold out', () => {
    wrapper = mountPicker('TR-42-BLUE')
    // With size 42: Black does not exist.
    expect(radio('Black').attributes('disabled')).toBeDefined()
    expect(radio('Red').attributes('disabled')).toBeUndefined()
    wrapper.unmount()
    wrapper = mountPicker('TR-44-BLUE')
    // With size 44: Red does not exist and Black is sold out.
    expect(radio('Red').attributes('disabled')).toBeDefined()
    expect(radio('Black').attributes('disabled')).toBeDefined()
    expect(wrapper.text()).toContain('(sold out)')
  })

  it('choosing a value chooses the matching variant, which the page then shows and sells', async () => {
    wrapper = mountPicker('TR-42-BLUE')
    await radio('Red').setValue(true)
    expect(chosenSku()).toBe('TR-42-RED')
    await radio('44').setValue(true)
    // 44 in red does not exist: the first 44 in stock.
    expect(chosenSku()).toBe('TR-44-BLUE')
    // Blue is kept: 42 comes in blue.
    await radio('42').setValue(true)
    expect(chosenSku()).toBe('TR-42-BLUE')
  })
})

describe('choosing variants', () => {
  it('opens on the variant the URL names, else the first in stock', () => {
    expect(initialVariant(SHOE, 'TR-44-BLUE')?.sku).toBe('TR-44-BLUE')
    expect(initialVariant(SHOE, 'NOPE')?.sku).toBe('TR-42-BLUE')
    const soldOutFirst = [variant('A', ['S'], '1.00', 0), variant('B', ['M'], '1.00', 3)]
    expect(initialVariant(soldOutFirst, null)?.sku).toBe('B')
    expect(initialVariant([], null)).toBeUndefined()
  })

  it('keeps the later choices when that variant exists, else moves to one in stock', () => {
    const restocked = (sku: string, available: number) =>
      SHOE.map((v) => (v.sku === sku ? { ...v, available, in_stock: available > 0 } : v))
    // From 42 Blue to 44: 44 Blue exists and is in stock.
    expect(choose(SHOE, SHOE[0], 0, '44')?.sku).toBe('TR-44-BLUE')
    // 44 Blue sold out and 44 Black back in stock: 44 Black.
    const swapped = restocked('TR-44-BLUE', 0).map((v) => (v.sku === 'TR-44-BLACK' ? { ...v, available: 2, in_stock: true } : v))
    expect(choose(swapped, SHOE[0], 0, '44')?.sku).toBe('TR-44-BLACK')
    // Everything in 44 sold out: still the exact combination, shown as sold out.
    expect(choose(restocked('TR-44-BLUE', 0), SHOE[0], 0, '44')?.sku).toBe('TR-44-BLUE')
  })

  it('a plain product has no options to choose', () => {
    expect(optionChoices([], [variant('P-1', [], '5.00', 3)], undefined)).toEqual([])
  })
})
