import { describe, expect, it } from 'vitest'
import { formatMoney, formatPriceRange } from '../src/lib/money'

describe('formatMoney', () => {
  it('shows dollars and cents with the currency symbol', () => {
    expect(formatMoney('49.99', 'USD')).toBe('$49.99')
  })

  it('pads amounts the server sends without cents', () => {
    expect(formatMoney('0')).toBe('$0.00')
    expect(formatMoney('5')).toBe('$5.00')
    expect(formatMoney('1234.5')).toBe('$1,234.50')
  })

  it('groups thousands', () => {
    expect(formatMoney('1234567.89')).toBe('$1,234,567.89')
  })

  it('rounds extra digits half up with string arithmetic, carrying across the point', () => {
    expect(formatMoney('4.995')).toBe('$5.00')
    expect(formatMoney('999.994')).toBe('$999.99')
    expect(formatMoney('999.995')).toBe('$1,000.00')
  })

  it('never goes through floats: amounts past float precision stay exact', () => {
    expect(formatMoney('90071992547409.93')).toBe('$90,071,992,547,409.93')
    expect(formatMoney('0.30')).toBe('$0.30')
  })

  it('keeps the sign of negative amounts but not of zero', () => {
    expect(formatMoney('-5.5')).toBe('-$5.50')
    expect(formatMoney('-0.00')).toBe('$0.00')
  })

  it('names currencies it has no symbol for', () => {
    expect(formatMoney('10', 'SEK')).toBe('10.00 SEK')
  })

  it('shows anything that is not a decimal as it came', () => {
    expect(formatMoney('n/a')).toBe('n/a')
  })

  it('can drop zero cents for labels', () => {
    expect(formatMoney('25', 'USD', { dropZeroCents: true })).toBe('$25')
    expect(formatMoney('25.50', 'USD', { dropZeroCents: true })).toBe('$25.50')
  })
})

describe('formatPriceRange', () => {
  it('reads like a shop filter', () => {
    expect(formatPriceRange('0', '25')).toBe('Under $25')
    expect(formatPriceRange('25', '50')).toBe('$25 – $50')
    expect(formatPriceRange('1000', null)).toBe('$1,000 and up')
  })
})
