//! `cargo bench --bench qform`: parse + review + layout of the largest real fixture that has
//! answers (#19, codenames: 3 overviews, 6 questions, FormattedContent and lists), timed with a
//! plain `Instant` loop. Prints the mean per iteration of each stage and of the whole pipeline.

use std::hint::black_box;
use std::time::{Duration, Instant};

use mturk_triage::qform::{layout, parse_answers, parse_question_form, review};

const FORM: &str = include_str!("../assets/real/19-codenames-clues.questionform.xml");
const ANSWERS: &str = include_str!("../assets/real/19-codenames-clues.answers.xml");

/// Run `f` repeatedly for about `budget`, return the mean time per call.
fn time<T>(name: &str, budget: Duration, mut f: impl FnMut() -> T) -> Duration {
    for _ in 0..10 {
        black_box(f());
    }
    let start = Instant::now();
    let mut n: u32 = 0;
    while start.elapsed() < budget {
        black_box(f());
        n = n.saturating_add(1);
    }
    let per = start.elapsed() / n.max(1);
    println!("{name:<40} {per:>12.2?} per iteration ({n} iterations)");
    per
}

fn main() {
    let budget = Duration::from_millis(
        std::env::var("QFORM_BENCH_MS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(2000),
    );
    println!(
        "fixture 19: form {} bytes, answers {} bytes",
        FORM.len(),
        ANSWERS.len()
    );
    time("parse_question_form", budget, || parse_question_form(FORM));
    time("parse_answers", budget, || parse_answers(ANSWERS));
    let form = parse_question_form(FORM);
    let answers = parse_answers(ANSWERS);
    time("review::build", budget, || {
        review::build(&form, &answers, None)
    });
    let r = review::build(&form, &answers, None);
    time("layout @ 80 (stacked)", budget, || layout::layout(&r, 80));
    time("layout @ 140 (side by side)", budget, || {
        layout::layout(&r, 140)
    });
    time("total: parse + review + layout @ 140", budget, || {
        let f = parse_question_form(FORM);
        let a = parse_answers(ANSWERS);
        let r = review::build(&f, &a, None);
        layout::layout(&r, 140)
    });
}
