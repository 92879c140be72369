use std::sync::LazyLock;

use hashbrown::HashMap;

use super::utils::ranked_trigrams;
use super::LangProfileList;
use super::{Trigram, MAX_TOTAL_DISTANCE, MAX_TRIGRAM_DISTANCE};
use super::{ARABIC_LANGS, CYRILLIC_LANGS, DEVANAGARI_LANGS, HEBREW_LANGS, LATIN_LANGS};
use crate::core::{calculate_confidence, FilterList, Info, InternalQuery, Text};
use crate::scripts::grouping::MultiLangScript;
use crate::Lang;

#[derive(Debug)]
pub struct RawOutcome {
    pub trigrams_count: usize,
    pub raw_distances: Vec<(Lang, u32)>,
    pub scores: Vec<(Lang, f64)>,
}

#[inline]
pub fn detect(iquery: &InternalQuery) -> Option<Info> {
    let raw_outcome = raw_detect(iquery);
    let RawOutcome {
        trigrams_count,
        scores,
        ..
    } = raw_outcome;

    let mut raw_scores_iter = scores.into_iter();

    let opt_lang_score1 = raw_scores_iter.next();
    let opt_lang_score2 = raw_scores_iter.next();

    // TODO: Logic is duplicated in alphabets. Consider refactoring
    opt_lang_score1.map(|(lang1, score1)| {
        let script = iquery.multi_lang_script.to_script();
        let confidence = if let Some((_, score2)) = opt_lang_score2 {
            calculate_confidence(score1, score2, trigrams_count)
        } else {
            1.0
        };
        Info::new(script, lang1, confidence)
    })
}

#[inline]
pub fn raw_detect(iquery: &InternalQuery) -> RawOutcome {
    let lang_profile_list = script_to_lang_profile_list(iquery.multi_lang_script);
    let inverted = inverted_profiles(iquery.multi_lang_script);
    calculate_scores_in_profiles(
        &iquery.text,
        iquery.filter_list,
        lang_profile_list,
        inverted,
    )
}

fn script_to_lang_profile_list(script: MultiLangScript) -> LangProfileList {
    use MultiLangScript as MLS;
    match script {
        MLS::Latin => LATIN_LANGS,
        MLS::Cyrillic => CYRILLIC_LANGS,
        MLS::Arabic => ARABIC_LANGS,
        MLS::Devanagari => DEVANAGARI_LANGS,
        MLS::Hebrew => HEBREW_LANGS,
    }
}

/// The profiles of one script, inverted (patched in, see PATCHES.md): for each trigram, the
/// languages whose profile holds it and its rank there. Scoring a text then looks up each of
/// its (at most 600) trigrams once, instead of each language's 300 profile trigrams in the
/// text's trigram map (12,000 lookups for the 40 Latin languages); the distances are the same.
struct InvertedProfiles {
    /// Trigram -> the range of `entries` that holds its occurrences in the profiles.
    index: HashMap<Trigram, (u32, u32)>,
    /// `(language's index in the profile list, rank of the trigram in its profile)`.
    entries: Vec<(u16, u16)>,
}

impl InvertedProfiles {
    fn new(lang_profile_list: LangProfileList) -> Self {
        let mut by_trigram: HashMap<Trigram, Vec<(u16, u16)>> = HashMap::new();
        for (lang_index, &(_, profile)) in lang_profile_list.iter().enumerate() {
            for (rank, &trigram) in profile.iter().enumerate() {
                let entry = (lang_index as u16, rank as u16);
                by_trigram.entry(trigram).or_default().push(entry);
            }
        }
        let mut index = HashMap::with_capacity(by_trigram.len());
        let mut entries = Vec::with_capacity(by_trigram.values().map(Vec::len).sum());
        for (trigram, occurrences) in by_trigram {
            index.insert(trigram, (entries.len() as u32, occurrences.len() as u32));
            entries.extend(occurrences);
        }
        Self { index, entries }
    }

    /// Upstream's `calculate_distance` of the text to every profile of the list (in its
    /// order), given the text's trigrams ranked by frequency. Upstream sums, over a profile's
    /// trigrams, `|text rank - profile rank|` if the text has the trigram, else
    /// `MAX_TRIGRAM_DISTANCE`; that is `len * MAX_TRIGRAM_DISTANCE` minus, over the trigrams
    /// both have, `MAX_TRIGRAM_DISTANCE - |text rank - profile rank|`.
    fn distances(&self, lang_profile_list: LangProfileList, ranked: &[Trigram]) -> Vec<u32> {
        let max = i64::from(MAX_TRIGRAM_DISTANCE);
        let mut shared = vec![0i64; lang_profile_list.len()];
        for (text_rank, trigram) in ranked.iter().enumerate() {
            if let Some(&(start, len)) = self.index.get(trigram) {
                let occurrences = &self.entries[start as usize..(start + len) as usize];
                for &(lang_index, rank) in occurrences {
                    shared[lang_index as usize] += max - (text_rank as i64 - i64::from(rank)).abs();
                }
            }
        }
        let count = ranked.len() as i64;
        lang_profile_list
            .iter()
            .zip(shared)
            .map(|(&(_, profile), shared)| {
                let mut total_dist = profile.len() as i64 * max - shared;
                if max > count {
                    total_dist -= (max - count) * max;
                }
                total_dist.clamp(0, i64::from(MAX_TOTAL_DISTANCE)) as u32
            })
            .collect()
    }
}

fn inverted_profiles(script: MultiLangScript) -> &'static InvertedProfiles {
    use MultiLangScript as MLS;
    static LATIN: LazyLock<InvertedProfiles> = LazyLock::new(|| InvertedProfiles::new(LATIN_LANGS));
    static CYRILLIC: LazyLock<InvertedProfiles> =
        LazyLock::new(|| InvertedProfiles::new(CYRILLIC_LANGS));
    static ARABIC: LazyLock<InvertedProfiles> =
        LazyLock::new(|| InvertedProfiles::new(ARABIC_LANGS));
    static DEVANAGARI: LazyLock<InvertedProfiles> =
        LazyLock::new(|| InvertedProfiles::new(DEVANAGARI_LANGS));
    static HEBREW: LazyLock<InvertedProfiles> =
        LazyLock::new(|| InvertedProfiles::new(HEBREW_LANGS));
    match script {
        MLS::Latin => &LATIN,
        MLS::Cyrillic => &CYRILLIC,
        MLS::Arabic => &ARABIC,
        MLS::Devanagari => &DEVANAGARI,
        MLS::Hebrew => &HEBREW,
    }
}

#[inline]
fn calculate_scores_in_profiles(
    text: &Text,
    filter_list: &FilterList,
    lang_profile_list: LangProfileList,
    inverted: &InvertedProfiles,
) -> RawOutcome {
    let mut lang_distances: Vec<(Lang, u32)> = vec![];

    let ranked = ranked_trigrams(&text.lowercase());
    let unique_trigrams_count = ranked.len();
    let distances = inverted.distances(lang_profile_list, &ranked);

    for (&(lang, _), dist) in lang_profile_list.iter().zip(distances) {
        if !filter_list.is_allowed(lang) {
            continue;
        }
        lang_distances.push(((lang), dist));
    }

    // Sort languages by distance
    lang_distances.sort_unstable_by_key(|(_, dist)| *dist);

    let max_dist = unique_trigrams_count as u32 * MAX_TRIGRAM_DISTANCE;

    let raw_scores = lang_distances
        .iter()
        .map(|&(lang, distance)| (lang, distance_to_raw_score(distance, max_dist)))
        .collect();

    RawOutcome {
        trigrams_count: unique_trigrams_count,
        scores: raw_scores,
        raw_distances: lang_distances,
    }
}

/// Upstream's distance of a text to one profile (replaced by [`InvertedProfiles::distances`]),
/// kept to check that the two agree.
#[cfg(test)]
fn calculate_distance(
    lang_trigrams: super::LangProfile,
    text_trigrams: &HashMap<Trigram, u32>,
) -> u32 {
    let mut total_dist = 0u32;

    for (i, &trigram) in lang_trigrams.iter().enumerate() {
        let dist = match text_trigrams.get(&trigram) {
            Some(&n) => (n as i32 - i as i32).unsigned_abs(),
            None => MAX_TRIGRAM_DISTANCE,
        };
        total_dist += dist;
    }

    let count = text_trigrams.len() as u32;

    if MAX_TRIGRAM_DISTANCE > count {
        let delta = MAX_TRIGRAM_DISTANCE - count;
        total_dist -= delta * MAX_TRIGRAM_DISTANCE;
    }

    total_dist.clamp(0, MAX_TOTAL_DISTANCE)
}

#[inline]
fn distance_to_raw_score(distance: u32, max_distance: u32) -> f64 {
    let similarity = max_distance - distance;
    similarity as f64 / max_distance as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::LowercaseText;
    use crate::trigrams::utils::get_trigrams_with_positions;

    /// News sentences in the languages of every script with several languages, short
    /// texts and mixes (patched in, see PATCHES.md).
    const SAMPLES: &[&str] = &[
        "Foreign ministers met in Quebec on Friday to discuss trade and security, and the talks ended with a joint statement on the future of the alliance.", // en
        "Les ministres des Affaires étrangères se sont réunis vendredi au Québec pour discuter du commerce et de la sécurité, et ont publié une déclaration commune.", // fr
        "Die Außenminister trafen sich am Freitag in Quebec, um über Handel und Sicherheit zu sprechen, und einigten sich auf eine gemeinsame Erklärung.", // de
        "Los ministros de Asuntos Exteriores se reunieron el viernes en Quebec para hablar de comercio y seguridad, y firmaron una declaración conjunta.", // es
        "I ministri degli Esteri si sono incontrati venerdì in Quebec per discutere di commercio e sicurezza, e hanno firmato una dichiarazione comune.", // it
        "Os ministros das Relações Exteriores reuniram-se na sexta-feira no Quebec para discutir comércio e segurança, e assinaram uma declaração conjunta.", // pt
        "De ministers van Buitenlandse Zaken kwamen vrijdag in Quebec bijeen om over handel en veiligheid te praten en ondertekenden een gezamenlijke verklaring.", // nl
        "Ministrowie spraw zagranicznych spotkali się w piątek w Quebecu, aby omówić handel i bezpieczeństwo, i podpisali wspólne oświadczenie.", // pl
        "Dışişleri bakanları cuma günü Quebec'te ticaret ve güvenliği görüşmek üzere bir araya geldi ve ortak bir bildiri imzaladı.", // tr
        "Utrikesministrarna möttes i Quebec på fredagen för att diskutera handel och säkerhet, och samtalen avslutades med ett gemensamt uttalande.", // sv
        "Ulkoministerit tapasivat perjantaina Quebecissä keskustellakseen kaupasta ja turvallisuudesta, ja neuvottelut päättyivät yhteiseen julkilausumaan.", // fi
        "Ministři zahraničí se v pátek sešli v Quebecu, aby jednali o obchodu a bezpečnosti, a rozhovory skončily společným prohlášením.", // cs
        "Miniștrii de externe s-au întâlnit vineri în Quebec pentru a discuta despre comerț și securitate, iar discuțiile s-au încheiat cu o declarație comună.", // ro
        "A külügyminiszterek pénteken Quebecben találkoztak, hogy a kereskedelemről és a biztonságról tárgyaljanak, és közös nyilatkozatot írtak alá.", // hu
        "Các bộ trưởng ngoại giao đã gặp nhau tại Quebec vào thứ Sáu để thảo luận về thương mại và an ninh, và ký một tuyên bố chung.", // vi
        "Para menteri luar negeri bertemu di Quebec pada hari Jumat untuk membahas perdagangan dan keamanan, dan menandatangani pernyataan bersama.", // id
        "Udenrigsministrene mødtes fredag i Quebec for at drøfte handel og sikkerhed, og forhandlingerne sluttede med en fælles erklæring.", // da
        "Министры иностранных дел встретились в пятницу в Квебеке, чтобы обсудить торговлю и безопасность, и подписали совместное заявление.", // ru
        "Міністри закордонних справ зустрілися в п'ятницю в Квебеку, щоб обговорити торгівлю та безпеку, і підписали спільну заяву.", // uk
        "Министрите на външните работи се срещнаха в петък в Квебек, за да обсъдят търговията и сигурността, и подписаха съвместна декларация.", // bg
        "Министри спољних послова састали су се у петак у Квебеку да разговарају о трговини и безбедности, и потписали су заједничку изјаву.", // sr
        "Министрите за надворешни работи се сретнаа во петокот во Квебек за да разговараат за трговијата и безбедноста и потпишаа заедничка изјава.", // mk
        "Міністры замежных спраў сустрэліся ў пятніцу ў Квебеку, каб абмеркаваць гандаль і бяспеку, і падпісалі сумесную заяву.", // be
        "التقى وزراء الخارجية يوم الجمعة في كيبيك لمناقشة التجارة والأمن، واختتمت المحادثات ببيان مشترك حول مستقبل التحالف.", // ar
        "وزیران امور خارجه روز جمعه در کبک دیدار کردند تا درباره تجارت و امنیت گفتگو کنند و گفتگوها با یک بیانیه مشترک پایان یافت.", // fa
        "وزرائے خارجہ نے جمعہ کے روز کیوبیک میں تجارت اور سلامتی پر بات چیت کے لیے ملاقات کی اور ایک مشترکہ بیان پر دستخط کیے۔", // ur
        "विदेश मंत्रियों ने शुक्रवार को क्यूबेक में व्यापार और सुरक्षा पर चर्चा करने के लिए मुलाकात की और एक संयुक्त बयान जारी किया।", // hi
        "परराष्ट्र मंत्र्यांनी शुक्रवारी क्युबेकमध्ये व्यापार आणि सुरक्षेवर चर्चा करण्यासाठी भेट घेतली आणि संयुक्त निवेदन जारी केले.", // mr
        "विदेश मन्त्रीहरूले शुक्रबार क्युबेकमा व्यापार र सुरक्षाबारे छलफल गर्न भेटघाट गरे र संयुक्त वक्तव्य जारी गरे।", // ne
        "שרי החוץ נפגשו ביום שישי בקוויבק כדי לדון בסחר ובביטחון, והשיחות הסתיימו בהצהרה משותפת על עתיד הברית.", // he
        "די אויסערן־מיניסטאָרן האָבן זיך באַגעגנט פֿרײַטיק אין קוועבעק צו רעדן וועגן האַנדל און זיכערקייט, און האָבן אונטערגעשריבן אַ געמיינזאַמע דערקלערונג.", // yi
        "Οι υπουργοί Εξωτερικών συναντήθηκαν την Παρασκευή στο Κεμπέκ για να συζητήσουν το εμπόριο και την ασφάλεια.", // el
        "各国外交部长周五在魁北克会晤，讨论贸易和安全问题，会谈以一份联合声明结束。", // zh
        "各国の外相は金曜日にケベックで会談し、貿易と安全保障について話し合い、共同声明を発表した。", // ja
        "외무장관들은 금요일 퀘벡에서 만나 무역과 안보를 논의했으며, 회담은 공동 성명으로 끝났다.", // ko
        "รัฐมนตรีต่างประเทศพบกันที่ควิเบกเมื่อวันศุกร์เพื่อหารือเรื่องการค้าและความมั่นคง", // th
        "საგარეო საქმეთა მინისტრები პარასკევს კვებეკში შეხვდნენ ვაჭრობისა და უსაფრთხოების განსახილველად.", // ka
        "The minister said the talks went well.", // en-short
        "Talks end in Quebec", // en-headline
        "Mit dem Wissen wächst der Zweifel", // de-short
        "Je ne sais pas.", // fr-short
        "Та нічого, все нормально. А в тебе як?", // ru-short
        "السلام عليكم", // ar-short
        "नमस्ते दुनिया", // hi-short
        "האקדמיה ללשון העברית", // he-short
        "Can you tell me where is Schönheitstraße? The Bürgermeister of München said the Straßenbahn will run again.", // mixed-en-de
        "The Kremlin said on Monday: «Мы не будем комментировать эти сообщения», according to a statement posted online.", // mixed-en-ru
        "قال المتحدث باسم الحكومة إن the negotiations in Geneva will continue next week حسب البيان الرسمي.", // mixed-ar-en
        "प्रधानमंत्री ने कहा कि the economy is growing fast और निवेश बढ़ रहा है।", // mixed-hi-en
        "ראש הממשלה אמר כי the ceasefire will hold והשיחות יימשכו בשבוע הבא.", // mixed-he-en
        "Le président a dit que la situation est grave. El presidente dijo que la situación es grave y que el gobierno actuará.", // mixed-fr-es
        "1234 5678 -- 2026-11-23 !!!", // digits
    ];

    /// The samples, every prefix of them by 7 characters, each pair concatenated (mixed
    /// scripts and languages), and all of them at once (a long text: over 600 distinct
    /// trigrams, so only the top of its ranking counts).
    fn texts() -> Vec<String> {
        let mut texts = vec![String::new(), "1234 -- !!!".to_string(), SAMPLES.concat()];
        for (i, sample) in SAMPLES.iter().enumerate() {
            let chars: Vec<char> = sample.chars().collect();
            for end in (1..chars.len()).step_by(7) {
                texts.push(chars[..end].iter().collect());
            }
            texts.push(sample.to_string());
            for other in &SAMPLES[i + 1..] {
                texts.push(format!("{sample} {other}"));
                texts.push(format!("{sample}{sample}{sample} {other}"));
            }
        }
        texts
    }

    #[test]
    fn profiles_hold_distinct_trigrams() {
        // With distinct trigrams upstream's u32 arithmetic never goes below zero (a text
        // with `count` < 300 distinct trigrams misses at least 300 - count of them), so
        // its result is the one the inverted computation gets in i64.
        for list in [
            LATIN_LANGS,
            CYRILLIC_LANGS,
            ARABIC_LANGS,
            DEVANAGARI_LANGS,
            HEBREW_LANGS,
        ] {
            for &(lang, profile) in list {
                let distinct: std::collections::HashSet<_> = profile.iter().collect();
                assert_eq!(distinct.len(), profile.len(), "{lang}");
                assert!(profile.len() <= MAX_TRIGRAM_DISTANCE as usize, "{lang}");
            }
        }
    }

    #[test]
    fn inverted_profiles_give_upstream_distances() {
        let scripts = [
            MultiLangScript::Latin,
            MultiLangScript::Cyrillic,
            MultiLangScript::Arabic,
            MultiLangScript::Devanagari,
            MultiLangScript::Hebrew,
        ];
        let texts = texts();
        assert!(texts.len() > 2000, "{}", texts.len());
        let mut compared = 0;
        for text in &texts {
            let lowercase = LowercaseText::new(text);
            let positions = get_trigrams_with_positions(&lowercase).trigram_positions;
            let ranked = ranked_trigrams(&lowercase);
            assert_eq!(ranked.len(), positions.len(), "{text}");
            for (rank, trigram) in ranked.iter().enumerate() {
                assert_eq!(positions[trigram], rank as u32, "{text}");
            }
            for script in scripts {
                let list = script_to_lang_profile_list(script);
                let upstream: Vec<u32> = list
                    .iter()
                    .map(|&(_, profile)| calculate_distance(profile, &positions))
                    .collect();
                let inverted = inverted_profiles(script).distances(list, &ranked);
                assert_eq!(inverted, upstream, "{script:?}: {text}");
                compared += list.len();
            }
        }
        assert!(compared > 100_000, "{compared}");
    }

    #[test]
    fn test_when_german_is_given() {
        let text = "Die Ordnung muss für immer in diesem Codebase bleiben";
        let iq = InternalQuery {
            text: Text::new(text),
            filter_list: &FilterList::default(),
            multi_lang_script: MultiLangScript::Latin,
        };
        let raw_outcome = raw_detect(&iq);

        assert_eq!(raw_outcome.trigrams_count, 50);

        let &(first_lang, first_score) = raw_outcome.scores.first().unwrap();
        let &(_last_lang, last_score) = raw_outcome.scores.last().unwrap();

        assert_eq!(first_lang, Lang::Deu);

        assert!(first_score >= 0.0);
        assert!(first_score <= 1.0);

        assert!(last_score >= 0.0);
        assert!(last_score <= 1.0);
    }
}
