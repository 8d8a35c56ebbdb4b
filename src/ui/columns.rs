//! The Secrets list's column widths, from what the rows on screen hold and the terminal's
//! width: names and types whole while there is room, and, on narrow terminals, a fixed order of
//! what gives way first (FLAGS to a minimum, full type names to short ones, then NAME, TYPE,
//! FLAGS, NAMESPACE, and NAME again, each to a floor). Pure, so that the rule has its own tests.

/// Fixed widths: KEYS and USED BY hold small numbers.
pub(crate) const KEYS: u16 = 4;
pub(crate) const USED_BY: u16 = 7;
/// Cells between columns.
pub(crate) const SPACING: u16 = 1;

/// How wide the content of each column is on the rows shown (headers included).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Content {
    pub name: u16,
    /// `None` when one namespace is shown (no column).
    pub namespace: Option<u16>,
    /// The types in full (`kubernetes.io/service-account-token`) and short (`sa-token`).
    pub type_full: u16,
    pub type_short: u16,
    pub age: u16,
    pub flags: u16,
}

/// The widths chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Widths {
    pub name: u16,
    pub namespace: Option<u16>,
    pub type_: u16,
    /// Types shown in full (else short: without the well-known prefixes).
    pub full_types: bool,
    pub age: u16,
    /// What is left: FLAGS is the last column and takes the rest of the line.
    pub flags: u16,
}

/// FLAGS keeps this much before names or types are cut (room for a flag or two).
const FLAGS_KEEP: u16 = 14;

/// Widths for `content` in `width` cells.
pub(crate) fn fit(content: Content, width: u16) -> Widths {
    let columns = 6 + u16::from(content.namespace.is_some());
    let fixed = KEYS + USED_BY + content.age + SPACING * (columns - 1);
    let avail = width.saturating_sub(fixed);
    let ns = content.namespace.unwrap_or(0);
    let flags_keep = content.flags.min(FLAGS_KEEP);
    let full_types = content.name + ns + content.type_full + flags_keep <= avail;
    let type_want = if full_types { content.type_full } else { content.type_short };
    let mut w = [content.name, ns, type_want, content.flags];
    let [name, namespace, type_, flags] = [0, 1, 2, 3];
    // What gives way first, and down to how much.
    let steps: [(usize, u16); 6] = [
        (flags, flags_keep),
        (name, content.name.min(16)),
        (type_, type_want.min(10)),
        (flags, 0),
        (namespace, ns.min(6)),
        (name, content.name.min(6)),
    ];
    for (col, floor) in steps {
        let total: u16 = w.iter().sum();
        if total <= avail {
            break;
        }
        w[col] = w[col].saturating_sub(total - avail).max(floor);
    }
    let used: u16 = w[name] + w[namespace] + w[type_];
    Widths {
        name: w[name],
        namespace: content.namespace.map(|_| w[namespace]),
        type_: w[type_],
        full_types,
        age: content.age,
        flags: avail.saturating_sub(used),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn content(name: u16, ns: Option<u16>, flags: u16) -> Content {
        Content { name, namespace: ns, type_full: 35, type_short: 16, age: 5, flags }
    }

    #[test]
    fn wide_terminals_show_everything_whole_and_give_the_rest_to_flags() {
        let w = fit(content(20, None, 30), 160);
        assert_eq!((w.name, w.type_, w.full_types), (20, 35, true));
        assert_eq!(w.name + w.type_ + KEYS + w.age + USED_BY + w.flags + 5 * SPACING, 160, "the line is filled");
    }

    #[test]
    fn types_become_short_before_anything_is_cut() {
        // 80 columns, one namespace: 80 - (4 + 7 + 5 + 5) = 59 for name, type and flags.
        let w = fit(content(20, None, 30), 80);
        assert!(!w.full_types);
        assert_eq!((w.name, w.type_), (20, 16));
        assert_eq!(w.flags, 59 - 36);
    }

    #[test]
    fn narrow_terminals_cut_in_order() {
        // All namespaces at 80 columns with long names: flags keep their floor, the name is cut.
        let w = fit(content(40, Some(12), 30), 80);
        assert_eq!(w.type_, 16, "the short type stays whole");
        assert_eq!(w.namespace, Some(12));
        assert_eq!(w.flags, FLAGS_KEEP);
        assert_eq!(w.name, 80 - (4 + 7 + 5 + 6) - 16 - 12 - FLAGS_KEEP);
        // Very narrow: everything down to its floor, never wider than the screen.
        let w = fit(content(40, Some(12), 30), 40);
        let total = w.name + w.namespace.unwrap() + w.type_ + KEYS + w.age + USED_BY + w.flags + 6 * SPACING;
        assert!(total <= 40 || (w.name, w.type_, w.flags) == (6, 10, 0), "{w:?}");
    }

    /// The rule the issue states: a type is never cut while the name column has room to spare
    /// (wider than the longest name), and a name is never cut while the type has room.
    #[test]
    fn no_column_is_cut_while_another_has_spare_room() {
        for width in 40..=220 {
            for name in [4, 12, 20, 38, 63] {
                for ns in [None, Some(9), Some(20)] {
                    for flags in [0, 7, 30] {
                        let c = content(name, ns, flags);
                        let w = fit(c, width);
                        let type_cut = w.type_ < if w.full_types { c.type_full } else { c.type_short };
                        assert!(!(type_cut && w.name > c.name), "type cut with spare name room: {c:?} {width} {w:?}");
                        assert!(w.name <= c.name, "the name column is no wider than the longest name: {w:?}");
                        if w.name < c.name {
                            assert!(w.type_ <= c.type_short, "a name is cut while types are shown in full: {w:?}");
                        }
                    }
                }
            }
        }
    }
}
