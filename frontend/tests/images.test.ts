import { describe, expect, it } from 'vitest'
import { sizedImage } from '../src/lib/images'

describe('sizedImage', () => {
  const key = '0123456789abcdef0123456789abcdef'

  it('gives another size of a stored photo', () => {
    expect(sizedImage(`/images/${key}/card.jpg`, 'thumb')).toBe(`/images/${key}/thumb.jpg`)
    expect(sizedImage(`/images/${key}/thumb.jpg`, 'large')).toBe(`/images/${key}/large.jpg`)
  })

  it('keeps an external image as it is', () => {
    expect(sizedImage('https://img.example.com/p/1.jpg', 'thumb')).toBe('https://img.example.com/p/1.jpg')
    expect(sizedImage('/images/placeholder.svg', 'thumb')).toBe('/images/placeholder.svg')
  })

  it('has nothing for a product without a photo', () => {
    expect(sizedImage(null, 'card')).toBeNull()
    expect(sizedImage('', 'card')).toBeNull()
  })
})
