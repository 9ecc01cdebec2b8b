//! Small corpora and dev sets written into temporary folders.

use mekong_tokenizer::train::{Algorithm, TrainConfig, TrainOptions};
use std::borrow::Borrow;
use std::path::{Path, PathBuf};

/// Writes `<dir>/<lang>.txt` for each (lang, lines).
pub fn write_folder<S: Borrow<str>>(dir: &Path, files: &[(&str, &[S])]) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    for (lang, lines) in files {
        let mut text = lines.join("\n");
        text.push('\n');
        std::fs::write(dir.join(format!("{lang}.txt")), text).unwrap();
    }
    dir.to_path_buf()
}

pub fn config(train: &Path, dev: Option<&Path>, options: TrainOptions) -> TrainConfig {
    TrainConfig {
        train: train.to_path_buf(),
        dev: dev.map(Path::to_path_buf),
        test: None,
        options,
        show_progress: false,
    }
}

pub fn classic(vocab_size: usize, min_frequency: u64) -> TrainOptions {
    TrainOptions {
        vocab_size,
        algorithm: Algorithm::Classic,
        min_frequency,
        ..TrainOptions::default()
    }
}

pub fn parity(vocab_size: usize, min_frequency: u64) -> TrainOptions {
    TrainOptions {
        vocab_size,
        algorithm: Algorithm::Parity,
        min_frequency,
        ..TrainOptions::default()
    }
}

/// The merges of a tokenizer.json, whichever of the two serialised forms it uses.
pub fn merges_of(json: &str) -> Vec<(String, String)> {
    let value: serde_json::Value = serde_json::from_str(json).unwrap();
    value["model"]["merges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| match m {
            serde_json::Value::String(s) => {
                let (a, b) = s.split_once(' ').unwrap();
                (a.to_string(), b.to_string())
            }
            serde_json::Value::Array(pair) => (
                pair[0].as_str().unwrap().to_string(),
                pair[1].as_str().unwrap().to_string(),
            ),
            other => panic!("unexpected merge {other}"),
        })
        .collect()
}

/// English, Khmer, Thai and Vietnamese of [`SENTENCES`], in code order.
pub fn four_languages() -> Vec<(&'static str, &'static [&'static str])> {
    let mut chosen: Vec<(&str, &[&str])> = SENTENCES
        .iter()
        .filter(|(l, _)| ["en", "km", "th", "vi"].contains(l))
        .copied()
        .collect();
    chosen.sort();
    chosen
}

/// Short multilingual sentences: Vietnamese, English, Thai, Khmer, Hindi, Chinese, Russian.
pub const SENTENCES: &[(&str, &[&str])] = &[
    (
        "en",
        &[
            "All human beings are born free and equal in dignity and rights.",
            "They are endowed with reason and conscience.",
            "Everyone has the right to life, liberty and security of person.",
            "No one shall be held in slavery or servitude.",
        ],
    ),
    (
        "vi",
        &[
            "Tất cả mọi người sinh ra đều được tự do và bình đẳng về nhân phẩm và quyền.",
            "Mọi con người đều được tạo hóa ban cho lý trí và lương tâm.",
            "Mọi người đều có quyền sống, quyền tự do và an toàn cá nhân.",
            "Không ai bị bắt làm nô lệ hay bị cưỡng bức làm nô lệ.",
        ],
    ),
    (
        "th",
        &[
            "มนุษย์ทั้งหลายเกิดมามีอิสระและเสมอภาคกันในเกียรติศักดิ์และสิทธิ",
            "ต่างมีเหตุผลและมโนธรรม",
            "ทุกคนมีสิทธิในชีวิต เสรีภาพ และความมั่นคงแห่งร่างกาย",
            "บุคคลใดจะถูกยึดตัวเป็นทาสไม่ได้",
        ],
    ),
    (
        "km",
        &[
            "មនុស្សទាំងអស់ កើតមកមានសេរីភាព និងសមភាព ក្នុងផ្នែកសេចក្ដីថ្លៃថ្នូរ និងសិទ្ធិ។",
            "មនុស្សគ្រប់រូបមានវិចារណញ្ញាណ និងសតិសម្បជញ្ញៈ។",
            "មនុស្សគ្រប់រូបមានសិទ្ធិរស់រាន មានសេរីភាព និងមានសន្ដិសុខផ្ទាល់ខ្លួន។",
            "គ្មានបុគ្គលណាម្នាក់ ត្រូវគេប្រកាន់យកធ្វើជាខ្ញុំ ឬជាទាសករឡើយ។",
        ],
    ),
    (
        "hi",
        &[
            "सभी मनुष्यों को गौरव और अधिकारों के मामले में जन्मजात स्वतन्त्रता और समानता प्राप्त है।",
            "उन्हें बुद्धि और अन्तरात्मा की देन प्राप्त है।",
            "प्रत्येक व्यक्ति को जीवन, स्वाधीनता और वैयक्तिक सुरक्षा का अधिकार है।",
            "कोई भी ग़ुलामी या दासता की हालत में न रखा जायेगा।",
        ],
    ),
    (
        "zh",
        &[
            "人人生而自由,在尊严和权利上一律平等。",
            "他们赋有理性和良心,并应以兄弟关系的精神相对待。",
            "人人有权享有生命、自由和人身安全。",
            "任何人不得使为奴隶或奴役。",
        ],
    ),
    (
        "ru",
        &[
            "Все люди рождаются свободными и равными в своем достоинстве и правах.",
            "Они наделены разумом и совестью.",
            "Каждый человек имеет право на жизнь, на свободу и на личную неприкосновенность.",
            "Никто не должен содержаться в рабстве или в подневольном состоянии.",
        ],
    ),
];
