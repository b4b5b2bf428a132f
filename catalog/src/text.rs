//! Text handling shared by indexing and querying: one normalization (accents folded, lowercase, split on
//! anything not a letter or digit), the prefixes stored for search-as-you-type, relevance scoring of a
//! candidate against a query, and HTML-safe highlighting. Pure functions: the product writes in `db` and the
//! search engines in `search` both use them, so they sit below both.

use platform::contracts::search::title_of;

use crate::domain::fold_char;

/// Longest prefix stored per word; longer typed words are looked up by their first `MAX_PREFIX` characters
/// and checked in full when ranking.
pub const MAX_PREFIX: usize = 20;

/// The normalized words of `text`, in order.
pub fn words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    for c in text.chars().flat_map(fold_char) {
        if c.is_alphanumeric() {
            current.extend(c.to_lowercase());
        } else if !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// The first `n` characters of `word`.
pub fn prefix_of(word: &str, n: usize) -> &str {
    match word.char_indices().nth(n) {
        Some((at, _)) => &word[..at],
        None => word,
    }
}

/// Every prefix (1 to [`MAX_PREFIX`] characters) of every word of `text`, without repeats.
pub fn index_prefixes(text: &str, into: &mut std::collections::BTreeSet<String>) {
    for word in words(text) {
        for n in 1..=word.chars().count().min(MAX_PREFIX) {
            into.insert(prefix_of(&word, n).to_owned());
        }
    }
}

/// A parsed search query. The last word is a prefix while the shopper is still typing it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    pub terms: Vec<String>,
    /// The query ended with a space (or punctuation): the last term is complete.
    pub last_is_complete: bool,
}

impl Query {
    pub fn parse(text: &str, max_terms: usize) -> Self {
        let mut terms = words(text);
        terms.truncate(max_terms);
        let last_is_complete = text.chars().last().is_some_and(|c| !c.is_alphanumeric());
        Self {
            terms,
            last_is_complete,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// Term `i` may match a longer word (only the last one, while being typed).
    pub fn is_prefix(&self, i: usize) -> bool {
        i + 1 == self.terms.len() && !self.last_is_complete
    }

    /// The distinct index keys to look up, one per term: what every form of the term starts with.
    pub fn lookup_keys(&self) -> Vec<String> {
        let mut keys: Vec<String> = self
            .terms
            .iter()
            .map(|term| prefix_of(stem(term), MAX_PREFIX).to_owned())
            .collect();
        keys.dedup();
        keys
    }
}

/// The singular of an English plural ("headphones" -> "headphone", "batteries" -> "battery", "watches" ->
/// "watch"), so that a shopper's plural finds the catalog's singular and the other way round. Model numbers
/// ("5s"), short words and words that only look plural ("glass", "series") have none.
pub fn singular(word: &str) -> Option<String> {
    let (keep, add_y) = singular_len(word)?;
    let mut one = word[..keep].to_owned();
    if add_y {
        one.push('y');
    }
    Some(one)
}

/// What every form of `term` starts with: the term, or the part its singular shares with it ("headphone" of
/// "headphones", "batter" of "batteries").
pub fn stem(term: &str) -> &str {
    match singular(term) {
        Some(one) => {
            let shared = term
                .char_indices()
                .zip(one.chars())
                .find(|((_, a), b)| a != b)
                .map_or(one.len().min(term.len()), |((at, _), _)| at);
            &term[..shared]
        }
        None => term,
    }
}

/// How a query term matched a word of a product.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum WordMatch {
    /// The word starts with the term ("iph" of "iphone").
    Prefix,
    /// The word is the term, or its singular or plural.
    Exact,
}

/// Whether `one` is the singular of `plural` by [`singular`]'s rules, without building it (called for every
/// word of every candidate on every keystroke).
fn is_singular_of(plural: &str, one: &str) -> bool {
    if plural.len() <= one.len() || !plural.ends_with('s') {
        return false;
    }
    let expected = singular_len(plural);
    match expected {
        Some((keep, add_y)) => {
            one.len() == keep + usize::from(add_y)
                && one.starts_with(&plural[..keep])
                && (!add_y || one.ends_with('y'))
        }
        None => false,
    }
}

/// How [`singular`] builds the singular of `word`: the length of `word` it keeps, and whether a `y` follows.
fn singular_len(word: &str) -> Option<(usize, bool)> {
    const NOT_PLURALS: [&str; 6] = ["series", "species", "news", "lens", "gps", "canvas"];
    if word.len() < 4
        || !word.ends_with('s')
        || word.chars().any(|c| c.is_ascii_digit())
        || NOT_PLURALS.contains(&word)
    {
        return None;
    }
    if word.ends_with("ies") {
        return Some((word.len() - 3, true));
    }
    if ["sses", "shes", "ches", "xes", "zes"]
        .iter()
        .any(|ending| word.ends_with(ending))
    {
        return Some((word.len() - 2, false));
    }
    if ["ss", "us", "is"]
        .iter()
        .any(|ending| word.ends_with(ending))
    {
        return None;
    }
    Some((word.len() - 1, false))
}

/// How `term` matches `word` (both normalized by [`words`]), if at all.
pub fn match_word(term: &str, word: &str) -> Option<WordMatch> {
    if word == term || is_singular_of(term, word) || is_singular_of(word, term) {
        return Some(WordMatch::Exact);
    }
    word.starts_with(term).then_some(WordMatch::Prefix)
}

/// How well a product's name and brand match the query; higher is better, popularity breaks ties elsewhere.
///
/// First by tier: every query word in the name, then every word in the name or the brand, then the rest
/// (matched in the description). Within a tier a word scores by where it was found (the name's title, see
/// [`title_of`], above what the product fits, above the brand) and how (the whole word above a prefix); a name
/// word that is also the brand's, words side by side as in the name, the name or its title starting with the
/// query, and a query naming (nearly) the whole title add to it.
pub fn relevance(query: &Query, name: &str, brand: &str) -> u32 {
    let name_words = words(name);
    let brand_words = words(brand);
    let title_end = words(title_of(name)).len().min(name_words.len());
    // "Apple - iPhone 7": the title proper starts after the brand.
    let title_start = if !brand_words.is_empty()
        && title_end > brand_words.len()
        && name_words.starts_with(&brand_words)
    {
        brand_words.len()
    } else {
        0
    };
    let best_in = |term: &str, from: usize, to: usize| {
        name_words[from..to]
            .iter()
            .enumerate()
            .filter_map(|(at, word)| match_word(term, word).map(|how| (how, from + at)))
            .max_by_key(|(how, at)| (*how, std::cmp::Reverse(*at)))
    };
    let mut score = 0;
    let (mut in_name, mut in_brand) = (0, 0);
    let mut positions = Vec::with_capacity(query.terms.len());
    let mut title_matched = vec![false; title_end];
    for (i, term) in query.terms.iter().enumerate() {
        let typing = query.is_prefix(i);
        // A finished word found only as the start of a longer one ("pixel" in "PixelSkin") is a weak match.
        let term_score = if let Some((how, at)) = best_in(term, 0, title_end) {
            positions.push(at);
            in_name += 1;
            title_matched[at] |= how == WordMatch::Exact || typing;
            match how {
                WordMatch::Exact => 10,
                WordMatch::Prefix if typing => 9,
                WordMatch::Prefix => 5,
            }
        } else if let Some((how, at)) = best_in(term, title_end, name_words.len()) {
            positions.push(at);
            in_name += 1;
            match how {
                WordMatch::Exact => 7,
                WordMatch::Prefix if typing => 6,
                WordMatch::Prefix => 3,
            }
        } else {
            match brand_words
                .iter()
                .filter_map(|word| match_word(term, word))
                .max()
            {
                Some(WordMatch::Exact) => {
                    in_brand += 1;
                    5
                }
                Some(WordMatch::Prefix) => {
                    in_brand += 1;
                    4
                }
                // Matched only in the description (FULLTEXT).
                None => 1,
            }
        };
        score += term_score * 10;
        // A word of the name that is also the brand's: the product is by what the shopper named ("sams" finds
        // Samsung's phones before a carrier's Samsung phone).
        if term_score > 5
            && brand_words
                .iter()
                .any(|word| match_word(term, word).is_some())
        {
            score += 5;
        }
    }
    // Query words in the same order, side by side, as in the name: the shopper typed (part of) the name.
    let in_sequence = positions
        .windows(2)
        .filter(|pair| pair[1] == pair[0] + 1)
        .count() as u32;
    score += in_sequence * 15;
    if positions.contains(&title_start) || positions.contains(&0) {
        score += 10;
    }
    // Of two titles containing every query word, the one the query names (nearly) whole is the closer match;
    // coarse on purpose, so that popularity decides between equally good names.
    let title_words = title_end - title_start;
    let named = title_matched[title_start..].iter().filter(|m| **m).count();
    if title_words > 0 && named == title_words {
        score += 30;
    } else if title_words > 0 && named * 2 >= title_words {
        score += 15;
    }
    let terms = query.terms.len();
    let tier = if in_name == terms {
        3
    } else if in_name + in_brand == terms {
        2
    } else {
        1
    };
    tier * 10_000 + score
}

/// `text` HTML-escaped, with the parts of words that match query terms wrapped in `<mark>`.
pub fn highlight(text: &str, query: &Query) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut word = String::new();
    for c in text.chars() {
        if c.is_alphanumeric() {
            word.push(c);
        } else {
            flush_word(&mut out, &mut word, query);
            escape_into(&mut out, c);
        }
    }
    flush_word(&mut out, &mut word, query);
    out
}

fn flush_word(out: &mut String, word: &mut String, query: &Query) {
    if word.is_empty() {
        return;
    }
    let folded: String = word
        .chars()
        .flat_map(fold_char)
        .flat_map(char::to_lowercase)
        .collect();
    let matched = query
        .terms
        .iter()
        .filter_map(|term| match match_word(term, &folded)? {
            // A plural typed for a singular in the name (or back): the whole word.
            WordMatch::Exact if !folded.starts_with(term.as_str()) => Some(folded.chars().count()),
            _ => Some(term.chars().count()),
        })
        .max();
    match matched {
        Some(len) => {
            // Folding can change the length (ß -> ss); never cut past the word.
            let len = len.min(word.chars().count());
            let split = word
                .char_indices()
                .nth(len)
                .map_or(word.len(), |(at, _)| at);
            out.push_str("<mark>");
            word[..split].chars().for_each(|c| escape_into(out, c));
            out.push_str("</mark>");
            word[split..].chars().for_each(|c| escape_into(out, c));
        }
        None => word.chars().for_each(|c| escape_into(out, c)),
    }
    word.clear();
}

/// `text` HTML-escaped, with the spans between `open` and `close` (markers an engine put around its matches)
/// wrapped in `<mark>`.
pub fn highlight_marked(text: &str, open: char, close: char) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            c if c == open => out.push_str("<mark>"),
            c if c == close => out.push_str("</mark>"),
            c => escape_into(&mut out, c),
        }
    }
    out
}

fn escape_into(out: &mut String, c: char) {
    match c {
        '&' => out.push_str("&amp;"),
        '<' => out.push_str("&lt;"),
        '>' => out.push_str("&gt;"),
        '"' => out.push_str("&quot;"),
        '\'' => out.push_str("&#39;"),
        _ => out.push(c),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engine_markers_become_marks_around_escaped_text() {
        assert_eq!(
            highlight_marked("\u{e000}Sam\u{e001}sung <TV> & co", '\u{e000}', '\u{e001}'),
            "<mark>Sam</mark>sung &lt;TV&gt; &amp; co"
        );
    }

    #[test]
    fn words_are_folded_lowercased_and_split_on_punctuation() {
        assert_eq!(
            words("Samsung - 65\" Class QLED 4K/UHD Café"),
            ["samsung", "65", "class", "qled", "4k", "uhd", "cafe"]
        );
    }

    #[test]
    fn every_prefix_of_every_word_is_indexed_once() {
        let mut prefixes = std::collections::BTreeSet::new();
        index_prefixes("TV tv", &mut prefixes);
        assert_eq!(prefixes.into_iter().collect::<Vec<_>>(), ["t", "tv"]);
    }

    #[test]
    fn only_the_last_term_of_an_unfinished_query_is_a_prefix() {
        let query = Query::parse("apple iph", 8);
        assert!(!query.is_prefix(0));
        assert!(query.is_prefix(1));
        assert!(!Query::parse("apple iphone ", 8).is_prefix(1));
    }

    #[test]
    fn the_exact_name_outranks_longer_names_containing_it() {
        let query = Query::parse("Apple AirPods", 8);
        let exact = relevance(&query, "Apple AirPods", "Apple");
        let longer = relevance(
            &query,
            "Apple AirPods with Wireless Charging Case - White",
            "Apple",
        );
        let scattered = relevance(&query, "Case for Apple iPhone and AirPods", "Otterbox");
        assert!(exact > longer, "{exact} > {longer}");
        assert!(longer > scattered, "{longer} > {scattered}");
    }

    #[test]
    fn plurals_match_singulars_both_ways_and_model_numbers_stay_as_typed() {
        assert_eq!(singular("headphones").as_deref(), Some("headphone"));
        assert_eq!(singular("batteries").as_deref(), Some("battery"));
        assert_eq!(singular("watches").as_deref(), Some("watch"));
        for word in ["glass", "series", "5s", "lens", "bus", "tv"] {
            assert_eq!(singular(word), None, "{word}");
        }
        assert_eq!(stem("headphones"), "headphone");
        assert_eq!(stem("batteries"), "batter");
        assert_eq!(
            match_word("headphones", "headphone"),
            Some(WordMatch::Exact)
        );
        assert_eq!(match_word("battery", "batteries"), Some(WordMatch::Exact));
        assert_eq!(match_word("case", "cases"), Some(WordMatch::Exact));
        assert_eq!(match_word("cas", "cases"), Some(WordMatch::Prefix));
        assert_eq!(match_word("7", "7s"), Some(WordMatch::Prefix));
        assert_eq!(match_word("s7", "s8"), None);
    }

    #[test]
    fn the_name_holding_every_word_comes_first_then_the_brand_then_the_description() {
        let query = Query::parse("samsung charger ", 8);
        let in_name = relevance(&query, "Samsung - Wall Charger - Black", "Samsung");
        let fits_it = relevance(&query, "Case for Samsung Charger", "Otterbox");
        let by_brand = relevance(&query, "Wall Charger - Black", "Samsung");
        let described = relevance(&query, "Wall Plug - Black", "Samsung");
        assert!(in_name > fits_it, "{in_name} > {fits_it}");
        assert!(fits_it > by_brand, "{fits_it} > {by_brand}");
        assert!(by_brand > described, "{by_brand} > {described}");
    }

    #[test]
    fn what_the_product_is_outranks_what_it_fits() {
        let query = Query::parse("iphone 7", 8);
        let phone = relevance(&query, "Apple - iPhone 7 32GB - Black (Verizon)", "Apple");
        let case = relevance(
            &query,
            "OtterBox - Defender Series Case for Apple iPhone 7 - Black",
            "OtterBox",
        );
        assert!(phone > case, "{phone} > {case}");
        // Equally good names tie, for popularity to decide.
        assert_eq!(
            phone,
            relevance(&query, "Apple - iPhone 7 32GB - Black (Sprint)", "Apple")
        );
    }

    #[test]
    fn highlights_mark_matched_prefixes_and_escape_html() {
        let query = Query::parse("sam <b", 8);
        assert_eq!(
            highlight("Samsung <b>Galaxy</b>", &query),
            "<mark>Sam</mark>sung &lt;<mark>b</mark>&gt;Galaxy&lt;/<mark>b</mark>&gt;"
        );
        assert_eq!(
            highlight("Crème brûlée", &Query::parse("creme", 8)),
            "<mark>Crème</mark> brûlée"
        );
        assert_eq!(
            highlight("Headphone Adapter", &Query::parse("headphones", 8)),
            "<mark>Headphone</mark> Adapter"
        );
    }
}
