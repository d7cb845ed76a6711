//! The plain document model: what a QuestionForm, a QuestionFormAnswers and an AnswerKey say,
//! with no XML left in it. Parsers in this module fill it; nothing here touches a terminal.
//!
//! Every string is kept as the document gave it (entities decoded once, line ends normalised to
//! `\n`); identifiers, `Title`, `Text`, `ListItem`, `FormattedContent`, `DisplayName` have their
//! surrounding whitespace trimmed, while a worker's `FreeText` / `OtherSelectionText` is kept
//! exactly. Sanitising for display happens at render time (`qform::sanitize`), never here.

/// Which QuestionForm schema a document declared.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum FormVersion {
    /// `…/2005-10-01/QuestionForm.xsd`
    #[default]
    V2005_10_01,
    /// `…/2017-11-06/QuestionForm.xsd`
    V2017_11_06,
    /// Some other namespace (kept verbatim); still rendered.
    Unknown(String),
    /// No namespace at all.
    None,
}

/// A problem found while reading a document. The parser keeps going and reports these.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub message: String,
}

impl Problem {
    pub fn new(message: impl Into<String>) -> Self {
        Problem {
            message: message.into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct QuestionForm {
    pub version: FormVersion,
    /// Overviews and Questions in document order.
    pub items: Vec<FormItem>,
    pub problems: Vec<Problem>,
}

impl QuestionForm {
    pub fn questions(&self) -> impl Iterator<Item = &Question> {
        self.items.iter().filter_map(|i| match i {
            FormItem::Question(q) => Some(q),
            FormItem::Overview(_) => None,
        })
    }
}

// Boxing `Question` would change the contract other code uses; forms are small.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum FormItem {
    Overview(Vec<Content>),
    Question(Question),
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Question {
    pub identifier: String,
    pub display_name: Option<String>,
    /// `IsRequired`; absent or unreadable means false (an unreadable value is also a Problem).
    pub required: bool,
    pub content: Vec<Content>,
    pub answer: AnswerSpec,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Content {
    Title(String),
    Text(String),
    List(Vec<String>),
    /// The XHTML source of a FormattedContent block (CDATA already unwrapped).
    FormattedContent(String),
    Binary(BinaryRef),
    EmbeddedBinary(BinaryRef),
    /// Flash or Java applet; only the kind and its URL are kept.
    Application {
        kind: String,
        url: String,
    },
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct BinaryRef {
    /// `image`, `audio`, `video`, or the embedded type string.
    pub mime_type: String,
    pub mime_subtype: Option<String>,
    pub data_url: String,
    pub alt_text: String,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub enum AnswerSpec {
    FreeText(FreeTextSpec),
    Selection(SelectionSpec),
    FileUpload {
        min_bytes: Option<u64>,
        max_bytes: Option<u64>,
    },
    /// The question had no (readable) AnswerSpecification.
    #[default]
    Missing,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct FreeTextSpec {
    /// `IsNumeric` present (with its optional bounds).
    pub numeric: Option<NumericBounds>,
    pub min_length: Option<u32>,
    pub max_length: Option<u32>,
    pub regexes: Vec<RegexConstraint>,
    pub default_text: Option<String>,
    pub lines: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NumericBounds {
    pub min: Option<i64>,
    pub max: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RegexConstraint {
    pub regex: String,
    pub error_text: Option<String>,
    /// `flags="i"` → case-insensitive.
    pub flags: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct SelectionSpec {
    /// Schema default 1.
    pub min_selections: u32,
    /// Schema default 1.
    pub max_selections: u32,
    /// `radiobutton`, `checkbox`, `list`, `dropdown`, `combobox`, `multichooser`, or absent.
    pub style: Option<String>,
    pub selections: Vec<Selection>,
    /// `OtherSelection` allowed (a FreeTextAnswer-shaped spec).
    pub other: Option<FreeTextSpec>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Selection {
    pub identifier: String,
    pub content: SelectionContent,
}

#[derive(Debug, Clone, PartialEq)]
pub enum SelectionContent {
    Text(String),
    FormattedContent(String),
    Binary(BinaryRef),
}

/// A QuestionFormAnswers document.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct QuestionFormAnswers {
    pub answers: Vec<Answer>,
    pub problems: Vec<Problem>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    pub question_identifier: String,
    pub value: AnswerValue,
}

#[derive(Debug, Clone, PartialEq)]
pub enum AnswerValue {
    /// `<FreeText>`; `<FreeText/>` gives an empty string.
    FreeText(String),
    /// Zero or more SelectionIdentifiers, plus OtherSelectionText when the "other" box was used.
    Selection {
        identifiers: Vec<String>,
        other: Option<String>,
    },
    UploadedFile {
        size_bytes: Option<u64>,
        key: String,
    },
    /// An Answer with only a QuestionIdentifier.
    Empty,
}

/// An AnswerKey document.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AnswerKey {
    pub questions: Vec<KeyQuestion>,
    pub mapping: Option<ValueMapping>,
    pub problems: Vec<Problem>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct KeyQuestion {
    pub question_identifier: String,
    pub options: Vec<KeyOption>,
    /// `DefaultScore`, 0 when absent.
    pub default_score: i64,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct KeyOption {
    /// The worker must pick exactly this set.
    pub selection_identifiers: Vec<String>,
    pub score: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ValueMapping {
    Percentage {
        maximum_summed_score: i64,
    },
    Scale {
        multiplier: f64,
    },
    Range {
        ranges: Vec<ScoreRange>,
        out_of_range_value: i64,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScoreRange {
    pub lower: i64,
    pub upper: i64,
    pub value: i64,
}
