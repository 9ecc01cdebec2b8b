//! The pretrain stage's transformer behind the eval trait: cached generation, batched windows
//! and windowed scoring checked against full recomputation.

use mekong_eval::burn_model::BurnModel;
use mekong_eval::{generate, score_tokens, Recompute, SamplingConfig, ScoringModel, WindowPlan};
use mekong_pretrain::{CpuBackend, ModelConfig};

const VOCAB: usize = 300;

fn tiny() -> BurnModel<CpuBackend> {
    let device = Default::default();
    let config = ModelConfig::preset("tiny", VOCAB).unwrap();
    let model = config.init::<CpuBackend>(&device).unwrap();
    BurnModel::new(model, config, &device, "in-memory".into(), 0)
}

fn tokens(n: usize) -> Vec<u32> {
    (0..n as u32)
        .map(|i| (i * 37 + i / 5) % VOCAB as u32)
        .collect()
}

fn log_softmax_at(logits: &[f32], token: u32) -> f64 {
    let max = logits.iter().cloned().fold(f32::MIN, f32::max) as f64;
    let sum: f64 = logits.iter().map(|&l| (l as f64 - max).exp()).sum();
    logits[token as usize] as f64 - max - sum.ln()
}

#[test]
fn cached_generation_equals_full_recomputation() {
    let model = tiny();
    let prompt = tokens(20);
    for temperature in [0.0, 1.0] {
        let config = SamplingConfig {
            max_new_tokens: 24,
            temperature,
            top_k: 0,
            top_p: 1.0,
            seed: 5,
        };
        let cached = generate(&model, &prompt, &config, None, 0, Recompute::Cached).unwrap();
        let full = generate(&model, &prompt, &config, None, 0, Recompute::Full).unwrap();
        assert_eq!(cached.len(), 24);
        assert_eq!(cached, full, "temperature {temperature}");
    }
}

#[test]
fn cached_logits_match_full_logits() {
    let model = tiny();
    let sequence = tokens(40);
    let mut cache = model.new_cache();
    // Feed the sequence in uneven chunks, as generation does after a prompt.
    let mut fed = 0;
    for chunk in [17, 1, 1, 13, 8] {
        let cached = model
            .next_logits_cached(&sequence[fed..fed + chunk], &mut cache)
            .unwrap();
        fed += chunk;
        let full = model.next_logits(&sequence[..fed]).unwrap();
        assert_eq!(cached.len(), VOCAB);
        for (a, b) in cached.iter().zip(&full) {
            assert!((a - b).abs() < 1e-4, "after {fed} tokens: {a} vs {b}");
        }
    }
}

#[test]
fn padded_batches_equal_single_windows() {
    let model = tiny();
    let long = tokens(50);
    let short = &long[7..19];
    let batched = model.target_log_probs(&[&long, short]).unwrap();
    let alone_long = model.target_log_probs(&[&long]).unwrap();
    let alone_short = model.target_log_probs(&[short]).unwrap();
    assert_eq!(batched[0].len(), 49);
    assert_eq!(batched[1].len(), 11);
    for (a, b) in batched[0].iter().zip(&alone_long[0]) {
        assert!((a - b).abs() < 1e-4);
    }
    for (a, b) in batched[1].iter().zip(&alone_short[0]) {
        assert!((a - b).abs() < 1e-4);
    }
    // And they are the log-softmax of the next-token logits.
    for i in [1usize, 5, 11] {
        let expected = log_softmax_at(&model.next_logits(&short[..i]).unwrap(), short[i]);
        assert!((batched[1][i - 1] - expected).abs() < 1e-4);
    }
}

#[test]
fn windowed_equals_full_when_the_text_fits_one_window() {
    let model = tiny();
    let text = tokens(90);
    let start = 3;
    let mut full = 0.0;
    let mut context = vec![start];
    for &t in &text {
        full -= log_softmax_at(&model.next_logits(&context).unwrap(), t);
        context.push(t);
    }
    let context_len = model.max_context();
    for stride in [1, 64, context_len - 1] {
        let plan = WindowPlan {
            window: context_len,
            stride,
        };
        let score = score_tokens(&model, start, &text, 300, plan, 4, |_| {}).unwrap();
        assert!(
            (score.nll_nats - full).abs() < 1e-3,
            "stride {stride}: {} vs {full}",
            score.nll_nats
        );
    }
    // A text longer than the window is scored too, every token once.
    let long = tokens(400);
    let plan = WindowPlan::with_default_stride(context_len);
    let score = score_tokens(&model, start, &long, 1000, plan, 4, |_| {}).unwrap();
    assert_eq!(score.tokens, 400);
    assert!(score.nll_nats.is_finite() && score.nll_nats > 0.0);
}
