//! The triage core: one [`App`] state, an [`App::update`] reducer, effects returned as data.
//!
//! Nothing here touches the terminal or the network: the runtime feeds messages in (keys,
//! timer ticks, listing pages, call results) and carries the returned [`Effect`]s out.
//! Time is a number of milliseconds passed in with every message, so tests control it.

pub mod config;
pub mod keys;

use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use tui_input::{Input, InputRequest};

use crate::mturk::error::{ApiError, ErrorKind};
use crate::mturk::fetcher::{Failed, Interner, Page, PendingRequest, Stop, Summary};
use crate::mturk::journal::{self, DecisionRec, Event as JEvent, Outcome, Resolution, Unfinished};
use crate::qform::layout::StyledLine;
use crate::qform::review::{self, Review};
pub use config::Config;
use keys::Action;

/// App-level attempts for a decision whose call failed in a retryable way (the SDK does not
/// retry decision calls: Accept and Reject are not idempotent, see `runtime::send_decision`).
pub const SEND_ATTEMPTS: u32 = 3;
/// `1 decision`, `2 decisions`: a count with its noun (regular plurals only).
pub fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// The smallest terminal the dashboard works in; below it the screen says so and only quit and
/// suspend keys act.
pub const MIN_WIDTH: u16 = 40;
pub const MIN_HEIGHT: u16 = 10;

/// The message `R` shows while it lists again.
const RELISTING: &str = "listing pending requests again…";

/// How long transient messages stay.
pub const FLASH_MS: u64 = 4000;
const DETAIL_STEP: u16 = 3;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Accept { value: i32 },
    Reject { reason: String },
}

impl Decision {
    pub fn verb(&self) -> &'static str {
        match self {
            Decision::Accept { .. } => "accept",
            Decision::Reject { .. } => "reject",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum RowState {
    Pending,
    /// In the outbox: sent at `due_ms` unless undone. `attempt` counts earlier failed sends.
    Queued {
        decision: Decision,
        due_ms: u64,
        attempt: u32,
    },
    Sending {
        decision: Decision,
        attempt: u32,
    },
    Done {
        decision: Decision,
    },
    /// The service says the request is no longer pending (decided elsewhere or before).
    AlreadyProcessed {
        decision: Option<Decision>,
        message: String,
    },
    /// Not applied; `t` sends it again, `a`/`r` decide anew.
    Failed {
        decision: Decision,
        error: ApiError,
    },
    /// The call may or may not have been applied (or the decision comes from an earlier run);
    /// a re-list settles it: still pending → sent again when `resend`, else failed; gone →
    /// settled. Locked until then. A complete listing that does not show it settles it as gone;
    /// one that shows it proves "not applied" only from generation `checked_from` on: a listing
    /// started before the outcome came back may have read the request before the call applied.
    Unknown {
        decision: Decision,
        error: ApiError,
        resend: bool,
        checked_from: u64,
    },
}

impl RowState {
    pub fn decision(&self) -> Option<&Decision> {
        match self {
            RowState::Pending => None,
            RowState::Queued { decision, .. }
            | RowState::Sending { decision, .. }
            | RowState::Done { decision }
            | RowState::Failed { decision, .. }
            | RowState::Unknown { decision, .. } => Some(decision),
            RowState::AlreadyProcessed { decision, .. } => decision.as_ref(),
        }
    }

    /// A new decision may be made on this row.
    pub fn decidable(&self) -> bool {
        matches!(self, RowState::Pending | RowState::Failed { .. })
    }

    pub fn active(&self) -> bool {
        matches!(self, RowState::Queued { .. } | RowState::Sending { .. })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub req: PendingRequest,
    pub state: RowState,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Listing {
    Idle,
    Loading {
        generation: u64,
        pages: usize,
        total: usize,
    },
    Done {
        pages: usize,
        total: usize,
        stop: Stop,
    },
    Failed {
        error: ApiError,
        pages: usize,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    List,
    Detail,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Info,
    Warn,
    Error,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Flash {
    pub level: Level,
    pub text: String,
    pub until_ms: u64,
}

#[derive(Debug, Clone)]
pub enum Mode {
    Normal,
    Help,
    /// `A`: asking for the IntegerValue.
    ValuePrompt {
        request_id: String,
        input: Input,
        error: Option<String>,
    },
    /// `r`: asking for the Reason. `template` is the template last inserted with Tab.
    ReasonPrompt {
        request_id: String,
        input: Input,
        template: Option<usize>,
        error: Option<String>,
    },
    /// Quit asked while decisions wait or fly.
    ConfirmQuit,
    /// Unfinished decisions from an earlier run: resume or drop.
    Recover,
}

/// What the dashboard knows of a qualification type.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TypeInfo {
    pub id: String,
    pub name: String,
    /// `RetryDelayInSeconds`; `None` means a rejected worker can never request again.
    pub retry_delay_secs: Option<i64>,
    /// The type's AnswerKey XML, when it has one (used to grade in the review).
    pub answer_key: Option<String>,
}

/// Which environment the dashboard shows (always visible in the header).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvInfo {
    /// `SANDBOX`, `PRODUCTION`, `DEMO` or the custom endpoint URL.
    pub label: String,
    pub production: bool,
    pub endpoint: String,
}

/// Work for the runtime.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// List all pending requests; results come back tagged with `generation`.
    Fetch {
        generation: u64,
        type_id: Option<String>,
    },
    /// Stop the listing in progress.
    CancelFetch,
    /// Send one decision (always preceded by its `Journal` entry).
    Send {
        request_id: String,
        decision: Decision,
    },
    /// Append to the decision journal (fsync'd) before anything that follows.
    Journal {
        request_id: String,
        worker_id: String,
        type_id: String,
        event: journal::Event,
    },
    /// Fetch the names of the owned qualification types.
    LoadTypes,
    Suspend,
    Quit,
}

#[derive(Debug, Clone)]
pub enum Msg {
    Key(KeyEvent),
    /// Text pasted into the terminal (bracketed paste): inserted literally into an open text
    /// box, never read as keys.
    Paste(String),
    /// The timer; time is passed to `update` anyway.
    Tick,
    Resize {
        width: u16,
        height: u16,
    },
    Page {
        generation: u64,
        page: Page,
    },
    FetchDone {
        generation: u64,
        summary: Summary,
    },
    FetchFailed {
        generation: u64,
        failed: Failed,
    },
    Sent {
        request_id: String,
        result: Result<(), ApiError>,
    },
    /// The caller's qualification types (names, retry delay, answer key).
    Types(Vec<TypeInfo>),
    /// A problem found at start-up (credentials, config) shown in the dashboard.
    Notice {
        level: Level,
        text: String,
    },
    /// Unfinished decisions of an earlier run found in the journal.
    Recovered(Vec<Unfinished>),
}

pub struct App {
    pub env: EnvInfo,
    pub type_filter: Option<String>,
    pub config: Config,
    pub rows: Vec<Row>,
    index: HashMap<String, usize>,
    pub selected: usize,
    pub list_offset: usize,
    pub focus: Focus,
    pub detail_scroll: u16,
    /// The detail shows the raw Test and Answer XML instead of the review (`x`).
    pub show_raw: bool,
    pub mode: Mode,
    pub listing: Listing,
    generation: u64,
    seen_this_listing: HashSet<String>,
    pub flash: Option<Flash>,
    pub types: HashMap<String, TypeInfo>,
    /// Ids in the order their decisions were queued (for undo).
    undo_order: Vec<String>,
    interner: Interner,
    pub now_ms: u64,
    pub viewport: (u16, u16),
    /// After "send now and quit": quit as soon as nothing waits or flies.
    pub quit_when_idle: bool,
    pub quitting: bool,
    /// Reviews built for selected rows, keyed by the content of Test + Answer.
    review_cache: HashMap<u64, Arc<Review>>,
    /// The review of the selected row: (request id, content key, review).
    current_review: Option<(String, u64, Arc<Review>)>,
    /// That review laid out: (content key, width, lines).
    detail_layout: Option<(u64, u16, Arc<Vec<StyledLine>>)>,
    /// Effects produced inside helpers (journal entries), emitted by `update` in order.
    pending_fx: Vec<Effect>,
    /// Rate limit: no send starts before this time.
    next_send_ms: u64,
    /// Decisions from an earlier run waiting for the user's choice (resume or drop).
    pub recovered: Vec<Unfinished>,
}

/// Reviews kept in the cache at most (each is small; the cache is cleared when full).
const REVIEW_CACHE_MAX: usize = 512;

impl App {
    pub fn new(env: EnvInfo, type_filter: Option<String>, config: Config) -> App {
        App {
            env,
            type_filter,
            config,
            rows: Vec::new(),
            index: HashMap::new(),
            selected: 0,
            list_offset: 0,
            focus: Focus::List,
            detail_scroll: 0,
            show_raw: false,
            mode: Mode::Normal,
            listing: Listing::Idle,
            generation: 0,
            seen_this_listing: HashSet::new(),
            flash: None,
            types: HashMap::new(),
            undo_order: Vec::new(),
            interner: Interner::default(),
            now_ms: 0,
            viewport: (80, 24),
            quit_when_idle: false,
            quitting: false,
            review_cache: HashMap::new(),
            current_review: None,
            detail_layout: None,
            pending_fx: Vec::new(),
            next_send_ms: 0,
            recovered: Vec::new(),
        }
    }

    pub fn type_name(&self, id: &str) -> Option<&str> {
        self.types
            .get(id)
            .map(|t| t.name.as_str())
            .filter(|n| !n.is_empty())
    }

    /// The review of the selected request (built when it was selected, cached by content).
    pub fn review(&self) -> Option<&Review> {
        let row = self.selected_row()?;
        match &self.current_review {
            Some((id, _, r)) if *id == row.req.id => Some(r),
            _ => None,
        }
    }

    /// Build (or take from the cache) the selected row's review.
    fn refresh_review(&mut self) {
        let Some(row) = self.rows.get(self.selected) else {
            self.current_review = None;
            return;
        };
        let answer_key = self
            .types
            .get(&row.req.type_id)
            .and_then(|t| t.answer_key.as_deref());
        let mut h = std::collections::hash_map::DefaultHasher::new();
        row.req.test.hash(&mut h);
        row.req.answer.hash(&mut h);
        answer_key.hash(&mut h);
        let key = h.finish();
        if let Some((id, k, _)) = &self.current_review
            && *id == row.req.id
            && *k == key
        {
            self.refresh_layout(key);
            return;
        }
        let review = match self.review_cache.get(&key) {
            Some(r) => r.clone(),
            None => {
                let r = Arc::new(review::build_from_xml(
                    Some(&row.req.test),
                    Some(&row.req.answer),
                    answer_key,
                ));
                if self.review_cache.len() >= REVIEW_CACHE_MAX {
                    self.review_cache.clear();
                }
                self.review_cache.insert(key, r.clone());
                r
            }
        };
        self.current_review = Some((row.req.id.clone(), key, review));
        self.refresh_layout(key);
    }

    /// Lay the current review out for the detail pane's width, once per (review, width).
    fn refresh_layout(&mut self, key: u64) {
        let width = crate::ui::detail_text_width(self.viewport.0, self.viewport.1);
        if matches!(&self.detail_layout, Some((k, w, _)) if *k == key && *w == width) {
            return;
        }
        self.detail_layout = self
            .current_review
            .as_ref()
            .map(|(_, _, r)| (key, width, Arc::new(crate::qform::layout::layout(r, width))));
    }

    /// The selected review laid out for `width` columns, when already prepared for that width.
    pub fn detail_layout(&self, width: u16) -> Option<&[StyledLine]> {
        let (_, key, _) = self.current_review.as_ref()?;
        match &self.detail_layout {
            Some((k, w, lines)) if k == key && *w == width => Some(lines.as_slice()),
            _ => None,
        }
    }

    /// The effects to run at start: list, and load type names.
    pub fn start(&mut self, now_ms: u64) -> Vec<Effect> {
        self.now_ms = now_ms;
        let mut fx = self.begin_listing();
        fx.push(Effect::LoadTypes);
        fx
    }

    pub fn selected_row(&self) -> Option<&Row> {
        self.rows.get(self.selected)
    }

    pub fn row(&self, id: &str) -> Option<&Row> {
        self.index.get(id).and_then(|&i| self.rows.get(i))
    }

    /// Distinct Test documents held (each stored once).
    pub fn distinct_tests(&self) -> usize {
        self.interner.len()
    }

    pub fn counts(&self) -> Counts {
        let mut c = Counts {
            loaded: self.rows.len(),
            ..Counts::default()
        };
        for r in &self.rows {
            match r.state {
                RowState::Pending => c.pending += 1,
                RowState::Queued { .. } => c.waiting += 1,
                RowState::Sending { .. } => c.in_flight += 1,
                RowState::Done { .. } | RowState::AlreadyProcessed { .. } => c.decided += 1,
                RowState::Failed { .. } => c.failed += 1,
                RowState::Unknown { .. } => c.unconfirmed += 1,
            }
        }
        c
    }

    /// Rows of the list pane (kept in step with the UI layout).
    pub fn list_height(&self) -> usize {
        crate::ui::list_rows(self.viewport.0, self.viewport.1)
    }

    /// The reducer.
    pub fn update(&mut self, now_ms: u64, msg: Msg) -> Vec<Effect> {
        self.now_ms = now_ms;
        let mut fx = match msg {
            Msg::Key(k) => self.on_key(k),
            Msg::Paste(text) => {
                self.on_paste(&text);
                Vec::new()
            }
            Msg::Tick => Vec::new(),
            Msg::Resize { width, height } => {
                self.viewport = (width, height);
                self.keep_selection_visible();
                Vec::new()
            }
            Msg::Page { generation, page } => {
                self.on_page(generation, page);
                Vec::new()
            }
            Msg::FetchDone {
                generation,
                summary,
            } => self.on_fetch_done(generation, summary),
            Msg::FetchFailed { generation, failed } => {
                if generation == self.generation {
                    self.set_flash(Level::Error, format!("listing failed: {}", failed.error));
                    self.listing = Listing::Failed {
                        error: failed.error,
                        pages: failed.pages,
                    };
                }
                Vec::new()
            }
            Msg::Sent { request_id, result } => self.on_sent(&request_id, result),
            Msg::Types(types) => {
                for t in types {
                    self.types.insert(t.id.clone(), t);
                }
                // An AnswerKey may have arrived: grade again.
                self.review_cache.clear();
                self.current_review = None;
                Vec::new()
            }
            Msg::Recovered(list) => {
                self.on_recovered(list);
                Vec::new()
            }
            Msg::Notice { level, text } => {
                // Errors stay until something replaces them; the rest for a while.
                let until_ms = if level == Level::Error {
                    u64::MAX
                } else {
                    now_ms + 3 * FLASH_MS
                };
                self.flash = Some(Flash {
                    level,
                    text,
                    until_ms,
                });
                Vec::new()
            }
        };
        if let Some(f) = &self.flash
            && f.until_ms <= now_ms
        {
            self.flash = None;
        }
        let mut out = std::mem::take(&mut self.pending_fx);
        out.append(&mut fx);
        let mut fx = out;
        fx.extend(self.pump_outbox());
        self.refresh_review();
        if self.quit_when_idle && !self.rows.iter().any(|r| r.state.active()) && !self.quitting {
            self.quitting = true;
            fx.push(Effect::Quit);
        }
        fx
    }

    /// Whether a timer tick can change what is shown (countdowns, spinner, flash expiry).
    pub fn wants_ticks(&self) -> bool {
        self.flash.as_ref().is_some_and(|f| f.until_ms != u64::MAX)
            || matches!(self.listing, Listing::Loading { .. })
            || self.rows.iter().any(|r| r.state.active())
    }

    fn set_flash(&mut self, level: Level, text: impl Into<String>) {
        self.flash = Some(Flash {
            level,
            text: text.into(),
            until_ms: self.now_ms + FLASH_MS,
        });
    }

    // ---- listing ---------------------------------------------------------------------------

    fn begin_listing(&mut self) -> Vec<Effect> {
        self.generation += 1;
        self.seen_this_listing.clear();
        self.listing = Listing::Loading {
            generation: self.generation,
            pages: 0,
            total: 0,
        };
        vec![Effect::Fetch {
            generation: self.generation,
            type_id: self.type_filter.clone(),
        }]
    }

    fn on_page(&mut self, generation: u64, page: Page) {
        if generation != self.generation {
            return;
        }
        let selected_id = self.selected_row().map(|r| r.req.id.clone());
        let mut fresh: Vec<PendingRequest> = Vec::new();
        let mut fresh_ids: HashSet<String> = HashSet::new();
        let mut resort = false;
        for mut req in page.requests {
            req.test = self.interner.intern(&req.test);
            self.seen_this_listing.insert(req.id.clone());
            if let Some(&i) = self.index.get(&req.id) {
                // Known row: refresh the data, keep the decision state.
                if let Some(row) = self.rows.get_mut(i) {
                    resort |= sort_key(&row.req) != sort_key(&req);
                    row.req = req;
                }
                continue;
            }
            if fresh_ids.insert(req.id.clone()) {
                fresh.push(req);
            }
        }
        // Rows stay ordered by submit time (then id). Pages usually arrive in that order, so new
        // rows are appended; anything else is merged by one stable sort and a new index.
        fresh.sort_by(|a, b| sort_key(a).cmp(&sort_key(b)));
        let in_order = match (self.rows.last(), fresh.first()) {
            (Some(last), Some(first)) => sort_key(&last.req) <= sort_key(first),
            _ => true,
        };
        for req in fresh {
            self.index.insert(req.id.clone(), self.rows.len());
            self.rows.push(Row {
                req,
                state: RowState::Pending,
            });
        }
        if resort || !in_order {
            self.rows
                .sort_by(|a, b| sort_key(&a.req).cmp(&sort_key(&b.req)));
            self.rebuild_index();
        }
        if let Some(id) = selected_id
            && let Some(&i) = self.index.get(&id)
        {
            self.selected = i;
        }
        self.listing = Listing::Loading {
            generation,
            pages: page.number,
            total: page.total,
        };
        self.keep_selection_visible();
    }

    fn on_fetch_done(&mut self, generation: u64, summary: Summary) -> Vec<Effect> {
        if generation != self.generation {
            return Vec::new();
        }
        let mut settled = 0usize;
        let mut resumed = 0usize;
        let mut applied = 0usize;
        let mut vanished = 0usize;
        if summary.stop == Stop::Complete {
            let selected_id = self.selected_row().map(|r| r.req.id.clone());
            let seen = std::mem::take(&mut self.seen_this_listing);
            let before = self.rows.len();
            let mut kept = Vec::with_capacity(before);
            let awaiting: HashSet<String> = self
                .recovered
                .iter()
                .map(|u| u.request_id.clone())
                .collect();
            for mut row in std::mem::take(&mut self.rows) {
                let listed = seen.contains(&row.req.id);
                if awaiting.contains(&row.req.id) {
                    // The user has not said yet whether to resume it.
                    kept.push(row);
                    continue;
                }
                let covered = self
                    .type_filter
                    .as_ref()
                    .is_none_or(|t| *t == row.req.type_id);
                match &row.state {
                    // Decided elsewhere: it leaves the list.
                    RowState::Pending | RowState::AlreadyProcessed { .. } if !listed => continue,
                    // This listing cannot tell: it does not cover the request's type, or it
                    // shows the request but began before the outcome came back.
                    RowState::Unknown { checked_from, .. }
                        if !covered || (listed && generation < *checked_from) => {}
                    RowState::Unknown {
                        decision,
                        error,
                        resend,
                        ..
                    } => {
                        settled += 1;
                        let decision = decision.clone();
                        let (event, state) = if listed && *resend {
                            resumed += 1;
                            (
                                JEvent::Resolved {
                                    resolution: Resolution::Resumed,
                                },
                                RowState::Queued {
                                    decision: decision.clone(),
                                    due_ms: self.now_ms,
                                    attempt: 0,
                                },
                            )
                        } else if listed {
                            (
                                JEvent::Outcome {
                                    outcome: Outcome::Failed,
                                    error: Some(
                                        "still pending after an unanswered call: not applied"
                                            .into(),
                                    ),
                                },
                                RowState::Failed {
                                    decision: decision.clone(),
                                    error: ApiError {
                                        message: format!(
                                            "not applied (still pending): {}",
                                            error.message
                                        ),
                                        ..error.clone()
                                    },
                                },
                            )
                        } else {
                            applied += 1;
                            (
                                JEvent::Resolved { resolution: Resolution::Settled },
                                RowState::AlreadyProcessed {
                                    decision: Some(decision.clone()),
                                    message: "no longer pending: the call went through, or it was decided elsewhere"
                                        .into()
                                }
                            )
                        };
                        self.pending_fx.push(journal_effect(&row.req, event));
                        if let RowState::Queued { decision, .. } = &state {
                            self.pending_fx.push(journal_effect(
                                &row.req,
                                JEvent::Queued {
                                    decision: DecisionRec::from(decision),
                                },
                            ));
                        }
                        row.state = state;
                    }
                    _ => {}
                }
                kept.push(row);
            }
            vanished = before - kept.len();
            self.rows = kept;
            self.rebuild_index();
            self.selected = match selected_id.and_then(|id| self.index.get(&id).copied()) {
                Some(i) => i,
                None => self.selected.min(self.rows.len().saturating_sub(1)),
            };
            self.keep_selection_visible();
        }
        self.listing = Listing::Done {
            pages: summary.pages,
            total: summary.total,
            stop: summary.stop,
        };
        match summary.stop {
            Stop::RepeatedToken => self.set_flash(
                Level::Warn,
                "the server repeated a page token; the listing may be incomplete",
            ),
            Stop::EmptyPage if summary.pages > 1 => self.set_flash(
                Level::Warn,
                "an empty page came before the end; the listing may be incomplete",
            ),
            _ if settled > 0 => {
                let not_applied = settled - resumed - applied;
                let mut text = format!("checked {}: ", plural(settled, "unconfirmed decision"));
                text.push_str(&format!(
                    "{resumed} still pending (sent now), {applied} no longer pending (applied or decided elsewhere), {not_applied} not applied"
                ));
                if not_applied > 0 {
                    text.push_str(" (t resends)");
                }
                if vanished > 0 {
                    text.push_str(&format!(
                        "; {} decided elsewhere left the list",
                        plural(vanished, "request")
                    ));
                }
                self.set_flash(Level::Info, text)
            }
            _ if vanished > 0 => self.set_flash(
                Level::Info,
                format!(
                    "{} decided elsewhere left the list",
                    plural(vanished, "request")
                ),
            ),
            // `R` said "listing again…": say how it ended.
            _ if self.flash.as_ref().is_some_and(|f| f.text == RELISTING) => self.set_flash(
                Level::Info,
                format!("listed again: {}", plural(summary.total, "pending request")),
            ),
            _ => {}
        }
        // An unknown outcome that came back while this listing ran needs one that starts now.
        let unsettled = self.rows.iter().any(|r| {
            matches!(r.state, RowState::Unknown { checked_from, .. } if checked_from > generation)
        });
        if summary.stop == Stop::Complete && unsettled {
            return self.begin_listing();
        }
        Vec::new()
    }

    fn rebuild_index(&mut self) {
        self.index = self
            .rows
            .iter()
            .enumerate()
            .map(|(i, r)| (r.req.id.clone(), i))
            .collect();
    }

    // ---- keys ------------------------------------------------------------------------------

    fn on_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        if key.kind != KeyEventKind::Press {
            return Vec::new();
        }
        // Nothing is decided on a screen too small to show it: only quit and suspend work.
        if self.viewport.0 < MIN_WIDTH || self.viewport.1 < MIN_HEIGHT {
            let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
            return match (&self.mode, key.code) {
                (_, KeyCode::Char('z')) if ctrl => vec![Effect::Suspend],
                // The quit question, asked on the small screen: y (or Ctrl-c) quits, Esc stays.
                (Mode::ConfirmQuit, KeyCode::Char('y' | 'Y' | 'c') | KeyCode::Esc) => {
                    self.on_confirm_quit_key(key)
                }
                (Mode::ConfirmQuit, _) => Vec::new(),
                (_, KeyCode::Char('q')) => self.ask_quit(),
                (_, KeyCode::Char('c')) if ctrl => self.ask_quit(),
                _ => Vec::new(),
            };
        }
        match &self.mode {
            Mode::Normal => {}
            Mode::Help => {
                if matches!(key.code, KeyCode::Char('c'))
                    && key.modifiers.contains(KeyModifiers::CONTROL)
                {
                    return self.ask_quit();
                }
                self.mode = Mode::Normal;
                return Vec::new();
            }
            Mode::ConfirmQuit => return self.on_confirm_quit_key(key),
            Mode::Recover => return self.on_recover_key(key),
            Mode::ValuePrompt { .. } | Mode::ReasonPrompt { .. } => return self.on_prompt_key(key),
        }
        let Some(action) = keys::action_for(&key) else {
            return Vec::new();
        };
        self.on_action(action)
    }

    fn on_action(&mut self, action: Action) -> Vec<Effect> {
        match action {
            Action::Down if self.focus == Focus::Detail => self.scroll_detail(1),
            Action::Up if self.focus == Focus::Detail => self.scroll_detail(-1),
            Action::Down => self.select(self.selected.saturating_add(1)),
            Action::Up => self.select(self.selected.saturating_sub(1)),
            Action::Top => self.select(0),
            Action::NextUndecided => {
                let before = self.selected;
                self.advance_from(self.selected);
                if self.selected == before
                    && !self
                        .selected_row()
                        .is_some_and(|r| r.state == RowState::Pending)
                {
                    self.set_flash(Level::Info, "no undecided request left");
                }
            }
            Action::Bottom => self.select(self.rows.len().saturating_sub(1)),
            Action::PageDown if self.focus == Focus::Detail => {
                self.scroll_detail(self.list_height().max(1) as i32)
            }
            Action::PageUp if self.focus == Focus::Detail => {
                self.scroll_detail(-(self.list_height().max(1) as i32))
            }
            Action::PageDown => {
                self.select(self.selected.saturating_add(self.list_height().max(1)))
            }
            Action::PageUp => self.select(self.selected.saturating_sub(self.list_height().max(1))),
            Action::SwitchFocus => {
                self.focus = match self.focus {
                    Focus::List => Focus::Detail,
                    Focus::Detail => Focus::List,
                }
            }
            Action::ToggleRaw => {
                self.show_raw = !self.show_raw;
                self.detail_scroll = 0;
            }
            Action::ScrollDown => self.scroll_detail(DETAIL_STEP as i32),
            Action::ScrollUp => self.scroll_detail(-(DETAIL_STEP as i32)),
            Action::Accept => {
                if let Some(id) = self.decidable_selected() {
                    self.queue(
                        &id,
                        Decision::Accept {
                            value: self.config.default_value,
                        },
                    );
                }
            }
            Action::AcceptWithValue => {
                if let Some(id) = self.decidable_selected() {
                    // Empty: what is typed is the value; Enter alone grants the default.
                    let input = Input::default();
                    self.mode = Mode::ValuePrompt {
                        request_id: id,
                        input,
                        error: None,
                    };
                }
            }
            Action::Reject => {
                if let Some(id) = self.decidable_selected() {
                    self.mode = Mode::ReasonPrompt {
                        request_id: id,
                        input: Input::default(),
                        template: None,
                        error: None,
                    };
                }
            }
            Action::Undo => self.undo(),
            Action::Retry => self.retry_selected(),
            Action::RetryAll => self.retry_all(),
            Action::Refresh => {
                let mut fx = Vec::new();
                if matches!(self.listing, Listing::Loading { .. }) {
                    fx.push(Effect::CancelFetch);
                }
                fx.extend(self.begin_listing());
                if self.types.is_empty() {
                    fx.push(Effect::LoadTypes);
                }
                self.set_flash(Level::Info, RELISTING);
                return fx;
            }
            Action::Help => self.mode = Mode::Help,
            Action::Quit | Action::ForceQuit => return self.ask_quit(),
            Action::Suspend => return vec![Effect::Suspend],
        }
        Vec::new()
    }

    fn select(&mut self, i: usize) {
        let last = self.rows.len().saturating_sub(1);
        let new = i.min(last);
        if new != self.selected {
            self.detail_scroll = 0;
        }
        self.selected = new;
        self.keep_selection_visible();
    }

    fn keep_selection_visible(&mut self) {
        let h = self.list_height().max(1);
        if self.selected < self.list_offset {
            self.list_offset = self.selected;
        } else if self.selected >= self.list_offset + h {
            self.list_offset = self.selected + 1 - h;
        }
        let max_offset = self.rows.len().saturating_sub(h);
        self.list_offset = self.list_offset.min(max_offset);
    }

    fn scroll_detail(&mut self, delta: i32) {
        let v = i64::from(self.detail_scroll) + i64::from(delta);
        self.detail_scroll = v.clamp(0, i64::from(u16::MAX)) as u16;
    }

    /// The selected request's id if a decision can be made on it; otherwise say why not.
    fn decidable_selected(&mut self) -> Option<String> {
        let Some(row) = self.selected_row() else {
            self.set_flash(Level::Info, "nothing to decide: no request selected");
            return None;
        };
        if row.state.decidable() {
            return Some(row.req.id.clone());
        }
        let why = match &row.state {
            RowState::Queued { decision, .. } => {
                format!("already queued to {} (u undoes)", decision.verb())
            }
            RowState::Sending { decision, .. } => format!("{} is being sent", decision.verb()),
            RowState::Done { decision } => format!("already {}ed", decision.verb()),
            RowState::AlreadyProcessed { .. } => "already processed".into(),
            RowState::Unknown { .. } => {
                "outcome unknown: waiting for the re-list to settle it".into()
            }
            RowState::Pending | RowState::Failed { .. } => String::new(),
        };
        self.set_flash(Level::Warn, why);
        None
    }

    // ---- prompts ---------------------------------------------------------------------------

    fn on_prompt_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Esc => {
                self.mode = Mode::Normal;
                self.set_flash(Level::Info, "cancelled");
                return Vec::new();
            }
            KeyCode::Char('c') if ctrl => {
                self.mode = Mode::Normal;
                self.set_flash(Level::Info, "cancelled (Ctrl-c again quits)");
                return Vec::new();
            }
            // Suspend from a text box too; what was typed is still there on `fg`.
            KeyCode::Char('z') if ctrl => return vec![Effect::Suspend],
            KeyCode::Enter => {
                self.submit_prompt();
                return Vec::new();
            }
            KeyCode::Tab | KeyCode::BackTab => {
                if let Mode::ReasonPrompt {
                    input, template, ..
                } = &mut self.mode
                {
                    let n = self.config.reason_templates.len();
                    // Tab fills an empty box, or swaps one template for the next; it never
                    // replaces text the user typed.
                    let is_template = template
                        .and_then(|t| self.config.reason_templates.get(t))
                        .is_some_and(|t| t == input.value());
                    if !input.value().is_empty() && !is_template {
                        if let Mode::ReasonPrompt { error, .. } = &mut self.mode {
                            *error =
                                Some("Tab fills an empty box; clear it first with Ctrl-u".into());
                        }
                        return Vec::new();
                    }
                    if n > 0 {
                        let next = match (*template, key.code) {
                            (None, KeyCode::BackTab) => n - 1,
                            (None, _) => 0,
                            (Some(t), KeyCode::BackTab) => (t + n - 1) % n,
                            (Some(t), _) => (t + 1) % n,
                        };
                        *template = Some(next);
                        if let Some(text) = self.config.reason_templates.get(next) {
                            *input = Input::new(text.clone());
                        }
                        if let Mode::ReasonPrompt { error, .. } = &mut self.mode {
                            *error = None;
                        }
                    }
                }
                return Vec::new();
            }
            _ => {}
        }
        let req = match key.code {
            KeyCode::Char('u') if ctrl => Some(InputRequest::DeleteLine),
            KeyCode::Char('w') if ctrl => Some(InputRequest::DeletePrevWord),
            KeyCode::Char('a') if ctrl => Some(InputRequest::GoToStart),
            KeyCode::Char('e') if ctrl => Some(InputRequest::GoToEnd),
            KeyCode::Char(c) if !ctrl => Some(InputRequest::InsertChar(c)),
            KeyCode::Backspace => Some(InputRequest::DeletePrevChar),
            KeyCode::Delete => Some(InputRequest::DeleteNextChar),
            KeyCode::Left => Some(InputRequest::GoToPrevChar),
            KeyCode::Right => Some(InputRequest::GoToNextChar),
            KeyCode::Home => Some(InputRequest::GoToStart),
            KeyCode::End => Some(InputRequest::GoToEnd),
            _ => None,
        };
        if let Some(req) = req {
            match &mut self.mode {
                Mode::ValuePrompt { input, error, .. } => {
                    // Kept as typed (Enter checks it): dropping a stray character would turn
                    // `1e3` into 13.
                    if let InputRequest::InsertChar(c) = req
                        && c.is_control()
                    {
                        return Vec::new();
                    }
                    if input.value().chars().count() >= MAX_VALUE_CHARS
                        && matches!(req, InputRequest::InsertChar(_))
                    {
                        *error = Some("an IntegerValue has at most 11 characters".into());
                        return Vec::new();
                    }
                    input.handle(req);
                    *error = None;
                }
                Mode::ReasonPrompt { input, error, .. } => {
                    if let InputRequest::InsertChar(c) = req
                        && c.is_control()
                    {
                        return Vec::new();
                    }
                    if input.value().chars().count() >= MAX_REASON_CHARS
                        && matches!(req, InputRequest::InsertChar(_))
                    {
                        *error = Some(format!("at most {MAX_REASON_CHARS} characters"));
                        return Vec::new();
                    }
                    input.handle(req);
                    *error = None;
                }
                _ => {}
            }
        }
        Vec::new()
    }

    /// A paste: into the open text box as literal text (line breaks and tabs become spaces; a
    /// Reason is cut at its limit, saying so); anywhere else it is ignored, never read as keys.
    fn on_paste(&mut self, text: &str) {
        // A run of line breaks (CRLF, or LF sent as CR by some terminals) is one space.
        let mut flat = String::with_capacity(text.len());
        let mut in_break = false;
        for c in text.trim_end_matches(['\r', '\n']).chars() {
            match c {
                '\r' | '\n' if in_break => {}
                '\r' | '\n' => {
                    flat.push(' ');
                    in_break = true;
                }
                '\t' => {
                    flat.push(' ');
                    in_break = false;
                }
                c if c.is_control() => {}
                c => {
                    flat.push(c);
                    in_break = false;
                }
            }
        }
        let (input, error, limit, what) = match &mut self.mode {
            Mode::ValuePrompt { input, error, .. } => {
                (input, error, MAX_VALUE_CHARS, "an IntegerValue")
            }
            Mode::ReasonPrompt { input, error, .. } => (input, error, MAX_REASON_CHARS, "a Reason"),
            _ => {
                self.set_flash(
                    Level::Warn,
                    "paste ignored: it goes into a text box (r for a Reason, A for a value)",
                );
                return;
            }
        };
        let room = limit.saturating_sub(input.value().chars().count());
        let pasted = flat.chars().count();
        for c in flat.chars().take(room) {
            input.handle(InputRequest::InsertChar(c));
        }
        *error = (pasted > room).then(|| {
            format!(
                "pasted text cut: {what} holds at most {limit} characters ({} left out)",
                pasted - room
            )
        });
    }

    fn submit_prompt(&mut self) {
        match std::mem::replace(&mut self.mode, Mode::Normal) {
            Mode::ValuePrompt {
                request_id, input, ..
            } => match if input.value().trim().is_empty() {
                Ok(self.config.default_value)
            } else {
                input.value().trim().parse::<i32>()
            } {
                Ok(value) => self.queue(&request_id, Decision::Accept { value }),
                Err(e)
                    if matches!(
                        e.kind(),
                        std::num::IntErrorKind::PosOverflow | std::num::IntErrorKind::NegOverflow
                    ) =>
                {
                    self.mode = Mode::ValuePrompt {
                        request_id,
                        error: Some(format!(
                            "out of range: an IntegerValue is between {} and {}",
                            i32::MIN,
                            i32::MAX
                        )),
                        input,
                    };
                }
                Err(_) => {
                    let shown = crate::qform::sanitize::sanitize(input.value().trim());
                    self.mode = Mode::ValuePrompt {
                        request_id,
                        error: Some(format!(
                            "{shown:?} is not a whole number: type digits 0-9 (a leading - for negative)"
                        )),
                        input,
                    };
                }
            },
            Mode::ReasonPrompt {
                request_id,
                input,
                template,
                ..
            } => {
                let reason = input.value().trim().to_owned();
                if reason.is_empty() {
                    self.mode = Mode::ReasonPrompt {
                        request_id,
                        input,
                        template,
                        error: Some("type a reason (Tab inserts a template)".into()),
                    };
                } else {
                    self.queue(&request_id, Decision::Reject { reason });
                }
            }
            other => self.mode = other,
        }
    }

    // ---- outbox ----------------------------------------------------------------------------

    fn queue(&mut self, id: &str, decision: Decision) {
        let Some(&i) = self.index.get(id) else { return };
        let Some(row) = self.rows.get_mut(i) else {
            return;
        };
        if !row.state.decidable() {
            return;
        }
        let what = match &decision {
            Decision::Accept { value } => format!("accept (value {value})"),
            Decision::Reject { .. } => "reject".to_owned(),
        };
        let due_ms = self.now_ms + self.config.undo_secs * 1000;
        let event = JEvent::Queued {
            decision: DecisionRec::from(&decision),
        };
        row.state = RowState::Queued {
            decision,
            due_ms,
            attempt: 0,
        };
        let fx = journal_effect(&row.req, event);
        self.pending_fx.push(fx);
        self.undo_order.retain(|x| x != id);
        self.undo_order.push(id.to_owned());
        if self.config.undo_secs > 0 {
            self.set_flash(
                Level::Info,
                format!(
                    "{what} queued — u to undo within {}s",
                    self.config.undo_secs
                ),
            );
        }
        self.advance_from(i);
    }

    /// Move the cursor to the next undecided request after `i` (wrapping), if any.
    fn advance_from(&mut self, i: usize) {
        let n = self.rows.len();
        let next = (1..n)
            .map(|d| (i + d) % n)
            .find(|&j| self.rows[j].state == RowState::Pending);
        if let Some(j) = next {
            self.select(j);
        }
    }

    fn undo(&mut self) {
        // The selected row first, else the most recent decision still waiting.
        let selected_queued = self
            .selected_row()
            .filter(|r| matches!(r.state, RowState::Queued { attempt: 0, .. }))
            .map(|r| r.req.id.clone());
        let target = selected_queued.or_else(|| {
            self.undo_order
                .iter()
                .rev()
                .find(|id| {
                    matches!(
                        self.row(id).map(|r| &r.state),
                        Some(RowState::Queued { attempt: 0, .. })
                    )
                })
                .cloned()
        });
        let Some(id) = target else {
            self.set_flash(
                Level::Warn,
                "nothing to undo: no decision is waiting (sent ones cannot be undone)",
            );
            return;
        };
        if let Some(&i) = self.index.get(&id) {
            if let Some(row) = self.rows.get_mut(i) {
                let verb = row
                    .state
                    .decision()
                    .map(Decision::verb)
                    .unwrap_or("decision");
                row.state = RowState::Pending;
                let fx = journal_effect(&row.req, JEvent::Undone);
                self.pending_fx.push(fx);
                self.set_flash(Level::Info, format!("{verb} undone"));
            }
            self.undo_order.retain(|x| *x != id);
            self.select(i);
        }
    }

    fn retry_selected(&mut self) {
        let now = self.now_ms;
        let Some(row) = self.rows.get_mut(self.selected) else {
            self.set_flash(Level::Info, "nothing to retry: no request is selected");
            return;
        };
        match &row.state {
            RowState::Failed { decision, .. } => {
                let fx = journal_effect(
                    &row.req,
                    JEvent::Queued {
                        decision: DecisionRec::from(decision),
                    },
                );
                row.state = RowState::Queued {
                    decision: decision.clone(),
                    due_ms: now,
                    attempt: 0,
                };
                self.pending_fx.push(fx);
                self.set_flash(Level::Info, "sending again");
            }
            _ => self.set_flash(
                Level::Info,
                "t retries a failed decision; this one has not failed",
            ),
        }
    }

    fn retry_all(&mut self) {
        let now = self.now_ms;
        let mut n = 0usize;
        for row in &mut self.rows {
            if let RowState::Failed { decision, .. } = &row.state {
                let decision = decision.clone();
                self.pending_fx.push(journal_effect(
                    &row.req,
                    JEvent::Queued {
                        decision: DecisionRec::from(&decision),
                    },
                ));
                row.state = RowState::Queued {
                    decision,
                    due_ms: now,
                    attempt: 0,
                };
                n += 1;
            }
        }
        match n {
            0 => self.set_flash(Level::Info, "no failed decision to send again"),
            1 => self.set_flash(Level::Info, "sending 1 failed decision again"),
            _ => self.set_flash(Level::Info, format!("sending {n} failed decisions again")),
        }
    }

    /// Start sends that are due, within the concurrency bound.
    fn pump_outbox(&mut self) -> Vec<Effect> {
        let mut in_flight = self
            .rows
            .iter()
            .filter(|r| matches!(r.state, RowState::Sending { .. }))
            .count();
        let mut fx = Vec::new();
        if in_flight >= self.config.concurrency {
            return fx;
        }
        let mut due: Vec<(u64, usize)> = self
            .rows
            .iter()
            .enumerate()
            .filter_map(|(i, r)| match r.state {
                RowState::Queued { due_ms, .. } if due_ms <= self.now_ms => Some((due_ms, i)),
                _ => None,
            })
            .collect();
        due.sort_unstable();
        let interval = rate_interval_ms(self.config.rate_per_sec);
        for (_, i) in due {
            if in_flight >= self.config.concurrency || self.now_ms < self.next_send_ms {
                break;
            }
            // Strictly spaced: after an idle spell the next start is still one interval later.
            self.next_send_ms = self.next_send_ms.max(self.now_ms) + interval;
            let row = &mut self.rows[i];
            if let RowState::Queued {
                decision, attempt, ..
            } = &row.state
            {
                let decision = decision.clone();
                let attempt = *attempt;
                row.state = RowState::Sending {
                    decision: decision.clone(),
                    attempt,
                };
                fx.push(journal_effect(
                    &row.req,
                    JEvent::Sending {
                        decision: DecisionRec::from(&decision),
                        attempt,
                    },
                ));
                fx.push(Effect::Send {
                    request_id: row.req.id.clone(),
                    decision,
                });
                in_flight += 1;
            }
        }
        fx
    }

    fn on_sent(&mut self, id: &str, result: Result<(), ApiError>) -> Vec<Effect> {
        let now = self.now_ms;
        let Some(&i) = self.index.get(id) else {
            return Vec::new();
        };
        let Some(row) = self.rows.get_mut(i) else {
            return Vec::new();
        };
        let RowState::Sending { decision, attempt } = row.state.clone() else {
            return Vec::new();
        };
        let verb = decision.verb();
        let mut flash = None;
        let mut relist = false;
        let (outcome, error) = match &result {
            Ok(()) => (Outcome::Ok, None),
            Err(e) if e.kind == ErrorKind::Request && is_no_longer_pending(e) => {
                (Outcome::AlreadyProcessed, Some(e.to_string()))
            }
            Err(e) if e.outcome_unknown() => (Outcome::Unknown, Some(e.to_string())),
            Err(e) => (Outcome::Failed, Some(e.to_string())),
        };
        let mut jfx = vec![journal_effect(&row.req, JEvent::Outcome { outcome, error })];
        row.state = match result {
            Ok(()) => RowState::Done { decision },
            Err(e) if e.kind == ErrorKind::Request && is_no_longer_pending(&e) => {
                flash = Some((Level::Warn, format!("already processed: {}", e.message)));
                RowState::AlreadyProcessed {
                    decision: Some(decision),
                    message: e.to_string(),
                }
            }
            Err(e) if e.outcome_unknown() => {
                flash = Some((
                    Level::Warn,
                    format!("{verb}: no answer ({e}); re-listing to check"),
                ));
                relist = true;
                RowState::Unknown {
                    decision,
                    error: e,
                    resend: false,
                    // The listing that settles it: a fresh one, or the one after the running one.
                    checked_from: self.generation + 1,
                }
            }
            Err(e) if e.is_retryable() && attempt + 1 < SEND_ATTEMPTS => {
                let backoff = retry_backoff_ms(attempt, id);
                flash = Some((
                    Level::Warn,
                    format!(
                        "{verb} failed ({e}); retrying in {:.1}s",
                        backoff as f64 / 1000.0
                    ),
                ));
                // Not applied: open again, so that a crash during the backoff loses nothing.
                jfx.push(journal_effect(
                    &row.req,
                    JEvent::Queued {
                        decision: DecisionRec::from(&decision),
                    },
                ));
                RowState::Queued {
                    decision,
                    due_ms: now + backoff,
                    attempt: attempt + 1,
                }
            }
            Err(e) => {
                flash = Some((Level::Error, format!("{verb} failed: {e} — t retries")));
                RowState::Failed { decision, error: e }
            }
        };
        if let Some((level, text)) = flash {
            self.set_flash(level, text);
        }
        // Settle an unanswered call by a listing that starts after now: at once, or (when a
        // listing runs, which may have read the request before the call applied) the one its
        // completion starts.
        if relist {
            jfx.extend(self.relist_unless_loading());
        }
        jfx
    }

    fn ask_quit(&mut self) -> Vec<Effect> {
        if self.rows.iter().any(|r| r.state.active()) {
            self.mode = Mode::ConfirmQuit;
            Vec::new()
        } else {
            self.quitting = true;
            vec![Effect::Quit]
        }
    }

    fn on_confirm_quit_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        match key.code {
            KeyCode::Char('y') | KeyCode::Char('Y') => {
                self.quitting = true;
                vec![Effect::Quit]
            }
            // A second Ctrl-c means it.
            KeyCode::Char('c') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                self.quitting = true;
                vec![Effect::Quit]
            }
            KeyCode::Char('s') | KeyCode::Char('S') => {
                // Send what waits now, then quit when nothing flies.
                for row in &mut self.rows {
                    if let RowState::Queued { due_ms, .. } = &mut row.state {
                        *due_ms = (*due_ms).min(self.now_ms);
                    }
                }
                self.quit_when_idle = true;
                self.mode = Mode::Normal;
                self.set_flash(Level::Info, "sending waiting decisions, then quitting…");
                Vec::new()
            }
            _ => {
                self.mode = Mode::Normal;
                Vec::new()
            }
        }
    }

    /// Decisions waiting or flying.
    pub fn active_count(&self) -> usize {
        self.rows.iter().filter(|r| r.state.active()).count()
    }
}

pub const MAX_REASON_CHARS: usize = 1024;
/// The longest IntegerValue text (`-2147483648`).
const MAX_VALUE_CHARS: usize = 11;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub loaded: usize,
    pub pending: usize,
    pub decided: usize,
    /// Calls under way.
    pub in_flight: usize,
    /// In the outbox: in the undo window, or waiting to be sent again.
    pub waiting: usize,
    /// Not applied; `t` sends again.
    pub failed: usize,
    /// Outcome not known yet (settled by the next listing).
    pub unconfirmed: usize,
}

fn sort_key(r: &PendingRequest) -> (i64, &str) {
    let t = r
        .submit_time
        .filter(|t| t.is_finite())
        .map(|t| (t * 1000.0) as i64)
        .unwrap_or(i64::MAX);
    (t, r.id.as_str())
}

fn is_no_longer_pending(e: &ApiError) -> bool {
    let t = e.turk_code.as_deref().unwrap_or("");
    t.ends_with("DoesNotExist")
        || t.contains("InvalidQualificationRequestState")
        || t.contains("State")
}

/// Backoff before an app-level resend: 1 s, 2 s, 4 s … plus up to 50 % jitter derived from the id
/// (deterministic, so tests can predict it).
pub fn retry_backoff_ms(attempt: u32, id: &str) -> u64 {
    let base = 1000u64 << attempt.min(5);
    let h = id
        .bytes()
        .fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)));
    base + (h % (base / 2 + 1))
}

fn journal_effect(req: &PendingRequest, event: JEvent) -> Effect {
    Effect::Journal {
        request_id: req.id.clone(),
        worker_id: req.worker_id.clone(),
        type_id: req.type_id.clone(),
        event,
    }
}

/// Milliseconds between send starts for a rate (0 or less: no limit).
fn rate_interval_ms(rate_per_sec: f64) -> u64 {
    if rate_per_sec.is_finite() && rate_per_sec > 0.0 {
        (1000.0 / rate_per_sec).round() as u64
    } else {
        0
    }
}

impl App {
    /// Unfinished decisions from an earlier run: show them as rows (locked until settled) and ask.
    fn on_recovered(&mut self, list: Vec<Unfinished>) {
        // A listing filtered to one type cannot tell whether a request of another type is still
        // pending: those decisions stay open in the journal for a session that lists their type.
        let (list, other): (Vec<Unfinished>, Vec<Unfinished>) = list
            .into_iter()
            .partition(|u| self.type_filter.as_ref().is_none_or(|t| *t == u.type_id));
        if !other.is_empty() {
            self.flash = Some(Flash {
                level: Level::Warn,
                text: format!(
                    "{} from an earlier run for other qualification types: kept in the journal; \
                     start without --qualification-type-id to settle them",
                    plural(other.len(), "unfinished decision")
                ),
                until_ms: self.now_ms + 3 * FLASH_MS,
            });
        }
        if list.is_empty() {
            return;
        }
        for u in &list {
            let state = RowState::Unknown {
                decision: u.decision.clone(),
                error: ApiError::new(
                    ErrorKind::Other,
                    if u.was_sent {
                        "sent by an earlier run, answer unknown"
                    } else {
                        "decided in an earlier run, not applied"
                    },
                ),
                resend: false,
                // The earlier run has ended: any listing of this run can settle it.
                checked_from: 0,
            };
            if let Some(&i) = self.index.get(&u.request_id) {
                if let Some(row) = self.rows.get_mut(i) {
                    row.state = state;
                }
            } else {
                let req = PendingRequest {
                    id: u.request_id.clone(),
                    type_id: u.type_id.clone(),
                    worker_id: u.worker_id.clone(),
                    test: self.interner.intern(""),
                    answer: String::new(),
                    submit_time: None,
                };
                self.index.insert(req.id.clone(), self.rows.len());
                self.rows.push(Row { req, state });
            }
        }
        self.recovered = list;
        self.mode = Mode::Recover;
    }

    /// Start a listing unless one is running (whose completion serves the same purpose).
    fn relist_unless_loading(&mut self) -> Vec<Effect> {
        if matches!(self.listing, Listing::Loading { .. }) {
            Vec::new()
        } else {
            self.begin_listing()
        }
    }

    fn on_recover_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let ids: Vec<String> = self
            .recovered
            .iter()
            .map(|u| u.request_id.clone())
            .collect();
        match key.code {
            // Only the letter: a stray Enter must not send anything.
            KeyCode::Char('r') | KeyCode::Char('R') => {
                for id in &ids {
                    if let Some(&i) = self.index.get(id)
                        && let Some(RowState::Unknown { resend, .. }) =
                            self.rows.get_mut(i).map(|r| &mut r.state)
                    {
                        *resend = true;
                    }
                }
                self.recovered.clear();
                self.mode = Mode::Normal;
                self.set_flash(
                    Level::Info,
                    format!(
                        "resuming {}: each is checked against the pending list first",
                        plural(ids.len(), "decision")
                    ),
                );
                // Settled by the listing in progress, or by a fresh one.
                self.relist_unless_loading()
            }
            KeyCode::Char('d') | KeyCode::Char('D') => {
                for id in &ids {
                    if let Some(&i) = self.index.get(id)
                        && let Some(row) = self.rows.get_mut(i)
                    {
                        self.pending_fx.push(journal_effect(
                            &row.req,
                            JEvent::Resolved {
                                resolution: Resolution::Dropped,
                            },
                        ));
                        // Listed ones are simply pending again; the others leave at the next listing.
                        row.state = RowState::Pending;
                    }
                }
                self.recovered.clear();
                self.mode = Mode::Normal;
                self.set_flash(
                    Level::Info,
                    format!(
                        "dropped {} from before; nothing sent",
                        plural(ids.len(), "decision")
                    ),
                );
                // A fresh listing removes the ones that are no longer pending.
                self.relist_unless_loading()
            }
            // Quit without choosing: nothing was decided this run, the journal keeps them open.
            KeyCode::Char('c') if key.modifiers.contains(KeyModifiers::CONTROL) => self.ask_quit(),
            KeyCode::Char('q') | KeyCode::Char('Q') => self.ask_quit(),
            _ => Vec::new(),
        }
    }
}
