import { describe, expect, it } from 'vitest'
import { discountName, discountShippingText, formatDiscount, isZeroMoney, subtractMoney } from '../src/lib/discounts'
import { discount } from './fixtures'

describe('amounts taken off', () => {
  it('shows a discount with a true minus sign', () => {
    expect(formatDiscount('5')).toBe('\u2212$5.00')
    expect(formatDiscount('1234.5', 'EUR')).toBe('\u2212€1,234.50')
  })

  it('knows a zero in any spelling', () => {
    expect(isZeroMoney('0')).toBe(true)
    expect(isZeroMoney('0.00')).toBe(true)
    expect(isZeroMoney('0.01')).toBe(false)
    expect(isZeroMoney('')).toBe(false)
  })

  it('subtracts exactly, with the decimals given', () => {
    expect(subtractMoney('50.00', '5.00')).toBe('45.00')
    expect(subtractMoney('0.3', '0.1')).toBe('0.2')
    expect(subtractMoney('100', '0.01')).toBe('99.99')
    expect(subtractMoney('5.00', '7.50')).toBe('-2.50')
    expect(subtractMoney('49.99', 'n/a')).toBeNull()
  })
})

describe('a promotion’s row', () => {
  it('names the code typed for it, or none for an automatic one', () => {
    expect(discountName(discount('Welcome 10%', 'WELCOME10', '5.00'))).toBe('Welcome 10% (WELCOME10)')
    expect(discountName(discount('Spring sale', null, '2.00'))).toBe('Spring sale')
  })

  it('says what came off shipping', () => {
    expect(discountShippingText(discount('Sale', null, '2.00'), 'USD', false)).toBeNull()
    expect(discountShippingText(discount('Ship', null, '0.00', '4.99'), 'USD', true)).toBe('Free shipping')
    expect(discountShippingText(discount('Ship', null, '0.00', '2.00'), 'USD', false)).toBe('\u2212$2.00 off shipping')
  })
})
