// Product photos come in the sizes the catalog stores (catalog/src/images): `thumb` (160 px on the longest
// side), `card` (480 px) and `large` (1200 px), at `/images/<32 hex>/<size>.jpg`. A listing or search hit
// carries only its main photo's card URL; another size of the same photo is the same path with another file
// name. External images (imported URLs) have one size, used for all.

export type ImageSize = 'thumb' | 'card' | 'large'

const STORED = /^\/images\/([0-9a-f]{32})\/(thumb|card|large)\.jpg$/

/** The URL of `size` of the photo at `url`; `url` itself for an external image. */
export function sizedImage(url: string | null | undefined, size: ImageSize): string | null {
  if (!url) return null
  const stored = STORED.exec(url)
  return stored ? `/images/${stored[1]}/${size}.jpg` : url
}
