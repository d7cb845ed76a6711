//! PLACEHOLDER until the qform branch lands (replaced by the real sanitiser).
pub fn sanitize(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}
pub fn display_width(s: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(s)
}
pub fn truncate(s: &str, w: usize) -> String {
    s.chars().take(w).collect()
}
