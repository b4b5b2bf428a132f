import { describe, expect, it } from 'vitest'
import { filtersFromQuery, queryFromFilters } from '../src/lib/listing-query'

describe('listing filters in the URL', () => {
  it('round-trips every filter', () => {
    const query = { category: 'phones', brand: 'Apple', min_price: '25', max_price: '50.5', in_stock: 'true', sort: 'price_asc', page: '3' }
    const filters = filtersFromQuery(query)
    expect(filters).toEqual({ category: 'phones', brand: 'Apple', min_price: '25', max_price: '50.5', in_stock: true, sort: 'price_asc', page: 3 })
    expect(queryFromFilters(filters)).toEqual(query)
  })

  it('drops values the API would refuse, so a hand-edited link still shows something', () => {
    expect(filtersFromQuery({ min_price: 'cheap', sort: 'random', page: '-2', in_stock: 'maybe' })).toEqual({})
  })

  it('keeps page 1 and unset filters out of the URL', () => {
    expect(queryFromFilters({ page: 1, brand: undefined }, { q: 'iph' })).toEqual({ q: 'iph' })
  })
})
