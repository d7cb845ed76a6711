//! The joined review: answers through the Test's texts, flags, extra answers, grading, and the
//! layout's guarantees on every fixture.

use mturk_triage::qform::layout::{SegStyle, layout, plain_text};
use mturk_triage::qform::review::{self, FlagKind, ReviewAnswer, ReviewItem};
use mturk_triage::qform::sanitize::sanitize;
use mturk_triage::qform::*;

fn fixture(name: &str) -> String {
    let path = format!("{}/assets/real/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

const NS_Q: &str =
    "http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2005-10-01/QuestionForm.xsd";

fn form(questions: &str) -> QuestionForm {
    let f = parse_question_form(&format!(
        "<QuestionForm xmlns=\"{NS_Q}\">{questions}</QuestionForm>"
    ));
    assert_eq!(f.problems, vec![], "test form must be clean");
    f
}

fn free_q(id: &str, required: bool, constraints: &str) -> String {
    format!(
        "<Question><QuestionIdentifier>{id}</QuestionIdentifier><IsRequired>{required}</IsRequired>\
         <QuestionContent><Text>{id}?</Text></QuestionContent><AnswerSpecification><FreeTextAnswer>\
         <Constraints>{constraints}</Constraints></FreeTextAnswer></AnswerSpecification></Question>"
    )
}

fn sel_q(id: &str, required: bool, min: u32, max: u32, opts: &[&str], other: bool) -> String {
    let mut s = format!(
        "<Question><QuestionIdentifier>{id}</QuestionIdentifier><IsRequired>{required}</IsRequired>\
         <QuestionContent><Text>{id}?</Text></QuestionContent><AnswerSpecification><SelectionAnswer>\
         <MinSelectionCount>{min}</MinSelectionCount><MaxSelectionCount>{max}</MaxSelectionCount>\
         <StyleSuggestion>checkbox</StyleSuggestion><Selections>"
    );
    for o in opts {
        s.push_str(&format!(
            "<Selection><SelectionIdentifier>{o}</SelectionIdentifier><Text>Option {o}</Text></Selection>"
        ));
    }
    if other {
        s.push_str("<OtherSelection><Constraints><Length maxLength=\"30\"/></Constraints></OtherSelection>");
    }
    s.push_str("</Selections></SelectionAnswer></AnswerSpecification></Question>");
    s
}

fn kinds(q: &review::QuestionReview) -> Vec<FlagKind> {
    q.flags.iter().map(|f| f.kind.clone()).collect()
}

#[test]
fn tictactoe_answers_through_test_texts() {
    let r = review::build(
        &parse_question_form(&fixture("03-aws-docs-tictactoe.questionform.xml")),
        &parse_answers(&fixture("03-aws-docs-tictactoe.answers.xml")),
        None,
    );
    assert!(r.has_test && r.has_answers);
    assert_eq!(r.notes, Vec::<String>::new());
    assert!(matches!(r.items[0], ReviewItem::Overview(_)));
    let qs: Vec<_> = r.questions().collect();
    assert_eq!(qs.len(), 2);
    assert_eq!(qs[0].number, 1);
    assert_eq!(qs[0].answer, ReviewAnswer::Text("C3".into()));
    assert_eq!(qs[0].flags, vec![]);
    assert_eq!(qs[1].answer.summary(), "Not likely");
    assert_eq!(
        qs[1].choices.iter().map(|c| c.chosen).collect::<Vec<_>>(),
        vec![true, false, false]
    );
    assert_eq!(r.answered_count(), 2);
    assert_eq!(r.flagged_count(), 0);
    assert!(r.extra_answers.is_empty());
}

#[test]
fn all_answer_kinds_against_constructed_form() {
    let f = form(&format!(
        "{}{}{}{}",
        free_q("freeText", true, "<Length maxLength=\"5\"/>"),
        sel_q("otherSelection", false, 1, 1, &["a", "b"], true),
        "<Question><QuestionIdentifier>url</QuestionIdentifier><QuestionContent><Text>up</Text>\
         </QuestionContent><AnswerSpecification><FileUploadAnswer><MaxFileSizeInBytes>50\
         </MaxFileSizeInBytes><MinFileSizeInBytes>1</MinFileSizeInBytes></FileUploadAnswer>\
         </AnswerSpecification></Question>",
        sel_q(
            "selectionIdentifier",
            true,
            1,
            1,
            &["selection_answer"],
            false
        ),
    ));
    let a = parse_answers(&fixture("10-aws-java-sdk-all-answer-kinds.answers.xml"));
    let r = review::build(&f, &a, None);
    let qs: Vec<_> = r.questions().collect();
    assert_eq!(qs[0].answer.summary(), "freeText_answer");
    assert_eq!(kinds(qs[0]), vec![FlagKind::TooLong]);
    assert_eq!(
        qs[0].flags[0].message,
        "answer is 15 characters; at most 5 allowed"
    );
    assert_eq!(qs[1].answer.summary(), "other: otherSelection_answer");
    assert_eq!(kinds(qs[1]), vec![]);
    assert_eq!(
        qs[2].answer.summary(),
        "file upload (100 bytes, key uploadedFileKey)"
    );
    assert_eq!(kinds(qs[2]), vec![FlagKind::TooLong]);
    assert_eq!(
        qs[3].answer.summary(),
        "Option selection_answer; selection_answer2"
    );
    assert_eq!(
        kinds(qs[3]),
        vec![FlagKind::UnknownSelection, FlagKind::TooManySelections]
    );
    assert_eq!(r.flagged_count(), 3);
}

#[test]
fn answers_without_matching_questions_are_kept() {
    let r = review::build(
        &parse_question_form(&fixture("03-aws-docs-tictactoe.questionform.xml")),
        &parse_answers(&fixture("11-rturk-legacy-tweet.answers.xml")),
        None,
    );
    let qs: Vec<_> = r.questions().collect();
    assert_eq!(qs[0].answer, ReviewAnswer::NotAnswered);
    assert_eq!(kinds(qs[0]), vec![FlagKind::RequiredUnanswered]);
    assert_eq!(kinds(qs[1]), vec![FlagKind::RequiredUnanswered]);
    let extra: Vec<_> = r
        .extra_answers
        .iter()
        .map(|e| (e.identifier.as_str(), e.answer.summary()))
        .collect();
    assert_eq!(
        extra,
        vec![
            ("tweet", "This is my tweet!".to_string()),
            ("Submit", "Submit".to_string())
        ]
    );
    let text = plain_text(&layout(&r, 80));
    assert!(text.contains("Extra answers (2), not questions of this Test:"));
    assert!(text.contains("This is my tweet!"));
}

#[test]
fn no_test_and_no_answer() {
    let r = review::build_from_xml(None, None, None);
    assert!(!r.has_test && !r.has_answers);
    assert_eq!(r.notes.len(), 2);
    assert!(r.notes[0].starts_with("No Test"));
    assert!(r.notes[1].starts_with("No answers"));
    assert!(r.problems.is_empty());
    let text = plain_text(&layout(&r, 60));
    assert!(text.contains("No Test"), "{text}");

    let r = review::build_from_xml(
        Some(""),
        Some(&fixture("19-codenames-clues.answers.xml")),
        None,
    );
    assert!(!r.has_test && r.has_answers);
    assert_eq!(r.extra_answers.len(), 6);
    assert_eq!(r.extra_answers[0].answer.summary(), "SQUASH");
    let text = plain_text(&layout(&r, 60));
    assert!(text.contains("Answers (6):"), "{text}");

    let r = review::build_from_xml(
        Some(&fixture("07-mturkemu-freetext-name.questionform.xml")),
        Some(""),
        None,
    );
    assert!(r.has_test && !r.has_answers);
    let q = r.questions().next().unwrap();
    assert_eq!(q.answer.summary(), "not answered");
    assert_eq!(kinds(q), vec![FlagKind::RequiredUnanswered]);
}

#[test]
fn empty_and_no_selection_are_explicit() {
    let f = form(&format!(
        "{}{}{}",
        free_q("a", false, ""),
        free_q("b", true, "<Length minLength=\"3\"/>"),
        sel_q("c", false, 1, 2, &["x", "y"], false)
    ));
    let a = parse_answers(
        "<QuestionFormAnswers><Answer><QuestionIdentifier>a</QuestionIdentifier><FreeText/></Answer>\
         <Answer><QuestionIdentifier>b</QuestionIdentifier></Answer>\
         <Answer><QuestionIdentifier>c</QuestionIdentifier></Answer></QuestionFormAnswers>",
    );
    let r = review::build(&f, &a, None);
    let qs: Vec<_> = r.questions().collect();
    assert_eq!(qs[0].answer.summary(), "(empty)");
    assert_eq!(kinds(qs[0]), vec![]);
    assert_eq!(qs[1].answer.summary(), "(empty)");
    assert_eq!(
        kinds(qs[1]),
        vec![FlagKind::RequiredUnanswered, FlagKind::TooShort]
    );
    // An Answer with only an identifier for a selection question.
    assert_eq!(qs[2].answer.summary(), "(empty)");
    let a = parse_answers(
        "<QuestionFormAnswers><Answer><QuestionIdentifier>c</QuestionIdentifier>\
         <OtherSelectionText></OtherSelectionText></Answer></QuestionFormAnswers>",
    );
    let r = review::build(&f, &a, None);
    let c = r.questions().nth(2).unwrap();
    assert_eq!(c.answer.summary(), "(no selection)");
}

#[test]
fn regex_numeric_and_selection_counts() {
    let f = form(&format!(
        "{}{}{}{}",
        free_q(
            "re",
            false,
            "<AnswerFormatRegex regex=\"^[a-z]+$\" errorText=\"letters\" flags=\"i\"/>"
        ),
        free_q("js", false, "<AnswerFormatRegex regex=\"/^\\d{3}$/\"/>"),
        free_q("bad", false, "<AnswerFormatRegex regex=\"^(?=x)x$\"/>"),
        free_q("num", false, "<IsNumeric minValue=\"1\" maxValue=\"10\"/>"),
    ));
    let answers = |re: &str, js: &str, num: &str| {
        parse_answers(&format!(
            "<QuestionFormAnswers><Answer><QuestionIdentifier>re</QuestionIdentifier><FreeText>{re}</FreeText></Answer>\
             <Answer><QuestionIdentifier>js</QuestionIdentifier><FreeText>{js}</FreeText></Answer>\
             <Answer><QuestionIdentifier>bad</QuestionIdentifier><FreeText>x</FreeText></Answer>\
             <Answer><QuestionIdentifier>num</QuestionIdentifier><FreeText>{num}</FreeText></Answer></QuestionFormAnswers>"
        ))
    };
    let r = review::build(&f, &answers("ABC", "123", "7"), None);
    let qs: Vec<_> = r.questions().collect();
    assert_eq!(kinds(qs[0]), vec![]);
    assert_eq!(kinds(qs[1]), vec![]);
    assert_eq!(kinds(qs[2]), vec![FlagKind::Note]);
    assert!(qs[2].flags[0].message.contains("cannot be checked"));
    assert_eq!(kinds(qs[3]), vec![]);
    assert_eq!(r.flagged_count(), 0);

    let r = review::build(&f, &answers("AB1", "12", "11"), None);
    let qs: Vec<_> = r.questions().collect();
    assert_eq!(kinds(qs[0]), vec![FlagKind::RegexMismatch]);
    assert_eq!(
        qs[0].flags[0].message,
        "answer does not match /^[a-z]+$/ (letters)"
    );
    assert_eq!(kinds(qs[1]), vec![FlagKind::RegexMismatch]);
    assert_eq!(kinds(qs[3]), vec![FlagKind::OutOfNumericRange]);
    let r = review::build(&f, &answers("a", "123", "ten"), None);
    assert_eq!(
        kinds(r.questions().nth(3).unwrap()),
        vec![FlagKind::NotNumeric]
    );

    let f = form(&sel_q("s", true, 2, 3, &["a", "b", "c", "d"], false));
    let one = parse_answers(
        "<QuestionFormAnswers><Answer><QuestionIdentifier>s</QuestionIdentifier>\
         <SelectionIdentifier>a</SelectionIdentifier></Answer></QuestionFormAnswers>",
    );
    let q = review::build(&f, &one, None);
    assert_eq!(
        kinds(q.questions().next().unwrap()),
        vec![FlagKind::TooFewSelections]
    );
    let four = parse_answers(
        "<QuestionFormAnswers><Answer><QuestionIdentifier>s</QuestionIdentifier>\
         <SelectionIdentifier>a</SelectionIdentifier><SelectionIdentifier>b</SelectionIdentifier>\
         <SelectionIdentifier>c</SelectionIdentifier><SelectionIdentifier>d</SelectionIdentifier>\
         </Answer></QuestionFormAnswers>",
    );
    let q = review::build(&f, &four, None);
    assert_eq!(
        kinds(q.questions().next().unwrap()),
        vec![FlagKind::TooManySelections]
    );
}

#[test]
fn graded_with_key_08() {
    let f = parse_question_form(&fixture("08-mturkemu-colors.questionform.xml"));
    let k = parse_answer_key(&fixture("08-mturkemu-colors.percentage.answerkey.xml"));
    let a = parse_answers(
        "<QuestionFormAnswers><Answer><QuestionIdentifier>favorite</QuestionIdentifier>\
         <SelectionIdentifier>green</SelectionIdentifier></Answer><Answer>\
         <QuestionIdentifier>acceptible</QuestionIdentifier><SelectionIdentifier>red</SelectionIdentifier>\
         <SelectionIdentifier>blue</SelectionIdentifier></Answer></QuestionFormAnswers>",
    );
    let r = review::build(&f, &a, Some(&k));
    let qs: Vec<_> = r.questions().collect();
    assert_eq!(
        qs[0].grade.as_ref().map(|g| g.verdict),
        Some(Verdict::Right)
    );
    assert_eq!(
        qs[1].grade.as_ref().map(|g| (g.verdict, g.score)),
        Some((Verdict::Partial, 5))
    );
    // Two selections on a question whose MaxSelectionCount defaults to 1.
    assert_eq!(kinds(qs[1]), vec![FlagKind::TooManySelections]);
    let s = r.score.as_ref().unwrap();
    assert_eq!(
        (s.summed_score, s.qualification_value, s.max_summed_score),
        (10, 67, 15)
    );
    let lines = layout(&r, 90);
    let text = plain_text(&lines);
    assert!(text.contains("✓ right, score 5"), "{text}");
    assert!(text.contains("~ partly right, score 5 of 10"), "{text}");
    assert!(text.contains(
        "Total: 1 of 2 right · summed score 10 of 15 → qualification value 67 (percentage of 15)"
    ));
    assert!(
        lines
            .iter()
            .any(|l| l.segs.iter().any(|s| s.style == SegStyle::Right))
    );
    assert!(lines.iter().any(|l| {
        l.segs
            .iter()
            .any(|s| s.style == SegStyle::ChosenChoice && s.text.contains("Green"))
    }));
}

#[test]
fn layout_guarantees_on_every_fixture() {
    let dir = format!("{}/assets/real", env!("CARGO_MANIFEST_DIR"));
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".questionform.xml"))
        .collect();
    names.sort();
    assert_eq!(names.len(), 10);
    for name in names {
        let stem = name.trim_end_matches(".questionform.xml");
        let form = fixture(&name);
        let answers =
            std::fs::read_to_string(format!("{dir}/{stem}.answers.xml")).unwrap_or_default();
        let key = std::fs::read_to_string(format!("{dir}/{stem}.answerkey.xml")).ok();
        let r = review::build_from_xml(Some(&form), Some(&answers), key.as_deref());
        for w in [0u16, 1, 2, 5, 13, 40, 79, 99, 100, 101, 160] {
            for l in layout(&r, w) {
                assert!(l.width() <= usize::from(w), "{name} @{w}: {:?}", l.text());
                for s in &l.segs {
                    assert!(
                        !s.text.chars().any(|c| c.is_control()),
                        "{name} @{w}: control char in {:?}",
                        s.text
                    );
                    assert_eq!(sanitize(&s.text), s.text, "{name} @{w}: not sanitised");
                }
            }
        }
    }
}

#[test]
fn side_by_side_aligns_question_starts() {
    let r = review::build_from_xml(
        Some(&fixture("03-aws-docs-tictactoe.questionform.xml")),
        Some(&fixture("03-aws-docs-tictactoe.answers.xml")),
        None,
    );
    let wide = plain_text(&layout(&r, 120));
    let row = wide
        .lines()
        .find(|l| l.starts_with("Q2. The Next Move [likelytowin] *required"))
        .unwrap();
    assert!(row.ends_with("│ Answer:"), "{row}");
    let narrow = plain_text(&layout(&r, 99));
    assert!(!narrow.contains('│'));
    assert!(narrow.contains("\n  → Not likely [notlikely]\n"));
}

#[test]
fn formatted_content_reads_as_text() {
    let f = form(
        "<Overview><FormattedContent><![CDATA[<p>Pick <b>A &amp; B</b></p><ul><li>x</li></ul>\
         <p>See <a href=\"https://example.com/a\">this</a> and <img src=\"http://example.com/i.png\" alt=\"a chart\"/>\
         &nbsp;&eacute;t&eacute;</p><table><tr><th>k</th><th>v</th></tr><tr><td>one</td><td>1</td></tr></table>]]>\
         </FormattedContent></Overview>",
    );
    let r = review::build(&f, &QuestionFormAnswers::default(), None);
    let text = plain_text(&layout(&r, 80));
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines.contains(&"Pick A & B"), "{text}");
    assert!(lines.contains(&"• x"), "{text}");
    assert!(
        text.contains("See this <https://example.com/a> and [image: a chart]")
            && text.contains("<http://example.com/i.png> été"),
        "{text}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("one") && l.contains('1') && l.contains('│')),
        "{text}"
    );
    assert!(!text.contains("<p>") && !text.contains("&amp;") && !text.contains("&nbsp;"));
}

#[test]
fn duplicate_answers_flagged_first_shown() {
    let f = form(&free_q("a", false, ""));
    let a = parse_answers(
        "<QuestionFormAnswers><Answer><QuestionIdentifier>a</QuestionIdentifier><FreeText>one</FreeText></Answer>\
         <Answer><QuestionIdentifier>a</QuestionIdentifier><FreeText>two</FreeText></Answer></QuestionFormAnswers>",
    );
    let r = review::build(&f, &a, None);
    let q = r.questions().next().unwrap();
    assert_eq!(q.answer.summary(), "one");
    assert_eq!(kinds(q), vec![FlagKind::DuplicateAnswer]);
    assert!(r.extra_answers.is_empty());
}

#[test]
fn unknown_namespace_is_noted_and_rendered() {
    let f = parse_question_form(
        "<QuestionForm xmlns=\"http://example.com/2030-01-01/QuestionForm.xsd\"><Question>\
         <QuestionIdentifier>q</QuestionIdentifier><QuestionContent><Text>Still here?</Text></QuestionContent>\
         <AnswerSpecification><FreeTextAnswer/></AnswerSpecification></Question></QuestionForm>",
    );
    let r = review::build(&f, &QuestionFormAnswers::default(), None);
    assert_eq!(
        r.notes[1],
        "Unknown QuestionForm schema \"http://example.com/2030-01-01/QuestionForm.xsd\"; shown as best understood."
    );
    let text = plain_text(&layout(&r, 80));
    assert!(text.contains("Still here?"));
}

#[test]
fn summary_line() {
    let r = review::build_from_xml(
        Some(&fixture("08-mturkemu-colors.questionform.xml")),
        Some(
            "<QuestionFormAnswers><Answer><QuestionIdentifier>favorite</QuestionIdentifier>\
             <SelectionIdentifier>green</SelectionIdentifier></Answer></QuestionFormAnswers>",
        ),
        Some(&fixture("08-mturkemu-colors.range.answerkey.xml")),
    );
    assert_eq!(r.summary(), "1/2 answered · 1 flagged · value 10");
    let r = review::build_from_xml(
        None,
        Some(&fixture("11-rturk-legacy-tweet.answers.xml")),
        None,
    );
    assert_eq!(r.summary(), "no Test · 2 answers");
}

#[test]
fn form_text_with_controls_is_marked_not_dropped() {
    // A DefaultText with an escape, and FormattedContent whose CDATA holds raw ESC and BEL: the
    // markers show, in the same scheme as worker text (not Rust debug escapes, not dropped).
    let f = form(
        "<Overview><FormattedContent><![CDATA[<p>hi \u{1b}[2J <a href=\"http://x.com/\u{1b}]0;t\u{7}\">go</a></p>]]>\
         </FormattedContent></Overview>\
         <Question><QuestionIdentifier>d</QuestionIdentifier><QuestionContent><Text>d?</Text></QuestionContent>\
         <AnswerSpecification><FreeTextAnswer><DefaultText>a\u{1b}[31m\"q\"\\b</DefaultText></FreeTextAnswer>\
         </AnswerSpecification></Question>",
    );
    let r = review::build(&f, &QuestionFormAnswers::default(), None);
    let text = plain_text(&layout(&r, 80));
    assert!(text.contains("hi ␛[2J go <http://x.com/␛]0;t␇>"), "{text}");
    assert!(text.contains("default \"a␛[31m\"q\"\\b\""), "{text}");
    assert!(!text.chars().any(|c| c.is_control() && c != '\n'), "{text}");
}
