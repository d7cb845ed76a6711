//! QuestionForm → [`QuestionForm`].

use super::model::*;
use super::xml::{self, Element, push_problem};

pub(crate) const NS_2005: &str =
    "http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2005-10-01/QuestionForm.xsd";
pub(crate) const NS_2017: &str =
    "http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2017-11-06/QuestionForm.xsd";

fn version_of(ns: Option<&str>) -> FormVersion {
    match ns.map(str::trim) {
        None | Some("") => FormVersion::None,
        Some(NS_2005) => FormVersion::V2005_10_01,
        Some(NS_2017) => FormVersion::V2017_11_06,
        // Same schemas served over https or with a different host case: still the known ones.
        Some(other) if other.ends_with("/2005-10-01/QuestionForm.xsd") => FormVersion::V2005_10_01,
        Some(other) if other.ends_with("/2017-11-06/QuestionForm.xsd") => FormVersion::V2017_11_06,
        Some(other) => FormVersion::Unknown(other.to_string()),
    }
}

pub(crate) fn parse(input: &str) -> QuestionForm {
    let mut form = QuestionForm::default();
    if input.trim().is_empty() {
        form.version = FormVersion::None;
        return form;
    }
    let doc = xml::read(input);
    form.problems = doc.problems;
    let Some(root) = doc.root else {
        form.version = FormVersion::None;
        push_problem(&mut form.problems, "no QuestionForm element found");
        return form;
    };
    let root_ns = root.namespace(doc.root_prefix.as_deref());
    form.version = version_of(root_ns);
    let mut root = &root;
    if root.name != "QuestionForm" {
        if let Some(inner) = root.find("QuestionForm") {
            push_problem(
                &mut form.problems,
                format!("the QuestionForm is wrapped in <{}>", root.name),
            );
            form.version = version_of(inner.namespace(None).or(root_ns));
            root = inner;
        } else if root.name == "HTMLQuestion" {
            // A HIT question type, not a Qualification test; show its HTML rather than nothing.
            push_problem(
                &mut form.problems,
                "this is an HTMLQuestion, not a QuestionForm; its HTML is shown as an overview",
            );
            let html = root.child_text("HTMLContent").unwrap_or_default();
            form.items
                .push(FormItem::Overview(vec![Content::FormattedContent(html)]));
            return form;
        } else if root.name == "ExternalQuestion" {
            push_problem(
                &mut form.problems,
                "this is an ExternalQuestion, not a QuestionForm",
            );
            let url = root.child_text("ExternalURL").unwrap_or_default();
            form.items
                .push(FormItem::Overview(vec![Content::Text(format!(
                    "External question at {url}"
                ))]));
            return form;
        } else {
            push_problem(
                &mut form.problems,
                format!("root element is <{}>, expected <QuestionForm>", root.name),
            );
        }
    }
    let mut p = Parser {
        problems: &mut form.problems,
        v2017: form.version == FormVersion::V2017_11_06,
    };
    for el in root.elements() {
        match el.name.as_str() {
            "Overview" => {
                let c = p.content(el, "Overview");
                form.items.push(FormItem::Overview(c));
            }
            "Question" => {
                let q = p.question(el);
                form.items.push(FormItem::Question(q));
            }
            other => p.unknown(other, "QuestionForm"),
        }
    }
    if form.items.is_empty() && root.name == "QuestionForm" {
        push_problem(
            &mut form.problems,
            "the QuestionForm has no Overview or Question",
        );
    }
    form
}

struct Parser<'a> {
    problems: &'a mut Vec<Problem>,
    v2017: bool,
}

impl Parser<'_> {
    fn problem(&mut self, msg: impl Into<String>) {
        push_problem(self.problems, msg);
    }

    fn unknown(&mut self, name: &str, parent: &str) {
        self.problem(format!("unknown element <{name}> in <{parent}> skipped"));
    }

    fn question(&mut self, el: &Element) -> Question {
        let mut q = Question::default();
        let mut has_id = false;
        for c in el.elements() {
            match c.name.as_str() {
                "QuestionIdentifier" => {
                    q.identifier = c.text().trim().to_string();
                    has_id = true;
                }
                "DisplayName" => q.display_name = Some(c.text().trim().to_string()),
                "IsRequired" => {
                    let t = c.text();
                    q.required = match t.trim() {
                        "true" | "1" => true,
                        "false" | "0" => false,
                        other => {
                            self.problem(format!(
                                "IsRequired of question {:?} is {:?}, not a boolean; taken as false",
                                q.identifier, other
                            ));
                            false
                        }
                    };
                }
                "QuestionContent" => q.content = self.content(c, "QuestionContent"),
                "AnswerSpecification" => q.answer = self.answer_spec(c, &q.identifier),
                other => self.unknown(other, "Question"),
            }
        }
        if !has_id || q.identifier.is_empty() {
            self.problem("a Question has no QuestionIdentifier");
        }
        if q.answer == AnswerSpec::Missing {
            self.problem(format!(
                "question {:?} has no readable AnswerSpecification",
                q.identifier
            ));
        }
        q
    }

    /// A `ContentType` element: Title, Text, List, FormattedContent, Binary, Application,
    /// EmbeddedBinary in any order.
    fn content(&mut self, el: &Element, parent: &str) -> Vec<Content> {
        let mut out = Vec::new();
        for c in el.elements() {
            match c.name.as_str() {
                "Title" => out.push(Content::Title(c.text().trim().to_string())),
                "Text" => out.push(Content::Text(c.text().trim().to_string())),
                "List" => {
                    let mut items = Vec::new();
                    for li in c.elements() {
                        if li.name == "ListItem" {
                            items.push(li.text().trim().to_string());
                        } else {
                            self.unknown(&li.name, "List");
                        }
                    }
                    out.push(Content::List(items));
                }
                "FormattedContent" => {
                    out.push(Content::FormattedContent(c.text().trim().to_string()))
                }
                "Binary" => out.push(Content::Binary(self.binary(c))),
                "EmbeddedBinary" => out.push(Content::EmbeddedBinary(self.binary(c))),
                "Application" => {
                    if self.v2017 {
                        self.problem("<Application> is not allowed by the 2017-11-06 schema");
                    }
                    for app in c.elements() {
                        match app.name.as_str() {
                            "Flash" => out.push(Content::Application {
                                kind: "Flash".into(),
                                url: app.child_text("FlashMovieURL").unwrap_or_default(),
                            }),
                            "JavaApplet" => {
                                let path = app.child_text("AppletPath").unwrap_or_default();
                                let file = app.child_text("AppletFilename").unwrap_or_default();
                                out.push(Content::Application {
                                    kind: "JavaApplet".into(),
                                    url: format!("{path}{file}"),
                                })
                            }
                            other => self.unknown(other, "Application"),
                        }
                    }
                }
                other => self.unknown(other, parent),
            }
        }
        out
    }

    fn binary(&mut self, el: &Element) -> BinaryRef {
        let mut b = BinaryRef::default();
        for c in el.elements() {
            match c.name.as_str() {
                "MimeType" | "EmbeddedMimeType" => {
                    b.mime_type = c.child_text("Type").unwrap_or_default();
                    b.mime_subtype = c.child_text("SubType").filter(|s| !s.is_empty());
                }
                "DataURL" => b.data_url = c.text().trim().to_string(),
                "AltText" => b.alt_text = c.text().trim().to_string(),
                "Width" | "Height" | "ApplicationParameter" => {}
                other => self.unknown(other, &el.name),
            }
        }
        b
    }

    fn answer_spec(&mut self, el: &Element, qid: &str) -> AnswerSpec {
        let mut spec = AnswerSpec::Missing;
        for c in el.elements() {
            let this = match c.name.as_str() {
                "FreeTextAnswer" => AnswerSpec::FreeText(self.free_text(c, qid)),
                "SelectionAnswer" => AnswerSpec::Selection(self.selection(c, qid)),
                "FileUploadAnswer" => {
                    if self.v2017 {
                        self.problem("<FileUploadAnswer> is not allowed by the 2017-11-06 schema");
                    }
                    AnswerSpec::FileUpload {
                        min_bytes: self.number(c, "MinFileSizeInBytes", qid),
                        max_bytes: self.number(c, "MaxFileSizeInBytes", qid),
                    }
                }
                other => {
                    self.unknown(other, "AnswerSpecification");
                    continue;
                }
            };
            if spec == AnswerSpec::Missing {
                spec = this;
            } else {
                self.problem(format!(
                    "question {qid:?} has more than one answer kind; the first is used"
                ));
            }
        }
        spec
    }

    fn number<T: std::str::FromStr>(&mut self, el: &Element, name: &str, qid: &str) -> Option<T> {
        let t = el.child_text(name)?;
        self.parse_num(&t, name, qid)
    }

    fn parse_num<T: std::str::FromStr>(&mut self, t: &str, name: &str, qid: &str) -> Option<T> {
        match t.trim().parse::<T>() {
            Ok(v) => Some(v),
            Err(_) => {
                self.problem(format!(
                    "{name} of question {qid:?} is {t:?}, not a valid number; ignored"
                ));
                None
            }
        }
    }

    fn attr_num<T: std::str::FromStr>(&mut self, el: &Element, attr: &str, qid: &str) -> Option<T> {
        let v = el.attr(attr)?.to_string();
        self.parse_num(&v, attr, qid)
    }

    fn free_text(&mut self, el: &Element, qid: &str) -> FreeTextSpec {
        let mut f = FreeTextSpec::default();
        for c in el.elements() {
            match c.name.as_str() {
                "Constraints" => {
                    for k in c.elements() {
                        match k.name.as_str() {
                            "IsNumeric" => {
                                f.numeric = Some(NumericBounds {
                                    min: self.attr_num(k, "minValue", qid),
                                    max: self.attr_num(k, "maxValue", qid),
                                })
                            }
                            "Length" => {
                                f.min_length = self.attr_num(k, "minLength", qid);
                                f.max_length = self.attr_num(k, "maxLength", qid);
                            }
                            "AnswerFormatRegex" => match k.attr("regex") {
                                Some(r) => f.regexes.push(RegexConstraint {
                                    regex: r.to_string(),
                                    error_text: k.attr("errorText").map(str::to_string),
                                    flags: k.attr("flags").map(str::to_string),
                                }),
                                None => self.problem(format!(
                                    "AnswerFormatRegex without regex in question {qid:?}"
                                )),
                            },
                            other => self.unknown(other, "Constraints"),
                        }
                    }
                }
                "DefaultText" => f.default_text = Some(c.text()),
                "NumberOfLinesSuggestion" => {
                    let t = c.text();
                    f.lines = self.parse_num(&t, "NumberOfLinesSuggestion", qid);
                }
                other => self.unknown(other, &el.name),
            }
        }
        f
    }

    fn selection(&mut self, el: &Element, qid: &str) -> SelectionSpec {
        let mut s = SelectionSpec {
            min_selections: 1,
            max_selections: 1,
            ..Default::default()
        };
        for c in el.elements() {
            match c.name.as_str() {
                "MinSelectionCount" => {
                    if let Some(n) = self.parse_num(&c.text(), "MinSelectionCount", qid) {
                        s.min_selections = n;
                    }
                }
                "MaxSelectionCount" => {
                    if let Some(n) = self.parse_num(&c.text(), "MaxSelectionCount", qid) {
                        s.max_selections = n;
                    }
                }
                "StyleSuggestion" => s.style = Some(c.text().trim().to_string()),
                "Selections" => {
                    for sel in c.elements() {
                        match sel.name.as_str() {
                            "Selection" => {
                                if let Some(x) = self.one_selection(sel, qid) {
                                    s.selections.push(x);
                                }
                            }
                            "OtherSelection" => s.other = Some(self.free_text(sel, qid)),
                            other => self.unknown(other, "Selections"),
                        }
                    }
                }
                // Not where the schema puts it, but unambiguous.
                "OtherSelection" => s.other = Some(self.free_text(c, qid)),
                other => self.unknown(other, "SelectionAnswer"),
            }
        }
        if s.selections.is_empty() {
            self.problem(format!("question {qid:?} offers no selections"));
        }
        if s.min_selections > s.max_selections {
            self.problem(format!(
                "question {qid:?}: MinSelectionCount {} exceeds MaxSelectionCount {}",
                s.min_selections, s.max_selections
            ));
        }
        s
    }

    fn one_selection(&mut self, el: &Element, qid: &str) -> Option<Selection> {
        let mut id = None;
        let mut content = None;
        for c in el.elements() {
            match c.name.as_str() {
                "SelectionIdentifier" => id = Some(c.text().trim().to_string()),
                "Text" => content = Some(SelectionContent::Text(c.text().trim().to_string())),
                "FormattedContent" => {
                    content = Some(SelectionContent::FormattedContent(
                        c.text().trim().to_string(),
                    ))
                }
                "Binary" => content = Some(SelectionContent::Binary(self.binary(c))),
                other => self.unknown(other, "Selection"),
            }
        }
        let Some(id) = id else {
            self.problem(format!(
                "a Selection in question {qid:?} has no SelectionIdentifier; skipped"
            ));
            return None;
        };
        let content = content.unwrap_or_else(|| {
            self.problem(format!(
                "selection {id:?} in question {qid:?} has no Text, Binary or FormattedContent"
            ));
            SelectionContent::Text(String::new())
        });
        Some(Selection {
            identifier: id,
            content,
        })
    }
}
