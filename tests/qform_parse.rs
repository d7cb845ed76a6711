//! Parsers against the real fixtures in `assets/real` and one test per quirk.

use mturk_triage::qform::*;

fn fixture(name: &str) -> String {
    let path = format!("{}/assets/real/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn ids(form: &QuestionForm) -> Vec<&str> {
    form.questions().map(|q| q.identifier.as_str()).collect()
}

fn sel(q: &Question) -> &SelectionSpec {
    match &q.answer {
        AnswerSpec::Selection(s) => s,
        other => panic!("{}: not a selection: {other:?}", q.identifier),
    }
}

fn free(q: &Question) -> &FreeTextSpec {
    match &q.answer {
        AnswerSpec::FreeText(f) => f,
        other => panic!("{}: not free text: {other:?}", q.identifier),
    }
}

fn overviews(form: &QuestionForm) -> usize {
    form.items
        .iter()
        .filter(|i| matches!(i, FormItem::Overview(_)))
        .count()
}

// ---------------------------------------------------------------- real QuestionForms

#[test]
fn f01_simple_survey_crlf() {
    let f = parse_question_form(&fixture("01-aws-java-sdk-simple-survey.questionform.xml"));
    assert_eq!(f.problems, vec![]);
    assert_eq!(f.version, FormVersion::V2005_10_01);
    assert_eq!(ids(&f), vec!["1"]);
    let q = f.questions().next().unwrap();
    assert!(!q.required);
    assert_eq!(
        q.content,
        vec![Content::Text(
            "What is your political party affiliation?".into()
        )]
    );
    let s = sel(q);
    assert_eq!((s.min_selections, s.max_selections), (1, 1));
    assert_eq!(s.style.as_deref(), Some("radiobutton"));
    let sids: Vec<_> = s.selections.iter().map(|x| x.identifier.as_str()).collect();
    assert_eq!(sids, vec!["republican", "democrat", "noneoftheabove"]);
    assert_eq!(
        s.selections[2].content,
        SelectionContent::Text("None of the Above".into())
    );
}

#[test]
fn f02_reading_comprehension_formatted_prompts() {
    let f = parse_question_form(&fixture("02-mturkr-reading-comprehension.questionform.xml"));
    assert_eq!(f.problems, vec![]);
    assert_eq!(ids(&f), vec!["question1", "question2", "question3"]);
    assert_eq!(overviews(&f), 1);
    for q in f.questions() {
        assert!(q.required);
        assert_eq!(
            q.content,
            vec![Content::FormattedContent(
                "<p>Some question here</p>".into()
            )]
        );
        assert_eq!(sel(q).selections.len(), 4);
    }
    match &f.items[0] {
        FormItem::Overview(c) => {
            assert_eq!(c.len(), 2);
            assert!(
                matches!(&c[0], Content::Title(t) if t.starts_with("Please read the following passage"))
            );
            assert!(
                matches!(&c[1], Content::Text(t) if t.starts_with("Lorem ipsum") && t.ends_with("nec elit."))
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn f03_tictactoe() {
    let f = parse_question_form(&fixture("03-aws-docs-tictactoe.questionform.xml"));
    assert_eq!(f.problems, vec![]);
    assert_eq!(ids(&f), vec!["nextmove", "likelytowin"]);
    let FormItem::Overview(ov) = &f.items[0] else {
        panic!()
    };
    assert_eq!(ov.len(), 4);
    assert_eq!(ov[0], Content::Title("Game 01523, \"X\" to play".into()));
    assert_eq!(
        ov[2],
        Content::Binary(BinaryRef {
            mime_type: "image".into(),
            mime_subtype: Some("gif".into()),
            data_url: "http://tictactoe.amazon.com/game/01523/board.gif".into(),
            alt_text: "The game board, with \"X\" to move.".into(),
        })
    );
    let qs: Vec<_> = f.questions().collect();
    assert_eq!(qs[0].display_name.as_deref(), Some("The Next Move"));
    assert!(qs[0].required);
    let ft = free(qs[0]);
    assert_eq!((ft.min_length, ft.max_length), (Some(2), Some(2)));
    assert_eq!(ft.default_text.as_deref(), Some("C1"));
    assert_eq!(sel(qs[1]).selections.len(), 3);
}

#[test]
fn f04_single_quoted_namespace() {
    let f = parse_question_form(&fixture("04-hf-rlhf-helpful-harmless.questionform.xml"));
    assert_eq!(f.problems, vec![]);
    assert_eq!(f.version, FormVersion::V2005_10_01);
    assert_eq!(ids(&f), vec!["self_report"]);
    let q = f.questions().next().unwrap();
    assert_eq!(q.content.len(), 2);
    assert_eq!(
        q.content[1],
        Content::Text("\"How do I feed my small dog.\"".into())
    );
    assert_eq!(
        sel(q).selections[0].content,
        SelectionContent::Text("I'm sorry, I can't help with that.".into())
    );
}

#[test]
fn f05_no_style_suggestion() {
    let f = parse_question_form(&fixture("05-nssi-screener.questionform.xml"));
    assert_eq!(f.problems, vec![]);
    assert_eq!(ids(&f), vec!["NSSI_screen", "Second_Question"]);
    let qs: Vec<_> = f.questions().collect();
    let s = sel(qs[0]);
    assert_eq!(s.style, None);
    assert_eq!((s.min_selections, s.max_selections), (1, 1));
    assert_eq!(s.selections.len(), 3);
    assert_eq!(sel(qs[1]).selections.len(), 2);
    assert!(
        matches!(&qs[1].content[0], Content::FormattedContent(h) if h == "<p>Did this test work?</p>")
    );
}

#[test]
fn f06_commongen() {
    let f = parse_question_form(&fixture("06-commongen-eval.questionform.xml"));
    assert_eq!(f.problems, vec![]);
    assert_eq!(ids(&f), vec!["q1", "q2", "q3"]);
    for q in f.questions() {
        assert_eq!(sel(q).selections.len(), 4);
        assert!(q.required);
    }
}

#[test]
fn f07_freetext() {
    let f = parse_question_form(&fixture("07-mturkemu-freetext-name.questionform.xml"));
    assert_eq!(f.problems, vec![]);
    let q = f.questions().next().unwrap();
    assert_eq!(q.identifier, "my_question_id");
    let ft = free(q);
    assert_eq!((ft.min_length, ft.max_length), (Some(1), Some(12)));
    assert_eq!(ft.default_text.as_deref(), Some("Charlie"));
    assert_eq!(ft.numeric, None);
}

#[test]
fn f08_colors() {
    let f = parse_question_form(&fixture("08-mturkemu-colors.questionform.xml"));
    assert_eq!(f.problems, vec![]);
    assert_eq!(ids(&f), vec!["favorite", "acceptible"]);
    let qs: Vec<_> = f.questions().collect();
    assert_eq!(sel(qs[0]).selections.len(), 3);
    assert_eq!(sel(qs[1]).selections.len(), 4);
    assert_eq!(sel(qs[1]).style.as_deref(), Some("checkbox"));
    // No Min/MaxSelectionCount: schema default 1 even for checkbox.
    assert_eq!(
        (sel(qs[1]).min_selections, sel(qs[1]).max_selections),
        (1, 1)
    );
}

#[test]
fn f09_binary_images() {
    let f = parse_question_form(&fixture("09-fish-segmentation-binary.questionform.xml"));
    assert_eq!(f.problems, vec![]);
    assert_eq!(
        ids(&f),
        vec!["example1", "example2", "example3", "example4"]
    );
    let q = f.questions().next().unwrap();
    assert!(!q.required);
    match &q.content[1] {
        Content::Binary(b) => {
            assert_eq!(b.mime_type, "image");
            assert_eq!(b.mime_subtype.as_deref(), Some("png"));
            assert_eq!(
                b.data_url,
                "https://scale-score.neocities.org/c/chsor_u3_mask_0_object_1.png"
            );
        }
        other => panic!("{other:?}"),
    }
    let FormItem::Overview(ov) = &f.items[0] else {
        panic!()
    };
    assert!(
        matches!(&ov[1], Content::FormattedContent(h) if h.starts_with("Please <a href=\"https://scale-score.neocities.org/protocol\""))
    );
}

#[test]
fn f19_codenames() {
    let f = parse_question_form(&fixture("19-codenames-clues.questionform.xml"));
    assert_eq!(f.problems, vec![]);
    assert_eq!(overviews(&f), 3);
    assert_eq!(f.questions().count(), 6);
    let FormItem::Overview(ov) = &f.items[0] else {
        panic!()
    };
    assert!(matches!(&ov[2], Content::List(items) if items.len() == 2));
    let q = f.questions().nth(1).unwrap();
    assert_eq!(q.identifier, "pair_0_explanation1");
    assert_eq!(q.display_name.as_deref(), Some("Explanation 1:"));
    let ft = free(q);
    assert_eq!(
        (ft.min_length, ft.max_length, ft.lines),
        (Some(2), Some(500), Some(1))
    );
}

// ---------------------------------------------------------------- answers

#[test]
fn a03_answers() {
    let a = parse_answers(&fixture("03-aws-docs-tictactoe.answers.xml"));
    assert_eq!(a.problems, vec![]);
    assert_eq!(
        a.answers,
        vec![
            Answer {
                question_identifier: "nextmove".into(),
                value: AnswerValue::FreeText("C3".into())
            },
            Answer {
                question_identifier: "likelytowin".into(),
                value: AnswerValue::Selection {
                    identifiers: vec!["notlikely".into()],
                    other: None
                }
            },
        ]
    );
}

#[test]
fn a10_all_answer_kinds() {
    let a = parse_answers(&fixture("10-aws-java-sdk-all-answer-kinds.answers.xml"));
    assert_eq!(a.problems, vec![]);
    let v: Vec<_> = a.answers.iter().map(|a| a.value.clone()).collect();
    assert_eq!(
        v,
        vec![
            AnswerValue::FreeText("freeText_answer".into()),
            AnswerValue::Selection {
                identifiers: vec![],
                other: Some("otherSelection_answer".into())
            },
            AnswerValue::UploadedFile {
                size_bytes: Some(100),
                key: "uploadedFileKey".into()
            },
            AnswerValue::Selection {
                identifiers: vec!["selection_answer".into(), "selection_answer2".into()],
                other: None
            },
        ]
    );
}

#[test]
fn a11_legacy_envelope() {
    let a = parse_answers(&fixture("11-rturk-legacy-tweet.answers.xml"));
    assert_eq!(a.problems, vec![]);
    assert_eq!(a.answers.len(), 2);
    assert_eq!(
        a.answers[0].value,
        AnswerValue::FreeText("This is my tweet!".into())
    );
    assert_eq!(a.answers[1].question_identifier, "Submit");
}

#[test]
fn a19_ascii_declaration() {
    let a = parse_answers(&fixture("19-codenames-clues.answers.xml"));
    assert_eq!(a.problems, vec![]);
    assert_eq!(a.answers.len(), 6);
    assert_eq!(
        a.answers[1].value,
        AnswerValue::FreeText("PRESS is related to SQUASH because PRESSING is SQUASHING".into())
    );
}

// ---------------------------------------------------------------- answer keys

#[test]
fn keys_parse() {
    let k = parse_answer_key(&fixture("02-mturkr-reading-comprehension.answerkey.xml"));
    assert_eq!(k.problems, vec![]);
    assert_eq!(k.questions.len(), 3);
    assert_eq!(k.questions[0].options[0].selection_identifiers, vec!["3"]);
    assert_eq!(
        k.mapping,
        Some(ValueMapping::Percentage {
            maximum_summed_score: 30
        })
    );

    let k = parse_answer_key(&fixture("05-nssi-screener.answerkey.xml"));
    assert_eq!(k.problems, vec![]);
    assert_eq!(k.mapping, None);
    assert_eq!(k.questions[0].options.len(), 3);
    assert_eq!(k.questions[1].options[0].score, 100);

    let k = parse_answer_key(&fixture("08-mturkemu-colors.scale.answerkey.xml"));
    assert_eq!(k.mapping, Some(ValueMapping::Scale { multiplier: 2.0 }));
    assert_eq!(
        k.questions[1].options[0].selection_identifiers,
        vec!["blue", "green"]
    );

    let k = parse_answer_key(&fixture("08-mturkemu-colors.range.answerkey.xml"));
    assert_eq!(
        k.mapping,
        Some(ValueMapping::Range {
            ranges: vec![
                ScoreRange {
                    lower: 4,
                    upper: 7,
                    value: 10
                },
                ScoreRange {
                    lower: 8,
                    upper: 11,
                    value: 20
                },
                ScoreRange {
                    lower: 14,
                    upper: 17,
                    value: 30
                },
            ],
            out_of_range_value: 1
        })
    );

    for (name, n) in [
        ("04-hf-rlhf-helpful-harmless.answerkey.xml", 1),
        ("06-commongen-eval.answerkey.xml", 3),
        ("09-fish-segmentation-binary.answerkey.xml", 4),
        ("08-mturkemu-colors.percentage.answerkey.xml", 2),
    ] {
        let k = parse_answer_key(&fixture(name));
        assert_eq!(k.problems, vec![], "{name}");
        assert_eq!(k.questions.len(), n, "{name}");
    }
}

fn answers_doc(pairs: &[(&str, &[&str])]) -> QuestionFormAnswers {
    let mut xml = String::from(
        "<QuestionFormAnswers xmlns=\"http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2005-10-01/QuestionFormAnswers.xsd\">",
    );
    for (q, sels) in pairs {
        xml.push_str(&format!(
            "<Answer><QuestionIdentifier>{q}</QuestionIdentifier>"
        ));
        for s in *sels {
            xml.push_str(&format!("<SelectionIdentifier>{s}</SelectionIdentifier>"));
        }
        xml.push_str("</Answer>");
    }
    xml.push_str("</QuestionFormAnswers>");
    parse_answers(&xml)
}

#[test]
fn score_08_percentage() {
    let k = parse_answer_key(&fixture("08-mturkemu-colors.percentage.answerkey.xml"));
    // green (5) + {green, blue} in any order (10) = 15 of 15 → 100.
    let r = k.score(&answers_doc(&[
        ("favorite", &["green"]),
        ("acceptible", &["green", "blue"]),
    ]));
    assert_eq!(r.summed_score, 15);
    assert_eq!(r.qualification_value, 100);
    assert_eq!(r.questions[0].verdict, Verdict::Right);
    assert_eq!(r.questions[1].matched_option, Some(0));
    // blue (0) + {blue, red} (5) = 5 of 15 → 33.33 → 33.
    let r = k.score(&answers_doc(&[
        ("favorite", &["blue"]),
        ("acceptible", &["red", "blue"]),
    ]));
    assert_eq!(r.summed_score, 5);
    assert_eq!(r.qualification_value, 33);
    assert_eq!(r.questions[0].verdict, Verdict::Wrong);
    assert_eq!(r.questions[1].verdict, Verdict::Partial);
    // A superset of an option does not match: {blue, green, red} → default 0.
    let r = k.score(&answers_doc(&[
        ("favorite", &["green"]),
        ("acceptible", &["blue", "green", "red"]),
    ]));
    assert_eq!(r.summed_score, 5);
    assert_eq!(r.qualification_value, 33);
    assert_eq!(r.questions[1].matched_option, None);
    // 10 of 15 = 66.67 → 67.
    let r = k.score(&answers_doc(&[("acceptible", &["green", "blue"])]));
    assert_eq!(r.qualification_value, 67);
    assert_eq!(r.questions[0].verdict, Verdict::Unanswered);
}

#[test]
fn score_08_scale_and_range() {
    let scale = parse_answer_key(&fixture("08-mturkemu-colors.scale.answerkey.xml"));
    let range = parse_answer_key(&fixture("08-mturkemu-colors.range.answerkey.xml"));
    let best = answers_doc(&[("favorite", &["blue"]), ("acceptible", &["blue", "green"])]);
    let r = scale.score(&best);
    assert_eq!((r.summed_score, r.qualification_value), (15, 30));
    // Range key wants green for favorite: blue → 0 + 10 = 10 → range 8..=11 → 20.
    let r = range.score(&best);
    assert_eq!((r.summed_score, r.qualification_value), (10, 20));
    let all = answers_doc(&[("favorite", &["green"]), ("acceptible", &["blue", "green"])]);
    assert_eq!(range.score(&all).qualification_value, 30);
    // 5 → 4..=7 → 10
    assert_eq!(
        range
            .score(&answers_doc(&[("favorite", &["green"])]))
            .qualification_value,
        10
    );
    // 0 → out of range → 1
    assert_eq!(range.score(&answers_doc(&[])).qualification_value, 1);
    // 12 is between ranges → 1; can't reach with this key, so use scale for sum 5 → 10.
    assert_eq!(
        scale
            .score(&answers_doc(&[("acceptible", &["red", "blue"])]))
            .qualification_value,
        10
    );
}

#[test]
fn score_rounding_half_up() {
    let k = parse_answer_key(
        "<AnswerKey><Question><QuestionIdentifier>a</QuestionIdentifier><AnswerOption>\
         <SelectionIdentifier>x</SelectionIdentifier><AnswerScore>1</AnswerScore></AnswerOption>\
         </Question><QualificationValueMapping><PercentageMapping><MaximumSummedScore>8\
         </MaximumSummedScore></PercentageMapping></QualificationValueMapping></AnswerKey>",
    );
    // 100 * 1 / 8 = 12.5 → 13
    assert_eq!(
        k.score(&answers_doc(&[("a", &["x"])])).qualification_value,
        13
    );
    let k = parse_answer_key(
        "<AnswerKey><Question><QuestionIdentifier>a</QuestionIdentifier><AnswerOption>\
         <SelectionIdentifier>x</SelectionIdentifier><AnswerScore>3</AnswerScore></AnswerOption>\
         <DefaultScore>-2</DefaultScore></Question><QualificationValueMapping><ScaleMapping>\
         <SummedScoreMultiplier>0.5</SummedScoreMultiplier></ScaleMapping>\
         </QualificationValueMapping></AnswerKey>",
    );
    // 3 * 0.5 = 1.5 → 2
    assert_eq!(
        k.score(&answers_doc(&[("a", &["x"])])).qualification_value,
        2
    );
    // default -2 * 0.5 = -1
    let r = k.score(&answers_doc(&[("a", &["y"])]));
    assert_eq!((r.summed_score, r.qualification_value), (-2, -1));
}

#[test]
fn score_02_and_05_and_09() {
    let k = parse_answer_key(&fixture("02-mturkr-reading-comprehension.answerkey.xml"));
    let r = k.score(&answers_doc(&[
        ("question1", &["3"]),
        ("question2", &["2"]),
        ("question3", &["4"]),
    ]));
    assert_eq!((r.summed_score, r.qualification_value), (20, 67));
    let k = parse_answer_key(&fixture("05-nssi-screener.answerkey.xml"));
    let r = k.score(&answers_doc(&[
        ("NSSI_screen", &["2"]),
        ("Second_Question", &["0"]),
    ]));
    assert_eq!((r.summed_score, r.qualification_value), (102, 102));
    let k = parse_answer_key(&fixture("09-fish-segmentation-binary.answerkey.xml"));
    let r = k.score(&answers_doc(&[
        ("example1", &["No"]),
        ("example2", &["Yes"]),
        ("example3", &["No"]),
        ("example4", &["No"]),
    ]));
    assert_eq!((r.summed_score, r.qualification_value), (3, 75));
}

// ---------------------------------------------------------------- quirks

const NS_Q: &str =
    "http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2005-10-01/QuestionForm.xsd";

fn one_free_question(ns_attr: &str, prefix: &str) -> String {
    let p = if prefix.is_empty() {
        String::new()
    } else {
        format!("{prefix}:")
    };
    format!(
        "<{p}QuestionForm {ns_attr}><{p}Question><{p}QuestionIdentifier>q</{p}QuestionIdentifier>\
         <{p}QuestionContent><{p}Text>Hi</{p}Text></{p}QuestionContent><{p}AnswerSpecification>\
         <{p}FreeTextAnswer/></{p}AnswerSpecification></{p}Question></{p}QuestionForm>"
    )
}

#[test]
fn quirk_prefixed_elements_and_namespaces() {
    let f = parse_question_form(&one_free_question(&format!("xmlns:mt=\"{NS_Q}\""), "mt"));
    assert_eq!(f.problems, vec![]);
    assert_eq!(f.version, FormVersion::V2005_10_01);
    assert_eq!(ids(&f), vec!["q"]);
    assert_eq!(
        f.questions().next().unwrap().answer,
        AnswerSpec::FreeText(FreeTextSpec::default())
    );

    let f = parse_question_form(&one_free_question(
        "xmlns='http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2017-11-06/QuestionForm.xsd'",
        "",
    ));
    assert_eq!(f.version, FormVersion::V2017_11_06);
    assert_eq!(ids(&f), vec!["q"]);

    let f = parse_question_form(&one_free_question("xmlns=\"urn:example:future\"", ""));
    assert_eq!(f.version, FormVersion::Unknown("urn:example:future".into()));
    assert_eq!(ids(&f), vec!["q"]);

    let f = parse_question_form(&one_free_question("", ""));
    assert_eq!(f.version, FormVersion::None);
    assert_eq!(ids(&f), vec!["q"]);
}

#[test]
fn quirk_entities_decoded_exactly_once() {
    let xml = "<QuestionFormAnswers><Answer><QuestionIdentifier>a</QuestionIdentifier>\
               <FreeText>Tom &amp; Jerry &lt;3 &#x263A;</FreeText></Answer>\
               <Answer><QuestionIdentifier>b</QuestionIdentifier>\
               <FreeText>&amp;amp; &#38;lt; x&#233;y&quot;&apos;</FreeText></Answer></QuestionFormAnswers>";
    let a = parse_answers(xml);
    assert_eq!(a.problems, vec![]);
    assert_eq!(
        a.answers[0].value,
        AnswerValue::FreeText("Tom & Jerry <3 ☺".into())
    );
    assert_eq!(
        a.answers[1].value,
        AnswerValue::FreeText("&amp; &lt; xéy\"'".into())
    );
}

#[test]
fn quirk_cdata_never_unescaped_and_mixed_with_refs() {
    let xml = format!(
        "<QuestionForm xmlns=\"{NS_Q}\"><Overview><FormattedContent>\n   <![CDATA[<p>A &amp; B</p>]]>\n  </FormattedContent>\
         <Text>a&amp;<![CDATA[&amp;]]>b</Text></Overview></QuestionForm>"
    );
    let f = parse_question_form(&xml);
    let FormItem::Overview(ov) = &f.items[0] else {
        panic!()
    };
    assert_eq!(ov[0], Content::FormattedContent("<p>A &amp; B</p>".into()));
    assert_eq!(ov[1], Content::Text("a&&amp;b".into()));
}

#[test]
fn quirk_crlf_and_declarations() {
    let body = "<QuestionFormAnswers>\r\n<Answer>\r\n<QuestionIdentifier>a</QuestionIdentifier>\r\n<FreeText>line1\r\nline2\rline3</FreeText>\r\n</Answer>\r\n</QuestionFormAnswers>\r\n";
    for decl in [
        "",
        "<?xml version=\"1.0\"?>",
        "<?xml version='1.0' encoding='ASCII'?>",
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\r\n",
        "\u{feff}<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
    ] {
        let a = parse_answers(&format!("{decl}{body}"));
        assert_eq!(a.problems, vec![], "{decl:?}");
        assert_eq!(
            a.answers[0].value,
            AnswerValue::FreeText("line1\nline2\nline3".into()),
            "{decl:?}"
        );
    }
}

#[test]
fn quirk_empty_free_text_and_empty_document() {
    let a = parse_answers(
        "<QuestionFormAnswers><Answer><QuestionIdentifier>a</QuestionIdentifier><FreeText/></Answer>\
         <Answer><QuestionIdentifier>b</QuestionIdentifier></Answer></QuestionFormAnswers>",
    );
    assert_eq!(a.problems, vec![]);
    assert_eq!(a.answers[0].value, AnswerValue::FreeText(String::new()));
    assert_eq!(a.answers[1].value, AnswerValue::Empty);

    let a = parse_answers(
        "<QuestionFormAnswers xmlns=\"http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2005-10-01/QuestionFormAnswers.xsd\"/>",
    );
    assert_eq!(a, QuestionFormAnswers::default());
    assert_eq!(parse_answers(""), QuestionFormAnswers::default());
    assert_eq!(parse_answers("  \n"), QuestionFormAnswers::default());
    assert_eq!(
        parse_question_form(""),
        QuestionForm {
            version: FormVersion::None,
            ..Default::default()
        }
    );
}

#[test]
fn quirk_is_required_junk() {
    for (v, want, problem) in [
        ("true", true, false),
        ("1", true, false),
        (" false ", false, false),
        ("0", false, false),
        ("yes", false, true),
        ("TRUE!", false, true),
        ("", false, true),
    ] {
        let xml = format!(
            "<QuestionForm xmlns=\"{NS_Q}\"><Question><QuestionIdentifier>q</QuestionIdentifier>\
             <IsRequired>{v}</IsRequired><QuestionContent><Text>x</Text></QuestionContent>\
             <AnswerSpecification><FreeTextAnswer/></AnswerSpecification></Question></QuestionForm>"
        );
        let f = parse_question_form(&xml);
        assert_eq!(f.questions().next().unwrap().required, want, "{v:?}");
        assert_eq!(!f.problems.is_empty(), problem, "{v:?}: {:?}", f.problems);
        if problem {
            assert!(f.problems[0].message.contains("IsRequired"));
        }
    }
}

#[test]
fn quirk_unknown_elements_skipped_with_problem() {
    let xml = format!(
        "<QuestionForm xmlns=\"{NS_Q}\"><Question><QuestionIdentifier>q</QuestionIdentifier>\
         <Sparkle>x</Sparkle><QuestionContent><Text>x</Text><Blink/></QuestionContent>\
         <AnswerSpecification><FreeTextAnswer/></AnswerSpecification></Question><Extra/></QuestionForm>"
    );
    let f = parse_question_form(&xml);
    assert_eq!(ids(&f), vec!["q"]);
    let msgs: Vec<_> = f.problems.iter().map(|p| p.message.as_str()).collect();
    assert_eq!(
        msgs,
        vec![
            "unknown element <Sparkle> in <Question> skipped",
            "unknown element <Blink> in <QuestionContent> skipped",
            "unknown element <Extra> in <QuestionForm> skipped",
        ]
    );
}

#[test]
fn quirk_truncated_keeps_what_was_read() {
    let full = fixture("08-mturkemu-colors.questionform.xml");
    let cut = &full[..full.find("<QuestionIdentifier>acceptible").unwrap() + 30];
    let f = parse_question_form(cut);
    assert_eq!(f.questions().next().unwrap().identifier, "favorite");
    assert_eq!(sel(f.questions().next().unwrap()).selections.len(), 3);
    assert!(f.problems.iter().any(|p| p.message.contains("truncated")));
    // Every prefix parses without panicking.
    for i in (0..full.len()).filter(|i| full.is_char_boundary(*i)) {
        let _ = parse_question_form(&full[..i]);
    }
}

#[test]
fn quirk_wrong_root_and_garbage() {
    let f = parse_question_form(&fixture("03-aws-docs-tictactoe.answers.xml"));
    assert!(f.problems[0].message.contains("expected <QuestionForm>"));
    let a = parse_answers("not xml at all");
    assert!(a.answers.is_empty());
    assert!(!a.problems.is_empty());
    let k = parse_answer_key("<<<>>>&&&");
    assert!(k.questions.is_empty());
}

#[test]
fn quirk_min_max_defaults_and_constraints() {
    let xml = format!(
        "<QuestionForm xmlns=\"{NS_Q}\"><Question><QuestionIdentifier>n</QuestionIdentifier>\
         <QuestionContent><Text>x</Text></QuestionContent><AnswerSpecification><FreeTextAnswer>\
         <Constraints><IsNumeric minValue=\"-5\" maxValue=\"10\"/><Length minLength='1'/>\
         <AnswerFormatRegex regex=\"^[a-z]+$\" errorText=\"lower &amp; only\" flags=\"i\"/></Constraints>\
         </FreeTextAnswer></AnswerSpecification></Question>\
         <Question><QuestionIdentifier>s</QuestionIdentifier><QuestionContent><Text>x</Text></QuestionContent>\
         <AnswerSpecification><SelectionAnswer><MaxSelectionCount>3</MaxSelectionCount><Selections>\
         <Selection><SelectionIdentifier>a</SelectionIdentifier><FormattedContent><![CDATA[<b>A</b>]]></FormattedContent></Selection>\
         <OtherSelection><Constraints><Length maxLength=\"9\"/></Constraints></OtherSelection>\
         </Selections></SelectionAnswer></AnswerSpecification></Question></QuestionForm>"
    );
    let f = parse_question_form(&xml);
    assert_eq!(f.problems, vec![]);
    let qs: Vec<_> = f.questions().collect();
    let ft = free(qs[0]);
    assert_eq!(
        ft.numeric,
        Some(NumericBounds {
            min: Some(-5),
            max: Some(10)
        })
    );
    assert_eq!((ft.min_length, ft.max_length), (Some(1), None));
    assert_eq!(
        ft.regexes,
        vec![RegexConstraint {
            regex: "^[a-z]+$".into(),
            error_text: Some("lower & only".into()),
            flags: Some("i".into())
        }]
    );
    let s = sel(qs[1]);
    assert_eq!((s.min_selections, s.max_selections), (1, 3));
    assert_eq!(
        s.selections[0].content,
        SelectionContent::FormattedContent("<b>A</b>".into())
    );
    assert_eq!(s.other.as_ref().and_then(|o| o.max_length), Some(9));
}

#[test]
fn quirk_huge_and_deep_documents() {
    // 20 000 questions: parses, in order.
    let mut xml = format!("<QuestionForm xmlns=\"{NS_Q}\">");
    for i in 0..20_000 {
        xml.push_str(&format!(
            "<Question><QuestionIdentifier>q{i}</QuestionIdentifier><QuestionContent><Text>t</Text>\
             </QuestionContent><AnswerSpecification><FreeTextAnswer/></AnswerSpecification></Question>"
        ));
    }
    xml.push_str("</QuestionForm>");
    let f = parse_question_form(&xml);
    assert_eq!(f.questions().count(), 20_000);
    assert_eq!(f.questions().last().unwrap().identifier, "q19999");
    // 100 000 nested elements: no stack overflow.
    let deep = format!(
        "<QuestionForm>{}{}",
        "<a>".repeat(100_000),
        "</a>".repeat(100_000)
    );
    let f = parse_question_form(&deep);
    assert!(
        f.problems
            .iter()
            .any(|p| p.message.contains("nested too deeply"))
    );
}

#[test]
fn quirk_html_entities_outside_cdata() {
    let a = parse_answers(
        "<QuestionFormAnswers><Answer><QuestionIdentifier>a</QuestionIdentifier>\
         <FreeText>a&nbsp;b &eacute; &mdash; &unknownthing;</FreeText></Answer></QuestionFormAnswers>",
    );
    assert_eq!(
        a.answers[0].value,
        AnswerValue::FreeText("a\u{a0}b é — &unknownthing;".into())
    );
    assert_eq!(a.problems.len(), 1);
    assert!(a.problems[0].message.contains("&unknownthing;"));
}

#[test]
fn quirk_2017_namespace_rejects_removed_elements_but_keeps_them() {
    let xml = "<QuestionForm xmlns=\"http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2017-11-06/QuestionForm.xsd\">\
        <Question><QuestionIdentifier>f</QuestionIdentifier><QuestionContent><Text>x</Text></QuestionContent>\
        <AnswerSpecification><FileUploadAnswer><MaxFileSizeInBytes>100</MaxFileSizeInBytes>\
        <MinFileSizeInBytes>1</MinFileSizeInBytes></FileUploadAnswer></AnswerSpecification></Question></QuestionForm>";
    let f = parse_question_form(xml);
    assert_eq!(f.version, FormVersion::V2017_11_06);
    assert_eq!(
        f.questions().next().unwrap().answer,
        AnswerSpec::FileUpload {
            min_bytes: Some(1),
            max_bytes: Some(100)
        }
    );
    assert_eq!(
        f.problems,
        vec![Problem::new(
            "<FileUploadAnswer> is not allowed by the 2017-11-06 schema"
        )]
    );
}

#[test]
fn quirk_wrapped_documents_and_other_question_types() {
    let inner = fixture("03-aws-docs-tictactoe.questionform.xml");
    let f = parse_question_form(&format!("<Test>{inner}</Test>"));
    assert_eq!(ids(&f), vec!["nextmove", "likelytowin"]);
    assert_eq!(f.version, FormVersion::V2005_10_01);
    assert_eq!(
        f.problems,
        vec![Problem::new("the QuestionForm is wrapped in <Test>")]
    );

    let a = parse_answers(&format!(
        "<Result><Answer>{}</Answer></Result>",
        fixture("03-aws-docs-tictactoe.answers.xml")
    ));
    assert_eq!(a.answers.len(), 2);
    assert_eq!(
        a.problems,
        vec![Problem::new(
            "the QuestionFormAnswers is wrapped in <Result>"
        )]
    );

    let k = parse_answer_key(&format!(
        "<QualificationType><Key>{}</Key></QualificationType>",
        fixture("09-fish-segmentation-binary.answerkey.xml")
            .replace("<?xml version=\"1.0\" encoding=\"UTF-8\"?>", "")
    ));
    assert_eq!(k.questions.len(), 4);

    let f = parse_question_form(
        "<HTMLQuestion xmlns=\"http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2011-11-11/HTMLQuestion.xsd\">\
         <HTMLContent><![CDATA[<p>Hello</p>]]></HTMLContent><FrameHeight>400</FrameHeight></HTMLQuestion>",
    );
    assert_eq!(
        f.items,
        vec![FormItem::Overview(vec![Content::FormattedContent(
            "<p>Hello</p>".into()
        )])]
    );
    assert_eq!(f.problems.len(), 1);
    let f = parse_question_form(
        "<ExternalQuestion><ExternalURL>https://example.com/q</ExternalURL><FrameHeight>0</FrameHeight></ExternalQuestion>",
    );
    assert_eq!(
        f.items,
        vec![FormItem::Overview(vec![Content::Text(
            "External question at https://example.com/q".into()
        )])]
    );
}

#[test]
fn embedded_binary_applications_and_image_selections() {
    let ns = "http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2005-10-01/QuestionForm.xsd";
    let form = format!(
        "<QuestionForm xmlns=\"{ns}\"><Overview>\
         <EmbeddedBinary><EmbeddedMimeType><Type>video</Type><SubType>mp4</SubType></EmbeddedMimeType>\
         <DataURL>http://example.com/clip.mp4</DataURL><AltText>A short clip</AltText><Width>320</Width><Height>240</Height>\
         <ApplicationParameter><Name>autoplay</Name><Value>false</Value></ApplicationParameter></EmbeddedBinary>\
         <Application><JavaApplet><AppletPath>http://example.com/applets/</AppletPath><AppletFilename>Game.class</AppletFilename>\
         <Width>100</Width><Height>100</Height></JavaApplet></Application>\
         <Application><Flash><FlashMovieURL>http://example.com/movie.swf</FlashMovieURL><Width>10</Width><Height>10</Height></Flash></Application>\
         </Overview><Question><QuestionIdentifier>pick</QuestionIdentifier><QuestionContent><Text>Which?</Text></QuestionContent>\
         <AnswerSpecification><SelectionAnswer><Selections><Selection><SelectionIdentifier>cat</SelectionIdentifier>\
         <Binary><MimeType><Type>image</Type><SubType>png</SubType></MimeType><DataURL>http://example.com/cat.png</DataURL>\
         <AltText>A cat</AltText></Binary></Selection><Selection><SelectionIdentifier>dog</SelectionIdentifier><Text>Dog</Text>\
         </Selection></Selections></SelectionAnswer></AnswerSpecification></Question></QuestionForm>"
    );
    let f = parse_question_form(&form);
    assert_eq!(f.problems, vec![]);
    let FormItem::Overview(content) = &f.items[0] else {
        panic!("{:?}", f.items[0]);
    };
    assert_eq!(
        content[0],
        Content::EmbeddedBinary(BinaryRef {
            mime_type: "video".into(),
            mime_subtype: Some("mp4".into()),
            data_url: "http://example.com/clip.mp4".into(),
            alt_text: "A short clip".into(),
        })
    );
    assert_eq!(
        content[1],
        Content::Application {
            kind: "JavaApplet".into(),
            url: "http://example.com/applets/Game.class".into()
        }
    );
    assert_eq!(
        content[2],
        Content::Application {
            kind: "Flash".into(),
            url: "http://example.com/movie.swf".into()
        }
    );
    let q = f.questions().next().unwrap();
    assert_eq!(
        sel(q).selections[0].content,
        SelectionContent::Binary(BinaryRef {
            mime_type: "image".into(),
            mime_subtype: Some("png".into()),
            data_url: "http://example.com/cat.png".into(),
            alt_text: "A cat".into(),
        })
    );
    // Shown as text with the URL; nothing is fetched. The worker's pick reads through the image.
    let answers = parse_answers(
        "<QuestionFormAnswers><Answer><QuestionIdentifier>pick</QuestionIdentifier>\
         <SelectionIdentifier>cat</SelectionIdentifier></Answer></QuestionFormAnswers>",
    );
    let text = layout::plain_text(&layout::layout(&review::build(&f, &answers, None), 100));
    assert!(
        text.contains("[embedded video/mp4: A short clip] <http://example.com/clip.mp4>"),
        "{text}"
    );
    assert!(
        text.contains(
            "[JavaApplet application, not shown] <http://example.com/applets/Game.class>"
        ),
        "{text}"
    );
    assert!(text.contains("[Flash application, not shown] <http://example.com/movie.swf>"));
    assert!(text.contains("A cat"), "{text}");
    assert!(text.contains("http://example.com/cat.png"), "{text}");
    // The 2017-11-06 schema has no Application element: noted, still shown.
    let f17 = parse_question_form(&form.replace("2005-10-01", "2017-11-06"));
    assert!(
        f17.problems
            .iter()
            .any(|p| p.message.contains("<Application> is not allowed")),
        "{:?}",
        f17.problems
    );
}
