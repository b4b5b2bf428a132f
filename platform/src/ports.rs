//! Where the shop listens locally: `infra/ports.txt`, the one table of local ports and service names that
//! `./dev`, the storefront's dev server and every service read. A service takes its default `HTTP_ADDR` port
//! from it at compile time ([`port`] in its `SERVICE` spec), so a service missing from the table does not build;
//! the default `DATABASE_URL` and `PUBLIC_BASE_URL` come from it too.
//! `infra/compose.yaml` and the README's "Ports" cannot read the table; the tests below fail when they disagree
//! with it.

/// `infra/ports.txt`: a row per name, `name port kind`, blank-separated; `#` starts a comment line.
pub const TABLE: &str = include_str!("../../infra/ports.txt");

/// The port of `name` in `infra/ports.txt`. Panics when the table has no such row, which in a `const` (as in
/// a service's `SERVICE` spec) fails the build.
pub const fn port(name: &str) -> u16 {
    match lookup(TABLE, name) {
        Some(port) => port,
        None => panic!("the name is missing from infra/ports.txt"),
    }
}

/// Where shoppers open the local storefront: the proxy's port in `infra/ports.txt`. The default of the
/// services' `PUBLIC_BASE_URL` (links in order pages and emails).
pub fn storefront_url() -> String {
    format!("http://127.0.0.1:{}", port("proxy"))
}

/// The port of the row named `name` in `table`, or `None` when no row has that name. A `const fn` (hence the
/// byte loops), so that a service's port is settled at compile time. A row whose port is not a number from 1
/// to 65535 panics.
const fn lookup(table: &str, name: &str) -> Option<u16> {
    let (table, name) = (table.as_bytes(), name.as_bytes());
    let mut line = 0;
    while line < table.len() {
        let line_end = line_end(table, line);
        let name_start = skip_blanks(table, line, line_end);
        let name_end = field_end(table, name_start, line_end);
        if name_start < name_end
            && table[name_start] != b'#'
            && equals(table, name_start, name_end, name)
        {
            let port_start = skip_blanks(table, name_end, line_end);
            return Some(parse_port(
                table,
                port_start,
                field_end(table, port_start, line_end),
            ));
        }
        line = line_end + 1;
    }
    None
}

const fn line_end(bytes: &[u8], mut at: usize) -> usize {
    while at < bytes.len() && bytes[at] != b'\n' {
        at += 1;
    }
    at
}

const fn skip_blanks(bytes: &[u8], mut at: usize, end: usize) -> usize {
    while at < end && bytes[at].is_ascii_whitespace() {
        at += 1;
    }
    at
}

const fn field_end(bytes: &[u8], mut at: usize, end: usize) -> usize {
    while at < end && !bytes[at].is_ascii_whitespace() {
        at += 1;
    }
    at
}

const fn equals(bytes: &[u8], start: usize, end: usize, expected: &[u8]) -> bool {
    if end - start != expected.len() {
        return false;
    }
    let mut i = 0;
    while i < expected.len() {
        if bytes[start + i] != expected[i] {
            return false;
        }
        i += 1;
    }
    true
}

const fn parse_port(bytes: &[u8], start: usize, end: usize) -> u16 {
    // At most five digits, so the sum cannot overflow before the range check.
    assert!(
        start < end && end - start <= 5,
        "a port in infra/ports.txt is missing or too long"
    );
    let mut port: u32 = 0;
    let mut at = start;
    while at < end {
        assert!(
            bytes[at].is_ascii_digit(),
            "a port in infra/ports.txt is not a number"
        );
        port = port * 10 + (bytes[at] - b'0') as u32;
        at += 1;
    }
    assert!(
        port >= 1 && port <= u16::MAX as u32,
        "a port in infra/ports.txt is out of range"
    );
    port as u16
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    /// The table's rows as `[name, port, kind]`, read the plain way to check the `const` parser against.
    fn rows() -> Vec<[&'static str; 3]> {
        TABLE
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty() && !line.starts_with('#'))
            .map(|line| {
                let fields: Vec<&str> = line.split_whitespace().collect();
                fields
                    .try_into()
                    .unwrap_or_else(|fields| panic!("not `name port kind`: {fields:?}"))
            })
            .collect()
    }

    fn repository_file(path: &str) -> String {
        let path = format!("{}/../{path}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    #[test]
    fn every_row_has_a_unique_name_a_unique_port_and_a_known_kind() {
        let (mut names, mut ports) = (HashSet::new(), HashSet::new());
        for [name, port, kind] in rows() {
            assert!(names.insert(name), "{name} is listed twice");
            assert!(ports.insert(port), "port {port} is listed twice");
            assert!(
                ["service", "proxy", "dependency"].contains(&kind),
                "{name}: unknown kind {kind}"
            );
            assert_eq!(super::port(name).to_string(), port, "{name}");
        }
        for name in [
            "catalog",
            "checkout",
            "mailer",
            "search-indexer",
            "bridge",
            "admin",
            "accounts",
            "proxy",
        ] {
            assert!(names.contains(name), "{name} is missing");
        }
    }

    #[test]
    fn every_service_in_the_table_is_a_crate_of_the_workspace() {
        // ./dev up runs each `service` row as the workspace's binary of that name.
        let workspace = repository_file("Cargo.toml");
        for [name, _, kind] in rows() {
            if kind == "service" {
                assert!(
                    workspace.contains(&format!("\"{name}\"")),
                    "infra/ports.txt lists the service {name}, which is not a member of the workspace"
                );
            }
        }
    }

    #[test]
    fn lookup_finds_whole_names_only_and_skips_comments_and_blank_lines() {
        let table = "# catalog 1\n\n  catalog-admin\t9000 service\ncatalog 8081 service\r\nlast 7";
        assert_eq!(lookup(table, "catalog"), Some(8081));
        assert_eq!(lookup(table, "catalog-admin"), Some(9000));
        assert_eq!(lookup(table, "last"), Some(7));
        assert_eq!(lookup(table, "cat"), None);
        assert_eq!(lookup(table, "#"), None);
        assert_eq!(lookup("", "catalog"), None);
    }

    #[test]
    #[should_panic(expected = "out of range")]
    fn a_port_above_65535_is_refused() {
        lookup("catalog 65536 service", "catalog");
    }

    #[test]
    #[should_panic(expected = "not a number")]
    fn a_port_that_is_not_a_number_is_refused() {
        lookup("catalog 80a1 service", "catalog");
    }

    #[test]
    #[should_panic(expected = "missing")]
    fn a_row_without_a_port_is_refused() {
        lookup("catalog", "catalog");
    }

    /// The lines of `infra/compose.yaml` that belong to the compose service `name` (up to the next key at the
    /// same indentation).
    fn compose_service(compose: &str, name: &str) -> String {
        let header = format!("  {name}:");
        let mut lines = compose.lines().skip_while(|line| *line != header);
        assert!(lines.next().is_some(), "compose.yaml has no service {name}");
        lines
            .take_while(|line| line.is_empty() || line.starts_with("   "))
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn compose_publishes_each_service_and_the_proxy_on_its_port_from_the_table() {
        let compose = repository_file("infra/compose.yaml");
        for [name, port, kind] in rows() {
            if kind == "dependency" {
                // compose runs its own MariaDB and NATS on their standard ports, and no moto.
                continue;
            }
            let published = format!("- \"127.0.0.1:{port}:");
            assert!(
                compose_service(&compose, name).contains(&published),
                "infra/compose.yaml: service {name} must publish 127.0.0.1:{port} (infra/ports.txt)"
            );
        }
    }

    #[test]
    fn the_readme_ports_section_lists_every_row_with_its_port() {
        let readme = repository_file("README.md");
        let section = readme
            .split("\n## Ports\n")
            .nth(1)
            .and_then(|rest| rest.split("\n## ").next())
            .expect("README.md has a \"## Ports\" section");
        for [name, port, _] in rows() {
            let row_start = format!("| `{name}` |");
            let row = section
                .lines()
                .find(|line| line.starts_with(&row_start))
                .unwrap_or_else(|| panic!("README.md, Ports: no row for `{name}`"));
            let address = row
                .trim_end_matches(" |")
                .rsplit(" | ")
                .next()
                .unwrap_or("");
            assert!(
                address.ends_with(&format!("127.0.0.1:{port}")),
                "README.md, Ports: `{name}` is at {address}, infra/ports.txt says port {port}"
            );
        }
    }

    /// The README's other mentions (commands, defaults) cannot each say which row they mean, but a port that
    /// moved leaves its old number behind: every local port the README names must still be in the table, or be
    /// one of these, which `./dev up` does not use.
    const NOT_LOCAL_SHOP_PORTS: [u16; 6] = [
        4222, // NATS's default: compose's server, or a developer's own
        7700, // Meilisearch, which the developer runs
        9081, // "a second replica" in "Running one service alone"
        9181, // the search benchmark's catalog
        9182, // the million-orders measurement's checkout
        9186, // the million-orders measurement's admin
    ];

    #[test]
    fn every_local_port_the_readme_names_is_in_the_table() {
        let readme = repository_file("README.md");
        let table_ports: HashSet<u16> = rows().into_iter().map(|[name, ..]| port(name)).collect();
        let mut named = 0;
        for (line_number, line) in readme.lines().enumerate() {
            for mention in line.split("127.0.0.1:").skip(1) {
                let digits: String = mention.chars().take_while(char::is_ascii_digit).collect();
                let Ok(mentioned) = digits.parse::<u16>() else {
                    continue;
                };
                named += 1;
                assert!(
                    table_ports.contains(&mentioned) || NOT_LOCAL_SHOP_PORTS.contains(&mentioned),
                    "README.md line {}: 127.0.0.1:{mentioned} is not in infra/ports.txt",
                    line_number + 1
                );
            }
        }
        assert!(named > 10, "README.md names only {named} local ports");
    }
}
