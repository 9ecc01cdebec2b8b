//! The parallel passes, run by the rayon workers on a batch. The first normalises a text read
//! for the first time and computes its exact key; once exact duplicates are marked (in input
//! order, [`super::duplicates`]), the second runs the filters, the contamination check and the
//! near-duplicate signature on what is left. What they decide travels to the sink as a
//! [`Prepared`].

use crate::config::CorpusConfig;
use crate::dedup::{exact_key, Decontaminator, MinHasher};
use crate::error::Result;
use crate::filters::{Candidate, FilterChain, Side};
use crate::lang::Language;
use crate::normalize::Normalizer;
use crate::readers::{open_exclude, RawSegment};
use crate::DropReason;
use std::borrow::Cow;

/// A segment after the parallel passes.
pub(super) struct Prepared {
    pub(super) line: u64,
    pub(super) raw_bytes: u64,
    /// The texts as normalised (a copy's, which are not written, as read or empty).
    pub(super) src: String,
    pub(super) tgt: Option<String>,
    /// Normalisation steps that changed the source / target text (bit masks).
    pub(super) changed: (u32, u32),
    /// The exact key of the normalised text (none for a copy found by its raw text).
    pub(super) key: Option<u128>,
    pub(super) verdict: Verdict,
}

pub(super) enum Verdict {
    /// A copy of an earlier segment's text: a duplicate, whatever became of the first.
    Copy,
    Dropped {
        reason: DropReason,
        detail: Cow<'static, str>,
    },
    /// Normalised: the exact-duplicate check comes next.
    Normalized { key: u128 },
    /// Passed every filter and check: what the sequential deduplication needs.
    Candidate {
        side_keys: Option<(u128, u128)>,
        bands: Option<Vec<u64>>,
    },
}

/// The read-only half, shared by the rayon workers: normalise, filter, key.
pub(super) struct Preparer {
    normalizer: Normalizer,
    filters: FilterChain,
    /// Whether the sides' profiles are counted up front (a filter reads them).
    profiled: bool,
    decontaminator: Decontaminator,
    minhasher: Option<MinHasher>,
    exact_each_side: bool,
}

impl Preparer {
    pub(super) fn new(config: &CorpusConfig) -> Result<Self> {
        let normalizer = Normalizer::new(&config.normalize);
        let decontaminator = build_decontaminator(config, &normalizer)?;
        let filters = FilterChain::new(&config.filters);
        Ok(Preparer {
            normalizer,
            profiled: filters.reads_profiles(),
            filters,
            decontaminator,
            minhasher: config.dedup.near.then(|| MinHasher::new(&config.dedup)),
            exact_each_side: config.dedup.exact_each_side,
        })
    }

    /// The normalisation steps, in the order of the bits of [`Prepared::changed`].
    pub(super) fn step_names(&self) -> Vec<&'static str> {
        self.normalizer.step_names()
    }

    /// A segment whose raw text was read before: a copy, left as read.
    pub(super) fn raw_duplicate(raw: RawSegment) -> Prepared {
        Prepared {
            line: raw.line,
            raw_bytes: raw_bytes(&raw),
            changed: (0, 0),
            key: None,
            verdict: Verdict::Copy,
            src: raw.src,
            tgt: raw.tgt,
        }
    }

    /// A line the reader found repeated (see [`crate::readers::Item::Repeat`]): a copy, whose
    /// text is not needed (a copy's row carries none).
    pub(super) fn repeat(line: u64, bytes: u64, pair: bool) -> Prepared {
        Prepared {
            line,
            raw_bytes: bytes,
            changed: (0, 0),
            key: None,
            verdict: Verdict::Copy,
            src: String::new(),
            tgt: pair.then(String::new),
        }
    }

    /// The first pass: normalise, compute the exact key.
    pub(super) fn normalize(&self, raw: RawSegment, langs: &[Language]) -> Prepared {
        let raw_bytes = raw_bytes(&raw);
        let (src, src_changed) = self.normalize_text(raw.src, &langs[0]);
        let (tgt, tgt_changed) = match raw.tgt {
            Some(t) => {
                let (t, changed) = self.normalize_text(t, &langs[1]);
                (Some(t), changed)
            }
            None => (None, 0),
        };
        let key = match &tgt {
            Some(tgt) => exact_key(&[&langs[0].tag, &src, &langs[1].tag, tgt]),
            None => exact_key(&[&langs[0].tag, &src]),
        };
        Prepared {
            line: raw.line,
            raw_bytes,
            changed: (src_changed, tgt_changed),
            key: Some(key),
            verdict: Verdict::Normalized { key },
            src,
            tgt,
        }
    }

    /// (normalised text, the steps that changed it).
    fn normalize_text(&self, text: String, lang: &Language) -> (String, u32) {
        match self.normalizer.normalize(&text, lang) {
            (Some(normalized), changed) => (normalized, changed),
            (None, changed) => (text, changed),
        }
    }

    /// The second pass, on a segment still [`Verdict::Normalized`]: the filters, the
    /// contamination check, the keys of the sequential deduplication.
    pub(super) fn judge(&self, segment: &mut Prepared, langs: &[Language]) {
        if !matches!(segment.verdict, Verdict::Normalized { .. }) {
            return;
        }
        let candidate = segment.candidate(langs, self.profiled);
        segment.verdict = self.verdict(&candidate);
    }

    fn verdict(&self, candidate: &Candidate) -> Verdict {
        if let Some(rejection) = self.filters.check(candidate) {
            return Verdict::Dropped {
                reason: rejection.filter,
                detail: Cow::Owned(rejection.detail),
            };
        }
        if let Some(detail) = candidate
            .sides()
            .find_map(|side| self.decontaminator.check(side.text))
        {
            return Verdict::Dropped {
                reason: DropReason::Contaminated,
                detail: Cow::Owned(detail),
            };
        }
        let src = candidate.src;
        let side_keys = candidate.tgt.filter(|_| self.exact_each_side).map(|tgt| {
            (
                exact_key(&[&src.lang.tag, src.text]),
                exact_key(&[&tgt.lang.tag, tgt.text]),
            )
        });
        Verdict::Candidate {
            side_keys,
            bands: self.minhasher.as_ref().and_then(|m| match candidate.tgt {
                Some(tgt) => m.band_keys_of(&[src.text, tgt.text]),
                None => m.band_keys_of(&[src.text]),
            }),
        }
    }
}

/// The detail of every copy, however it was found.
pub(super) const COPY_DETAIL: &str = "same normalised text as an earlier segment";

/// The key of a segment's text as read, with its languages: equal raw texts normalise alike,
/// so a raw text read before is a duplicate without normalising it again.
pub(super) fn raw_key(raw: &RawSegment, langs: &[Language]) -> u128 {
    match &raw.tgt {
        Some(tgt) => exact_key(&[&langs[0].tag, &raw.src, &langs[1].tag, tgt]),
        None => exact_key(&[&langs[0].tag, &raw.src]),
    }
}

fn raw_bytes(raw: &RawSegment) -> u64 {
    (raw.src.len() + raw.tgt.as_ref().map_or(0, |t| t.len())) as u64
}

impl Prepared {
    /// The segment as the filters see it, its sides' profiles counted when `profiled`.
    fn candidate<'a>(&'a self, langs: &'a [Language], profiled: bool) -> Candidate<'a> {
        let side = match profiled {
            true => Side::new,
            false => Side::unprofiled,
        };
        Candidate {
            src: side(&self.src, &langs[0]),
            tgt: self.tgt.as_deref().map(|text| side(text, &langs[1])),
        }
    }
}

/// Reads every `exclude` file into the decontamination index, normalised like the corpus
/// (with Vietnamese tone placement applied, whatever the file's language: it changes nothing
/// else).
fn build_decontaminator(config: &CorpusConfig, normalizer: &Normalizer) -> Result<Decontaminator> {
    let mut decontaminator = Decontaminator::new(config.dedup.exclude_ngram);
    let vi = Language::new("vi");
    for path in &config.exclude {
        let mut reader = open_exclude(path, &config.input)?;
        while let Some(segment) = reader.next_segment()? {
            for text in std::iter::once(&segment.src).chain(segment.tgt.as_ref()) {
                decontaminator.add(&normalizer.normalized(text, &vi));
            }
        }
    }
    Ok(decontaminator)
}
