//! Language detection answers pinned to those of upstream whatlang 0.16.4, recorded before the
//! workspace switched to the patched copy in `vendor/whatlang` (inverted trigram profiles and
//! other speed-ups that must not change any answer; see `vendor/whatlang/PATCHES.md`).
//!
//! Each case is a text in one of the languages of every script whatlang scores with trigrams
//! (Latin, Cyrillic, Arabic, Devanagari, Hebrew), of a single-language script, a short text
//! or a mix, with what `detect_language` published for it (code, confidence rounded to 3
//! decimals) and whatlang's own answer (language, script, exact confidence).

use ingest_text::detect_language;
use whatlang::{Lang, Script};

/// `(text, published code, published confidence, whatlang's (lang, script, confidence))`.
type Case = (&'static str, &'static str, f64, Option<(Lang, Script, f64)>);

const CASES: &[Case] = &[
    // en
    (
        "Foreign ministers met in Quebec on Friday to discuss trade and security, and the talks ended with a joint statement on the future of the alliance.",
        "en",
        1.0,
        Some((Lang::Eng, Script::Latin, 1.0)),
    ),
    // fr
    (
        "Les ministres des Affaires étrangères se sont réunis vendredi au Québec pour discuter du commerce et de la sécurité, et ont publié une déclaration commune.",
        "fr",
        1.0,
        Some((Lang::Fra, Script::Latin, 1.0)),
    ),
    // de
    (
        "Die Außenminister trafen sich am Freitag in Quebec, um über Handel und Sicherheit zu sprechen, und einigten sich auf eine gemeinsame Erklärung.",
        "de",
        1.0,
        Some((Lang::Deu, Script::Latin, 1.0)),
    ),
    // es
    (
        "Los ministros de Asuntos Exteriores se reunieron el viernes en Quebec para hablar de comercio y seguridad, y firmaron una declaración conjunta.",
        "es",
        1.0,
        Some((Lang::Spa, Script::Latin, 1.0)),
    ),
    // it
    (
        "I ministri degli Esteri si sono incontrati venerdì in Quebec per discutere di commercio e sicurezza, e hanno firmato una dichiarazione comune.",
        "it",
        1.0,
        Some((Lang::Ita, Script::Latin, 1.0)),
    ),
    // pt
    (
        "Os ministros das Relações Exteriores reuniram-se na sexta-feira no Quebec para discutir comércio e segurança, e assinaram uma declaração conjunta.",
        "pt",
        1.0,
        Some((Lang::Por, Script::Latin, 1.0)),
    ),
    // nl
    (
        "De ministers van Buitenlandse Zaken kwamen vrijdag in Quebec bijeen om over handel en veiligheid te praten en ondertekenden een gezamenlijke verklaring.",
        "nl",
        1.0,
        Some((Lang::Nld, Script::Latin, 1.0)),
    ),
    // pl
    (
        "Ministrowie spraw zagranicznych spotkali się w piątek w Quebecu, aby omówić handel i bezpieczeństwo, i podpisali wspólne oświadczenie.",
        "pl",
        1.0,
        Some((Lang::Pol, Script::Latin, 1.0)),
    ),
    // tr
    (
        "Dışişleri bakanları cuma günü Quebec'te ticaret ve güvenliği görüşmek üzere bir araya geldi ve ortak bir bildiri imzaladı.",
        "tr",
        1.0,
        Some((Lang::Tur, Script::Latin, 1.0)),
    ),
    // sv
    (
        "Utrikesministrarna möttes i Quebec på fredagen för att diskutera handel och säkerhet, och samtalen avslutades med ett gemensamt uttalande.",
        "sv",
        1.0,
        Some((Lang::Swe, Script::Latin, 1.0)),
    ),
    // fi
    (
        "Ulkoministerit tapasivat perjantaina Quebecissä keskustellakseen kaupasta ja turvallisuudesta, ja neuvottelut päättyivät yhteiseen julkilausumaan.",
        "fi",
        1.0,
        Some((Lang::Fin, Script::Latin, 1.0)),
    ),
    // cs
    (
        "Ministři zahraničí se v pátek sešli v Quebecu, aby jednali o obchodu a bezpečnosti, a rozhovory skončily společným prohlášením.",
        "cs",
        1.0,
        Some((Lang::Ces, Script::Latin, 1.0)),
    ),
    // ro
    (
        "Miniștrii de externe s-au întâlnit vineri în Quebec pentru a discuta despre comerț și securitate, iar discuțiile s-au încheiat cu o declarație comună.",
        "ro",
        1.0,
        Some((Lang::Ron, Script::Latin, 1.0)),
    ),
    // hu
    (
        "A külügyminiszterek pénteken Quebecben találkoztak, hogy a kereskedelemről és a biztonságról tárgyaljanak, és közös nyilatkozatot írtak alá.",
        "hu",
        1.0,
        Some((Lang::Hun, Script::Latin, 1.0)),
    ),
    // vi
    (
        "Các bộ trưởng ngoại giao đã gặp nhau tại Quebec vào thứ Sáu để thảo luận về thương mại và an ninh, và ký một tuyên bố chung.",
        "vi",
        1.0,
        Some((Lang::Vie, Script::Latin, 1.0)),
    ),
    // id
    (
        "Para menteri luar negeri bertemu di Quebec pada hari Jumat untuk membahas perdagangan dan keamanan, dan menandatangani pernyataan bersama.",
        "id",
        1.0,
        Some((Lang::Ind, Script::Latin, 1.0)),
    ),
    // da
    (
        "Udenrigsministrene mødtes fredag i Quebec for at drøfte handel og sikkerhed, og forhandlingerne sluttede med en fælles erklæring.",
        "da",
        1.0,
        Some((Lang::Dan, Script::Latin, 1.0)),
    ),
    // ru
    (
        "Министры иностранных дел встретились в пятницу в Квебеке, чтобы обсудить торговлю и безопасность, и подписали совместное заявление.",
        "ru",
        1.0,
        Some((Lang::Rus, Script::Cyrillic, 1.0)),
    ),
    // uk
    (
        "Міністри закордонних справ зустрілися в п'ятницю в Квебеку, щоб обговорити торгівлю та безпеку, і підписали спільну заяву.",
        "uk",
        1.0,
        Some((Lang::Ukr, Script::Cyrillic, 1.0)),
    ),
    // bg
    (
        "Министрите на външните работи се срещнаха в петък в Квебек, за да обсъдят търговията и сигурността, и подписаха съвместна декларация.",
        "bg",
        1.0,
        Some((Lang::Bul, Script::Cyrillic, 1.0)),
    ),
    // sr
    (
        "Министри спољних послова састали су се у петак у Квебеку да разговарају о трговини и безбедности, и потписали су заједничку изјаву.",
        "sr",
        1.0,
        Some((Lang::Srp, Script::Cyrillic, 1.0)),
    ),
    // mk
    (
        "Министрите за надворешни работи се сретнаа во петокот во Квебек за да разговараат за трговијата и безбедноста и потпишаа заедничка изјава.",
        "mk",
        1.0,
        Some((Lang::Mkd, Script::Cyrillic, 1.0)),
    ),
    // be
    (
        "Міністры замежных спраў сустрэліся ў пятніцу ў Квебеку, каб абмеркаваць гандаль і бяспеку, і падпісалі сумесную заяву.",
        "be",
        1.0,
        Some((Lang::Bel, Script::Cyrillic, 1.0)),
    ),
    // ar
    (
        "التقى وزراء الخارجية يوم الجمعة في كيبيك لمناقشة التجارة والأمن، واختتمت المحادثات ببيان مشترك حول مستقبل التحالف.",
        "ar",
        1.0,
        Some((Lang::Ara, Script::Arabic, 1.0)),
    ),
    // fa
    (
        "وزیران امور خارجه روز جمعه در کبک دیدار کردند تا درباره تجارت و امنیت گفتگو کنند و گفتگوها با یک بیانیه مشترک پایان یافت.",
        "fa",
        1.0,
        Some((Lang::Pes, Script::Arabic, 1.0)),
    ),
    // ur
    (
        "وزرائے خارجہ نے جمعہ کے روز کیوبیک میں تجارت اور سلامتی پر بات چیت کے لیے ملاقات کی اور ایک مشترکہ بیان پر دستخط کیے۔",
        "ur",
        1.0,
        Some((Lang::Urd, Script::Arabic, 1.0)),
    ),
    // hi
    (
        "विदेश मंत्रियों ने शुक्रवार को क्यूबेक में व्यापार और सुरक्षा पर चर्चा करने के लिए मुलाकात की और एक संयुक्त बयान जारी किया।",
        "hi",
        1.0,
        Some((Lang::Hin, Script::Devanagari, 1.0)),
    ),
    // mr
    (
        "परराष्ट्र मंत्र्यांनी शुक्रवारी क्युबेकमध्ये व्यापार आणि सुरक्षेवर चर्चा करण्यासाठी भेट घेतली आणि संयुक्त निवेदन जारी केले.",
        "mr",
        1.0,
        Some((Lang::Mar, Script::Devanagari, 1.0)),
    ),
    // ne
    (
        "विदेश मन्त्रीहरूले शुक्रबार क्युबेकमा व्यापार र सुरक्षाबारे छलफल गर्न भेटघाट गरे र संयुक्त वक्तव्य जारी गरे।",
        "und",
        0.0,
        Some((Lang::Nep, Script::Devanagari, 0.8975525806070089)),
    ),
    // he
    (
        "שרי החוץ נפגשו ביום שישי בקוויבק כדי לדון בסחר ובביטחון, והשיחות הסתיימו בהצהרה משותפת על עתיד הברית.",
        "he",
        1.0,
        Some((Lang::Heb, Script::Hebrew, 1.0)),
    ),
    // yi
    (
        "די אויסערן־מיניסטאָרן האָבן זיך באַגעגנט פֿרײַטיק אין קוועבעק צו רעדן וועגן האַנדל און זיכערקייט, און האָבן אונטערגעשריבן אַ געמיינזאַמע דערקלערונג.",
        "yi",
        1.0,
        Some((Lang::Yid, Script::Hebrew, 1.0)),
    ),
    // el
    (
        "Οι υπουργοί Εξωτερικών συναντήθηκαν την Παρασκευή στο Κεμπέκ για να συζητήσουν το εμπόριο και την ασφάλεια.",
        "el",
        1.0,
        Some((Lang::Ell, Script::Greek, 1.0)),
    ),
    // zh
    (
        "各国外交部长周五在魁北克会晤，讨论贸易和安全问题，会谈以一份联合声明结束。",
        "zh",
        1.0,
        Some((Lang::Cmn, Script::Mandarin, 1.0)),
    ),
    // ja
    (
        "各国の外相は金曜日にケベックで会談し、貿易と安全保障について話し合い、共同声明を発表した。",
        "ja",
        1.0,
        Some((Lang::Jpn, Script::Mandarin, 1.0)),
    ),
    // ko
    (
        "외무장관들은 금요일 퀘벡에서 만나 무역과 안보를 논의했으며, 회담은 공동 성명으로 끝났다.",
        "ko",
        1.0,
        Some((Lang::Kor, Script::Hangul, 1.0)),
    ),
    // th
    (
        "รัฐมนตรีต่างประเทศพบกันที่ควิเบกเมื่อวันศุกร์เพื่อหารือเรื่องการค้าและความมั่นคง",
        "th",
        1.0,
        Some((Lang::Tha, Script::Thai, 1.0)),
    ),
    // ka
    (
        "საგარეო საქმეთა მინისტრები პარასკევს კვებეკში შეხვდნენ ვაჭრობისა და უსაფრთხოების განსახილველად.",
        "ka",
        1.0,
        Some((Lang::Kat, Script::Georgian, 1.0)),
    ),
    // en-short
    (
        "The minister said the talks went well.",
        "en",
        0.5,
        Some((Lang::Eng, Script::Latin, 0.08083873901920043)),
    ),
    // en-headline
    ("Talks end in Quebec", "en", 0.5, Some((Lang::Lat, Script::Latin, 0.07977079049753219))),
    // de-short
    ("Mit dem Wissen wächst der Zweifel", "de", 1.0, Some((Lang::Deu, Script::Latin, 1.0))),
    // fr-short
    ("Je ne sais pas.", "und", 0.0, Some((Lang::Lit, Script::Latin, 0.28645864971368495))),
    // ru-short
    (
        "Та нічого, все нормально. А в тебе як?",
        "und",
        0.0,
        Some((Lang::Ukr, Script::Cyrillic, 0.8208253142911924)),
    ),
    // ar-short
    ("السلام عليكم", "und", 0.0, Some((Lang::Ara, Script::Arabic, 0.31021015294710164))),
    // hi-short
    ("नमस्ते दुनिया", "und", 0.0, Some((Lang::Hin, Script::Devanagari, 0.1379590388405012))),
    // he-short
    ("האקדמיה ללשון העברית", "und", 0.0, Some((Lang::Heb, Script::Hebrew, 0.4807473156371573))),
    // mixed-en-de
    (
        "Can you tell me where is Schönheitstraße? The Bürgermeister of München said the Straßenbahn will run again.",
        "de",
        1.0,
        Some((Lang::Deu, Script::Latin, 1.0)),
    ),
    // mixed-en-ru
    (
        "The Kremlin said on Monday: «Мы не будем комментировать эти сообщения», according to a statement posted online.",
        "en",
        1.0,
        Some((Lang::Eng, Script::Latin, 1.0)),
    ),
    // mixed-ar-en
    (
        "قال المتحدث باسم الحكومة إن the negotiations in Geneva will continue next week حسب البيان الرسمي.",
        "en",
        0.5,
        Some((Lang::Lat, Script::Latin, 0.42440705854752725)),
    ),
    // mixed-hi-en
    (
        "प्रधानमंत्री ने कहा कि the economy is growing fast और निवेश बढ़ रहा है।",
        "en",
        0.5,
        Some((Lang::Hin, Script::Devanagari, 0.4021507114651734)),
    ),
    // mixed-he-en
    (
        "ראש הממשלה אמר כי the ceasefire will hold והשיחות יימשכו בשבוע הבא.",
        "en",
        0.5,
        Some((Lang::Heb, Script::Hebrew, 0.7356893686146019)),
    ),
    // mixed-fr-es
    (
        "Le président a dit que la situation est grave. El presidente dijo que la situación es grave y que el gobierno actuará.",
        "es",
        1.0,
        Some((Lang::Spa, Script::Latin, 1.0)),
    ),
    // digits
    ("1234 5678 -- 2026-11-23 !!!", "und", 0.0, None),
    // empty
    ("", "und", 0.0, None),
    // pt-short
    ("Ele disse que a reunião foi boa.", "und", 0.0, Some((Lang::Por, Script::Latin, 0.594424378077643))),
    // es-short2
    ("La reunión terminó sin acuerdo.", "und", 0.0, Some((Lang::Spa, Script::Latin, 0.31107442554629366))),
    // it-short
    ("Il governo ha detto di no.", "it", 1.0, Some((Lang::Ita, Script::Latin, 1.0))),
    // nl-short
    (
        "De regering zei nee tegen het plan.",
        "und",
        0.0,
        Some((Lang::Afr, Script::Latin, 0.18958099725133798)),
    ),
    // sv-short
    ("Regeringen sa nej till planen.", "und", 0.0, Some((Lang::Swe, Script::Latin, 0.2867285636264333))),
    // da-short
    ("Regeringen sagde nej til planen.", "und", 0.0, Some((Lang::Dan, Script::Latin, 0.021928479401108654))),
    // nb-short
    (
        "Regjeringen sa nei til planen i går.",
        "und",
        0.0,
        Some((Lang::Nob, Script::Latin, 0.04486157733244607)),
    ),
    // pl-short
    ("Rząd powiedział nie.", "pl", 1.0, Some((Lang::Pol, Script::Latin, 1.0))),
    // cs-short
    ("Vláda řekla, že ne.", "und", 0.0, Some((Lang::Ces, Script::Latin, 0.5694389871254651))),
    // sk-short
    ("Vláda povedala, že nie.", "und", 0.0, Some((Lang::Slk, Script::Latin, 0.35716433288512206))),
    // hr-short
    ("Vlada je rekla da neće.", "und", 0.0, Some((Lang::Hrv, Script::Latin, 0.8779739598512921))),
    // ru-mid
    (
        "Правительство заявило, что не поддержит этот план.",
        "und",
        0.0,
        Some((Lang::Rus, Script::Cyrillic, 0.23590322312896145)),
    ),
    // uk-mid
    ("Уряд заявив, що не підтримає цей план.", "uk", 1.0, Some((Lang::Ukr, Script::Cyrillic, 1.0))),
    // bg-mid
    ("Правителството заяви, че няма да подкрепи плана.", "bg", 1.0, Some((Lang::Bul, Script::Cyrillic, 1.0))),
    // sr-mid
    ("Влада је рекла да неће подржати план.", "sr", 1.0, Some((Lang::Srp, Script::Cyrillic, 1.0))),
    // fa-mid
    ("دولت گفت که از این طرح حمایت نمی کند.", "fa", 1.0, Some((Lang::Pes, Script::Arabic, 1.0))),
    // ur-mid
    ("حکومت نے کہا کہ وہ اس منصوبے کی حمایت نہیں کرے گی۔", "ur", 1.0, Some((Lang::Urd, Script::Arabic, 1.0))),
    // ar-mid
    ("قالت الحكومة إنها لن تدعم الخطة.", "ar", 1.0, Some((Lang::Ara, Script::Arabic, 1.0))),
    // mr-mid
    (
        "सरकारने सांगितले की ती या योजनेला पाठिंबा देणार नाही.",
        "und",
        0.0,
        Some((Lang::Mar, Script::Devanagari, 0.26585630668782967)),
    ),
    // ne-mid
    (
        "सरकारले यो योजनालाई समर्थन नगर्ने बताएको छ।",
        "und",
        0.0,
        Some((Lang::Nep, Script::Devanagari, 0.7654456345115573)),
    ),
    // yi-mid
    (
        "די רעגירונג האָט געזאָגט אַז זי וועט נישט שטיצן דעם פּלאַן.",
        "yi",
        1.0,
        Some((Lang::Yid, Script::Hebrew, 1.0)),
    ),
    // he-mid
    ("הממשלה אמרה שהיא לא תתמוך בתוכנית.", "he", 1.0, Some((Lang::Heb, Script::Hebrew, 1.0))),
];

#[test]
fn detect_language_gives_upstream_answers() {
    for &(text, code, confidence, _) in CASES {
        let got = detect_language(text);
        assert_eq!((got.code, got.confidence), (code, confidence), "{text}");
    }
}

#[test]
fn whatlang_gives_upstream_language_script_and_exact_confidence() {
    for &(text, _, _, expected) in CASES {
        let got = whatlang::detect(text).map(|i| (i.lang(), i.script(), i.confidence()));
        // Exact: the patched copy must give the same bits, not just close ones.
        assert_eq!(got, expected, "{text}");
    }
}

#[test]
fn cases_cover_every_script_with_several_languages() {
    for script in [Script::Latin, Script::Cyrillic, Script::Arabic, Script::Devanagari, Script::Hebrew] {
        let mut langs: Vec<Lang> =
            CASES.iter().filter_map(|c| c.3).filter(|c| c.1 == script).map(|c| c.0).collect();
        langs.sort_by_key(|l| l.code());
        langs.dedup();
        assert!(langs.len() >= 2, "{script:?}: {langs:?}");
        // Some answers of each script are not certain: the confidence arithmetic is pinned too.
        assert!(CASES.iter().filter_map(|c| c.3).any(|c| c.1 == script && c.2 < 1.0), "{script:?}");
    }
}
