import { describe, expect, it } from 'vitest'
import { availability, countryName, stockNote } from '../src/lib/stock'

describe('stock and places as shoppers read them', () => {
  it('says how many are left only when few are', () => {
    expect(stockNote(1)).toBe('Only 1 left')
    expect(stockNote(5)).toBe('Only 5 left')
    expect(stockNote(6)).toBeNull()
    expect(stockNote(0)).toBeNull()
  })

  it('tells availability in one phrase: out of stock, few left, or in stock', () => {
    expect(availability(false, 0)).toEqual({ text: 'Out of stock', level: 'out' })
    expect(availability(true, 2)).toEqual({ text: 'Only 2 left', level: 'low' })
    expect(availability(true, 40)).toEqual({ text: 'In stock', level: 'ok' })
  })

  it('names countries and keeps what it cannot name', () => {
    expect(countryName('US')).toBe('United States')
    expect(countryName('de')).toBe('Germany')
    expect(countryName('ZZZ')).toBe('ZZZ')
  })
})
