//! AnswerKey → [`AnswerKey`], and scoring a QuestionFormAnswers against it.

use super::model::*;
use super::xml::{self, Element, push_problem};

pub(crate) fn parse(input: &str) -> AnswerKey {
    let mut key = AnswerKey::default();
    if input.trim().is_empty() {
        return key;
    }
    let doc = xml::read(input);
    key.problems = doc.problems;
    let Some(root) = doc.root else {
        push_problem(&mut key.problems, "no AnswerKey element found");
        return key;
    };
    let mut root = &root;
    if root.name != "AnswerKey" {
        if let Some(inner) = root.find("AnswerKey") {
            push_problem(
                &mut key.problems,
                format!("the AnswerKey is wrapped in <{}>", root.name),
            );
            root = inner;
        } else {
            push_problem(
                &mut key.problems,
                format!("root element is <{}>, expected <AnswerKey>", root.name),
            );
        }
    }
    for el in root.elements() {
        match el.name.as_str() {
            "Question" => {
                let q = question(el, &mut key.problems);
                key.questions.push(q);
            }
            "QualificationValueMapping" => key.mapping = mapping(el, &mut key.problems),
            other => push_problem(
                &mut key.problems,
                format!("unknown element <{other}> in <AnswerKey> skipped"),
            ),
        }
    }
    key
}

fn int(el: &Element, name: &str, problems: &mut Vec<Problem>) -> Option<i64> {
    let t = el.child_text(name)?;
    match t.parse::<i64>() {
        Ok(n) => Some(n),
        Err(_) => {
            push_problem(problems, format!("{name} {t:?} is not an integer; ignored"));
            None
        }
    }
}

fn question(el: &Element, problems: &mut Vec<Problem>) -> KeyQuestion {
    let mut q = KeyQuestion::default();
    for c in el.elements() {
        match c.name.as_str() {
            "QuestionIdentifier" => q.question_identifier = c.text().trim().to_string(),
            "AnswerOption" => {
                let mut opt = KeyOption::default();
                for o in c.elements() {
                    match o.name.as_str() {
                        "SelectionIdentifier" => {
                            opt.selection_identifiers.push(o.text().trim().to_string())
                        }
                        "AnswerScore" => {}
                        other => push_problem(
                            problems,
                            format!("unknown element <{other}> in <AnswerOption> skipped"),
                        ),
                    }
                }
                opt.score = int(c, "AnswerScore", problems).unwrap_or(0);
                if c.child("AnswerScore").is_none() {
                    push_problem(
                        problems,
                        format!(
                            "an AnswerOption of {:?} has no AnswerScore; 0 used",
                            q.question_identifier
                        ),
                    );
                }
                q.options.push(opt);
            }
            "DefaultScore" => q.default_score = int(el, "DefaultScore", problems).unwrap_or(0),
            other => push_problem(
                problems,
                format!("unknown element <{other}> in key <Question> skipped"),
            ),
        }
    }
    if q.question_identifier.is_empty() {
        push_problem(problems, "an AnswerKey Question has no QuestionIdentifier");
    }
    q
}

fn mapping(el: &Element, problems: &mut Vec<Problem>) -> Option<ValueMapping> {
    for c in el.elements() {
        match c.name.as_str() {
            "PercentageMapping" => {
                return Some(ValueMapping::Percentage {
                    maximum_summed_score: int(c, "MaximumSummedScore", problems).unwrap_or(0),
                });
            }
            "ScaleMapping" => {
                let t = c.child_text("SummedScoreMultiplier").unwrap_or_default();
                let multiplier = match t.parse::<f64>() {
                    Ok(m) if m.is_finite() => m,
                    _ => {
                        push_problem(
                            problems,
                            format!("SummedScoreMultiplier {t:?} is not a number; 1 used"),
                        );
                        1.0
                    }
                };
                return Some(ValueMapping::Scale { multiplier });
            }
            "RangeMapping" => {
                let mut ranges = Vec::new();
                for r in c.elements().filter(|r| r.name == "SummedScoreRange") {
                    let lower = int(r, "InclusiveLowerBound", problems);
                    let upper = int(r, "InclusiveUpperBound", problems);
                    let value = int(r, "QualificationValue", problems);
                    match (lower, upper, value) {
                        (Some(lower), Some(upper), Some(value)) => ranges.push(ScoreRange {
                            lower,
                            upper,
                            value,
                        }),
                        _ => push_problem(problems, "incomplete SummedScoreRange skipped"),
                    }
                }
                let out_of_range_value =
                    int(c, "OutOfRangeQualificationValue", problems).unwrap_or(0);
                return Some(ValueMapping::Range {
                    ranges,
                    out_of_range_value,
                });
            }
            other => push_problem(
                problems,
                format!("unknown element <{other}> in <QualificationValueMapping> skipped"),
            ),
        }
    }
    None
}

/// How one key question came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The worker's selection matched an option worth the question's best score.
    Right,
    /// Matched an option, but one worth less than the best option.
    Partial,
    /// Answered, but no option matched: the DefaultScore applies.
    Wrong,
    /// No answer (or an answer with no selection): the DefaultScore applies.
    Unanswered,
}

#[derive(Debug, Clone, PartialEq)]
pub struct KeyQuestionResult {
    pub question_identifier: String,
    /// Index into the key question's `options` of the option that matched.
    pub matched_option: Option<usize>,
    pub score: i64,
    /// The best score any option of this question gives.
    pub best_score: i64,
    pub verdict: Verdict,
}

/// The outcome of grading one answers document.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyResult {
    /// One entry per key Question, in key order.
    pub questions: Vec<KeyQuestionResult>,
    pub summed_score: i64,
    /// The Qualification value MTurk would grant (see [`AnswerKey::score`]).
    pub qualification_value: i64,
    /// The best summed score possible (sum of each question's best option).
    pub max_summed_score: i64,
    /// Anything odd about the computation (e.g. a zero MaximumSummedScore).
    pub notes: Vec<String>,
}

impl KeyResult {
    pub fn for_question(&self, qid: &str) -> Option<&KeyQuestionResult> {
        self.questions.iter().find(|q| q.question_identifier == qid)
    }
}

/// Round half away from zero (Java's `Math.round` rounds half up; for the non-negative values a
/// qualification normally takes the two agree). Saturates at the i64 range; NaN → 0.
pub fn round_half_away(x: f64) -> i64 {
    if x.is_nan() {
        return 0;
    }
    // `as` saturates.
    x.round() as i64
}

fn sorted_set(ids: &[String]) -> Vec<&str> {
    let mut v: Vec<&str> = ids.iter().map(|s| s.trim()).collect();
    v.sort_unstable();
    v.dedup();
    v
}

impl AnswerKey {
    /// Grade `answers` the way MTurk does.
    ///
    /// * Per question: the first AnswerOption whose SelectionIdentifier set equals the set the
    ///   worker picked (order and duplicates ignored, no more, no less) gives its AnswerScore;
    ///   otherwise the DefaultScore (0 when absent). An unanswered question gets the DefaultScore.
    /// * Summed score: the sum of those (saturating).
    /// * Qualification value: no mapping → the sum; `PercentageMapping` →
    ///   `round(100 * sum / MaximumSummedScore)`, rounding half away from zero (82.5 → 83;
    ///   a MaximumSummedScore of 0 gives 0 and a note); `ScaleMapping` → `round(sum *
    ///   multiplier)`, same rounding; `RangeMapping` → the QualificationValue of the first range
    ///   with `lower <= sum <= upper`, else the OutOfRangeQualificationValue.
    pub fn score(&self, answers: &QuestionFormAnswers) -> KeyResult {
        let mut questions = Vec::new();
        let mut sum: i64 = 0;
        let mut max_sum: i64 = 0;
        for kq in &self.questions {
            let answer = answers
                .answers
                .iter()
                .find(|a| a.question_identifier == kq.question_identifier);
            let picked: Option<Vec<&str>> = match answer.map(|a| &a.value) {
                Some(AnswerValue::Selection { identifiers, .. }) if !identifiers.is_empty() => {
                    Some(sorted_set(identifiers))
                }
                Some(_) => Some(Vec::new()),
                None => None,
            };
            let matched = picked.as_ref().and_then(|p| {
                kq.options
                    .iter()
                    .position(|o| !p.is_empty() && sorted_set(&o.selection_identifiers) == *p)
            });
            let best = kq
                .options
                .iter()
                .map(|o| o.score)
                .max()
                .unwrap_or(kq.default_score)
                .max(kq.default_score);
            let score = matched
                .and_then(|i| kq.options.get(i))
                .map_or(kq.default_score, |o| o.score);
            let verdict = match (&picked, matched) {
                (_, Some(_)) if score >= best => Verdict::Right,
                (_, Some(_)) => Verdict::Partial,
                (Some(p), None) if !p.is_empty() => Verdict::Wrong,
                _ => Verdict::Unanswered,
            };
            sum = sum.saturating_add(score);
            max_sum = max_sum.saturating_add(best);
            questions.push(KeyQuestionResult {
                question_identifier: kq.question_identifier.clone(),
                matched_option: matched,
                score,
                best_score: best,
                verdict,
            });
        }
        let mut notes = Vec::new();
        let qualification_value = match &self.mapping {
            None => sum,
            Some(ValueMapping::Percentage {
                maximum_summed_score,
            }) => {
                if *maximum_summed_score == 0 {
                    notes.push("MaximumSummedScore is 0: percentage undefined, 0 used".into());
                    0
                } else {
                    round_half_away(100.0 * sum as f64 / *maximum_summed_score as f64)
                }
            }
            Some(ValueMapping::Scale { multiplier }) => round_half_away(sum as f64 * multiplier),
            Some(ValueMapping::Range {
                ranges,
                out_of_range_value,
            }) => ranges
                .iter()
                .find(|r| r.lower <= sum && sum <= r.upper)
                .map_or(*out_of_range_value, |r| r.value),
        };
        KeyResult {
            questions,
            summed_score: sum,
            qualification_value,
            max_summed_score: max_sum,
            notes,
        }
    }
}
