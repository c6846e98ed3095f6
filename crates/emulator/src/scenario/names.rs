//! Name pools for generated users: Latin with accents and non-Latin scripts, each with the
//! ASCII form a tenant admin would put in the UPN.

/// (as written, as in the UPN)
pub type Name = (&'static str, &'static str);

pub struct Locale {
    pub given: &'static [Name],
    pub surnames: &'static [Name],
    /// Display name is "Surname Given" (East Asian order).
    pub family_first: bool,
    pub language: &'static str,
    pub weight: u32,
}

pub const LOCALES: &[Locale] = &[
    Locale {
        given: &[
            ("James", "james"), ("Mary", "mary"), ("Robert", "robert"), ("Patricia", "patricia"),
            ("Michael", "michael"), ("Jennifer", "jennifer"), ("David", "david"), ("Linda", "linda"),
            ("Chloe", "chloe"), ("Ryan", "ryan"), ("O'Brien", "obrien"), ("Mary-Kate", "mary-kate"),
        ],
        surnames: &[
            ("Smith", "smith"), ("Johnson", "johnson"), ("Williams", "williams"), ("Brown", "brown"),
            ("Jones", "jones"), ("Miller", "miller"), ("Davis", "davis"), ("O'Connor", "oconnor"),
            ("Taylor", "taylor"), ("Anderson", "anderson"), ("Thomas", "thomas"), ("Moore", "moore"),
        ],
        family_first: false,
        language: "en-US",
        weight: 40,
    },
    Locale {
        given: &[
            ("Élodie", "elodie"), ("François", "francois"), ("Zoë", "zoe"), ("Hélène", "helene"),
            ("Jérôme", "jerome"), ("Céline", "celine"), ("Anaïs", "anais"), ("Loïc", "loic"),
        ],
        surnames: &[
            ("Lefèvre", "lefevre"), ("Dubois", "dubois"), ("Gérard", "gerard"), ("Rousseau", "rousseau"),
            ("Moreau", "moreau"), ("Bérénger", "berenger"), ("Lemaître", "lemaitre"), ("Faure", "faure"),
        ],
        family_first: false,
        language: "fr-FR",
        weight: 10,
    },
    Locale {
        given: &[
            ("Jürgen", "juergen"), ("Björn", "bjoern"), ("Jörg", "joerg"), ("Anja", "anja"),
            ("Käthe", "kaethe"), ("Lukas", "lukas"), ("Sören", "soeren"), ("Marie", "marie"),
        ],
        surnames: &[
            ("Müller", "mueller"), ("Schäfer", "schaefer"), ("Groß", "gross"), ("Weiß", "weiss"),
            ("Köhler", "koehler"), ("Schmidt", "schmidt"), ("Hoffmann", "hoffmann"), ("Bäcker", "baecker"),
        ],
        family_first: false,
        language: "de-DE",
        weight: 10,
    },
    Locale {
        given: &[
            ("José", "jose"), ("María", "maria"), ("Íñigo", "inigo"), ("Lucía", "lucia"),
            ("Ramón", "ramon"), ("Begoña", "begona"), ("Sofía", "sofia"), ("Joaquín", "joaquin"),
        ],
        surnames: &[
            ("Núñez", "nunez"), ("García", "garcia"), ("Peña", "pena"), ("Martínez", "martinez"),
            ("López", "lopez"), ("Ibáñez", "ibanez"), ("Fernández", "fernandez"), ("Muñoz", "munoz"),
        ],
        family_first: false,
        language: "es-ES",
        weight: 8,
    },
    Locale {
        given: &[
            ("Łukasz", "lukasz"), ("Małgorzata", "malgorzata"), ("Paweł", "pawel"), ("Agnieszka", "agnieszka"),
            ("Bjørn", "bjorn"), ("Søren", "soren"), ("Åsa", "asa"), ("Ærøe", "aeroe"),
        ],
        surnames: &[
            ("Wójcik", "wojcik"), ("Kowalczyk", "kowalczyk"), ("Zieliński", "zielinski"), ("Dąbrowski", "dabrowski"),
            ("Jørgensen", "jorgensen"), ("Østergaard", "ostergaard"), ("Ångström", "angstrom"), ("Nyström", "nystrom"),
        ],
        family_first: false,
        language: "pl-PL",
        weight: 6,
    },
    Locale {
        given: &[("太郎", "taro"), ("花子", "hanako"), ("健", "ken"), ("由美", "yumi"), ("翔", "sho")],
        surnames: &[("山田", "yamada"), ("佐藤", "sato"), ("鈴木", "suzuki"), ("高橋", "takahashi"), ("田中", "tanaka")],
        family_first: true,
        language: "ja-JP",
        weight: 5,
    },
    Locale {
        given: &[("伟", "wei"), ("芳", "fang"), ("娜", "na"), ("强", "qiang"), ("静", "jing")],
        surnames: &[("王", "wang"), ("李", "li"), ("张", "zhang"), ("刘", "liu"), ("陈", "chen")],
        family_first: true,
        language: "zh-CN",
        weight: 5,
    },
    Locale {
        given: &[("민준", "minjun"), ("서연", "seoyeon"), ("지훈", "jihoon"), ("하은", "haeun")],
        surnames: &[("김", "kim"), ("이", "lee"), ("박", "park"), ("최", "choi")],
        family_first: true,
        language: "ko-KR",
        weight: 3,
    },
    Locale {
        given: &[("Иван", "ivan"), ("Ольга", "olga"), ("Дмитрий", "dmitriy"), ("Наталья", "natalya")],
        surnames: &[("Петров", "petrov"), ("Смирнова", "smirnova"), ("Кузнецов", "kuznetsov"), ("Попова", "popova")],
        family_first: false,
        language: "ru-RU",
        weight: 4,
    },
    Locale {
        given: &[("Γιώργος", "giorgos"), ("Ελένη", "eleni"), ("Νίκος", "nikos"), ("Μαρία", "maria")],
        surnames: &[("Παπαδόπουλος", "papadopoulos"), ("Οικονόμου", "oikonomou"), ("Γεωργίου", "georgiou")],
        family_first: false,
        language: "el-GR",
        weight: 3,
    },
    Locale {
        given: &[("محمد", "mohammed"), ("فاطمة", "fatima"), ("علي", "ali"), ("ليلى", "layla")],
        surnames: &[("الحسن", "alhassan"), ("العلي", "alali"), ("منصور", "mansour"), ("حداد", "haddad")],
        family_first: false,
        language: "ar-SA",
        weight: 3,
    },
    Locale {
        given: &[("Ngọc", "ngoc"), ("Thảo", "thao"), ("Đức", "duc"), ("Hùng", "hung")],
        surnames: &[("Nguyễn", "nguyen"), ("Trần", "tran"), ("Lê", "le"), ("Phạm", "pham")],
        family_first: true,
        language: "vi-VN",
        weight: 3,
    },
];

pub const JOB_TITLES: &[&str] = &[
    "Accountant", "Sales Manager", "Software Engineer", "Office Manager", "Nurse",
    "Project Manager", "HR Specialist", "Customer Success Lead", "Warehouse Operative",
    "Chief Executive Officer", "Marketing Coordinator", "IT Support Technician",
    "Directeur commercial", "Geschäftsführer", "Técnico de soporte",
];

pub const OFFICES: &[&str] = &[
    "Seattle", "London", "Paris 8e", "München", "Madrid", "Warszawa", "東京", "Remote", "Building 4/2.17",
];

pub const SHARED_MAILBOXES: &[(&str, &str)] = &[
    ("Info", "info"), ("Support", "support"), ("Accounts Payable", "accounts.payable"),
    ("Reception", "reception"), ("Sales", "sales"), ("Réservations", "reservations"),
];

pub const GUEST_DOMAINS: &[&str] = &["gmail.com", "outlook.com", "fabrikam.com", "partner.co.uk", "web.de"];

pub const COMPANY_WORDS: &[&str] = &[
    "Contoso", "Fabrikam", "Northwind", "Tailspin", "Woodgrove", "Litware", "Adatum", "Proseware",
    "Wingtip", "Alpine", "Coho", "Lamna", "Fourth Coffee", "Margie's", "Trey", "Wide World",
];

pub const COMPANY_SUFFIXES: &[&str] = &["Ltd", "GmbH", "SARL", "S.L.", "Inc", "Sp. z o.o.", "株式会社", "LLC"];

/// Office 365 E3 and Business Premium `skuId`s, so license arrays look real.
pub const LICENSE_SKUS: &[&str] = &["6fd2c87f-b296-42f0-b197-1e91e994b900", "cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46"];
