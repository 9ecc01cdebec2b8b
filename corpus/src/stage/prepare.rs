//! The parallel phase, run by the rayon workers on a batch: normalise, filter, check
//! contamination, compute dedup keys. What it decides travels to the sink as a [`Prepared`].

use crate::config::CorpusConfig;
use crate::dedup::{exact_key, Decontaminator, MinHasher};
use crate::error::Result;
use crate::filters::{Candidate, FilterChain, Side};
use crate::lang::Language;
use crate::normalize::Normalizer;
use crate::readers::{open_exclude, RawSegment};
use crate::DropReason;

/// A segment after the parallel phase.
pub(super) struct Prepared {
    pub(super) line: u64,
    pub(super) raw_bytes: u64,
    pub(super) src: String,
    pub(super) tgt: Option<String>,
    /// Normalisation steps that changed the source / target text (bit masks).
    pub(super) changed: (u32, u32),
    pub(super) verdict: Verdict,
}

pub(super) enum Verdict {
    Dropped {
        reason: DropReason,
        detail: String,
    },
    Candidate {
        key: u128,
        side_keys: Option<(u128, u128)>,
        bands: Option<Vec<u64>>,
    },
}

/// The read-only half, shared by the rayon workers: normalise, filter, key.
pub(super) struct Preparer {
    normalizer: Normalizer,
    filters: FilterChain,
    decontaminator: Decontaminator,
    minhasher: Option<MinHasher>,
    exact_each_side: bool,
}

impl Preparer {
    pub(super) fn new(config: &CorpusConfig) -> Result<Self> {
        let normalizer = Normalizer::new(&config.normalize);
        let decontaminator = build_decontaminator(config, &normalizer)?;
        Ok(Preparer {
            normalizer,
            filters: FilterChain::new(&config.filters),
            decontaminator,
            minhasher: config.dedup.near.then(|| MinHasher::new(&config.dedup)),
            exact_each_side: config.dedup.exact_each_side,
        })
    }

    /// The normalisation steps, in the order of the bits of [`Prepared::changed`].
    pub(super) fn step_names(&self) -> Vec<&'static str> {
        self.normalizer.step_names()
    }

    /// The parallel phase: normalise, filter, check contamination, compute dedup keys.
    pub(super) fn prepare(&self, raw: RawSegment, langs: &[Language]) -> Prepared {
        let raw_bytes = (raw.src.len() + raw.tgt.as_ref().map_or(0, |t| t.len())) as u64;
        let (src, src_changed) = self.normalizer.normalize(&raw.src, &langs[0]);
        let (tgt, tgt_changed) = match &raw.tgt {
            Some(t) => {
                let (t, changed) = self.normalizer.normalize(t, &langs[1]);
                (Some(t), changed)
            }
            None => (None, 0),
        };
        let candidate = Candidate {
            src: Side {
                text: &src,
                lang: &langs[0],
            },
            tgt: tgt.as_deref().map(|text| Side {
                text,
                lang: &langs[1],
            }),
        };
        let verdict = self.judge(&candidate);
        Prepared {
            line: raw.line,
            raw_bytes,
            changed: (src_changed, tgt_changed),
            verdict,
            src,
            tgt,
        }
    }

    fn judge(&self, candidate: &Candidate) -> Verdict {
        if let Some(rejection) = self.filters.check(candidate) {
            return Verdict::Dropped {
                reason: rejection.filter,
                detail: rejection.detail,
            };
        }
        if let Some(detail) = candidate
            .sides()
            .find_map(|side| self.decontaminator.check(side.text))
        {
            return Verdict::Dropped {
                reason: DropReason::Contaminated,
                detail,
            };
        }
        let src = candidate.src;
        let (key, side_keys, near_text) = match candidate.tgt {
            Some(tgt) => (
                exact_key(&[&src.lang.tag, src.text, &tgt.lang.tag, tgt.text]),
                self.exact_each_side.then(|| {
                    (
                        exact_key(&[&src.lang.tag, src.text]),
                        exact_key(&[&tgt.lang.tag, tgt.text]),
                    )
                }),
                std::borrow::Cow::Owned(format!("{} {}", src.text, tgt.text)),
            ),
            None => (
                exact_key(&[&src.lang.tag, src.text]),
                None,
                std::borrow::Cow::Borrowed(src.text),
            ),
        };
        Verdict::Candidate {
            key,
            side_keys,
            bands: self
                .minhasher
                .as_ref()
                .and_then(|m| m.band_keys(&near_text)),
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
                decontaminator.add(&normalizer.normalize(text, &vi).0);
            }
        }
    }
    Ok(decontaminator)
}
