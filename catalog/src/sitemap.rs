//! What search engines are told: `robots.txt` (what not to crawl, where the sitemap is) and the sitemap (every
//! active product's page, the listings and every category), from the catalog itself, at `PUBLIC_BASE_URL`.
//!
//! The sitemap is an index of files of at most [`CHUNK`] products each (the protocol allows 50,000 URLs a
//! file), one per range of product ids, plus one file of the other pages: a new product lands in the last file
//! and no file's contents shift when others change.

use std::fmt::Write as _;

use sqlx::MySqlPool;

use crate::db;

/// Product ids per sitemap file.
pub const CHUNK: u32 = 10_000;

/// The sitemaps of the storefront at `base` (scheme, host and port, no trailing slash).
#[derive(Debug, Clone)]
pub struct Sitemap {
    pool: MySqlPool,
    base: String,
}

/// One file of the sitemap, by its name under `/sitemaps/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum File {
    /// `pages.xml`: home, the listing and every category.
    Pages,
    /// `products-<n>.xml`: the active products with ids in chunk `n`.
    Products(u32),
}

impl File {
    /// The file named `name`, if the sitemap has one by that name.
    pub fn parse(name: &str) -> Option<Self> {
        if name == "pages.xml" {
            return Some(Self::Pages);
        }
        let n = name.strip_prefix("products-")?.strip_suffix(".xml")?;
        // Digits only, no sign or leading zero: one name per file.
        if n.is_empty()
            || !n.bytes().all(|b| b.is_ascii_digit())
            || (n.len() > 1 && n.starts_with('0'))
        {
            return None;
        }
        n.parse().ok().map(Self::Products)
    }
}

impl Sitemap {
    pub fn new(pool: MySqlPool, base: &str) -> Self {
        Self {
            pool,
            base: base.trim_end_matches('/').to_owned(),
        }
    }

    /// `robots.txt`: private pages and internal search are not for crawling; the rest is, the API included
    /// (the pages render from it).
    pub fn robots(&self) -> String {
        format!(
            "User-agent: *\nDisallow: /cart\nDisallow: /checkout\nDisallow: /orders/\nDisallow: /search\nDisallow: /stock-alerts/\n\
             Disallow: /admin\nDisallow: /api/carts\nDisallow: /api/orders\n\nSitemap: {}/sitemap.xml\n",
            self.base
        )
    }

    /// The sitemap index: the pages file and one file per chunk of products.
    pub async fn index(&self) -> Result<String, sqlx::Error> {
        let chunks = db::sitemap::product_chunks(&self.pool, CHUNK).await?;
        let mut xml = String::from(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
             <sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
        );
        let mut entry = |name: &str| {
            let _ = writeln!(
                xml,
                "<sitemap><loc>{}/sitemaps/{}</loc></sitemap>",
                escape(&self.base),
                name
            );
        };
        entry("pages.xml");
        for n in chunks {
            entry(&format!("products-{n}.xml"));
        }
        xml.push_str("</sitemapindex>\n");
        Ok(xml)
    }

    /// One file of the sitemap; `None` when it names no products any more.
    pub async fn file(&self, file: File) -> Result<Option<String>, sqlx::Error> {
        let mut xml = String::from(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
             <urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
        );
        let base = escape(&self.base);
        match file {
            File::Pages => {
                xml.push_str(&format!("<url><loc>{base}/</loc></url>\n"));
                xml.push_str(&format!("<url><loc>{base}/products</loc></url>\n"));
                for slug in db::sitemap::category_slugs(&self.pool).await? {
                    let _ = writeln!(
                        xml,
                        "<url><loc>{base}/category/{}</loc></url>",
                        escape(&path_segment(&slug))
                    );
                }
            }
            File::Products(n) => {
                let products = db::sitemap::products_in_chunk(&self.pool, CHUNK, n).await?;
                if products.is_empty() {
                    return Ok(None);
                }
                for (slug, updated_at) in products {
                    let _ = writeln!(
                        xml,
                        "<url><loc>{base}/p/{}</loc><lastmod>{}</lastmod></url>",
                        escape(&path_segment(&slug)),
                        updated_at.format("%Y-%m-%dT%H:%M:%SZ")
                    );
                }
            }
        }
        xml.push_str("</urlset>\n");
        Ok(Some(xml))
    }
}

/// `value` as one path segment: what is not unreserved is percent-encoded (a category slug holds a `/`).
fn path_segment(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(byte as char);
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

/// `value` as XML text.
fn escape(value: &str) -> String {
    value
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_named_one_way() {
        assert_eq!(File::parse("pages.xml"), Some(File::Pages));
        assert_eq!(File::parse("products-0.xml"), Some(File::Products(0)));
        assert_eq!(File::parse("products-12.xml"), Some(File::Products(12)));
        for name in [
            "products-012.xml",
            "products-.xml",
            "products--1.xml",
            "products-1.xml.gz",
            "products-99999999999.xml",
            "../pages.xml",
        ] {
            assert_eq!(File::parse(name), None, "{name}");
        }
    }

    #[test]
    fn slugs_and_the_base_are_escaped() {
        assert_eq!(path_segment("tv-home/tvs"), "tv-home%2Ftvs");
        assert_eq!(
            escape("https://a.example/?x=1&y=<2>"),
            "https://a.example/?x=1&amp;y=&lt;2&gt;"
        );
    }
}
