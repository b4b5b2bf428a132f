import { afterEach, describe, expect, it } from 'vitest'
import { mount, type VueWrapper } from '@vue/test-utils'
import ProductGallery from '../src/components/ProductGallery.vue'

const key = (n: number) => String(n).repeat(32)
const photo = (n: number, alt: string) => ({
  url: `/images/${key(n)}/card.jpg`,
  alt_text: alt,
  thumb: `/images/${key(n)}/thumb.jpg`,
  card: `/images/${key(n)}/card.jpg`,
  large: `/images/${key(n)}/large.jpg`,
  width: 1200,
  height: 800,
})

let wrapper: VueWrapper
afterEach(() => wrapper.unmount())

function gallery(images = [photo(1, 'Front'), photo(2, 'Back'), photo(3, 'Side')]) {
  wrapper = mount(ProductGallery, { props: { images, fallback: null, name: 'Camera' }, attachTo: document.body })
  return wrapper
}
const main = () => wrapper.get('.gallery__main img')
const thumbs = () => wrapper.findAll('.gallery__thumb')
const thumb = (i: number) => {
  const found = thumbs()[i]
  if (!found) throw new Error(`no thumbnail ${i}`)
  return found
}

describe('ProductGallery', () => {
  it('shows the first photo large, with its size and alt text', () => {
    gallery()
    expect(main().attributes('src')).toBe(`/images/${key(1)}/large.jpg`)
    expect(main().attributes('alt')).toBe('Front')
    expect(main().attributes('width')).toBe('1200')
    expect(main().attributes('height')).toBe('800')
    expect(thumbs().map((t) => t.get('img').attributes('src'))).toEqual([1, 2, 3].map((n) => `/images/${key(n)}/thumb.jpg`))
  })

  it('shows the thumbnail chosen by click', async () => {
    gallery()
    await thumb(2).trigger('click')
    expect(main().attributes('alt')).toBe('Side')
    expect(thumb(2).attributes('aria-pressed')).toBe('true')
    expect(thumb(0).attributes('aria-pressed')).toBe('false')
  })

  it('moves between photos with the arrow keys, wrapping around, and keeps focus on the chosen one', async () => {
    gallery()
    await thumb(0).trigger('keydown', { key: 'ArrowLeft' })
    expect(main().attributes('alt')).toBe('Side')
    expect(document.activeElement).toBe(thumb(2).element)
    await thumb(2).trigger('keydown', { key: 'ArrowRight' })
    expect(main().attributes('alt')).toBe('Front')
    await thumb(0).trigger('keydown', { key: 'End' })
    expect(main().attributes('alt')).toBe('Side')
    expect(thumbs().map((t) => t.attributes('tabindex'))).toEqual(['-1', '-1', '0'])
  })

  it('describes a photo without alt text by the product name and names each thumbnail', () => {
    gallery([photo(1, ''), photo(2, 'Back')])
    expect(main().attributes('alt')).toBe('Camera')
    expect(thumb(1).attributes('aria-label')).toBe('Photo 2 of 2: Back')
  })

  it('shows an external main image when the product has no gallery', () => {
    wrapper = mount(ProductGallery, { props: { images: [], fallback: 'https://img.example.com/1.jpg', name: 'Phone' } })
    expect(main().attributes('src')).toBe('https://img.example.com/1.jpg')
    expect(main().attributes('alt')).toBe('Phone')
    expect(wrapper.find('.gallery__thumbs').exists()).toBe(false)
  })
})
