//! The commands' plain tables: columns padded to their widest cell, three spaces apart, the last
//! one left as it is (it holds messages of any length).

use std::io::Write;

/// Writes `head` and `rows` (each as many cells as `head`).
pub(crate) fn write<R: AsRef<[String]>>(out: &mut dyn Write, head: &[&str], rows: &[R]) -> std::io::Result<()> {
    let padded = head.len().saturating_sub(1);
    let widths: Vec<usize> = (0..padded)
        .map(|i| rows.iter().map(|r| r.as_ref()[i].chars().count()).chain([head[i].chars().count()]).max().unwrap_or(0))
        .collect();
    let line = |out: &mut dyn Write, cells: &[&str]| -> std::io::Result<()> {
        let mut s = String::new();
        for (i, c) in cells.iter().enumerate() {
            match widths.get(i) {
                Some(w) => s.push_str(&format!("{c:<w$}   ")),
                None => s.push_str(c),
            }
        }
        writeln!(out, "{}", s.trim_end())
    };
    line(out, head)?;
    for r in rows {
        let cells: Vec<&str> = r.as_ref().iter().map(String::as_str).collect();
        line(out, &cells)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn columns_are_padded_but_the_last() {
        let mut out = Vec::new();
        let rows =
            vec![vec!["a".to_string(), "long cell".into(), "x".into()], vec!["bb".into(), "c".into(), "".into()]];
        super::write(&mut out, &["A", "B", "MESSAGE"], &rows).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "A    B           MESSAGE\na    long cell   x\nbb   c\n");
    }
}
