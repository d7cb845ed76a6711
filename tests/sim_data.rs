//! Generated data (validity against the forms, determinism), data sources and flag errors.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::process::{Command, Stdio};

use mturk_triage::mturk::sim::{self, SimConfig};
use mturk_triage::qform::{self, AnswerSpec, AnswerValue, FreeTextSpec};

const ANCHOR_MS: i64 = 1_796_000_000_000;

fn assets() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/real"))
}

fn cfg(seed: u64, requests: usize) -> SimConfig {
    SimConfig {
        requests,
        seed,
        time_anchor_ms: Some(ANCHOR_MS),
        ..SimConfig::default()
    }
}

fn utf16(s: &str) -> usize {
    s.encode_utf16().count()
}

fn check_free_text(s: &str, spec: &FreeTextSpec, what: &str) {
    // The one deliberate violation: hostile lines of 2000+ characters ignore a smaller Length.
    let long_line = s.chars().count() > 2000 && !s.contains('\n');
    if let Some(max) = spec.max_length
        && !long_line
    {
        assert!(utf16(s) <= max as usize, "{what}: {s:?} longer than {max}");
    }
    if let Some(min) = spec.min_length {
        assert!(
            s.chars().count() >= min as usize,
            "{what}: {s:?} shorter than {min}"
        );
    }
    for rc in &spec.regexes {
        let ci = rc.flags.as_deref().is_some_and(|f| f.contains('i'));
        if let Ok(re) = regex::RegexBuilder::new(&rc.regex)
            .case_insensitive(ci)
            .build()
        {
            assert!(re.is_match(s), "{what}: {s:?} !~ {}", rc.regex);
        }
    }
    if let Some(b) = &spec.numeric {
        let n: i64 = s
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{what}: {s:?} not numeric"));
        assert!(
            b.min.is_none_or(|m| n >= m) && b.max.is_none_or(|m| n <= m),
            "{what}: {n}"
        );
    }
}

#[test]
fn generated_answers_are_valid_for_their_forms() {
    let data = sim::load_dataset(&cfg(3, 600)).unwrap();
    assert_eq!(data.requests.len(), 600);
    let real_03 = include_str!("../assets/real/03-aws-docs-tictactoe.answers.xml");
    let real_19 = include_str!("../assets/real/19-codenames-clues.answers.xml");
    let (mut hostile, mut ascii, mut multiline, mut other_text, mut skipped, mut checked) =
        (0, 0, 0, 0, 0, 0);
    let mut per_type: HashMap<&str, usize> = HashMap::new();
    let mut long_lines = 0;
    for r in &data.requests {
        *per_type.entry(&r.type_id).or_default() += 1;
        let Some(test) = &r.test else {
            assert_eq!(r.answer, None);
            continue;
        };
        let answer = r.answer.as_deref().unwrap();
        if answer == real_03 || answer == real_19 {
            continue;
        }
        let form = qform::parse_question_form(test);
        assert!(form.problems.is_empty(), "{:?}", form.problems);
        let questions: Vec<_> = form.questions().collect();
        assert!(!questions.is_empty());
        let answers = qform::parse_answers(answer);
        assert!(
            answers.problems.is_empty(),
            "{:?}\n{answer}",
            answers.problems
        );
        if answer.starts_with(r#"<?xml version="1.0" encoding="ASCII"?><QuestionFormAnswers"#) {
            ascii += 1;
            assert!(answer.is_ascii());
            assert!(!answer.contains('\n'));
        } else {
            assert!(
                answer
                    .starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n")
            );
            multiline += 1;
        }
        let mut answered = HashSet::new();
        for a in &answers.answers {
            let q = questions
                .iter()
                .find(|q| q.identifier == a.question_identifier)
                .unwrap_or_else(|| panic!("unknown question {}", a.question_identifier));
            assert!(
                answered.insert(a.question_identifier.clone()),
                "answered twice"
            );
            let what = format!("{} {}", r.id, q.identifier);
            match (&q.answer, &a.value) {
                (AnswerSpec::FreeText(spec), AnswerValue::FreeText(t)) => {
                    check_free_text(t, spec, &what);
                    if t.chars().count() > 2000 {
                        long_lines += 1;
                    }
                    if t.contains('\u{1b}')
                        || t.contains('\u{202e}')
                        || t.contains('测')
                        || t.contains('\u{200b}')
                        || t.contains('👍')
                        || t.len() > 2000
                        || t.contains('\t')
                        || t.contains('\u{7}')
                    {
                        hostile += 1;
                    }
                }
                (AnswerSpec::Selection(spec), AnswerValue::Selection { identifiers, other }) => {
                    let own: HashSet<&str> = spec
                        .selections
                        .iter()
                        .map(|s| s.identifier.as_str())
                        .collect();
                    assert!(
                        identifiers.iter().all(|i| own.contains(i.as_str())),
                        "{what}"
                    );
                    let distinct: HashSet<_> = identifiers.iter().collect();
                    assert_eq!(distinct.len(), identifiers.len(), "{what}");
                    let n = identifiers.len();
                    assert!(n >= spec.min_selections as usize, "{what}: {n} < min");
                    assert!(
                        n + usize::from(other.is_some()) <= spec.max_selections.max(1) as usize,
                        "{what}: {n} > max"
                    );
                    if let Some(o) = other {
                        let ospec = spec.other.as_ref().expect("OtherSelection allowed");
                        check_free_text(o, ospec, &what);
                        other_text += 1;
                    }
                }
                (spec, value) => panic!("{what}: {value:?} does not fit {spec:?}"),
            }
            checked += 1;
        }
        for q in &questions {
            if q.required {
                assert!(
                    answered.contains(&q.identifier),
                    "{} required {}",
                    r.id,
                    q.identifier
                );
            } else if !answered.contains(&q.identifier) {
                skipped += 1;
            }
        }
    }
    assert!(checked > 1000, "{checked}");
    assert!(long_lines >= 2, "{long_lines}");
    // Every form got requests.
    assert_eq!(per_type.len(), 11, "{per_type:?}");
    assert!(ascii > 150 && multiline > 100, "{ascii} {multiline}");
    assert!(skipped > 20, "{skipped}");
    // About one answer in ten carries hostile text (only forms with free text can).
    assert!((20..150).contains(&hostile), "{hostile}");
    let _ = other_text; // no real form allows OtherSelection
    // A request with no answers at all (every question optional and skipped).
    assert!(data.requests.iter().any(|r| {
        r.answer
            .as_deref()
            .is_some_and(|a| a.ends_with("QuestionFormAnswers.xsd\"/>"))
    }));
    // Two requests carry an earlier revision of their type's form (Test is a snapshot).
    let revised = data
        .requests
        .iter()
        .filter(|r| {
            let t = data.types.iter().find(|t| t.id == r.type_id).unwrap();
            r.test.as_deref() != t.test.as_deref()
        })
        .count();
    assert_eq!(revised, 2);
    // The real answers are in the set, with their own forms.
    for (real, form) in [
        (
            real_03,
            include_str!("../assets/real/03-aws-docs-tictactoe.questionform.xml"),
        ),
        (
            real_19,
            include_str!("../assets/real/19-codenames-clues.questionform.xml"),
        ),
    ] {
        let r = data
            .requests
            .iter()
            .find(|r| r.answer.as_deref() == Some(real))
            .expect("real answers served");
        assert_eq!(r.test.as_deref(), Some(form));
    }
}

#[test]
fn ids_workers_and_times_look_real() {
    let data = sim::load_dataset(&cfg(9, 300)).unwrap();
    let mut by_worker: HashMap<&str, HashSet<&str>> = HashMap::new();
    let mut pairs = HashSet::new();
    for r in &data.requests {
        assert!(r.id.len() == 30 && r.id.starts_with('3'), "{}", r.id);
        assert!((13..=15).contains(&r.worker_id.len()), "{}", r.worker_id);
        assert!(r.worker_id.starts_with('A'));
        assert!(
            r.worker_id
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        );
        assert!(r.submit_ms < ANCHOR_MS && r.submit_ms > ANCHOR_MS - 7 * 86_400_000);
        assert!(
            pairs.insert((&r.worker_id, &r.type_id)),
            "one pending request per worker and type"
        );
        by_worker
            .entry(&r.worker_id)
            .or_default()
            .insert(&r.type_id);
    }
    let regulars = by_worker.values().filter(|t| t.len() >= 3).count();
    assert!(
        regulars >= 3,
        "a few workers request several types: {regulars}"
    );
    let days: HashSet<i64> = data
        .requests
        .iter()
        .map(|r| r.submit_ms / 86_400_000)
        .collect();
    assert!(days.len() >= 6, "spread over recent days");
    let styles: HashSet<_> = data
        .requests
        .iter()
        .map(|r| format!("{:?}", r.submit_style))
        .collect();
    assert_eq!(styles.len(), 3, "integer, decimal and exponent SubmitTimes");
    let owned: Vec<_> = data.types.iter().filter(|t| t.owned).collect();
    assert_eq!(owned.len(), 11, "10 forms and the no-test type");
    assert!(owned.iter().any(|t| t.test.is_none()));
    for t in &data.types {
        assert!(
            t.id.bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        );
    }
}

#[test]
fn same_seed_same_data_other_seed_other_data() {
    let a = sim::load_dataset(&cfg(5, 120)).unwrap();
    let b = sim::load_dataset(&cfg(5, 120)).unwrap();
    assert_eq!(a, b);
    let c = sim::load_dataset(&cfg(6, 120)).unwrap();
    assert_ne!(a.requests[0].id, c.requests[0].id);
    assert_ne!(a.types[0].id, c.types[0].id);
    // Type ids depend on seed and file name only: the built-in set and --forms agree.
    let d = sim::load_dataset(&SimConfig {
        forms_dir: Some(assets()),
        ..cfg(5, 10)
    })
    .unwrap();
    for t in d.types.iter().filter(|t| t.owned) {
        let same = a.types.iter().find(|x| x.name == t.name).unwrap();
        assert_eq!(same.id, t.id);
    }
    assert_eq!(d.requests.len(), 10);
    assert_eq!(d.types.iter().filter(|t| t.owned).count(), 10);
}

#[test]
fn forms_dir_answer_keys_and_errors() {
    let dir = tempfile::tempdir().unwrap();
    let e = sim::load_dataset(&SimConfig {
        forms_dir: Some(dir.path().to_owned()),
        ..cfg(1, 5)
    })
    .unwrap_err();
    assert!(e.contains("no *.questionform.xml"), "{e}");
    let e = sim::load_dataset(&SimConfig {
        forms_dir: Some(dir.path().join("missing")),
        ..cfg(1, 5)
    })
    .unwrap_err();
    assert!(e.contains("no such directory"), "{e}");
    let readme = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"));
    let e = sim::load_dataset(&SimConfig {
        forms_dir: Some(readme.clone()),
        ..cfg(1, 5)
    })
    .unwrap_err();
    assert_eq!(
        e,
        format!(
            "--forms {} is a file, not a directory (give the folder that holds the \
             *.questionform.xml files)",
            readme.display()
        )
    );
    std::fs::write(
        dir.path().join("mine.questionform.xml"),
        include_str!("../assets/real/07-mturkemu-freetext-name.questionform.xml"),
    )
    .unwrap();
    std::fs::write(dir.path().join("mine.answerkey.xml"), "<AnswerKey/>").unwrap();
    std::fs::write(dir.path().join("ignored.txt"), "x").unwrap();
    let d = sim::load_dataset(&SimConfig {
        forms_dir: Some(dir.path().to_owned()),
        ..cfg(1, 5)
    })
    .unwrap();
    let owned: Vec<_> = d.types.iter().filter(|t| t.owned).collect();
    assert_eq!(owned.len(), 1);
    assert_eq!(owned[0].name, "mine");
    assert_eq!(owned[0].answer_key.as_deref(), Some("<AnswerKey/>"));
    assert_eq!(d.requests.len(), 5);
    assert!(d.requests.iter().all(|r| r.type_id == owned[0].id));
    assert_eq!(d.warnings, Vec::<String>::new(), "a clean form: no warning");
    // Forms that do not read cleanly are served as they are, with a warning naming the file
    // and its first problem.
    let cut = "<QuestionForm><Question><QuestionIdentifier>q";
    std::fs::write(dir.path().join("cut.questionform.xml"), cut).unwrap();
    std::fs::write(dir.path().join("empty.questionform.xml"), "").unwrap();
    std::fs::write(dir.path().join("wrong.questionform.xml"), "<AnswerKey/>").unwrap();
    let d = sim::load_dataset(&SimConfig {
        forms_dir: Some(dir.path().to_owned()),
        ..cfg(1, 5)
    })
    .unwrap();
    let file = |stem: &str| {
        dir.path()
            .join(format!("{stem}.questionform.xml"))
            .display()
            .to_string()
    };
    assert_eq!(
        d.warnings,
        [
            format!(
                "{}: document ended inside <QuestionIdentifier> (truncated?) (and 3 more \
                 problems); served as it is",
                file("cut")
            ),
            format!(
                "{} is empty; served as a type with an empty Test",
                file("empty")
            ),
            format!(
                "{}: root element is <AnswerKey>, expected <QuestionForm>; served as it is",
                file("wrong")
            ),
        ]
    );
    let cut_type = d.types.iter().find(|t| t.name == "cut").unwrap();
    assert_eq!(cut_type.test.as_deref(), Some(cut), "served verbatim");
    for stem in ["cut", "empty", "wrong"] {
        std::fs::remove_file(file(stem)).unwrap();
    }
    std::fs::write(dir.path().join("bad.questionform.xml"), [0xff, 0xfe, 0x00]).unwrap();
    let e = sim::load_dataset(&SimConfig {
        forms_dir: Some(dir.path().to_owned()),
        ..cfg(1, 5)
    })
    .unwrap_err();
    assert!(
        e.contains("bad.questionform.xml") && e.contains("UTF-8"),
        "{e}"
    );

    for bad in [-0.1, 1.5, f64::NAN] {
        let e = sim::load_dataset(&SimConfig {
            fault_rate: bad,
            ..cfg(1, 1)
        })
        .unwrap_err();
        assert!(e.contains("--fault-rate"), "{e}");
    }
    let e = sim::load_dataset(&SimConfig {
        listen: "0.0.0.0:0".parse().unwrap(),
        ..cfg(1, 1)
    })
    .unwrap_err();
    assert!(e.contains("loopback"), "{e}");
}

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_mturk-triage"))
}

#[test]
fn cli_rejects_bad_flags_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let reqs = dir.path().join("r.jsonl");
    std::fs::write(
        &reqs,
        "{\"QualificationTypeId\":\"3T\",\"WorkerId\":\"A1\",\"SubmitTime\":1}\n{\"QualificationTypeId\":\"3T\",\"WorkerId\":\"A2\"}\n",
    )
    .unwrap();
    let huge = dir.path().join("huge.jsonl");
    std::fs::write(
        &huge,
        "# times\n{\"QualificationTypeId\":\"3T\",\"WorkerId\":\"A1\",\"SubmitTime\":1e300}\n",
    )
    .unwrap();
    let junk = dir.path().join("junk.jsonl");
    std::fs::write(&junk, "\nnot json\n").unwrap();
    let huge_msg = format!(
        "mturk-triage: {} line 2: SubmitTime 1e300 is out of range: it must be 0 to 1e11 epoch \
         seconds",
        huge.display()
    );
    let junk_msg = format!(
        "mturk-triage: {} line 2: not a JSON object: expected ident at column 2",
        junk.display()
    );
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            vec!["--requests-file".into(), huge.display().to_string()],
            &huge_msg,
        ),
        (
            vec!["--requests-file".into(), junk.display().to_string()],
            &junk_msg,
        ),
        (vec!["--fault-rate".into(), "1.5".into()], "--fault-rate"),
        (
            vec!["--forms".into(), "/nonexistent/forms".into()],
            "no such directory",
        ),
        (
            vec!["--forms".into(), dir.path().display().to_string()],
            "no *.questionform.xml",
        ),
        (
            vec!["--forms".into(), reqs.display().to_string()],
            "is a file, not a directory",
        ),
        (
            vec!["--requests-file".into(), reqs.display().to_string()],
            "line 2",
        ),
        (
            vec!["--requests-file".into(), "/nonexistent.jsonl".into()],
            "cannot read",
        ),
        (vec!["--listen".into(), "0.0.0.0:0".into()], "loopback"),
        (
            vec!["--listen".into(), "127.0.0.1:99999".into()],
            "invalid value '127.0.0.1:99999' for '--listen <LISTEN>': the port must be 0–65535 \
             (0 picks a free one), not \"99999\"",
        ),
        (
            vec!["--requests".into(), "-1".into()],
            "invalid value '-1' for '--requests <REQUESTS>': must be from 0 to 100000",
        ),
        (
            vec!["--latency-ms".into(), "-1".into()],
            "invalid value '-1' for '--latency-ms <LATENCY_MS>': must be from 0 to 600000",
        ),
        (
            vec!["--record".into(), "/nonexistent/dir/rec.jsonl".into()],
            "record file",
        ),
    ];
    for (args, needle) in cases {
        let out = bin()
            .arg("sim")
            .args(&args)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(err.contains(needle), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{err}");
        assert!(out.stdout.is_empty(), "no URL on failure");
    }
}

#[test]
fn cli_prints_the_url_first_and_stops_on_sigterm() {
    use std::io::{BufRead, BufReader};
    let mut child = bin()
        .args(["sim", "--listen", "127.0.0.1:0", "--requests", "3"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line.trim_end();
    let port: u16 = url
        .strip_prefix("http://127.0.0.1:")
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("first line {line:?}"));
    assert!(port > 0);
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_ok());
    // SIGTERM via kill(1), by pid.
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let code = child.wait().unwrap();
    assert!(code.success(), "{code:?}");
}

#[test]
fn cli_warns_about_forms_that_do_not_read_cleanly() {
    use std::io::{BufRead, BufReader};
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("good.questionform.xml"),
        include_str!("../assets/real/07-mturkemu-freetext-name.questionform.xml"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("cut.questionform.xml"),
        "<QuestionForm><Overview><Text>hi",
    )
    .unwrap();
    let mut child = bin()
        .args(["sim", "--requests", "2", "--forms"])
        .arg(dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = Vec::new();
    for line in BufReader::new(child.stderr.take().unwrap()).lines() {
        let line = line.unwrap();
        let done = line.contains(" across ") && line.contains("Ctrl-C to stop");
        lines.push(line);
        if done {
            break;
        }
    }
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let _ = child.wait();
    let cut = dir.path().join("cut.questionform.xml");
    assert_eq!(
        lines.first().map(String::as_str),
        Some(
            format!(
                "mturk-triage sim: warning: {}: document ended inside <Text> (truncated?) (and 2 \
                 more problems); served as it is",
                cut.display()
            )
            .as_str()
        ),
        "{lines:?}"
    );
    assert_eq!(lines.len(), 2, "one warning, then the summary: {lines:?}");
    assert!(
        lines[1].contains("2 pending requests across 2 owned"),
        "{lines:?}"
    );
}
