//! Property tests: the parsers never panic, and sanitize/truncate/wrap/layout never emit control
//! characters or exceed the width, on arbitrary input.

use mturk_triage::qform::layout::layout;
use mturk_triage::qform::review;
use mturk_triage::qform::sanitize::{display_width, sanitize, truncate, wrap};
use mturk_triage::qform::*;
use proptest::prelude::*;

/// Text biased towards the troublesome characters.
fn nasty_text() -> impl Strategy<Value = String> {
    let pieces = prop::collection::vec(
        prop_oneof![
            any::<char>().prop_map(|c| c.to_string()),
            Just("\u{1b}[2J".to_string()),
            Just("\u{1b}]0;t\u{7}".to_string()),
            Just("\r\n".to_string()),
            Just("\t".to_string()),
            Just("\u{202E}".to_string()),
            Just("\u{200B}".to_string()),
            Just("\u{200D}".to_string()),
            Just("测试".to_string()),
            Just("👍🏽".to_string()),
            Just("👨\u{200D}👩\u{200D}👧".to_string()),
            Just("e\u{301}".to_string()),
            Just(" ".to_string()),
            Just("word".to_string()),
            Just("\u{9b}".to_string()),
        ],
        0..40,
    );
    pieces.prop_map(|v| v.concat())
}

/// XML-ish input: fragments of real element names, entities, CDATA, junk.
fn xmlish() -> impl Strategy<Value = String> {
    let pieces = prop::collection::vec(
        prop_oneof![
            Just("<QuestionForm>".to_string()),
            Just("</QuestionForm>".to_string()),
            Just("<QuestionFormAnswers xmlns='x'>".to_string()),
            Just("<AnswerKey>".to_string()),
            Just("<Question>".to_string()),
            Just("</Question>".to_string()),
            Just("<Answer>".to_string()),
            Just("</Answer>".to_string()),
            Just("<QuestionIdentifier>q</QuestionIdentifier>".to_string()),
            Just("<SelectionIdentifier>a</SelectionIdentifier>".to_string()),
            Just("<FreeText/>".to_string()),
            Just("<FreeText>".to_string()),
            Just("</FreeText>".to_string()),
            Just("<AnswerOption><SelectionIdentifier>a</SelectionIdentifier><AnswerScore>x</AnswerScore></AnswerOption>".to_string()),
            Just("<Selections><Selection><SelectionIdentifier>a</SelectionIdentifier><Text>t</Text></Selection></Selections>".to_string()),
            Just("<SelectionAnswer>".to_string()),
            Just("<FreeTextAnswer><Constraints><Length minLength='a' maxLength='9'/><AnswerFormatRegex regex='(' /></Constraints></FreeTextAnswer>".to_string()),
            Just("<FormattedContent><![CDATA[<p>x<table><tr><td>".to_string()),
            Just("]]></FormattedContent>".to_string()),
            Just("<IsRequired>maybe</IsRequired>".to_string()),
            Just("&amp;".to_string()),
            Just("&#x263A;".to_string()),
            Just("&#0;".to_string()),
            Just("&bogus;".to_string()),
            Just("&".to_string()),
            Just("<".to_string()),
            Just("<!DOCTYPE x [<!ENTITY a 'b'>]>".to_string()),
            Just("<?xml version='1.0' encoding='ASCII'?>".to_string()),
            Just("<x:Question xmlns:x='y'>".to_string()),
            "[a-z<>/&;\"' ]{0,12}".prop_map(|s| s),
            nasty_text(),
        ],
        0..30,
    );
    pieces.prop_map(|v| v.concat())
}

fn assert_clean(s: &str) {
    assert!(!s.chars().any(|c| c.is_control()), "control char in {s:?}");
    for c in ['\u{202E}', '\u{200B}', '\u{2066}', '\u{FEFF}'] {
        assert!(!s.contains(c), "{c:?} in {s:?}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn parsers_never_panic(xml in xmlish()) {
        let f = parse_question_form(&xml);
        let a = parse_answers(&xml);
        let k = parse_answer_key(&xml);
        let _ = k.score(&a);
        // And the review/layout of whatever came out stays within bounds.
        let r = review::build(&f, &a, Some(&k));
        for w in [0u16, 1, 7, 60, 120] {
            for l in layout(&r, w) {
                prop_assert!(l.width() <= usize::from(w));
                for s in &l.segs {
                    assert_clean(&s.text);
                }
            }
        }
    }

    #[test]
    fn parsers_never_panic_on_any_string(s in any::<String>()) {
        let _ = parse_question_form(&s);
        let _ = parse_answers(&s);
        let _ = parse_answer_key(&s);
    }

    #[test]
    fn sanitize_is_clean_and_idempotent(s in nasty_text()) {
        let c = sanitize(&s);
        assert_clean(&c);
        prop_assert!(!c.contains('\n'));
        prop_assert_eq!(sanitize(&c), c.clone());
        prop_assert_eq!(display_width(&s), display_width(&c));
    }

    #[test]
    fn truncate_fits(s in nasty_text(), w in 0usize..40) {
        let t = truncate(&s, w);
        assert_clean(&t);
        prop_assert!(display_width(&t) <= w);
        if display_width(&s) > w && w > 0 {
            prop_assert!(t.ends_with('…'));
            prop_assert_eq!(display_width(&t), w);
        } else if display_width(&s) <= w {
            prop_assert_eq!(t, sanitize(&s));
        }
    }

    #[test]
    fn wrap_fits(s in nasty_text(), w in 0usize..30) {
        let lines = wrap(&s, w);
        prop_assert!(!lines.is_empty());
        for l in &lines {
            assert_clean(l);
            prop_assert!(display_width(l) <= w, "{:?} wider than {}", l, w);
        }
    }

    #[test]
    fn wrap_keeps_all_words(words in prop::collection::vec("[a-z]{1,12}", 1..20), w in 12usize..40) {
        let text = words.join(" ");
        let lines = wrap(&text, w);
        let rejoined: Vec<String> = lines.iter().flat_map(|l| l.split(' ')).filter(|x| !x.is_empty()).map(String::from).collect();
        prop_assert_eq!(rejoined, words);
    }
}
