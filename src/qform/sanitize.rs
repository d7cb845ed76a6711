//! Terminal safety and display-width arithmetic for every string that comes from a worker or a
//! form. Nothing in here ever emits a control character.
//!
//! # Markers
//!
//! Dangerous or invisible characters are replaced by VISIBLE, inert markers, all printable:
//!
//! | input | marker |
//! |---|---|
//! | C0 controls U+0000–U+001F (except TAB; LF only via [`sanitize`]) | the Unicode "control picture" U+2400+c: ESC → `␛`, BEL → `␇`, CR → `␍`, NUL → `␀`, LF → `␊` |
//! | DEL U+007F | `␡` |
//! | C1 controls U+0080–U+009F | `<U+009B>` (hex code point in angle brackets) |
//! | bidi embeddings/overrides/isolates/marks U+202A–202E, U+2066–2069, U+200E, U+200F, U+061C | `<U+202E>` … |
//! | zero-width and invisible format chars U+200B, U+200C, U+2060–2064, U+FEFF, U+180E, U+FFF9–FFFB, U+2028, U+2029 | `<U+200B>` … |
//! | U+200D ZERO WIDTH JOINER | kept inside an emoji sequence (👨‍👩‍👧), `<U+200D>` anywhere else |
//!
//! So `ESC[2J` becomes the harmless text `␛[2J`, and an OSC title sequence `ESC]0;x BEL` becomes
//! `␛]0;x␇`. TAB is expanded with spaces to the next multiple of [`TAB_WIDTH`] columns.
//!
//! # Width
//!
//! Widths are display columns, computed per extended grapheme cluster with `unicode-width`:
//! CJK and emoji are 2 columns, combining marks 0, and an emoji sequence (ZWJ family, skin tone,
//! flag, keycap) counts as one 2-column cell. [`truncate`] and [`wrap`] never split a cluster.

use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

/// Tab stops every this many columns.
pub const TAB_WIDTH: usize = 4;

/// The ellipsis [`truncate`] ends a cut string with.
pub const ELLIPSIS: char = '…';

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200B}'
            | '\u{200C}'
            | '\u{2060}'..='\u{2064}'
            | '\u{FEFF}'
            | '\u{180E}'
            | '\u{FFF9}'..='\u{FFFB}'
            | '\u{2028}'
            | '\u{2029}'
    )
}

/// Roughly "part of an emoji sequence": pictographs, dingbats, arrows, skin tones, VS16.
fn is_emojiish(c: char) -> bool {
    matches!(
        c,
        '\u{1F000}'..='\u{1FAFF}'
            | '\u{2190}'..='\u{21FF}'
            | '\u{2300}'..='\u{23FF}'
            | '\u{2600}'..='\u{27BF}'
            | '\u{2B00}'..='\u{2BFF}'
            | '\u{FE0F}'
            | '\u{E0020}'..='\u{E007F}'
            | '\u{00A9}'
            | '\u{00AE}'
    )
}

/// Does `c` need replacing (ignoring the ZWJ-in-emoji exception and TAB)?
fn needs_marker(c: char) -> bool {
    c.is_control() || is_bidi_control(c) || is_invisible(c) || c == '\u{200D}'
}

fn push_marker(out: &mut String, c: char) {
    let cp = c as u32;
    match cp {
        0x00..=0x1F => out.push(char::from_u32(0x2400 + cp).unwrap_or('?')),
        0x7F => out.push('␡'),
        _ => out.push_str(&format!("<U+{cp:04X}>")),
    }
}

/// The visible marker that stands for `c` (see the module docs), e.g. `␛` for ESC and
/// `<U+009B>` for a C1 CSI.
pub fn marker(c: char) -> String {
    let mut out = String::new();
    push_marker(&mut out, c);
    out
}

/// Make one logical line safe to print: every control, bidi or invisible character becomes a
/// visible marker (see the module docs), tabs become spaces. A `\n` becomes `␊`; split text into
/// lines *before* sanitising if you want line breaks (see [`sanitize_lines`]).
/// Idempotent: `sanitize(&sanitize(s)) == sanitize(s)`.
pub fn sanitize(s: &str) -> String {
    // Fast path: nothing to do.
    if !s.chars().any(|c| c == '\t' || needs_marker(c)) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 8);
    let mut col = 0usize; // column at the start of the current grapheme, for tabs
    for g in s.graphemes(true) {
        let mut chars = g.chars().peekable();
        let mut prev: Option<char> = None;
        let start_len = out.len();
        while let Some(c) = chars.next() {
            if c == '\t' {
                // Column so far on this output line.
                let w = width_of_clean(&out[start_len..]);
                let at = col + w;
                let n = TAB_WIDTH - (at % TAB_WIDTH);
                out.extend(std::iter::repeat_n(' ', n));
            } else if c == '\u{200D}'
                && prev.is_some_and(is_emojiish)
                && chars.peek().is_some_and(|n| is_emojiish(*n))
            {
                out.push(c);
            } else if needs_marker(c) {
                push_marker(&mut out, c);
            } else {
                out.push(c);
            }
            prev = Some(c);
        }
        col += width_of_clean(&out[start_len..]);
    }
    out
}

/// Split on line breaks (`\n`, `\r\n`) and sanitise each line.
pub fn sanitize_lines(s: &str) -> Vec<String> {
    s.split('\n')
        .map(|l| sanitize(l.strip_suffix('\r').unwrap_or(l)))
        .collect()
}

/// Width of one grapheme cluster of already-clean text.
fn grapheme_width(g: &str) -> usize {
    let mut chars = g.chars();
    let Some(first) = chars.next() else {
        return 0;
    };
    // Emoji sequences (ZWJ families, skin tones, flags, keycaps) occupy one wide cell.
    let multi = g.chars().nth(1).is_some();
    if multi && (is_emojiish(first) || g.contains('\u{FE0F}') || g.contains('\u{20E3}')) {
        return 2;
    }
    if ('\u{1F1E6}'..='\u{1F1FF}').contains(&first) {
        return if multi { 2 } else { 1 };
    }
    UnicodeWidthStr::width(g).min(2)
}

fn width_of_clean(s: &str) -> usize {
    s.graphemes(true).map(grapheme_width).sum()
}

/// Display width in terminal columns of `s` as it will be shown, i.e. after [`sanitize`].
pub fn display_width(s: &str) -> usize {
    width_of_clean(&sanitize(s))
}

/// Fit `s` (sanitised) into `width` columns. When it has to be cut, the result ends with `…`
/// exactly at column `width` (padded with a space if a wide character would straddle it). Never
/// exceeds `width`, never splits a grapheme cluster.
pub fn truncate(s: &str, width: usize) -> String {
    let clean = sanitize(s);
    if width_of_clean(&clean) <= width {
        return clean;
    }
    if width == 0 {
        return String::new();
    }
    let budget = width - 1;
    let mut out = String::new();
    let mut used = 0usize;
    for g in clean.graphemes(true) {
        let w = grapheme_width(g);
        if used + w > budget {
            break;
        }
        out.push_str(g);
        used += w;
    }
    while used < budget {
        out.push(' ');
        used += 1;
    }
    out.push(ELLIPSIS);
    out
}

/// Pad `s` (already clean and fitting) with spaces to exactly `width` columns.
pub fn pad(s: &str, width: usize) -> String {
    let w = width_of_clean(s);
    let mut out = s.to_string();
    if w < width {
        out.extend(std::iter::repeat_n(' ', width - w));
    }
    out
}

/// Break one grapheme sequence into pieces of at most `width` columns. A cluster wider than
/// `width` (a CJK character at width 1) is replaced by `…`.
fn hard_break(
    word: &str,
    width: usize,
    lines: &mut Vec<String>,
    cur: &mut String,
    used: &mut usize,
) {
    for g in word.graphemes(true) {
        let w = grapheme_width(g);
        if w > width {
            if *used + 1 > width {
                lines.push(std::mem::take(cur));
                *used = 0;
            }
            cur.push(ELLIPSIS);
            *used += 1;
            continue;
        }
        if *used + w > width {
            lines.push(std::mem::take(cur));
            *used = 0;
        }
        cur.push_str(g);
        *used += w;
    }
}

/// Word-wrap `s` to `width` columns. Text is sanitised; `\n` starts a new line. Words longer than
/// the width are broken hard (between grapheme clusters). Every returned line is at most `width`
/// columns (width 0 yields empty lines). Always returns at least one line.
pub fn wrap(s: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    for para in sanitize_lines(s) {
        if width == 0 {
            lines.push(String::new());
            continue;
        }
        wrap_clean(&para, width, &mut lines);
    }
    if lines.is_empty() {
        lines.push(String::new());
    }
    lines
}

fn wrap_clean(para: &str, width: usize, lines: &mut Vec<String>) {
    let mut cur = String::new();
    let mut used = 0usize;
    let mut pending_space = String::new();
    let mut at_line_start = true;
    let mut produced = false;
    // Alternate runs of spaces and words.
    let mut rest = para;
    while !rest.is_empty() {
        let sp_len = rest.len() - rest.trim_start_matches(' ').len();
        let (spaces, after) = rest.split_at(sp_len);
        let word_len = after.find(' ').unwrap_or(after.len());
        let (word, after_word) = after.split_at(word_len);
        rest = after_word;
        if at_line_start && cur.is_empty() && !produced {
            // Leading indentation of the paragraph is kept (it fits or is cut).
            pending_space = spaces.to_string();
        } else if !spaces.is_empty() {
            pending_space = spaces.to_string();
        }
        if word.is_empty() {
            continue;
        }
        let ww = width_of_clean(word);
        let sw = pending_space.len();
        if used + sw + ww <= width {
            cur.push_str(&pending_space);
            cur.push_str(word);
            used += sw + ww;
        } else if ww <= width {
            if !cur.is_empty() || produced {
                lines.push(std::mem::take(&mut cur));
            }
            cur.push_str(word);
            used = ww;
        } else {
            // A word longer than a whole line: continue on the current line if there is room.
            if used > 0 && used + sw < width {
                cur.push_str(&pending_space);
                used += sw;
            } else if used > 0 {
                lines.push(std::mem::take(&mut cur));
                used = 0;
            }
            hard_break(word, width, lines, &mut cur, &mut used);
        }
        produced = true;
        at_line_start = false;
        pending_space.clear();
    }
    lines.push(cur);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers() {
        assert_eq!(sanitize("a\u{1b}[2Jb"), "a␛[2Jb");
        assert_eq!(sanitize("\u{1b}]0;title\u{7}"), "␛]0;title␇");
        assert_eq!(sanitize("x\ry"), "x␍y");
        assert_eq!(sanitize("x\ny"), "x␊y");
        assert_eq!(sanitize("\u{7f}\u{9b}"), "␡<U+009B>");
        assert_eq!(sanitize("abc\u{202E}def"), "abc<U+202E>def");
        assert_eq!(sanitize("a\u{200B}b\u{FEFF}"), "a<U+200B>b<U+FEFF>");
        assert_eq!(
            sanitize("\u{2066}\u{061C}\u{200E}"),
            "<U+2066><U+061C><U+200E>"
        );
        // ZWJ kept in an emoji family, marked between letters.
        assert_eq!(sanitize("👨\u{200D}👩"), "👨\u{200D}👩");
        assert_eq!(sanitize("a\u{200D}b"), "a<U+200D>b");
        assert_eq!(
            sanitize(&sanitize("\u{1b}\u{202E}\t")),
            sanitize("\u{1b}\u{202E}\t")
        );
    }

    #[test]
    fn tabs() {
        assert_eq!(sanitize("\tx"), "    x");
        assert_eq!(sanitize("ab\tx"), "ab  x");
        assert_eq!(sanitize("测\tx"), "测  x");
        assert_eq!(sanitize("abcd\tx"), "abcd    x");
    }

    #[test]
    fn widths() {
        assert_eq!(display_width("测试123"), 7);
        assert_eq!(display_width("👍🏽"), 2);
        assert_eq!(display_width("👨\u{200D}👩\u{200D}👧"), 2);
        assert_eq!(display_width("①②"), 2);
        assert_eq!(display_width("e\u{301}"), 1);
        assert_eq!(display_width("🇫🇷"), 2);
        assert_eq!(display_width("\u{1b}"), 1);
        assert_eq!(display_width("\u{202E}"), 8);
    }

    #[test]
    fn truncating() {
        assert_eq!(truncate("hello", 5), "hello");
        assert_eq!(truncate("hello!", 5), "hell…");
        assert_eq!(truncate("测试123", 4), "测 …");
        assert_eq!(truncate("ab测试", 4), "ab …");
        assert_eq!(truncate("ab测试", 5), "ab测…");
        assert_eq!(truncate("👍🏽👍🏽", 3), "👍🏽…");
        assert_eq!(truncate("abc", 0), "");
        assert_eq!(truncate("abc", 1), "…");
        assert_eq!(display_width(&truncate("测试123 👍🏽 ①②", 9)), 9);
    }

    #[test]
    fn wrapping() {
        assert_eq!(
            wrap("the quick brown fox", 10),
            vec!["the quick", "brown fox"]
        );
        assert_eq!(wrap("abcdefghij", 4), vec!["abcd", "efgh", "ij"]);
        assert_eq!(wrap("a\nb", 10), vec!["a", "b"]);
        assert_eq!(wrap("", 10), vec![""]);
        assert_eq!(wrap("测试测试", 3), vec!["测", "试", "测", "试"]);
        assert_eq!(wrap("测", 1), vec!["…"]);
        assert_eq!(wrap("abc", 0), vec![""]);
        assert_eq!(wrap("  indented text", 20), vec!["  indented text"]);
        for w in 1..12 {
            for l in wrap("测试123 👍🏽 ①② hello\tworld \u{1b}[2J", w) {
                assert!(display_width(&l) <= w, "{l:?} > {w}");
            }
        }
    }
}
