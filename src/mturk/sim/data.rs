//! Where the data comes from: the built-in data set (embedded), a forms folder, a requests file.

use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;

use serde::Deserialize;

use super::SimConfig;
use super::generator::{Envelope, answers_for, answers_xml, entity_id, worker_id};
use super::json::TimeStyle;
use super::ops::{is_customer_id, is_entity_id};
use super::rng::SimRng;
use super::state::{Dataset, QualRequest, QualType};

/// A QuestionForm file with what lies beside it.
#[derive(Debug, Clone, PartialEq)]
pub struct FormFile {
    /// The file name without `.questionform.xml`; becomes the type's Name.
    pub stem: String,
    pub xml: String,
    /// `STEM.answerkey.xml`
    pub answer_key: Option<String>,
    /// `STEM.answers.xml`: a real QuestionFormAnswers served as one request's Answer.
    pub answers: Option<String>,
}

struct BuiltinForm {
    stem: &'static str,
    xml: &'static str,
    answer_key: Option<&'static str>,
    answers: Option<&'static str>,
}

/// The built-in data set: the real forms of `assets/real`, compiled into the binary.
const BUILTIN: &[BuiltinForm] = &[
    BuiltinForm {
        stem: "01-aws-java-sdk-simple-survey",
        xml: include_str!("../../../assets/real/01-aws-java-sdk-simple-survey.questionform.xml"),
        answer_key: None,
        answers: None,
    },
    BuiltinForm {
        stem: "02-mturkr-reading-comprehension",
        xml: include_str!("../../../assets/real/02-mturkr-reading-comprehension.questionform.xml"),
        answer_key: Some(include_str!(
            "../../../assets/real/02-mturkr-reading-comprehension.answerkey.xml"
        )),
        answers: None,
    },
    BuiltinForm {
        stem: "03-aws-docs-tictactoe",
        xml: include_str!("../../../assets/real/03-aws-docs-tictactoe.questionform.xml"),
        answer_key: None,
        answers: Some(include_str!(
            "../../../assets/real/03-aws-docs-tictactoe.answers.xml"
        )),
    },
    BuiltinForm {
        stem: "04-hf-rlhf-helpful-harmless",
        xml: include_str!("../../../assets/real/04-hf-rlhf-helpful-harmless.questionform.xml"),
        answer_key: Some(include_str!(
            "../../../assets/real/04-hf-rlhf-helpful-harmless.answerkey.xml"
        )),
        answers: None,
    },
    BuiltinForm {
        stem: "05-nssi-screener",
        xml: include_str!("../../../assets/real/05-nssi-screener.questionform.xml"),
        answer_key: Some(include_str!(
            "../../../assets/real/05-nssi-screener.answerkey.xml"
        )),
        answers: None,
    },
    BuiltinForm {
        stem: "06-commongen-eval",
        xml: include_str!("../../../assets/real/06-commongen-eval.questionform.xml"),
        answer_key: Some(include_str!(
            "../../../assets/real/06-commongen-eval.answerkey.xml"
        )),
        answers: None,
    },
    BuiltinForm {
        stem: "07-mturkemu-freetext-name",
        xml: include_str!("../../../assets/real/07-mturkemu-freetext-name.questionform.xml"),
        answer_key: None,
        answers: None,
    },
    BuiltinForm {
        stem: "08-mturkemu-colors",
        xml: include_str!("../../../assets/real/08-mturkemu-colors.questionform.xml"),
        answer_key: None,
        answers: None,
    },
    BuiltinForm {
        stem: "09-fish-segmentation-binary",
        xml: include_str!("../../../assets/real/09-fish-segmentation-binary.questionform.xml"),
        answer_key: Some(include_str!(
            "../../../assets/real/09-fish-segmentation-binary.answerkey.xml"
        )),
        answers: None,
    },
    BuiltinForm {
        stem: "19-codenames-clues",
        xml: include_str!("../../../assets/real/19-codenames-clues.questionform.xml"),
        answer_key: None,
        answers: Some(include_str!(
            "../../../assets/real/19-codenames-clues.answers.xml"
        )),
    },
];

pub fn builtin_forms() -> Vec<FormFile> {
    BUILTIN
        .iter()
        .map(|b| FormFile {
            stem: b.stem.to_owned(),
            xml: b.xml.to_owned(),
            answer_key: b.answer_key.map(str::to_owned),
            answers: b.answers.map(str::to_owned),
        })
        .collect()
}

fn read_text(path: &Path) -> Result<String, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    String::from_utf8(bytes).map_err(|_| format!("{} is not UTF-8 text", path.display()))
}

/// Every `*.questionform.xml` in `dir` (sorted by name), with `STEM.answerkey.xml` and
/// `STEM.answers.xml` beside it when present.
pub fn load_forms_dir(dir: &Path) -> Result<Vec<FormFile>, String> {
    if dir.is_file() {
        return Err(format!(
            "--forms {} is a file, not a directory (give the folder that holds the \
             *.questionform.xml files)",
            dir.display()
        ));
    }
    if !dir.exists() {
        return Err(format!("--forms {}: no such directory", dir.display()));
    }
    if !dir.is_dir() {
        return Err(format!("--forms {}: not a directory", dir.display()));
    }
    let entries = std::fs::read_dir(dir)
        .map_err(|e| format!("--forms {}: cannot list the directory: {e}", dir.display()))?;
    let mut stems = Vec::new();
    for entry in entries {
        let entry = entry
            .map_err(|e| format!("--forms {}: cannot list the directory: {e}", dir.display()))?;
        let name = entry.file_name();
        if let Some(stem) = name
            .to_str()
            .and_then(|n| n.strip_suffix(".questionform.xml"))
            && !stem.is_empty()
        {
            stems.push(stem.to_owned());
        }
    }
    stems.sort();
    if stems.is_empty() {
        return Err(format!(
            "--forms {}: the directory holds no *.questionform.xml files",
            dir.display()
        ));
    }
    let mut forms = Vec::with_capacity(stems.len());
    for stem in stems {
        let xml = read_text(&dir.join(format!("{stem}.questionform.xml")))?;
        let beside = |suffix: &str| -> Result<Option<String>, String> {
            let p = dir.join(format!("{stem}.{suffix}"));
            if p.is_file() {
                read_text(&p).map(Some)
            } else {
                Ok(None)
            }
        };
        let answer_key = beside("answerkey.xml")?;
        let answers = beside("answers.xml")?;
        forms.push(FormFile {
            stem,
            xml,
            answer_key,
            answers,
        });
    }
    Ok(forms)
}

const DAY_MS: i64 = 86_400_000;

/// The qualification type for a form: id `3` + 29 characters, derived from the seed and the
/// file name only (so adding a form does not change the other ids).
pub fn form_type(seed: u64, form: &FormFile, anchor_ms: i64) -> QualType {
    let mut r = SimRng::derived(seed, &format!("type:{}", form.stem));
    let id = entity_id(&mut r);
    let readable = form.stem.replace(['-', '_'], " ");
    QualType {
        id,
        name: form.stem.clone(),
        description: format!("Qualification test: {readable}. Answer the questions to qualify."),
        keywords: r
            .chance(0.7)
            .then(|| format!("qualification,test,{}", readable.replace(' ', ","))),
        active: true,
        test: Some(form.xml.clone()),
        test_duration_secs: Some(*r.pick(&[600, 900, 1800, 3600]).unwrap_or(&1800)),
        answer_key: form.answer_key.clone(),
        retry_delay_secs: if r.chance(0.5) {
            Some(*r.pick(&[3600, 86_400, 259_200]).unwrap_or(&86_400))
        } else {
            None
        },
        requestable: true,
        owned: true,
        creation_ms: anchor_ms - r.range(20, 400) as i64 * DAY_MS - r.below(DAY_MS as u64) as i64,
        time_style: if r.chance(0.5) {
            TimeStyle::Exponent
        } else {
            TimeStyle::Decimal
        },
    }
}

/// System qualification types everybody can use but nobody here owns (real production ids).
fn system_types(anchor_ms: i64) -> Vec<QualType> {
    let sys = |id: &str, name: &str, description: &str| QualType {
        id: id.to_owned(),
        name: name.to_owned(),
        description: description.to_owned(),
        keywords: None,
        active: true,
        test: None,
        test_duration_secs: None,
        answer_key: None,
        retry_delay_secs: None,
        requestable: false,
        owned: false,
        creation_ms: anchor_ms - 3000 * DAY_MS,
        time_style: TimeStyle::Exponent,
    };
    vec![
        sys(
            "2F1QJWKUDD8XADTFD2Q0G6UTO95ALH",
            "Masters",
            "Workers who have demonstrated excellence across a wide range of HITs.",
        ),
        sys(
            "00000000000000000040",
            "Worker_NumberHITsApproved",
            "The total number of HITs submitted by a Worker that have been approved.",
        ),
        sys(
            "00000000000000000071",
            "Worker_Locale",
            "The location of the Worker, as specified in the Worker's mailing address.",
        ),
        sys(
            "000000000000000000L0",
            "Worker_PercentAssignmentsApproved",
            "The percentage of assignments the Worker has submitted that were subsequently approved.",
        ),
    ]
}

/// A built-in owned type without a test (its requests carry no Test and no Answer).
fn no_test_type(seed: u64, anchor_ms: i64) -> QualType {
    let mut r = SimRng::derived(seed, "type:no-test");
    QualType {
        id: entity_id(&mut r),
        name: "trusted-returning-workers".into(),
        description: "Granted by hand to workers we already know. No test.".into(),
        keywords: Some("trusted,returning".into()),
        active: true,
        test: None,
        test_duration_secs: None,
        answer_key: None,
        retry_delay_secs: None,
        requestable: true,
        owned: true,
        creation_ms: anchor_ms - 90 * DAY_MS,
        time_style: TimeStyle::Exponent,
    }
}

fn pick_style(r: &mut SimRng) -> TimeStyle {
    let x = r.unit();
    if x < 0.4 {
        TimeStyle::Exponent
    } else if x < 0.7 {
        TimeStyle::Decimal
    } else {
        TimeStyle::Integer
    }
}

/// A SubmitTime within the six days before the anchor, and how it is spelled.
fn submit_time(r: &mut SimRng, anchor_ms: i64) -> (i64, TimeStyle) {
    let ms = anchor_ms - 5 * 60_000 - r.below(6 * DAY_MS as u64) as i64;
    let style = pick_style(r);
    let ms = if style == TimeStyle::Integer {
        ms - ms.rem_euclid(1000)
    } else {
        ms
    };
    (ms, style)
}

/// An "earlier revision" of a form: the first Title reads differently.
pub fn earlier_revision(xml: &str) -> String {
    match xml.find("</Title>") {
        Some(i) => format!("{} (earlier revision){}", &xml[..i], &xml[i..]),
        None => xml.to_owned(),
    }
}

/// Hands out worker ids: mostly new workers, some "regulars" who request several types (never
/// the same type twice while a request is pending, as on MTurk).
struct Workers {
    regulars: Vec<String>,
    used: HashSet<(String, String)>,
    all: HashSet<String>,
}

impl Workers {
    fn new(r: &mut SimRng) -> Self {
        let mut all = HashSet::new();
        let regulars: Vec<String> = (0..6)
            .map(|_| {
                let w = worker_id(r);
                all.insert(w.clone());
                w
            })
            .collect();
        Workers {
            regulars,
            used: HashSet::new(),
            all,
        }
    }

    fn for_type(&mut self, r: &mut SimRng, type_id: &str) -> String {
        if r.chance(0.3) {
            let start = r.index(self.regulars.len());
            for k in 0..self.regulars.len() {
                let w = &self.regulars[(start + k) % self.regulars.len()];
                if self.used.insert((w.clone(), type_id.to_owned())) {
                    return w.clone();
                }
            }
        }
        loop {
            let w = worker_id(r);
            if self.all.insert(w.clone()) {
                self.used.insert((w.clone(), type_id.to_owned()));
                return w;
            }
        }
    }
}

/// The data set a config describes. `anchor_ms`: generated SubmitTimes lie in the six days
/// before it.
pub fn build_dataset(cfg: &SimConfig, anchor_ms: i64) -> Result<Dataset, String> {
    let builtin = cfg.forms_dir.is_none();
    let forms = match &cfg.forms_dir {
        Some(dir) => load_forms_dir(dir)?,
        None => builtin_forms(),
    };
    let mut types: Vec<QualType> = forms
        .iter()
        .map(|f| form_type(cfg.seed, f, anchor_ms))
        .collect();
    let parsed: Vec<_> = forms
        .iter()
        .map(|f| crate::qform::parse_question_form(&f.xml))
        .collect();
    // A form that does not read cleanly is still served (it is a useful test case for a
    // client), but whoever started the sim is told.
    let mut warnings = Vec::new();
    if let Some(dir) = &cfg.forms_dir {
        for (f, p) in forms.iter().zip(&parsed) {
            let file = dir.join(format!("{}.questionform.xml", f.stem));
            if f.xml.trim().is_empty() {
                warnings.push(format!(
                    "{} is empty; served as a type with an empty Test",
                    file.display()
                ));
            } else if let Some(first) = p.problems.first() {
                let n = p.problems.len();
                warnings.push(format!(
                    "{}: {}{}; served as it is",
                    file.display(),
                    crate::qform::sanitize::truncate(&first.message, 200),
                    if n > 1 {
                        format!(
                            " (and {} more problem{})",
                            n - 1,
                            if n == 2 { "" } else { "s" }
                        )
                    } else {
                        String::new()
                    }
                ));
            }
        }
    }
    let shared_tests: Vec<Arc<str>> = forms.iter().map(|f| Arc::from(f.xml.as_str())).collect();
    let mut r = SimRng::derived(cfg.seed, "requests");
    let mut workers = Workers::new(&mut r);
    let mut requests: Vec<QualRequest> = Vec::new();
    let mut ids: HashSet<String> = HashSet::new();
    let mut new_id = |r: &mut SimRng| loop {
        let id = entity_id(r);
        if ids.insert(id.clone()) {
            return id;
        }
    };

    // Real answers first (served verbatim), then the built-in no-test type's requests.
    for (i, f) in forms.iter().enumerate() {
        if requests.len() >= cfg.requests {
            break;
        }
        if let Some(a) = &f.answers {
            let (submit_ms, submit_style) = submit_time(&mut r, anchor_ms);
            requests.push(QualRequest {
                id: new_id(&mut r),
                type_id: types[i].id.clone(),
                worker_id: workers.for_type(&mut r, &types[i].id),
                test: Some(Arc::clone(&shared_tests[i])),
                answer: Some(a.clone()),
                submit_ms,
                submit_style,
                submit_text: None,
            });
        }
    }
    if builtin {
        let t = no_test_type(cfg.seed, anchor_ms);
        for _ in 0..2 {
            if requests.len() >= cfg.requests {
                break;
            }
            let (submit_ms, submit_style) = submit_time(&mut r, anchor_ms);
            requests.push(QualRequest {
                id: new_id(&mut r),
                type_id: t.id.clone(),
                worker_id: workers.for_type(&mut r, &t.id),
                test: None,
                answer: None,
                submit_ms,
                submit_style,
                submit_text: None,
            });
        }
        types.push(t);
        // A worker who skipped every (optional) question: `<QuestionFormAnswers …/>`.
        if let Some(fi) = parsed
            .iter()
            .position(|f| f.questions().next().is_some() && f.questions().all(|q| !q.required))
            && requests.len() < cfg.requests
        {
            let (submit_ms, submit_style) = submit_time(&mut r, anchor_ms);
            requests.push(QualRequest {
                id: new_id(&mut r),
                type_id: types[fi].id.clone(),
                worker_id: workers.for_type(&mut r, &types[fi].id),
                test: Some(Arc::clone(&shared_tests[fi])),
                answer: Some(answers_xml(&[], Envelope::AsciiOneLine)),
                submit_ms,
                submit_style,
                submit_text: None,
            });
        }
        // The Test is a snapshot taken when the worker asked: two requests of one type whose
        // form was edited since carry an earlier revision of it.
        if let Some(fi) = forms.iter().position(|f| f.xml.contains("</Title>")) {
            let old = Arc::<str>::from(earlier_revision(&forms[fi].xml));
            let old_form = crate::qform::parse_question_form(&old);
            for _ in 0..2 {
                if requests.len() >= cfg.requests {
                    break;
                }
                let answers = answers_for(&mut r, &old_form, 0.0);
                let (submit_ms, submit_style) = submit_time(&mut r, anchor_ms);
                requests.push(QualRequest {
                    id: new_id(&mut r),
                    type_id: types[fi].id.clone(),
                    worker_id: workers.for_type(&mut r, &types[fi].id),
                    test: Some(Arc::clone(&old)),
                    answer: Some(answers_xml(&answers, Envelope::AsciiOneLine)),
                    submit_ms,
                    submit_style,
                    submit_text: None,
                });
            }
        }
    }
    // About one answer in ten carries hostile text: only forms with a free-text field can, so
    // those carry it more often.
    let with_slots = parsed
        .iter()
        .filter(|f| !super::generator::hostile_slots(f).is_empty())
        .count();
    let hostile_rate = if with_slots == 0 {
        0.0
    } else {
        (0.1 * forms.len() as f64 / with_slots as f64).min(0.5)
    };
    let mut k = 0usize;
    while requests.len() < cfg.requests {
        // Every form gets requests before any gets a second round; then at random.
        let fi = if k < forms.len() {
            k
        } else {
            r.index(forms.len())
        };
        k += 1;
        let type_id = types[fi].id.clone();
        let answers = answers_for(&mut r, &parsed[fi], hostile_rate);
        let env = if r.chance(0.6) {
            Envelope::AsciiOneLine
        } else {
            Envelope::Utf8MultiLine
        };
        let (submit_ms, submit_style) = submit_time(&mut r, anchor_ms);
        requests.push(QualRequest {
            id: new_id(&mut r),
            worker_id: workers.for_type(&mut r, &type_id),
            type_id,
            test: Some(Arc::clone(&shared_tests[fi])),
            answer: Some(answers_xml(&answers, env)),
            submit_ms,
            submit_style,
            submit_text: None,
        });
    }
    types.extend(system_types(anchor_ms));

    if let Some(path) = &cfg.requests_file {
        let text = read_text(path).map_err(|e| format!("--requests-file: {e}"))?;
        let (file_requests, file_types) = parse_requests_file(
            &text,
            &path.display().to_string(),
            cfg.seed,
            &types,
            anchor_ms,
        )?;
        for (line, req) in file_requests {
            if !ids.insert(req.id.clone()) {
                return Err(format!(
                    "{} line {line}: QualificationRequestId {} is used twice",
                    path.display(),
                    req.id
                ));
            }
            requests.push(req);
        }
        types.extend(file_types);
    }
    Ok(Dataset {
        types,
        requests,
        warnings,
    })
}

/// Requests with their line numbers, and the types created for them.
pub type ParsedRequestsFile = (Vec<(usize, QualRequest)>, Vec<QualType>);

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "PascalCase")]
struct FileRequest {
    qualification_type_id: String,
    worker_id: String,
    #[serde(default)]
    test: Option<String>,
    #[serde(default)]
    answer: Option<String>,
    /// Kept as written, to serve it as given (`1.485179373361E9` stays so).
    submit_time: Box<serde_json::value::RawValue>,
    #[serde(default)]
    qualification_request_id: Option<String>,
}

/// The largest SubmitTime a requests file may give (epoch seconds, about the year 5138).
const MAX_SUBMIT_SECS: f64 = 1e11;

/// What kind of JSON value `raw` (valid JSON) is, for messages.
fn json_kind(raw: &str) -> &'static str {
    match raw.chars().next() {
        Some('"') => "a string",
        Some('t' | 'f') => "a boolean",
        Some('n') => "null",
        Some('{') => "an object",
        Some('[') => "an array",
        Some('-' | '0'..='9') => "a number",
        _ => "this value",
    }
}

/// A serde_json error about one line of a requests file. Each line is parsed on its own, so
/// serde's "at line 1 column C" becomes "at column C"; a line that is not JSON at all, or is JSON
/// but not an object, says so first.
fn json_error(e: &serde_json::Error, line: &str) -> String {
    let full = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    let msg = match full.strip_suffix(&suffix) {
        Some(m) if e.line() == 1 => format!("{m} at column {}", e.column()),
        _ => full,
    };
    if !line.starts_with('{') && serde_json::from_str::<serde::de::IgnoredAny>(line).is_ok() {
        // Valid JSON of another kind: serde would try to read an array as the struct's fields.
        return format!("not a JSON object: the line is {}", json_kind(line));
    }
    if e.is_syntax() || e.is_eof() || !line.starts_with('{') {
        format!("not a JSON object: {msg}")
    } else {
        msg
    }
}

/// Parse a requests file (JSON Lines; blank lines and lines starting with `#` are skipped).
/// Returns the requests with their line numbers, and the types that had to be created.
pub fn parse_requests_file(
    text: &str,
    name: &str,
    seed: u64,
    existing: &[QualType],
    anchor_ms: i64,
) -> Result<ParsedRequestsFile, String> {
    let mut out = Vec::new();
    let mut new_types: Vec<QualType> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let bad = |msg: String| format!("{name} line {n}: {msg}");
        let fr: FileRequest =
            serde_json::from_str(trimmed).map_err(|e| bad(json_error(&e, trimmed)))?;
        if !is_entity_id(&fr.qualification_type_id) {
            return Err(bad(format!(
                "QualificationTypeId {:?} must be 1-64 characters A-Z, 0-9",
                fr.qualification_type_id
            )));
        }
        if !is_customer_id(&fr.worker_id) {
            return Err(bad(format!(
                "WorkerId {:?} must be A followed by A-Z, 0-9 (at most 64 characters)",
                fr.worker_id
            )));
        }
        let submit_text = fr.submit_time.get().trim();
        let number: Option<serde_json::Number> = serde_json::from_str(submit_text).ok();
        let is_number = submit_text.starts_with(|c: char| c == '-' || c.is_ascii_digit());
        if !is_number {
            return Err(bad(format!(
                "SubmitTime must be epoch seconds (a JSON number), not {}",
                json_kind(submit_text)
            )));
        }
        let secs = number
            .as_ref()
            .and_then(serde_json::Number::as_f64)
            .filter(|s| s.is_finite() && (0.0..=MAX_SUBMIT_SECS).contains(s))
            .ok_or_else(|| {
                bad(format!(
                    "SubmitTime {} is out of range: it must be 0 to 1e11 epoch seconds",
                    crate::qform::sanitize::truncate(submit_text, 40)
                ))
            })?;
        let submit_ms = (secs * 1000.0).round() as i64;
        let submit_style = if number.as_ref().is_some_and(serde_json::Number::is_f64) {
            TimeStyle::Exponent
        } else {
            TimeStyle::Integer
        };
        let id = match fr.qualification_request_id {
            Some(id) => {
                if id.is_empty() || id.chars().count() > 64 || id.chars().any(char::is_control) {
                    return Err(bad(format!(
                        "QualificationRequestId {id:?} must be 1-64 characters without controls"
                    )));
                }
                id
            }
            None => entity_id(&mut SimRng::derived(seed, &format!("file-line:{n}"))),
        };
        let known = existing
            .iter()
            .chain(new_types.iter())
            .any(|t| t.id == fr.qualification_type_id);
        if !known {
            new_types.push(QualType {
                id: fr.qualification_type_id.clone(),
                name: format!("type-{}", fr.qualification_type_id),
                description: format!("Created for the requests file {name}."),
                keywords: None,
                active: true,
                test: fr.test.clone().filter(|t| !t.is_empty()),
                test_duration_secs: fr.test.as_ref().filter(|t| !t.is_empty()).map(|_| 1800),
                answer_key: None,
                retry_delay_secs: None,
                requestable: true,
                owned: true,
                creation_ms: anchor_ms - 30 * DAY_MS,
                time_style: TimeStyle::Exponent,
            });
        }
        out.push((
            n,
            QualRequest {
                id,
                type_id: fr.qualification_type_id,
                worker_id: fr.worker_id,
                test: fr.test.map(Arc::from),
                answer: fr.answer,
                submit_ms,
                submit_style,
                submit_text: Some(Arc::from(submit_text)),
            },
        ));
    }
    Ok((out, new_types))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_file_errors_name_the_line() {
        let ok = r#"{"QualificationTypeId":"3AB","WorkerId":"A1","SubmitTime":1.485179373361E9}"#;
        let text = format!("{ok}\n\n{{\"QualificationTypeId\":\"3AB\"}}\n");
        let e = parse_requests_file(&text, "f.jsonl", 1, &[], 0).unwrap_err();
        assert!(e.starts_with("f.jsonl line 3:"), "{e}");
        let e = parse_requests_file("not json", "f", 1, &[], 0).unwrap_err();
        assert!(e.starts_with("f line 1:"), "{e}");
        let bad_worker = r#"{"QualificationTypeId":"3AB","WorkerId":"B1","SubmitTime":1}"#;
        let e = parse_requests_file(bad_worker, "f", 1, &[], 0).unwrap_err();
        assert!(e.contains("line 1") && e.contains("WorkerId"), "{e}");
        let extra = r#"{"QualificationTypeId":"3AB","WorkerId":"A1","SubmitTime":1,"Bogus":2}"#;
        assert!(
            parse_requests_file(extra, "f", 1, &[], 0)
                .unwrap_err()
                .contains("Bogus")
        );
        // Not JSON at all, or JSON but not an object: said first, serde's detail after.
        assert_eq!(
            parse_requests_file("# c\nnot json", "f", 1, &[], 0).unwrap_err(),
            "f line 2: not a JSON object: expected ident at column 2"
        );
        assert_eq!(
            parse_requests_file("[1]", "f", 1, &[], 0).unwrap_err(),
            "f line 1: not a JSON object: the line is an array"
        );
        assert_eq!(
            parse_requests_file("{\"QualificationTypeId\":\"3AB\"", "f", 1, &[], 0).unwrap_err(),
            "f line 1: not a JSON object: EOF while parsing an object at column 28"
        );
        assert_eq!(
            parse_requests_file("5", "f", 1, &[], 0).unwrap_err(),
            "f line 1: not a JSON object: the line is a number"
        );
        // SubmitTime: a number outside the range says the range; not a number says so.
        let with_time = |t: &str| {
            format!(r#"{{"QualificationTypeId":"3AB","WorkerId":"A1","SubmitTime":{t}}}"#)
        };
        for t in ["1e300", "-5", "100000000001", "1e400", "-0.5"] {
            assert_eq!(
                parse_requests_file(&with_time(t), "f", 1, &[], 0).unwrap_err(),
                format!(
                    "f line 1: SubmitTime {t} is out of range: it must be 0 to 1e11 epoch seconds"
                )
            );
        }
        for (t, kind) in [
            ("\"1485179000\"", "a string"),
            ("null", "null"),
            ("true", "a boolean"),
        ] {
            assert_eq!(
                parse_requests_file(&with_time(t), "f", 1, &[], 0).unwrap_err(),
                format!("f line 1: SubmitTime must be epoch seconds (a JSON number), not {kind}")
            );
        }
        for t in ["0", "1e11", "1485179000.5"] {
            assert!(
                parse_requests_file(&with_time(t), "f", 1, &[], 0).is_ok(),
                "{t}"
            );
        }
        let (reqs, types) = parse_requests_file(ok, "f", 1, &[], 0).unwrap();
        assert_eq!(reqs.len(), 1);
        assert_eq!(reqs[0].1.submit_ms, 1_485_179_373_361);
        assert_eq!(reqs[0].1.submit_style, TimeStyle::Exponent);
        assert_eq!(types.len(), 1);
        assert_eq!(types[0].id, "3AB");
    }
}
