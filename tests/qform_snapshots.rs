//! Snapshots of the plain-text `show` output (`qform::show::render`) at widths 80 and 140.

use mturk_triage::qform::sanitize::display_width;
use mturk_triage::qform::show::render;

fn fixture(name: &str) -> String {
    let path = format!("{}/assets/real/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Render at both widths, check the width/control-character guarantees, snapshot both.
fn snap(name: &str, test: &str, answer: &str, key: Option<&str>) {
    for w in [80u16, 140] {
        let out = render(test, answer, key, w);
        for l in out.lines() {
            assert!(display_width(l) <= usize::from(w), "{name}@{w}: {l:?}");
            assert!(!l.chars().any(|c| c.is_control()), "{name}@{w}: {l:?}");
        }
        insta::assert_snapshot!(format!("{name}_w{w}"), out);
    }
}

#[test]
fn snap_03_tictactoe() {
    snap(
        "03_tictactoe",
        &fixture("03-aws-docs-tictactoe.questionform.xml"),
        &fixture("03-aws-docs-tictactoe.answers.xml"),
        None,
    );
}

#[test]
fn snap_19_codenames() {
    snap(
        "19_codenames",
        &fixture("19-codenames-clues.questionform.xml"),
        &fixture("19-codenames-clues.answers.xml"),
        None,
    );
}

/// A form built for #10's answers (the SDK test constant has no published form).
const FORM_FOR_10: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<QuestionForm xmlns="http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2005-10-01/QuestionForm.xsd">
  <Question>
    <QuestionIdentifier>freeText</QuestionIdentifier>
    <DisplayName>Free text</DisplayName>
    <IsRequired>true</IsRequired>
    <QuestionContent><Text>Say something (at most 10 characters).</Text></QuestionContent>
    <AnswerSpecification><FreeTextAnswer><Constraints><Length minLength="1" maxLength="10"/></Constraints></FreeTextAnswer></AnswerSpecification>
  </Question>
  <Question>
    <QuestionIdentifier>otherSelection</QuestionIdentifier>
    <QuestionContent><FormattedContent><![CDATA[<p>Pick a <b>fruit</b> &amp; explain:</p><ul><li>apples are red</li><li>pears are green</li></ul>]]></FormattedContent></QuestionContent>
    <AnswerSpecification><SelectionAnswer><StyleSuggestion>radiobutton</StyleSuggestion><Selections>
      <Selection><SelectionIdentifier>apple</SelectionIdentifier><Text>Apple</Text></Selection>
      <Selection><SelectionIdentifier>pear</SelectionIdentifier><FormattedContent><![CDATA[<i>Pear</i> <img src="http://example.com/pear.png" alt="a pear"/>]]></FormattedContent></Selection>
      <OtherSelection><Constraints><Length maxLength="40"/></Constraints></OtherSelection>
    </Selections></SelectionAnswer></AnswerSpecification>
  </Question>
  <Question>
    <QuestionIdentifier>url</QuestionIdentifier>
    <QuestionContent><Text>Upload your CV.</Text></QuestionContent>
    <AnswerSpecification><FileUploadAnswer><MaxFileSizeInBytes>1000</MaxFileSizeInBytes><MinFileSizeInBytes>10</MinFileSizeInBytes></FileUploadAnswer></AnswerSpecification>
  </Question>
  <Question>
    <QuestionIdentifier>selectionIdentifier</QuestionIdentifier>
    <IsRequired>true</IsRequired>
    <QuestionContent><Text>Pick up to two.</Text></QuestionContent>
    <AnswerSpecification><SelectionAnswer><MinSelectionCount>1</MinSelectionCount><MaxSelectionCount>2</MaxSelectionCount><StyleSuggestion>checkbox</StyleSuggestion><Selections>
      <Selection><SelectionIdentifier>selection_answer</SelectionIdentifier><Text>The first answer</Text></Selection>
      <Selection><SelectionIdentifier>other_answer</SelectionIdentifier><Text>Another answer</Text></Selection>
    </Selections></SelectionAnswer></AnswerSpecification>
  </Question>
  <Question>
    <QuestionIdentifier>skipped</QuestionIdentifier>
    <IsRequired>true</IsRequired>
    <QuestionContent><Text>Nobody answers this.</Text></QuestionContent>
    <AnswerSpecification><FreeTextAnswer/></AnswerSpecification>
  </Question>
</QuestionForm>"#;

#[test]
fn snap_10_all_answer_kinds() {
    snap(
        "10_all_answer_kinds",
        FORM_FOR_10,
        &fixture("10-aws-java-sdk-all-answer-kinds.answers.xml"),
        None,
    );
}

#[test]
fn snap_08_with_keys() {
    let form = fixture("08-mturkemu-colors.questionform.xml");
    let answers = "<?xml version=\"1.0\" encoding=\"ASCII\"?><QuestionFormAnswers xmlns=\"http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2005-10-01/QuestionFormAnswers.xsd\">\
        <Answer><QuestionIdentifier>favorite</QuestionIdentifier><SelectionIdentifier>green</SelectionIdentifier></Answer>\
        <Answer><QuestionIdentifier>acceptible</QuestionIdentifier><SelectionIdentifier>blue</SelectionIdentifier><SelectionIdentifier>red</SelectionIdentifier></Answer>\
        </QuestionFormAnswers>";
    snap(
        "08_percentage_key",
        &form,
        answers,
        Some(&fixture("08-mturkemu-colors.percentage.answerkey.xml")),
    );
    snap(
        "08_range_key",
        &form,
        answers,
        Some(&fixture("08-mturkemu-colors.range.answerkey.xml")),
    );
}

#[test]
fn snap_hostile_answer() {
    let form = r#"<QuestionForm xmlns="http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2005-10-01/QuestionForm.xsd">
  <Question><QuestionIdentifier>bio</QuestionIdentifier><DisplayName>Bio &#x1b;[31mred&#x1b;[0m</DisplayName>
    <QuestionContent><Text>Tell us about yourself.</Text></QuestionContent>
    <AnswerSpecification><FreeTextAnswer/></AnswerSpecification></Question>
  <Question><QuestionIdentifier>long</QuestionIdentifier>
    <QuestionContent><Text>Paste something long.</Text></QuestionContent>
    <AnswerSpecification><FreeTextAnswer><Constraints><Length maxLength="100"/></Constraints></FreeTextAnswer></AnswerSpecification></Question>
</QuestionForm>"#;
    let long_line = "x".repeat(5000);
    let answers = format!(
        "<QuestionFormAnswers>\
         <Answer><QuestionIdentifier>bio</QuestionIdentifier><FreeText>\
         clear:\u{1b}[2J|osc:\u{1b}]0;pwned\u{7}|bel:&#x7;|cr:a&#13;b|tab:\tx\ty|\
         rlo:abc\u{202E}fed|zwsp:a\u{200B}b|cjk:测试123 ①②|emoji:👍🏽 👨\u{200D}👩\u{200D}👧|\
         c1:\u{9b}31m|del:\u{7f}\nsecond line</FreeText></Answer>\
         <Answer><QuestionIdentifier>long</QuestionIdentifier><FreeText>{long_line}</FreeText></Answer>\
         <Answer><QuestionIdentifier>\u{1b}[2Jsneaky</QuestionIdentifier><FreeText>\u{202E}evil</FreeText></Answer>\
         </QuestionFormAnswers>"
    );
    snap("hostile", form, &answers, None);
    // None of the raw dangerous characters survive.
    let out = render(form, &answers, None, 80);
    for bad in [
        '\u{1b}', '\u{7}', '\r', '\t', '\u{202E}', '\u{200B}', '\u{9b}', '\u{7f}',
    ] {
        assert!(!out.contains(bad), "{bad:?} leaked");
    }
    assert!(out.contains("clear:␛[2J|osc:␛]0;pwned␇|bel:␇|cr:a␍b|tab:"));
    assert!(out.contains("rlo:abc<U+202E>fed|zwsp:a<U+200B>b|cjk:测试123 ①②"));
}

/// All the text of an answer document, decoded (the sim writes controls as references).
fn answer_text(xml: &str) -> String {
    use mturk_triage::qform::{AnswerValue, parse_answers};
    parse_answers(xml)
        .answers
        .iter()
        .map(|a| match &a.value {
            AnswerValue::FreeText(t) => t.clone(),
            AnswerValue::Selection { other, .. } => other.clone().unwrap_or_default(),
            _ => String::new(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Answers the sim generates with hostile text (escape sequences, bidi controls, CJK, emoji,
/// tabs, very long lines), rendered as `show` renders them: deterministic (fixed seed and clock).
#[test]
fn snap_sim_generated_hostile_answers() {
    use mturk_triage::mturk::sim::{self, SimConfig};
    let data = sim::load_dataset(&SimConfig {
        requests: 400,
        seed: 3,
        time_anchor_ms: Some(1_796_000_000_000),
        ..SimConfig::default()
    })
    .unwrap();
    // One answer of each kind of hostile text the sim writes.
    type Kind = (&'static str, fn(&str) -> bool);
    let kinds: [Kind; 5] = [
        ("escape", |a| a.contains('\u{1b}')),
        ("bidi", |a| a.contains('\u{202e}')),
        ("tab_bel", |a| a.contains('\t') || a.contains('\u{7}')),
        ("wide", |a| a.contains('测') || a.contains('👍')),
        ("long_line", |a| a.lines().any(|l| l.len() > 2000)),
    ];
    let mut picked = Vec::new();
    for (kind, is) in kinds {
        let r = data
            .requests
            .iter()
            .filter(|r| r.test.is_some())
            .find(|r| r.answer.as_deref().is_some_and(|a| is(&answer_text(a))))
            .unwrap_or_else(|| panic!("the sim generates {kind} answers"));
        picked.push((kind, r));
    }
    for (kind, r) in picked {
        snap(
            &format!("sim_hostile_{kind}"),
            r.test.as_deref().unwrap(),
            r.answer.as_deref().unwrap(),
            None,
        );
    }
}
