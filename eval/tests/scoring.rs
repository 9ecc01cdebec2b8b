//! Metrics, windowing and generation checked against models whose probabilities are known.

use mekong_eval::{
    generate, score_tokens, Recompute, Result, SamplingConfig, ScoringModel, UniformModel,
    WindowPlan,
};

/// A model whose next-token distribution depends on the whole context (through a hash), so any
/// mistake in which tokens a window or a cache sees changes the numbers.
struct ContextHashModel {
    vocab: usize,
    context: usize,
    /// Only the last `memory` tokens matter (`usize::MAX`: all of them).
    memory: usize,
}

impl ContextHashModel {
    fn logits_after(&self, tokens: &[u32]) -> Vec<f32> {
        let seen = &tokens[tokens.len().saturating_sub(self.memory)..];
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for &t in seen {
            h = (h ^ u64::from(t)).wrapping_mul(0x0100_0000_01b3);
        }
        (0..self.vocab as u64)
            .map(|v| {
                let x =
                    (h ^ v.wrapping_mul(0x9e37_79b9_7f4a_7c15)).wrapping_mul(0xff51_afd7_ed55_8ccd);
                (x >> 40) as f32 / (1u64 << 24) as f32 * 6.0 - 3.0
            })
            .collect()
    }

    fn log_prob(&self, context: &[u32], next: u32) -> f64 {
        let logits = self.logits_after(context);
        let max = logits.iter().cloned().fold(f32::MIN, f32::max) as f64;
        let log_sum = logits
            .iter()
            .map(|&l| (l as f64 - max).exp())
            .sum::<f64>()
            .ln()
            + max;
        logits[next as usize] as f64 - log_sum
    }
}

impl ScoringModel for ContextHashModel {
    type Cache = Vec<u32>;

    fn vocab_size(&self) -> usize {
        self.vocab
    }

    fn max_context(&self) -> usize {
        self.context
    }

    fn target_log_probs(&self, windows: &[&[u32]]) -> Result<Vec<Vec<f64>>> {
        Ok(windows
            .iter()
            .map(|w| (1..w.len()).map(|i| self.log_prob(&w[..i], w[i])).collect())
            .collect())
    }

    fn next_logits(&self, tokens: &[u32]) -> Result<Vec<f32>> {
        assert!(tokens.len() <= self.context, "read past the context");
        Ok(self.logits_after(tokens))
    }

    fn new_cache(&self) -> Vec<u32> {
        Vec::new()
    }

    fn next_logits_cached(&self, tokens: &[u32], cache: &mut Vec<u32>) -> Result<Vec<f32>> {
        cache.extend_from_slice(tokens);
        assert!(cache.len() <= self.context, "cache grew past the context");
        Ok(self.logits_after(cache))
    }
}

fn tokens(n: usize, vocab: u32) -> Vec<u32> {
    (0..n as u32).map(|i| (i * 7 + i / 3) % vocab).collect()
}

#[test]
fn uniform_model_bits_per_byte_is_log2_v_times_tokens_over_bytes() {
    for (vocab, n, bytes) in [
        (256usize, 100usize, 100u64),
        (32_000, 1234, 5000),
        (50, 3, 17),
    ] {
        let model = UniformModel::new(vocab, 64);
        let text = tokens(n, vocab as u32);
        let plan = WindowPlan::with_default_stride(64);
        let score = score_tokens(&model, 0, &text, bytes, plan, 4, |_| {}).unwrap();
        let expected = (vocab as f64).log2() * n as f64 / bytes as f64;
        assert!(
            (score.bits_per_byte() - expected).abs() <= 1e-12 * expected,
            "{} vs {expected}",
            score.bits_per_byte()
        );
        assert_eq!(score.tokens, n as u64);
        assert!((score.token_perplexity() - vocab as f64).abs() < 1e-9 * vocab as f64);
        assert_eq!(score.tokens_per_byte(), n as f64 / bytes as f64);
    }
}

#[test]
fn windowed_equals_full_when_the_text_fits_one_window() {
    let model = ContextHashModel {
        vocab: 97,
        context: 128,
        memory: usize::MAX,
    };
    let text = tokens(60, 97);
    let mut full = 0.0;
    let mut context = vec![5u32];
    for &t in &text {
        full -= model.log_prob(&context, t);
        context.push(t);
    }
    for window in [61, 64, 128] {
        for stride in [1, window / 2, window - 1] {
            let plan = WindowPlan { window, stride };
            let score = score_tokens(&model, 5, &text, 200, plan, 3, |_| {}).unwrap();
            assert!(
                (score.nll_nats - full).abs() < 1e-9,
                "window {window} stride {stride}: {} vs {full}",
                score.nll_nats
            );
        }
    }
}

#[test]
fn windowed_equals_full_for_a_model_whose_memory_fits_the_context_kept() {
    // A model that only looks at the last 4 tokens: any window keeping at least 4 tokens of
    // context must give the full-text number, so long texts are windowed without loss.
    let model = ContextHashModel {
        vocab: 31,
        context: 16,
        memory: 4,
    };
    let text = tokens(500, 31);
    let mut full = 0.0;
    let mut context = vec![0u32];
    for &t in &text {
        full -= model.log_prob(&context, t);
        context.push(t);
    }
    let mut windows_seen = 0;
    let plan = WindowPlan {
        window: 16,
        stride: 12,
    };
    let score = score_tokens(&model, 0, &text, 500, plan, 5, |n| windows_seen += n).unwrap();
    assert!((score.nll_nats - full).abs() < 1e-8);
    assert_eq!(windows_seen, plan.windows(501).len());
    // A window that keeps fewer tokens than the model remembers gives a different number.
    let short = WindowPlan {
        window: 16,
        stride: 15,
    };
    let lossy = score_tokens(&model, 0, &text, 500, short, 5, |_| {}).unwrap();
    assert!((lossy.nll_nats - full).abs() > 1e-6);
}

#[test]
fn generation_with_a_fixed_seed_is_reproducible() {
    let model = ContextHashModel {
        vocab: 50,
        context: 64,
        memory: usize::MAX,
    };
    let config = SamplingConfig {
        max_new_tokens: 30,
        temperature: 1.0,
        top_k: 20,
        top_p: 0.9,
        seed: 42,
    };
    let prompt = [3, 1, 4, 1, 5];
    let first = generate(&model, &prompt, &config, None, 0, Recompute::Cached).unwrap();
    let second = generate(&model, &prompt, &config, None, 0, Recompute::Cached).unwrap();
    assert_eq!(first, second);
    assert_eq!(first.len(), 30);
    let other_seed = SamplingConfig { seed: 43, ..config };
    let third = generate(&model, &prompt, &other_seed, None, 0, Recompute::Cached).unwrap();
    assert_ne!(first, third);
    let other_stream = generate(&model, &prompt, &config, None, 1, Recompute::Cached).unwrap();
    assert_ne!(first, other_stream);
}

#[test]
fn cached_generation_equals_full_recomputation() {
    let model = ContextHashModel {
        vocab: 50,
        context: 40,
        memory: usize::MAX,
    };
    for temperature in [0.0, 0.7] {
        let config = SamplingConfig {
            max_new_tokens: 100,
            temperature,
            top_k: 0,
            top_p: 1.0,
            seed: 9,
        };
        let prompt = tokens(12, 50);
        let cached = generate(&model, &prompt, &config, None, 0, Recompute::Cached).unwrap();
        let full = generate(&model, &prompt, &config, None, 0, Recompute::Full).unwrap();
        assert_eq!(cached, full);
        // Stops when the context is full: prompt + generated never exceeds it.
        assert_eq!(prompt.len() + cached.len(), 40);
    }
}

#[test]
fn generation_stops_at_the_stop_token() {
    let model = ContextHashModel {
        vocab: 5,
        context: 64,
        memory: usize::MAX,
    };
    let config = SamplingConfig {
        max_new_tokens: 60,
        temperature: 1.0,
        top_k: 0,
        top_p: 1.0,
        seed: 1,
    };
    let out = generate(&model, &[1, 2], &config, Some(3), 0, Recompute::Cached).unwrap();
    assert_eq!(out.iter().filter(|&&t| t == 3).count(), 1);
    assert_eq!(out.last(), Some(&3));
}

#[test]
fn a_long_prompt_keeps_its_end() {
    let model = ContextHashModel {
        vocab: 50,
        context: 16,
        memory: usize::MAX,
    };
    let config = SamplingConfig {
        max_new_tokens: 4,
        temperature: 0.0,
        top_k: 0,
        top_p: 1.0,
        seed: 0,
    };
    let prompt = tokens(40, 50);
    let out = generate(&model, &prompt, &config, None, 0, Recompute::Full).unwrap();
    assert_eq!(out.len(), 4);
    let expected = generate(&model, &prompt[28..], &config, None, 0, Recompute::Full).unwrap();
    assert_eq!(out, expected);
}
