//! Word lists for the synthetic catalog, in the style of a Best Buy electronics and appliances catalog:
//! category paths, brands, product lines, sizes, specs, colours, uses, features and price ranges per kind
//! of product.
//!
//! This file is data, not logic, which is why it is long (a realistic assortment needs hundreds of brands
//! and product lines; nothing here branches). The tables are laid out by hand and rustfmt skips this file
//! (`#[rustfmt::skip]` on the `mod` line): one string per line would make it several times longer and no
//! easier to read.

/// A feature as a product name shows it (`tag`), as a description names it (`phrase`) and what it does
/// for the shopper (`benefit`, a verb phrase that reads after the phrase: "its 4K Ultra HD resolution" +
/// "brings out fine detail in every scene").
pub(super) type Feature = (&'static str, &'static str, &'static str);

/// One kind of product and everything needed to name, describe, price and file it.
pub(super) struct Kind {
    /// How often this kind appears, relative to the others (accessories outnumber televisions).
    pub(super) weight: u32,
    /// The last words of the product name ("Smart TV").
    pub(super) noun: &'static str,
    /// How the description refers to the product ("TV").
    pub(super) short_noun: &'static str,
    /// Whole dollars, inclusive.
    pub(super) price: (u32, u32),
    /// Category paths from the root; a product sits in one, sometimes two.
    pub(super) paths: &'static [&'static [&'static str]],
    /// Most popular first: brands early in the list are picked more often.
    pub(super) brands: &'static [&'static str],
    /// Product lines; "Brand: Line" is a line of that brand only ("Apple: iPhone 15"), and picking it picks the
    /// brand too, so names never pair a famous line with someone else's brand.
    pub(super) lines: &'static [&'static str],
    /// Sizes or capacities written before the product line (`65" Class`), none when empty.
    pub(super) sizes: &'static [&'static str],
    /// Slots of specifications appended as ` - spec`, one value picked from each slot.
    pub(super) specs: &'static [&'static [&'static str]],
    /// Appended as ` - colour`, none when empty.
    pub(super) colors: &'static [&'static str],
    /// Noun phrases for "Enjoy ... with this ..." and "Made for ..., this ...".
    pub(super) uses: &'static [&'static str],
    /// At least three, so a description can name three different ones.
    pub(super) features: &'static [Feature],
}

/// Last sentences of descriptions; `{brand}` is replaced by the product's brand.
pub(super) static CLOSINGS: &[&str] = &[
    "Backed by a 1-year limited {brand} warranty.",
    "Everything you need to get started is in the box.",
    "Responsive {brand} customer support is a call away.",
    "A clean, modern design suits any room.",
    "Built to last for years of everyday use.",
    "Setup takes minutes with step-by-step instructions.",
    "A thoughtful gift for friends and family.",
    "Works with the devices you already own.",
];

const TECH_COLORS: &[&str] = &["Black", "White", "Silver", "Space Gray", "Midnight Blue", "Graphite", "Rose Gold", "Red", "Blue", "Green"];
const APPLIANCE_COLORS: &[&str] = &["Stainless Steel", "Black Stainless Steel", "White", "Black", "Fingerprint Resistant Stainless Steel", "Slate", "Matte White"];
const CASE_COLORS: &[&str] = &["Black", "Clear", "Blue", "Pink", "Red", "Gray", "Purple", "Navy", "Mint", "Black/Gold", "Clear/Glitter", "Rose Gold", "Olive", "Lavender", "Midnight Green", "Coral", "Teal", "Marble White", "Carbon Fiber", "Sunset Peach"];
const KITCHEN_COLORS: &[&str] = &["Black", "Stainless Steel", "White", "Red", "Silver", "Matte Black", "Copper", "Sage Green", "Empire Red", "Pistachio"];
const AUDIO_COLORS: &[&str] = &["Black", "White", "Midnight Blue", "Silver", "Sand", "Triple Black", "Blue", "Red", "Forest Green", "Lilac"];

const TV_BRANDS: &[&str] = &["Samsung", "LG", "Sony", "TCL", "Hisense", "Insignia™", "VIZIO", "Toshiba", "Sharp", "Philips", "Panasonic", "Element", "Westinghouse", "Roku", "Sceptre", "Pioneer", "JVC", "Skyworth", "Sunbrite", "Amazon"];
const AUDIO_BRANDS: &[&str] = &["Sony", "Bose", "JBL", "Sonos", "Samsung", "LG", "Klipsch", "Yamaha", "Polk Audio", "Denon", "Marantz", "Onkyo", "Harman Kardon", "Bowers & Wilkins", "Definitive Technology", "Sennheiser", "Insignia™", "Rocketfish™", "MartinLogan", "SVS", "Pioneer", "Vizio", "Dynex™", "KEF", "Cambridge Audio", "Audioengine", "Edifier", "Q Acoustics"];
const HEADPHONE_BRANDS: &[&str] = &["Apple", "Sony", "Bose", "Beats", "JBL", "Samsung", "Sennheiser", "Skullcandy", "Jabra", "Google", "Audio-Technica", "Anker Soundcore", "Jaybird", "Shure", "Bang & Olufsen", "Master & Dynamic", "Marshall", "Plantronics", "Powerbeats", "Urbanears", "Nothing", "1MORE", "Koss", "Insignia™"];
const COMPUTER_BRANDS: &[&str] = &["HP", "Dell", "Lenovo", "Apple", "ASUS", "Acer", "Microsoft", "Samsung", "MSI", "Razer", "Alienware", "LG", "Gigabyte", "HP OMEN", "Lenovo Legion", "ASUS ROG", "Dynabook", "Framework", "CyberPowerPC", "iBUYPOWER"];
const MONITOR_BRANDS: &[&str] = &["Samsung", "LG", "Dell", "ASUS", "Acer", "HP", "Lenovo", "BenQ", "ViewSonic", "MSI", "AOC", "Alienware", "Gigabyte", "Philips", "Insignia™", "Sceptre", "Corsair", "Apple"];
const PERIPHERAL_BRANDS: &[&str] = &["Logitech", "Logitech G", "Razer", "Corsair", "Microsoft", "Apple", "SteelSeries", "HyperX", "Insignia™", "Dynex™", "Rocketfish™", "Keychron", "ROCCAT", "Glorious", "Turtle Beach", "ASUS ROG", "Kensington", "Belkin", "Satechi", "Anker", "Targus", "Elgato", "Redragon", "Cooler Master"];
const STORAGE_BRANDS: &[&str] = &["SanDisk", "Samsung", "WD", "Seagate", "Crucial", "Kingston", "PNY", "Lexar", "LaCie", "Toshiba", "Corsair", "Sabrent", "SK hynix", "Silicon Power", "G-Technology", "Insignia™"];
const PRINTER_BRANDS: &[&str] = &["HP", "Canon", "Epson", "Brother", "Xerox", "Lexmark", "Kodak", "Polaroid", "Creality", "Bambu Lab", "FlashForge", "Prusa"];
const NETWORK_BRANDS: &[&str] = &["NETGEAR", "TP-Link", "ASUS", "eero", "Google", "Linksys", "Motorola", "ARRIS", "Ubiquiti", "D-Link", "Insignia™"];
const PHONE_BRANDS: &[&str] = &["Apple", "Samsung", "Google", "Motorola", "OnePlus", "Verizon Prepaid", "AT&T GoPhone", "Boost Mobile", "Cricket Wireless", "TracFone", "Straight Talk", "Simple Mobile", "Total Wireless", "Nokia", "Sony", "LG", "Alcatel", "ZTE", "BLU", "Nothing", "TCL", "Kyocera", "Jitterbug", "Sonim", "Orbic", "Consumer Cellular", "Net10", "Virgin Mobile", "Sprint Prepaid", "H2O Wireless"];
/// The accessory brands of the real Best Buy file, so synthetic accessories share its vocabulary.
const ACCESSORY_BRANDS: &[&str] = &["OtterBox", "Insignia™", "Speck", "ZAGG", "Incipio", "mophie", "Belkin", "Samsung", "Apple", "LifeProof", "Tech21", "Case-Mate", "Spigen", "PopSockets", "Moshi", "Platinum™", "Modal™", "Dynex™", "Rocketfish™", "Griffin", "Kanex", "Just Wireless", "Anker", "iOttie", "Scosche", "Nite Ize", "Bracketron", "UAG", "Urban Armor Gear", "X-Doria", "Kate Spade New York", "Michael Kors", "Tumi", "Ted Baker", "House of Harlow", "Trina Turk", "Nanette Lepore", "Isaac Mizrahi New York", "Cole Haan", "Jack Spade", "Native Union", "Twelve South", "Nomad", "Mujjo", "Pelican", "Seidio", "TYLT", "PureGear", "BodyGuardz", "Gadget Guard", "InvisibleShield", "Skech", "Evutec", "Thinium", "Tzumi", "Plug Life", "Exelium", "Ultralast", "Tile", "TrackR", "Chipolo", "Pebblebee", "weBoost", "zBoost", "Cygnett", "Ballistic", "Trident", "ToughTested", "Xentris", "Wagan", "Nimble", "Monowear", "Fitbit", "Garmin", "Olloclip", "ExoLens", "Joby", "PolarPro", "Sakar", "iLuv", "Targus", "Digital Treasures", "Lenmar", "ChargeHub", "myCharge", "Duracell", "Energizer", "Monster", "PhoneSuit", "Boostcase", "LuMee", "Prynt", "iBattz", "Tavik", "Atomi", "Merkury", "Sonix", "Rareform", "Silent Pocket", "Casetify", "dbrand", "Peak Design", "Smartish", "Caseology", "ESR", "Torras", "RhinoShield", "Burga", "Bellroy", "Pitaka", "Ringke", "Otter + Pop", "Catalyst", "Loopy", "Totallee", "Mous", "Nimbus9", "Raptic", "Encased", "Wrapsol", "AmazonBasics", "Ventev", "Cellhelmet", "Pivet", "Aduro", "Fuse Chicken", "Satechi", "Ugreen", "Baseus", "INIU", "Nekteck"];
const APPLIANCE_BRANDS: &[&str] = &["Samsung", "LG", "Whirlpool", "GE", "GE Profile", "Frigidaire", "Frigidaire Gallery", "KitchenAid", "Maytag", "Bosch", "Electrolux", "Café", "Amana", "Haier", "Hotpoint", "Insignia™", "Fisher & Paykel", "Miele", "JennAir", "Thermador", "Beko", "Smeg", "Speed Queen", "Monogram", "Sub-Zero", "Viking", "Blomberg", "Danby", "Midea", "Summit"];
const SMALL_APPLIANCE_BRANDS: &[&str] = &["Ninja", "KitchenAid", "Keurig", "Cuisinart", "Instant Pot", "Breville", "Hamilton Beach", "Nespresso", "De'Longhi", "Vitamix", "Oster", "Black+Decker", "Cosori", "Chefman", "Bella", "Bella Pro", "Insignia™", "Philips", "Mr. Coffee", "Calphalon", "Smeg", "NutriBullet", "Crock-Pot", "Dash", "Zojirushi", "Gourmia", "Emeril Lagasse", "Wolf Gourmet", "Braun", "Russell Hobbs"];
const FLOORCARE_BRANDS: &[&str] = &["Dyson", "Shark", "iRobot", "Bissell", "Hoover", "Eureka", "Roborock", "Ecovacs", "Tineco", "eufy", "Samsung", "LG", "Miele", "Black+Decker", "Dirt Devil", "Kenmore", "Bissell Pro", "Electrolux"];
const AIR_BRANDS: &[&str] = &["Dyson", "Honeywell", "LG", "Frigidaire", "GE", "Midea", "Levoit", "Coway", "Blueair", "Winix", "Vornado", "Lasko", "De'Longhi", "Insignia™", "Whynter", "Hisense", "Toshiba", "Pure Enrichment", "Boneco", "Rowenta", "Holmes", "Shark"];
const CAMERA_BRANDS: &[&str] = &["Canon", "Nikon", "Sony", "Fujifilm", "Panasonic", "OM System", "Leica", "Pentax", "Kodak", "Polaroid", "Hasselblad", "Sigma", "Tamron", "Ricoh", "Zeiss"];
const CAMERA_ACCESSORY_BRANDS: &[&str] = &["Peak Design", "Lowepro", "Manfrotto", "Joby", "Vanguard", "Think Tank Photo", "Platinum™", "Insignia™", "Sunpak", "Tiffen", "Hoya", "B+W", "SanDisk", "Lexar", "Wasabi Power", "Watson", "Godox", "Neewer", "Ulanzi", "SmallRig"];
const DRONE_BRANDS: &[&str] = &["DJI", "GoPro", "Insta360", "Autel Robotics", "Skydio", "Holy Stone", "Potensic", "Ryze", "Parrot", "Akaso", "Sony"];
const GAMING_BRANDS: &[&str] = &["Sony", "Microsoft", "Nintendo", "Valve", "Meta", "ASUS ROG", "Lenovo Legion", "PowerA", "PDP", "Turtle Beach", "Razer", "8BitDo", "HORI", "Nacon", "SCUF", "Thrustmaster", "Logitech G", "Corsair", "Secretlab", "Insignia™"];
const SMART_HOME_BRANDS: &[&str] = &["Google", "Amazon", "Ring", "Arlo", "Philips Hue", "Wyze", "eufy", "Blink", "ecobee", "Nest", "Kasa Smart", "TP-Link", "August", "Yale", "Schlage", "Kwikset", "Lutron", "LIFX", "Govee", "Nanoleaf", "SimpliSafe", "Chamberlain", "Meross", "Wemo", "Sengled", "Level", "SwitchBot", "Insignia™", "Aqara", "Eve"];
const WEARABLE_BRANDS: &[&str] = &["Apple", "Samsung", "Garmin", "Fitbit", "Google", "Amazfit", "Fossil", "Withings", "Polar", "Suunto", "COROS", "WHOOP", "Oura", "Skagen", "Michael Kors", "Mobvoi", "TicWatch"];
const PERSONAL_CARE_BRANDS: &[&str] = &["Philips Sonicare", "Oral-B", "Dyson", "Philips Norelco", "Braun", "Remington", "Conair", "Panasonic", "Revlon", "T3", "Hot Tools", "BaBylissPRO", "Wahl", "Theragun", "Hypervolt", "Waterpik", "Shark Beauty", "Chi", "Ghd", "Quip", "Therabody", "Renpho", "Homedics"];
const RIDE_BRANDS: &[&str] = &["Segway", "Ninebot", "Hover-1", "GOTRAX", "Jetson", "Swagtron", "Razor", "Unagi", "Aventon", "Rad Power Bikes", "Hiboy", "NIU", "Super73", "Lectric eBikes", "Gyroor"];
const CAR_BRANDS: &[&str] = &["Pioneer", "Kenwood", "Sony", "JVC", "Alpine", "Rockford Fosgate", "Kicker", "JL Audio", "Boss Audio", "Infinity", "Focal", "Memphis Audio", "MTX Audio", "Garmin", "Rand McNally", "Cobra", "Escort", "Uniden", "Nextbase", "Vantrue", "Rexing", "Metra", "Scosche"];

/// Every kind of product the generator makes. Together the paths give well over 150 leaf categories,
/// one to five levels deep.
pub(super) static KINDS: &[Kind] = &[
    // ---------------------------------------------------------------- TV & Home Theater
    Kind {
        weight: 30, noun: "Smart TV", short_noun: "TV", price: (99, 3999),
        paths: &[
            &["TV & Home Theater", "TVs", "4K Ultra HD TVs"], &["TV & Home Theater", "TVs", "OLED TVs"],
            &["TV & Home Theater", "TVs", "QLED TVs"], &["TV & Home Theater", "TVs", "8K TVs"],
            &["TV & Home Theater", "TVs", "Smart TVs"], &["TV & Home Theater", "TVs", "Outdoor TVs"],
            &["TV & Home Theater", "TVs", "85-Inch & Larger TVs"], &["TV & Home Theater", "TVs", "32-Inch & Smaller TVs"],
        ],
        brands: TV_BRANDS,
        lines: &["Samsung: Crystal UHD", "Samsung: Neo QLED", "Samsung: The Frame", "Samsung: QLED Q60", "LG: OLED evo", "LG: QNED", "LG: UQ75 Series", "Sony: Bravia XR", "Sony: Bravia 7", "TCL: Q6 Class", "TCL: S5 Class", "Hisense: U8 Series", "Hisense: A6 Series", "Insignia™: F30 Series", "Amazon: Fire TV Omni Series", "VIZIO: M-Series Quantum", "Roku: Pro Series", "7 Series", "Class 4K", "Smart LED", "Quantum Pro", "Ultra HD Series"],
        sizes: &["24\" Class", "32\" Class", "40\" Class", "43\" Class", "50\" Class", "55\" Class", "58\" Class", "65\" Class", "70\" Class", "75\" Class", "77\" Class", "85\" Class", "98\" Class"],
        specs: &[],
        colors: &[],
        uses: &["movie nights and big games", "binge-watching your favorite series", "family movie marathons", "game day with friends", "streaming in every room"],
        features: &[
            ("4K UHD", "4K Ultra HD resolution", "brings out fine detail in every scene"),
            ("HDR", "high dynamic range", "reveals deeper blacks and brighter highlights"),
            ("LED", "full-array LED backlight", "keeps contrast even from edge to edge"),
            ("Dolby Vision", "Dolby Vision and HDR10+ support", "shows films the way their directors intended"),
            ("120Hz", "native 120Hz refresh rate", "keeps fast action and sports smooth"),
            ("Tizen", "built-in smart platform", "streams your favorite apps without a separate box"),
            ("Google TV", "Google TV interface", "gathers shows from all your services in one place"),
            ("Fire TV", "Alexa voice remote", "finds shows and controls your smart home by voice"),
            ("Quantum Dot", "quantum dot color", "delivers over a billion shades of color"),
        ],
    },
    Kind {
        weight: 5, noun: "Projector", short_noun: "projector", price: (79, 4999),
        paths: &[
            &["TV & Home Theater", "Projectors & Screens", "Projectors"], &["TV & Home Theater", "Projectors & Screens", "Portable Projectors"],
            &["TV & Home Theater", "Projectors & Screens", "4K Projectors"], &["TV & Home Theater", "Projectors & Screens", "Short Throw Projectors"],
        ],
        brands: &["Epson", "BenQ", "Optoma", "ViewSonic", "LG", "Samsung", "Anker Nebula", "XGIMI", "Hisense", "Sony", "JVC", "Vankyo", "Insignia™", "Yaber"],
        lines: &["Epson: Home Cinema", "Epson: EpiqVision", "LG: CineBeam", "Samsung: Freestyle", "Anker Nebula: Capsule", "XGIMI: Horizon", "XGIMI: Mogo", "BenQ: HT Series", "Optoma: UHD Series", "Home Theater", "Pro Cinema", "Mini Portable", "Smart"],
        sizes: &[], specs: &[&["1080p", "4K UHD", "4K PRO-UHD", "WXGA"]],
        colors: &["White", "Black", "Gray"],
        uses: &["backyard movie nights", "a home cinema on any wall", "presentations on the go", "big-screen gaming"],
        features: &[
            ("3LCD", "3LCD technology", "produces bright, balanced color without a rainbow effect"),
            ("Laser", "laser light source", "lasts up to 20,000 hours without a lamp change"),
            ("Smart", "built-in streaming apps", "plays Netflix and YouTube without extra boxes"),
            ("Short Throw", "short-throw lens", "projects a 100-inch picture from just a few feet away"),
            ("Wireless", "Wi-Fi and Bluetooth connectivity", "casts from your phone in seconds"),
        ],
    },
    Kind {
        weight: 1, noun: "Projector Screen", short_noun: "screen", price: (49, 1499),
        paths: &[&["TV & Home Theater", "Projectors & Screens", "Projector Screens"], &["TV & Home Theater", "Projectors & Screens", "Projector Screens", "Outdoor Projector Screens"]],
        brands: &["Elite Screens", "Da-Lite", "Silver Ticket", "Vamvo", "Stewart Filmscreen", "Insignia™", "Akia Screens"],
        lines: &["Elite Screens: Sable Frame", "Elite Screens: Yard Master", "Manual Pull-Down", "Spectrum", "Cinema Pro", "Fixed Frame"],
        sizes: &["84\"", "100\"", "120\"", "135\"", "150\""], specs: &[], colors: &["White", "Gray"],
        uses: &["a dedicated home theater", "outdoor movie nights", "classrooms and conference rooms"],
        features: &[
            ("Fixed-Frame", "fixed aluminum frame", "keeps the surface perfectly flat"),
            ("Motorized", "quiet motorized roller", "lowers the screen at the touch of a button"),
            ("ALR", "ambient light rejecting surface", "keeps colors rich in bright rooms"),
            ("Portable", "folding tripod stand", "sets up anywhere in minutes"),
        ],
    },
    Kind {
        weight: 8, noun: "Sound Bar", short_noun: "sound bar", price: (59, 1499),
        paths: &[
            &["TV & Home Theater", "Home Audio", "Sound Bars"], &["TV & Home Theater", "Home Audio", "Sound Bars", "Dolby Atmos Sound Bars"],
        ],
        brands: AUDIO_BRANDS,
        lines: &["Sonos: Arc", "Sonos: Beam", "Sonos: Ray", "Bose: Smart Soundbar 900", "Samsung: HW-Q Series", "Sony: HT-A Series", "JBL: Bar 1000", "Vizio: SB Series", "Cinema", "Cinema 600", "Studio", "Compact"],
        sizes: &["2.0-Channel", "2.1-Channel", "3.1-Channel", "5.1-Channel", "5.1.2-Channel", "7.1.4-Channel", "9.1.4-Channel"],
        specs: &[], colors: &["Black", "White"],
        uses: &["cinematic sound from your TV", "clearer dialogue in every show", "game nights with room-filling sound"],
        features: &[
            ("Dolby Atmos", "Dolby Atmos decoding", "places sound above and around you"),
            ("Wireless Subwoofer", "wireless subwoofer", "adds deep bass without running cables"),
            ("Bluetooth", "Bluetooth streaming", "plays music from your phone"),
            ("Voice Enhancement", "dialogue enhancement mode", "makes voices easy to follow"),
            ("eARC", "HDMI eARC connection", "carries lossless audio and works with your TV remote"),
        ],
    },
    Kind {
        weight: 2, noun: "AV Home Theater Receiver", short_noun: "receiver", price: (149, 2999),
        paths: &[
            &["TV & Home Theater", "Home Audio", "AV Receivers & Amplifiers"], &["TV & Home Theater", "Home Audio", "AV Receivers & Amplifiers", "Stereo Receivers"],
        ],
        brands: &["Denon", "Marantz", "Yamaha", "Onkyo", "Sony", "Pioneer", "Integra", "Anthem", "Cambridge Audio", "NAD"],
        lines: &["Denon: AVR-X", "Denon: AVR-S", "Yamaha: RX-V", "Sony: STR-DH", "Onkyo: TX-NR", "Marantz: Cinema 70s", "Marantz: SR Series", "Pioneer: VSX", "Network", "Home Theater"],
        sizes: &["5.2-Channel", "7.2-Channel", "9.2-Channel", "11.2-Channel"], specs: &[], colors: &["Black", "Silver Gold"],
        uses: &["a full surround sound setup", "powering your speaker system", "the heart of your home theater"],
        features: &[
            ("8K", "8K/60Hz and 4K/120Hz passthrough", "keeps every source ready for the latest consoles"),
            ("Dolby Atmos", "Dolby Atmos and DTS:X decoding", "fills the room with overhead effects"),
            ("HEOS", "built-in multiroom streaming", "sends music to speakers throughout your home"),
            ("Room Correction", "automatic room calibration", "tunes the sound to your room's acoustics"),
        ],
    },
    Kind {
        weight: 5, noun: "Speaker", short_noun: "speaker", price: (79, 2499),
        paths: &[
            &["TV & Home Theater", "Home Audio", "Speakers", "Bookshelf Speakers"], &["TV & Home Theater", "Home Audio", "Speakers", "Floor-Standing Speakers"],
            &["TV & Home Theater", "Home Audio", "Speakers", "Subwoofers"], &["TV & Home Theater", "Home Audio", "Speakers", "In-Wall & In-Ceiling Speakers"],
        ],
        brands: AUDIO_BRANDS,
        lines: &["Klipsch: Reference", "Klipsch: Reference Premiere", "Polk Audio: Monitor XT", "Polk Audio: Signature Elite", "SVS: SB-2000 Pro", "KEF: Q Series", "Bose: Virtually Invisible", "Sonos: In-Ceiling", "Studio", "Classic", "Bookshelf", "Tower"],
        sizes: &["5-1/4\"", "6-1/2\"", "8\"", "10\"", "12\""], specs: &[&["Passive 2-Way", "Powered", "Dual", "3-Way"]],
        colors: &["Black", "Walnut", "White", "Piano Black", "Natural Cherry"],
        uses: &["a detailed stereo setup", "deep home theater bass", "music in every room"],
        features: &[
            ("Hi-Res", "horn-loaded tweeter", "delivers crisp, detailed highs"),
            ("Powered", "built-in amplifier", "plays without a separate receiver"),
            ("Paintable", "paintable grille", "blends into walls and ceilings"),
            ("Front-Firing", "front-firing woofer", "produces tight, punchy bass"),
        ],
    },
    Kind {
        weight: 5, noun: "Streaming Media Player", short_noun: "streaming player", price: (24, 199),
        paths: &[&["TV & Home Theater", "Streaming Media Players"], &["TV & Home Theater", "Streaming Media Players", "4K Streaming Players"]],
        brands: &["Roku", "Amazon", "Apple", "Google", "NVIDIA", "Chromecast", "Onn", "TiVo"],
        lines: &["Roku: Express", "Roku: Streaming Stick 4K", "Roku: Ultra", "Amazon: Fire TV Stick 4K Max", "Amazon: Fire TV Cube", "Apple: TV 4K", "NVIDIA: Shield TV Pro", "Google: TV Streamer", "Chromecast: with Google TV", "Onn: 4K Pro", "Streaming Stick", "HD Streaming"],
        sizes: &[], specs: &[], colors: &["Black", "White", "Snow"],
        uses: &["streaming on any TV", "cord-cutting without compromise", "a smarter living room TV"],
        features: &[
            ("4K HDR", "4K HDR streaming", "makes supported shows look their best"),
            ("Voice Remote", "voice remote", "finds what to watch without typing"),
            ("Wi-Fi 6", "Wi-Fi 6 support", "keeps streams steady even on busy networks"),
            ("Dolby Vision", "Dolby Vision and Dolby Atmos", "bring cinema picture and sound home"),
        ],
    },
    Kind {
        weight: 2, noun: "Blu-ray Player", short_noun: "player", price: (59, 599),
        paths: &[
            &["TV & Home Theater", "Blu-ray & DVD Players", "4K Ultra HD Blu-ray Players"], &["TV & Home Theater", "Blu-ray & DVD Players", "Blu-ray Players"],
            &["TV & Home Theater", "Blu-ray & DVD Players", "DVD Players"],
        ],
        brands: &["Sony", "Panasonic", "LG", "Samsung", "Insignia™", "Magnavox", "Sylvania", "Philips", "Reavon"],
        lines: &["Sony: UBP-X700", "Sony: BDP-S6700", "Panasonic: DP-UB820", "Streaming", "Slim", "Upscaling"], sizes: &[], specs: &[], colors: &["Black"],
        uses: &["your disc collection", "reference-quality movie nights", "collectors who want the best picture"],
        features: &[
            ("4K Ultra HD", "4K Ultra HD playback", "shows discs at their full resolution"),
            ("HDR10", "HDR10 support", "adds contrast and color depth"),
            ("Wi-Fi", "built-in Wi-Fi", "adds streaming apps to your player"),
            ("Upscaling", "DVD upscaling", "makes older discs look sharper"),
        ],
    },
    Kind {
        weight: 4, noun: "TV Wall Mount", short_noun: "mount", price: (24, 399),
        paths: &[
            &["TV & Home Theater", "TV Mounts & Stands", "Full-Motion TV Mounts"], &["TV & Home Theater", "TV Mounts & Stands", "Tilting TV Mounts"],
            &["TV & Home Theater", "TV Mounts & Stands", "Fixed TV Mounts"], &["TV & Home Theater", "TV Mounts & Stands", "TV Stands"],
        ],
        brands: &["Rocketfish™", "Insignia™", "Sanus", "Kanto", "Mount-It!", "Echogear", "Peerless-AV", "OmniMount", "Monoprice", "ProMounts"],
        lines: &["Premium", "Advanced", "Elite", "Super Slim", "Essentials", "Low Profile"],
        sizes: &[], specs: &[&["for Most 19\"-39\" TVs", "for Most 32\"-70\" TVs", "for Most 40\"-75\" TVs", "for Most 42\"-90\" TVs"]],
        colors: &["Black"],
        uses: &["a clean, clutter-free wall", "the best viewing angle from any seat", "freeing up floor space"],
        features: &[
            ("Full-Motion", "full-motion arm", "swivels and extends toward any seat"),
            ("Tilting", "tool-free tilt", "cuts glare from windows and lamps"),
            ("Low-Profile", "low-profile design", "holds your TV close to the wall"),
            ("Cable Management", "integrated cable management", "hides cords for a tidy look"),
        ],
    },
    Kind {
        weight: 5, noun: "HDMI Cable", short_noun: "cable", price: (9, 129),
        paths: &[&["TV & Home Theater", "Home Theater Accessories", "HDMI Cables"]],
        brands: &["Rocketfish™", "Insignia™", "Dynex™", "Monster", "Belkin", "AudioQuest", "Cable Matters", "Monoprice", "UGREEN", "AmazonBasics"],
        lines: &["Ultra High Speed", "Premium High Speed", "Braided", "In-Wall Rated", "Active Optical"],
        sizes: &["3'", "4'", "6'", "8'", "12'", "25'", "50'"], specs: &[], colors: &["Black", "Gray"],
        uses: &["connecting your TV and console", "a reliable home theater connection", "8K and 4K gear"],
        features: &[
            ("48Gbps", "48Gbps bandwidth", "carries 8K at 60Hz and 4K at 120Hz"),
            ("eARC", "eARC support", "sends lossless audio to your sound bar"),
            ("Braided", "braided jacket", "resists kinks and fraying"),
            ("Gold-Plated", "gold-plated connectors", "resist corrosion for a lasting connection"),
        ],
    },
    Kind {
        weight: 1, noun: "Universal Remote", short_noun: "remote", price: (14, 349),
        paths: &[&["TV & Home Theater", "Home Theater Accessories", "Universal Remotes"]],
        brands: &["Logitech", "GE", "Philips", "Sofabaton", "Insignia™", "One For All", "Caavo"],
        lines: &["Logitech: Harmony", "Sofabaton: X1S", "Backlit", "Smart", "Simple", "Pro"],
        sizes: &["4-Device", "6-Device", "8-Device", "15-Device"], specs: &[], colors: &["Black", "Silver"],
        uses: &["a simpler living room", "controlling every device with one remote"],
        features: &[
            ("Backlit", "backlit keys", "make it easy to use in the dark"),
            ("Learning", "learning function", "copies commands from your old remotes"),
            ("App Control", "companion app", "turns your phone into a remote"),
        ],
    },
    Kind {
        weight: 2, noun: "Surge Protector", short_noun: "surge protector", price: (14, 299),
        paths: &[&["TV & Home Theater", "Home Theater Accessories", "Surge Protectors & Power"]],
        brands: &["Rocketfish™", "Insignia™", "Belkin", "APC", "Monster", "Panamax", "Tripp Lite", "CyberPower", "Furman"],
        lines: &["APC: SurgeArrest", "Belkin: Pivot Plug", "Panamax: Power Center", "Home Theater", "Essential", "Slim"],
        sizes: &["6-Outlet", "8-Outlet", "10-Outlet", "12-Outlet"], specs: &[], colors: &["Black", "White"],
        uses: &["protecting expensive electronics", "a tidy entertainment center"],
        features: &[
            ("USB", "built-in USB charging ports", "power up phones without adapters"),
            ("3000 Joules", "3,000-joule rating", "absorbs dangerous power spikes"),
            ("Coax Protection", "coaxial line protection", "guards your cable box and modem"),
        ],
    },
    // ---------------------------------------------------------------- Computers & Tablets
    Kind {
        weight: 20, noun: "Laptop", short_noun: "laptop", price: (179, 3499),
        paths: &[
            &["Computers & Tablets", "Laptops", "Windows Laptops"], &["Computers & Tablets", "Laptops", "MacBooks"],
            &["Computers & Tablets", "Laptops", "Chromebooks"], &["Computers & Tablets", "Laptops", "Gaming Laptops"],
            &["Computers & Tablets", "Laptops", "2-in-1 Laptops"],
        ],
        brands: COMPUTER_BRANDS,
        lines: &["Dell: Inspiron", "Dell: XPS", "HP: Pavilion", "HP: Envy", "HP: Spectre x360", "Lenovo: IdeaPad Slim 5", "Lenovo: Yoga 7i", "Lenovo: ThinkPad", "ASUS: Zenbook", "ASUS: Vivobook", "ASUS ROG: Strix G16", "Acer: Swift Go", "Acer: Aspire 5", "Acer: Nitro V", "Samsung: Galaxy Book4", "Apple: MacBook Air", "Apple: MacBook Pro", "Microsoft: Surface Laptop", "MSI: Katana", "Razer: Blade 15", "HP OMEN: Transcend", "Lenovo Legion: Pro 5i", "Alienware: m16", "Chromebook Plus", "Thin & Light", "Creator", "Gaming", "Essential"],
        sizes: &["13.3\"", "13.6\"", "14\"", "15.6\"", "16\"", "17.3\""],
        specs: &[
            &["Intel Core i3", "Intel Core i5", "Intel Core i7", "Intel Core Ultra 5", "Intel Core Ultra 7", "AMD Ryzen 5", "AMD Ryzen 7", "AMD Ryzen 9", "Apple M3 chip", "Snapdragon X Plus"],
            &["8GB Memory", "16GB Memory", "32GB Memory", "64GB Memory"],
            &["256GB SSD", "512GB SSD", "1TB SSD", "2TB SSD"],
        ],
        colors: &["Silver", "Black", "Space Gray", "Midnight", "Natural Silver", "Platinum", "Eclipse Gray", "Arctic Gray"],
        uses: &["work, school and everything in between", "gaming and content creation", "productivity on the go", "everyday browsing and streaming"],
        features: &[
            ("Touch-Screen", "responsive touch screen", "lets you tap, swipe and sketch naturally"),
            ("OLED", "OLED display", "shows vivid colors and true blacks"),
            ("Copilot+ PC", "neural processing unit", "speeds up AI features without draining the battery"),
            ("Backlit Keyboard", "backlit keyboard", "keeps you typing comfortably in dim rooms"),
            ("NVIDIA GeForce RTX 4060", "NVIDIA GeForce RTX graphics", "handle modern games and creative apps"),
            ("Wi-Fi 6E", "Wi-Fi 6E connectivity", "keeps downloads fast and video calls smooth"),
            ("Thunderbolt 4", "Thunderbolt 4 ports", "connect docks, displays and fast storage"),
            ("All-Day Battery", "long-lasting battery", "gets you through a full day unplugged"),
        ],
    },
    Kind {
        weight: 6, noun: "Desktop", short_noun: "desktop", price: (299, 3999),
        paths: &[
            &["Computers & Tablets", "Desktop Computers", "All-in-One Computers"], &["Computers & Tablets", "Desktop Computers", "Gaming Desktops"],
            &["Computers & Tablets", "Desktop Computers", "Tower Desktops"], &["Computers & Tablets", "Desktop Computers", "Mini PCs"],
        ],
        brands: COMPUTER_BRANDS,
        lines: &["Apple: iMac", "Apple: Mac mini", "Dell: OptiPlex", "Dell: Inspiron", "HP: Pavilion", "HP OMEN: 45L", "Lenovo: IdeaCentre", "Lenovo Legion: Tower 5", "Acer: Aspire C", "Alienware: Aurora R16", "ASUS ROG: Strix G16CH", "CyberPowerPC: Gamer Xtreme", "iBUYPOWER: Slate", "Gaming", "Home & Office", "Creator"],
        sizes: &["23.8\" Touch-Screen All-In-One", "27\" All-In-One", "Tower", "Mini", "Small Form Factor"],
        specs: &[
            &["Intel Core i5", "Intel Core i7", "Intel Core i9", "AMD Ryzen 5", "AMD Ryzen 7", "AMD Ryzen 9", "Apple M3 chip"],
            &["8GB Memory", "16GB Memory", "32GB Memory"],
            &["512GB SSD", "1TB SSD", "2TB SSD", "1TB SSD + 2TB HDD"],
        ],
        colors: &["Black", "White", "Silver", "Blue"],
        uses: &["a powerful home office", "high-frame-rate gaming", "family homework and photo editing"],
        features: &[
            ("Liquid Cooled", "liquid cooling", "keeps the processor fast under heavy loads"),
            ("RGB", "tempered glass side panel with RGB lighting", "shows off the components inside"),
            ("Wi-Fi 6", "Wi-Fi 6 and Bluetooth", "connect without extra adapters"),
            ("Upgradable", "tool-less chassis", "makes upgrades quick and easy"),
        ],
    },
    Kind {
        weight: 10, noun: "Tablet", short_noun: "tablet", price: (49, 1999),
        paths: &[
            &["Computers & Tablets", "Tablets", "iPad"], &["Computers & Tablets", "Tablets", "Android Tablets"],
            &["Computers & Tablets", "Tablets", "Windows Tablets"], &["Computers & Tablets", "Tablets", "Kids' Tablets"],
            &["Computers & Tablets", "Tablets", "E-Readers"],
        ],
        brands: &["Apple", "Samsung", "Amazon", "Microsoft", "Lenovo", "Google", "OnePlus", "TCL", "Kobo", "reMarkable", "Onn", "Insignia™"],
        lines: &["Apple: iPad", "Apple: iPad Air", "Apple: iPad Pro", "Apple: iPad mini", "Samsung: Galaxy Tab S9", "Samsung: Galaxy Tab A9+", "Amazon: Fire HD 10", "Amazon: Fire Max 11", "Microsoft: Surface Pro", "Lenovo: Tab P12", "Google: Pixel Tablet", "OnePlus: Pad", "TCL: Tab 10", "Onn: Pro", "Kids", "Plus"],
        sizes: &["7\"", "8\"", "10.1\"", "10.9\"", "11\"", "12.4\"", "13\""],
        specs: &[&["64GB", "128GB", "256GB", "512GB", "1TB"], &["Wi-Fi", "Wi-Fi + Cellular"]],
        colors: TECH_COLORS,
        uses: &["reading, streaming and sketching", "entertainment on the couch", "note-taking in class", "travel and long flights"],
        features: &[
            ("Liquid Retina", "Liquid Retina display", "makes photos and video look sharp"),
            ("Stylus Included", "included stylus", "turns the screen into a sketchpad"),
            ("Kids Edition", "kid-proof case and parental controls", "keep little ones safe"),
            ("5G", "5G connectivity", "keeps you online away from Wi-Fi"),
            ("Quad Speakers", "quad speakers", "fill the room with stereo sound"),
        ],
    },
    Kind {
        weight: 8, noun: "Monitor", short_noun: "monitor", price: (89, 1999),
        paths: &[
            &["Computers & Tablets", "Monitors", "Gaming Monitors"], &["Computers & Tablets", "Monitors", "4K Monitors"],
            &["Computers & Tablets", "Monitors", "Curved Monitors"], &["Computers & Tablets", "Monitors", "Portable Monitors"],
            &["Computers & Tablets", "Monitors", "Office Monitors"],
        ],
        brands: MONITOR_BRANDS,
        lines: &["Samsung: Odyssey G5", "Samsung: Odyssey OLED G8", "Samsung: ViewFinity", "Samsung: Smart Monitor M8", "LG: UltraGear", "LG: UltraFine", "Dell: UltraSharp", "ASUS: ProArt", "ASUS: TUF Gaming", "Acer: Nitro", "Acer: Predator", "BenQ: Mobiuz", "MSI: Optix", "Apple: Studio Display", "Alienware: AW Series", "Gaming", "Essential", "Pro"],
        sizes: &["15.6\"", "24\"", "27\"", "32\"", "34\"", "38\"", "49\""],
        specs: &[&["FHD", "QHD", "4K UHD", "WQHD", "5K"], &["75Hz", "144Hz", "165Hz", "240Hz", "360Hz"]],
        colors: &["Black", "White", "Silver"],
        uses: &["competitive gaming", "spreadsheets and multitasking", "photo and video editing"],
        features: &[
            ("IPS", "IPS panel", "keeps colors accurate from any angle"),
            ("Curved", "1000R curve", "wraps the picture around your field of view"),
            ("G-SYNC Compatible", "adaptive sync", "removes tearing and stutter"),
            ("USB-C", "USB-C connection", "carries video, data and charging on one cable"),
            ("HDR400", "DisplayHDR 400", "adds punch to highlights"),
        ],
    },
    Kind {
        weight: 5, noun: "Keyboard", short_noun: "keyboard", price: (19, 249),
        paths: &[
            &["Computers & Tablets", "Computer Accessories & Peripherals", "Keyboards & Mice", "Keyboards", "Gaming Keyboards"],
            &["Computers & Tablets", "Computer Accessories & Peripherals", "Keyboards & Mice", "Keyboards", "Wireless Keyboards"],
            &["Computers & Tablets", "Computer Accessories & Peripherals", "Keyboards & Mice", "Keyboards", "Mechanical Keyboards"],
        ],
        brands: PERIPHERAL_BRANDS,
        lines: &["Logitech: MX Keys", "Logitech: Pop Keys", "Logitech: Ergo K860", "Logitech G: G915", "Razer: BlackWidow V4", "Razer: Huntsman Mini", "Corsair: K70 RGB", "SteelSeries: Apex Pro", "HyperX: Alloy Origins", "Apple: Magic Keyboard", "Keychron: Q1 Pro", "Wireless", "Mechanical", "Slim", "Gaming"],
        sizes: &["Full-Size", "TKL", "75%", "60%", "Compact"],
        specs: &[&["Wired", "Wireless", "Bluetooth"]], colors: &["Black", "White", "Graphite", "Pale Gray", "Mercury White"],
        uses: &["marathon gaming sessions", "all-day typing comfort", "a clean desk setup"],
        features: &[
            ("Mechanical", "hot-swappable mechanical switches", "feel crisp and responsive on every keystroke"),
            ("RGB", "per-key RGB lighting", "lets you customize every key"),
            ("Low-Profile", "low-profile keys", "keep your wrists in a natural position"),
            ("Multi-Device", "multi-device pairing", "switches between three computers with one key"),
        ],
    },
    Kind {
        weight: 5, noun: "Mouse", short_noun: "mouse", price: (9, 179),
        paths: &[
            &["Computers & Tablets", "Computer Accessories & Peripherals", "Keyboards & Mice", "Mice", "Gaming Mice"],
            &["Computers & Tablets", "Computer Accessories & Peripherals", "Keyboards & Mice", "Mice", "Wireless Mice"],
            &["Computers & Tablets", "Computer Accessories & Peripherals", "Keyboards & Mice", "Mice", "Trackballs"],
        ],
        brands: PERIPHERAL_BRANDS,
        lines: &["Logitech: MX Master 3S", "Logitech: M720 Triathlon", "Logitech: Lift", "Logitech G: G502 X", "Razer: DeathAdder V3", "Razer: Viper V2 Pro", "Razer: Basilisk", "SteelSeries: Aerox 5", "HyperX: Pulsefire Haste", "Apple: Magic Mouse", "Wireless", "Ergonomic", "Gaming", "Compact"],
        sizes: &[], specs: &[&["Wired", "Wireless", "Bluetooth", "Lightspeed Wireless"]],
        colors: &["Black", "White", "Graphite", "Pink", "Pale Gray"],
        uses: &["fast-paced shooters", "precise everyday work", "a comfortable grip all day"],
        features: &[
            ("Optical", "high-precision optical sensor", "tracks accurately on almost any surface"),
            ("Ergonomic", "ergonomic shape", "reduces strain on your hand and wrist"),
            ("Ultralight", "ultralight shell", "makes quick flicks effortless"),
            ("Rechargeable", "rechargeable battery", "lasts weeks on a single charge"),
        ],
    },
    Kind {
        weight: 4, noun: "Printer", short_noun: "printer", price: (59, 1299),
        paths: &[
            &["Computers & Tablets", "Printers, Ink & Toner", "Printers", "All-in-One Printers"], &["Computers & Tablets", "Printers, Ink & Toner", "Printers", "Laser Printers"],
            &["Computers & Tablets", "Printers, Ink & Toner", "Printers", "Photo Printers"], &["Computers & Tablets", "Printers, Ink & Toner", "Printers", "3D Printers"],
        ],
        brands: PRINTER_BRANDS,
        lines: &["HP: OfficeJet Pro", "HP: ENVY", "HP: LaserJet", "Canon: PIXMA", "Canon: imageCLASS", "Canon: SELPHY", "Epson: EcoTank", "Epson: Expression", "Brother: MFC", "Creality: Ender", "Bambu Lab: A1 mini", "FlashForge: Adventurer", "Home", "Office", "Photo"],
        sizes: &[], specs: &[&["Wireless", "Wireless Color", "Black-and-White", "Duplex"]],
        colors: &["White", "Black", "Gray"],
        uses: &["a busy home office", "school projects and photos", "printing prototypes at home"],
        features: &[
            ("All-In-One", "print, copy and scan functions", "handle every document job"),
            ("Instant Ink Ready", "ink subscription support", "orders cartridges before you run out"),
            ("Auto Duplex", "automatic two-sided printing", "saves paper"),
            ("Mobile Printing", "mobile printing app", "prints from your phone anywhere in the house"),
        ],
    },
    Kind {
        weight: 6, noun: "Ink Cartridge", short_noun: "cartridge", price: (14, 199),
        paths: &[
            &["Computers & Tablets", "Printers, Ink & Toner", "Ink & Toner", "Ink Cartridges"], &["Computers & Tablets", "Printers, Ink & Toner", "Ink & Toner", "Toner Cartridges"],
        ],
        brands: PRINTER_BRANDS,
        lines: &["HP: 67XL", "HP: 910XL", "HP: 952", "Canon: PG-245XL", "Canon: CLI-281", "Epson: T502", "Brother: TN760", "Original", "Remanufactured", "Combo Pack"],
        sizes: &["Standard Capacity", "High-Yield", "Extra High-Yield"], specs: &[], colors: &["Black", "Tri-Color", "Cyan", "Magenta", "Yellow", "Multipack"],
        uses: &["crisp documents and vivid photos", "keeping your printer running"],
        features: &[
            ("Original", "original manufacturer ink", "produces sharp text and true colors"),
            ("High Yield", "high-yield formula", "prints more pages per cartridge"),
            ("Fade-Resistant", "fade-resistant pigments", "keep prints looking new for years"),
        ],
    },
    Kind {
        weight: 5, noun: "External Drive", short_noun: "drive", price: (39, 599),
        paths: &[&["Computers & Tablets", "Hard Drives & Storage", "External Hard Drives"], &["Computers & Tablets", "Hard Drives & Storage", "Portable SSDs"]],
        brands: STORAGE_BRANDS,
        lines: &["Samsung: T7 Shield", "SanDisk: Extreme Pro", "WD: My Passport", "WD: Elements", "Seagate: Expansion", "Seagate: Game Drive", "Crucial: X9 Pro", "LaCie: Rugged", "Portable", "Desktop", "Rugged"],
        sizes: &["500GB", "1TB", "2TB", "4TB", "5TB", "8TB"], specs: &[&["USB 3.2 Gen 2", "USB-C", "PCIe Gen 4 NVMe", "Thunderbolt 3"]],
        colors: &["Black", "Blue", "Gray", "Orange", "Red"],
        uses: &["backing up photos and files", "editing video on the go", "expanding your console's library"],
        features: &[
            ("Rugged", "shock-resistant design", "survives drops of up to 9.8 feet"),
            ("Encrypted", "hardware encryption", "keeps your files private"),
            ("High Speed", "read speeds up to 2,000MB/s", "move large files in seconds"),
            ("Heatsink", "built-in heatsink", "keeps speeds steady during long transfers"),
        ],
    },
    Kind {
        weight: 4, noun: "Memory Card", short_noun: "memory card", price: (9, 249),
        paths: &[
            &["Computers & Tablets", "Hard Drives & Storage", "Memory Cards"], &["Computers & Tablets", "Hard Drives & Storage", "Memory Cards", "microSD Cards"],
        ],
        brands: STORAGE_BRANDS,
        lines: &["SanDisk: Extreme", "SanDisk: Ultra", "Samsung: EVO Select", "Samsung: PRO Plus", "Kingston: Canvas Go!", "Lexar: Professional 1667x", "PNY: Elite-X", "High Endurance", "Pro", "Plus"],
        sizes: &["32GB", "64GB", "128GB", "256GB", "512GB", "1TB"], specs: &[&["microSDXC", "SDXC", "UHS-I", "UHS-II", "USB 3.2"]],
        colors: &[],
        uses: &["4K video recording", "more space on your phone and Switch", "carrying files everywhere"],
        features: &[
            ("V30", "V30 video speed class", "records 4K video without dropped frames"),
            ("Waterproof", "waterproof, temperature-proof build", "protects your memories"),
            ("A2", "A2 app performance rating", "launches apps quickly"),
        ],
    },
    Kind {
        weight: 4, noun: "Wi-Fi Router", short_noun: "router", price: (39, 699),
        paths: &[
            &["Computers & Tablets", "Networking", "Wi-Fi Routers"], &["Computers & Tablets", "Networking", "Mesh Wi-Fi Systems"],
            &["Computers & Tablets", "Networking", "Gaming Routers"], &["Computers & Tablets", "Networking", "Range Extenders"],
        ],
        brands: NETWORK_BRANDS,
        lines: &["NETGEAR: Nighthawk", "NETGEAR: Orbi", "TP-Link: Archer", "TP-Link: Deco", "ASUS: RT-AX", "ASUS: ROG Rapture", "ASUS: ZenWiFi", "eero: Pro 6E", "Google: Nest Wifi Pro", "Linksys: Velop", "Motorola: Q11", "Mesh", "Gaming", "Dual-Band Smart"],
        sizes: &["AX1800", "AX3000", "AX5400", "AXE7800", "BE9300", "AC1200"], specs: &[&["Dual-Band", "Tri-Band", "Quad-Band"]],
        colors: &["Black", "White"],
        uses: &["whole-home coverage", "lag-free online gaming", "busy households with dozens of devices"],
        features: &[
            ("Wi-Fi 6", "Wi-Fi 6 technology", "handles many devices at once"),
            ("Wi-Fi 7", "Wi-Fi 7 multi-link operation", "cuts latency for gaming and video calls"),
            ("Mesh", "mesh networking", "removes dead zones throughout your home"),
            ("Parental Controls", "built-in parental controls", "let you pause the internet at dinnertime"),
        ],
    },
    Kind {
        weight: 1, noun: "Cable Modem", short_noun: "modem", price: (79, 299),
        paths: &[&["Computers & Tablets", "Networking", "Modems"]],
        brands: &["NETGEAR", "ARRIS", "Motorola", "TP-Link", "Linksys"],
        lines: &["NETGEAR: Nighthawk CM", "ARRIS: SURFboard", "Motorola: MB8611", "TP-Link: Archer CR", "Cable", "High-Speed"], sizes: &["DOCSIS 3.1", "DOCSIS 3.0"], specs: &[], colors: &["Black", "White"],
        uses: &["ending monthly modem rental fees", "gigabit internet plans"],
        features: &[
            ("2.5Gbps", "multi-gig Ethernet port", "unlocks your plan's full speed"),
            ("Cable ISP Approved", "approval by major cable providers", "makes activation simple"),
            ("Compact", "compact vertical design", "fits anywhere on a shelf"),
        ],
    },
    Kind {
        weight: 2, noun: "Graphics Card", short_noun: "graphics card", price: (199, 1999),
        paths: &[&["Computers & Tablets", "Computer Cards & Components", "Graphics Cards"]],
        brands: &["NVIDIA", "ASUS", "MSI", "Gigabyte", "PNY", "ZOTAC", "EVGA", "XFX", "Sapphire", "PowerColor", "Intel"],
        lines: &["NVIDIA: GeForce RTX 4070 SUPER Founders Edition", "NVIDIA: GeForce RTX 4090 Founders Edition", "Intel: Arc A770", "GeForce RTX 4060", "GeForce RTX 4070 SUPER", "GeForce RTX 4080 SUPER", "Radeon RX 7800 XT", "Radeon RX 7900 XTX"],
        sizes: &["8GB GDDR6", "12GB GDDR6X", "16GB GDDR6", "24GB GDDR6X"], specs: &[&["PCIe 4.0", "Overclocked", "Founders Edition"]], colors: &[],
        uses: &["high-refresh 1440p gaming", "ray-traced 4K gaming", "3D rendering and AI workloads"],
        features: &[
            ("Ray Tracing", "hardware ray tracing", "renders lifelike lighting and reflections"),
            ("DLSS 3", "AI upscaling", "boosts frame rates without losing detail"),
            ("Triple Fan", "triple-fan cooler", "keeps temperatures and noise down"),
        ],
    },
    Kind {
        weight: 2, noun: "Desktop Memory Kit", short_noun: "memory kit", price: (29, 399),
        paths: &[&["Computers & Tablets", "Computer Cards & Components", "Computer Memory (RAM)"]],
        brands: &["Corsair", "Crucial", "Kingston FURY", "G.SKILL", "TEAMGROUP", "PNY", "Patriot"],
        lines: &["Corsair: Vengeance RGB", "Corsair: Dominator Titanium", "Crucial: Pro", "Kingston FURY: Beast", "G.SKILL: Trident Z5", "TEAMGROUP: T-Force Delta", "Desktop", "Gaming"],
        sizes: &["16GB (2x8GB)", "32GB (2x16GB)", "64GB (2x32GB)"], specs: &[&["DDR4 3200MHz", "DDR5 5600MHz", "DDR5 6000MHz", "DDR5 7200MHz"]], colors: &["Black", "White"],
        uses: &["faster multitasking", "a smoother gaming build"],
        features: &[
            ("XMP 3.0", "XMP and EXPO profiles", "run at rated speed with one click"),
            ("RGB", "ten-zone RGB lighting", "syncs with the rest of your build"),
            ("Low Profile", "low-profile heat spreader", "clears large CPU coolers"),
        ],
    },
    Kind {
        weight: 2, noun: "Webcam", short_noun: "webcam", price: (29, 299),
        paths: &[&["Computers & Tablets", "Computer Accessories & Peripherals", "Webcams"]],
        brands: &["Logitech", "Razer", "Insignia™", "Elgato", "Microsoft", "Anker", "OBSBOT", "Dell"],
        lines: &["Logitech: Brio", "Logitech: C920s", "Logitech: StreamCam", "Razer: Kiyo Pro", "Elgato: Facecam", "OBSBOT: Tiny 2", "Anker: PowerConf", "HD", "Pro", "Streaming"],
        sizes: &["1080p", "2K", "4K"], specs: &[], colors: &["Black", "White", "Graphite"],
        uses: &["clear video calls", "live streaming", "online classes"],
        features: &[
            ("Auto Focus", "fast autofocus", "keeps you sharp as you move"),
            ("Dual Mics", "dual noise-reducing microphones", "pick up your voice clearly"),
            ("Privacy Shutter", "privacy shutter", "covers the lens when you are off camera"),
        ],
    },
    Kind {
        weight: 4, noun: "Laptop Backpack", short_noun: "backpack", price: (19, 299),
        paths: &[
            &["Computers & Tablets", "Computer Accessories & Peripherals", "Laptop Bags & Cases", "Laptop Backpacks"],
            &["Computers & Tablets", "Computer Accessories & Peripherals", "Laptop Bags & Cases", "Laptop Sleeves"],
            &["Computers & Tablets", "Computer Accessories & Peripherals", "Laptop Bags & Cases", "Messenger Bags"],
        ],
        brands: &["Targus", "Incase", "Samsonite", "Insignia™", "Dynex™", "Case Logic", "Thule", "Herschel", "Solo New York", "Tumi", "Swissgear", "Everki", "Peak Design", "Nomatic"],
        lines: &["Urban Lite", "Icon", "Classic", "Commuter", "Campus", "Travel Pro", "Metro"],
        sizes: &[], specs: &[&["for Laptops up to 13\"", "for Laptops up to 14\"", "for Laptops up to 15.6\"", "for Laptops up to 16\"", "for Laptops up to 17\""]],
        colors: &["Black", "Gray", "Navy", "Heather Gray", "Olive", "Burgundy"],
        uses: &["daily commutes", "campus life", "business travel"],
        features: &[
            ("Padded", "padded laptop compartment", "protects your computer from bumps"),
            ("Water-Resistant", "water-resistant fabric", "keeps your gear dry in the rain"),
            ("TSA-Friendly", "checkpoint-friendly layout", "speeds you through airport security"),
            ("USB Charging Port", "pass-through charging port", "powers your phone from a battery inside"),
        ],
    },
    Kind {
        weight: 3, noun: "USB-C Hub", short_noun: "hub", price: (19, 349),
        paths: &[
            &["Computers & Tablets", "Computer Accessories & Peripherals", "Docking Stations"], &["Computers & Tablets", "Computer Accessories & Peripherals", "USB Hubs"],
        ],
        brands: &["Anker", "Belkin", "CalDigit", "Satechi", "Insignia™", "Dell", "Kensington", "Plugable", "OWC", "HP", "Lenovo", "UGREEN"],
        lines: &["Anker: PowerExpand", "Belkin: Connect Pro", "CalDigit: TS4", "Satechi: Multiport", "Dell: Universal Dock", "Thunderbolt Dock", "Multiport Adapter", "Travel"],
        sizes: &["4-Port", "7-in-1", "8-in-1", "11-in-1", "13-Port", "18-Port"], specs: &[], colors: &["Space Gray", "Silver", "Black"],
        uses: &["a one-cable desk setup", "connecting more accessories to your laptop"],
        features: &[
            ("4K HDMI", "4K HDMI output", "extends your desktop to a big screen"),
            ("100W PD", "100W power delivery", "charges your laptop while you work"),
            ("Gigabit Ethernet", "Gigabit Ethernet port", "gives you a stable wired connection"),
        ],
    },
    // ---------------------------------------------------------------- Cell Phones (the real file's tree)
    Kind {
        weight: 14, noun: "Cell Phone", short_noun: "smartphone", price: (29, 1599),
        paths: &[
            &["Cell Phones", "Unlocked Cell Phones", "All Unlocked Cell Phones"], &["Cell Phones", "Prepaid Phones", "All Prepaid Phones"],
            &["Cell Phones", "iPhone"], &["Cell Phones", "Samsung Galaxy", "Samsung Galaxy Phones"],
            &["Cell Phones", "Refurbished Phones"], &["Cell Phones", "All Cell Phones with Plans"], &["Cell Phones"],
        ],
        brands: PHONE_BRANDS,
        lines: &["Apple: iPhone 15", "Apple: iPhone 15 Pro Max", "Apple: iPhone SE", "Samsung: Galaxy S24", "Samsung: Galaxy S24 Ultra", "Samsung: Galaxy A15 5G", "Samsung: Galaxy Z Flip5", "Google: Pixel 8", "Google: Pixel 8a", "Motorola: moto g play", "Motorola: moto g stylus", "Motorola: razr+", "OnePlus: 12", "Sony: Xperia 1 V", "Nothing: Phone (2)", "AT&T GoPhone: Samsung Galaxy Express 3", "Verizon Prepaid: Samsung Galaxy J1", "Boost Mobile: moto g play", "Cricket Wireless: iPhone 13", "TracFone: Samsung Galaxy A03s", "Straight Talk: Apple iPhone 12", "Total Wireless: moto g 5G", "Simple Mobile: Samsung Galaxy A14", "Jitterbug: Smart4", "Kyocera: DuraXV Extreme", "Alcatel: Go Flip 4", "BLU: View 5 Pro", "TCL: 40 XL", "ZTE: Blade A3"],
        sizes: &[], specs: &[&["64GB", "128GB", "256GB", "512GB", "1TB"]],
        colors: &["Black", "Midnight", "Blue", "Titanium Gray", "Phantom Black", "Cream", "Mint", "Lavender", "Obsidian", "Hazel", "Starlight"],
        uses: &["staying connected all day", "photos, video and social media", "a first phone for your teen", "work on the go"],
        features: &[
            ("5G", "5G connectivity", "gives you fast downloads and smooth streaming"),
            ("4G LTE", "4G LTE support", "keeps you connected on nationwide networks"),
            ("Triple Camera", "triple-lens camera system", "captures wide landscapes and detailed portraits"),
            ("AMOLED", "6.2-inch Dynamic AMOLED display", "looks bright even in sunlight"),
            ("Fast Charging", "fast charging", "adds hours of use in minutes"),
            ("Water-Resistant", "IP68 water resistance", "shrugs off spills and rain"),
            ("microSD", "microSD slot", "adds up to 1TB of extra storage"),
        ],
    },
    Kind {
        weight: 40, noun: "Case", short_noun: "case", price: (9, 79),
        paths: &[
            &["Cell Phones", "Cell Phone Accessories", "Cell Phone Cases & Clips"],
            &["Cell Phones", "Cell Phone Accessories", "iPhone Accessories", "iPhone Cases & Clips"],
            &["Cell Phones", "Cell Phone Accessories", "iPhone Accessories", "iPhone Cases & Clips", "iPhone 15 Cases"],
            &["Cell Phones", "Cell Phone Accessories", "iPhone Accessories", "iPhone Cases & Clips", "iPhone 15 Pro Cases"],
            &["Cell Phones", "Cell Phone Accessories", "iPhone Accessories", "iPhone Cases & Clips", "iPhone 14 Cases"],
            &["Cell Phones", "Cell Phone Accessories", "iPhone Accessories", "iPhone Cases & Clips", "iPhone 7 Plus Cases"],
            &["Cell Phones", "Samsung Galaxy", "Samsung Galaxy Accessories", "Samsung Galaxy Cases"],
        ],
        brands: ACCESSORY_BRANDS,
        lines: &["OtterBox: Defender Series", "OtterBox: Commuter Series", "OtterBox: Symmetry Series", "Speck: Presidio", "Speck: CandyShell Grip", "Moshi: iGlaze", "Tech21: Evo Check", "Spigen: Tough Armor", "Spigen: Ultra Hybrid", "Nite Ize: Clip Case Executive", "UAG: Pathfinder", "LifeProof: FRĒ", "Hard Shell", "Soft Shell", "Folio", "Wallet", "Slim Armor", "Clear", "Glitter", "Rugged", "Leather Folio"],
        sizes: &[],
        specs: &[&["for Apple® iPhone® 15", "for Apple® iPhone® 15 Pro Max", "for Apple® iPhone® 14", "for Apple® iPhone® 7 Plus", "for Apple® iPhone® 6 and 6s", "for Samsung Galaxy S24", "for Samsung Galaxy S24 Ultra", "for Samsung Galaxy A15 5G", "for Google Pixel 8", "for Motorola moto g play", "for Most Cell Phones"]],
        colors: CASE_COLORS,
        uses: &["protection from everyday drops and bumps", "adding a personal touch to your phone", "rugged outdoor adventures"],
        features: &[
            ("MagSafe", "built-in magnets", "snap onto MagSafe chargers and mounts"),
            ("Military-Grade", "military-grade drop protection", "is tested to withstand 10-foot drops"),
            ("Slim", "slim, lightweight profile", "slips easily into a pocket"),
            ("Raised Bezel", "raised bezel", "keeps the screen and camera off flat surfaces"),
            ("Kickstand", "built-in kickstand", "props your phone up for hands-free video"),
            ("Card Slots", "card slots", "carry your ID and cards"),
            ("Antimicrobial", "antimicrobial coating", "helps keep the surface clean"),
        ],
    },
    Kind {
        weight: 10, noun: "Screen Protector", short_noun: "screen protector", price: (9, 59),
        paths: &[
            &["Cell Phones", "Cell Phone Accessories", "Screen Protectors"], &["Cell Phones", "Cell Phone Accessories", "iPhone Accessories", "iPhone Screen Protectors"],
        ],
        brands: ACCESSORY_BRANDS,
        lines: &["ZAGG: InvisibleShield Glass Elite", "InvisibleShield: Glass XTR3", "Gadget Guard: Black Ice", "HD Glass", "Ultra Clear", "Privacy Guard", "Anti-Glare", "Sapphire Defense", "Tempered Glass"],
        sizes: &[],
        specs: &[&["for Apple® iPhone® 15", "for Apple® iPhone® 15 Pro", "for Apple® iPhone® 14 Plus", "for Samsung Galaxy S24", "for Samsung Galaxy S6", "for Google Pixel 8 Pro", "for LG G5"]],
        colors: &["Clear", "Transparent", "Privacy"],
        uses: &["keeping your display free of scratches", "protecting your screen from cracks"],
        features: &[
            ("Tempered Glass", "tempered glass", "absorbs impacts that would crack your screen"),
            ("Privacy", "privacy filter", "hides your screen from the people beside you"),
            ("Easy Apply", "alignment tray", "makes installation bubble-free"),
            ("Blue Light Filter", "blue light filter", "helps protect your eyes"),
        ],
    },
    Kind {
        weight: 10, noun: "Charger", short_noun: "charger", price: (9, 149),
        paths: &[
            &["Cell Phones", "Cell Phone Accessories", "Car Chargers"], &["Cell Phones", "Cell Phone Accessories", "Wall Chargers"],
            &["Cell Phones", "Cell Phone Accessories", "Wireless Chargers & Cases", "Wireless Chargers"], &["Cell Phones", "Cell Phone Accessories", "Charging Mats"],
            &["Cell Phones", "Cell Phone Accessories"],
        ],
        brands: ACCESSORY_BRANDS,
        lines: &["Belkin: BoostCharge Pro", "Anker: Nano", "Anker: PowerWave", "Samsung: Adaptive Fast Charging", "Apple: 20W USB-C", "mophie: 3-in-1 MagSafe", "Dual USB", "GaN", "Qi2", "Vehicle", "Wall", "Travel"],
        sizes: &["10W", "15W", "20W", "30W", "45W", "65W", "100W"], specs: &[&["USB-C", "USB-A", "Lightning", "Micro USB"]],
        colors: &["Black", "White", "Space Gray", "Silver"],
        uses: &["topping up in the car", "charging on your nightstand", "travel with fewer cables"],
        features: &[
            ("Fast Charging", "USB Power Delivery", "charges compatible phones to 50% in about 30 minutes"),
            ("Wireless", "Qi wireless charging", "powers up your phone as soon as you set it down"),
            ("Dual-Port", "two charging ports", "power two devices at once"),
            ("Foldable Plug", "foldable plug", "packs flat in a bag"),
        ],
    },
    Kind {
        weight: 6, noun: "Portable Charger", short_noun: "power bank", price: (14, 199),
        paths: &[
            &["Cell Phones", "Cell Phone Accessories", "Portable Power Banks"], &["Cell Phones", "Cell Phone Accessories", "Battery Charger Cases"],
        ],
        brands: ACCESSORY_BRANDS,
        lines: &["Anker: PowerCore", "Anker: MagGo", "Tzumi: PocketJuice", "mophie: Powerstation", "mophie: Juice Pack", "Belkin: Boost Up", "myCharge: HubPlus", "Slim", "Magnetic", "Compact"],
        sizes: &["5,000mAh", "10,000mAh", "20,000mAh", "26,800mAh"], specs: &[], colors: &["Black", "White", "Blue", "Pink"],
        uses: &["long days away from an outlet", "camping trips and flights"],
        features: &[
            ("USB-C PD", "USB-C Power Delivery", "charges phones, tablets and even laptops"),
            ("MagSafe Compatible", "magnetic wireless charging", "snaps onto the back of your phone"),
            ("LED Indicator", "LED charge indicator", "shows how much power is left"),
        ],
    },
    Kind {
        weight: 6, noun: "Charging Cable", short_noun: "cable", price: (7, 49),
        paths: &[
            &["Cell Phones", "Cell Phone Accessories", "Data Cables"], &["Cell Phones", "Cell Phone Accessories", "iPhone Accessories", "iPhone Cables"],
            &["Cell Phones", "Cell Phone Accessories", "Adapters"],
        ],
        brands: ACCESSORY_BRANDS,
        lines: &["Anker: PowerLine III", "Belkin: Boost Charge", "Native Union: Belt", "Premium Braided", "DuraTek", "Tangle-Free", "Flat", "Right-Angle"],
        sizes: &["3'", "3.9'", "6'", "10'"], specs: &[&["USB-C to USB-C", "USB-C to Lightning", "Micro USB-to-USB Type A", "USB-A to USB-C"]],
        colors: &["Black", "White", "Space Gray", "Blue", "Red"],
        uses: &["charging and syncing at your desk", "a spare cable for the car"],
        features: &[
            ("MFi Certified", "Apple MFi certification", "ensures full compatibility"),
            ("Braided", "double-braided nylon", "survives thousands of bends"),
            ("Fast Charge", "fast-charge support", "delivers full charging speed"),
        ],
    },
    Kind {
        weight: 3, noun: "Car Mount", short_noun: "mount", price: (9, 79),
        paths: &[
            &["Cell Phones", "Cell Phone Accessories", "Car & Travel Accessories", "Cell Phone Mounts"], &["Cell Phones", "Cell Phone Accessories", "iPhone Accessories", "iPhone Car Mounts"],
            &["Cell Phones", "Cell Phone Accessories", "Car & Travel Accessories"],
        ],
        brands: ACCESSORY_BRANDS,
        lines: &["Bracketron: TripGrip", "iOttie: Easy One Touch", "iOttie: iTap", "Scosche: MagicMount", "Vent Mount", "Dash Mount", "Cup Holder Mount"],
        sizes: &[], specs: &[&["for Mobile Phones", "for Most Cell Phones", "for iPhone with MagSafe"]],
        colors: &["Black", "Silver"],
        uses: &["safe hands-free navigation", "long road trips"],
        features: &[
            ("Magnetic", "strong magnetic hold", "keeps your phone steady on bumpy roads"),
            ("Wireless Charging", "built-in wireless charging", "keeps your battery full while you drive"),
            ("Adjustable", "telescopic arm", "puts the screen right where you need it"),
        ],
    },
    Kind {
        weight: 5, noun: "Watch Band", short_noun: "band", price: (9, 99),
        paths: &[
            &["Cell Phones", "Cell Phone Accessories", "Smartwatches & Accessories", "Smartwatch Accessories", "Smartwatch Bands"],
            &["Cell Phones", "Cell Phone Accessories", "Smartwatches & Accessories", "Smartwatch Accessories"],
        ],
        brands: ACCESSORY_BRANDS,
        lines: &["Sport Loop", "Milanese Loop", "Leather Link", "Nylon", "Silicone Sport", "Stainless Steel Link", "Braided Solo Loop"],
        sizes: &["38mm", "40mm", "41mm", "44mm", "45mm", "49mm"],
        specs: &[&["for Apple Watch", "for Fitbit Blaze", "for Samsung Galaxy Watch6", "for Garmin Venu"]],
        colors: CASE_COLORS,
        uses: &["matching your watch to any outfit", "workouts and everyday wear"],
        features: &[
            ("Quick Release", "quick-release pins", "swap bands in seconds"),
            ("Sweat-Resistant", "sweat-resistant material", "stays comfortable during workouts"),
            ("Adjustable", "adjustable clasp", "fits wrists of many sizes"),
        ],
    },
    Kind {
        weight: 3, noun: "Selfie Stick", short_noun: "selfie stick", price: (9, 99),
        paths: &[
            &["Cell Phones", "Cell Phone Accessories", "Photography Accessories", "Selfie-Sticks"],
            &["Cell Phones", "Cell Phone Accessories", "Photography Accessories"],
        ],
        brands: ACCESSORY_BRANDS,
        lines: &["Joby: GripTight", "Pocket", "Tripod", "Gimbal", "Extendable", "Mini"],
        sizes: &[], specs: &[], colors: &["Black", "White", "Pink", "Blue"],
        uses: &["group photos on vacation", "vlogging and video calls"],
        features: &[
            ("Bluetooth Remote", "detachable Bluetooth remote", "snaps photos from a distance"),
            ("Tripod", "built-in tripod legs", "stand your phone up anywhere"),
            ("LED Light", "adjustable LED fill light", "brightens faces in low light"),
        ],
    },
    Kind {
        weight: 3, noun: "SIM Card Kit", short_noun: "SIM kit", price: (1, 59),
        paths: &[&["Cell Phones", "Cell Phone Accessories", "SIM Cards"]],
        brands: &["Verizon Prepaid", "AT&T", "Boost Mobile", "Cricket Wireless", "TracFone", "Straight Talk", "Simple Mobile", "Net10", "Total Wireless", "Mint Mobile", "Visible", "H2O Wireless", "Tello"],
        lines: &["Bring Your Own Phone", "Unlimited", "Triple-Cut", "Prepaid", "5G"],
        sizes: &[], specs: &[], colors: &[],
        uses: &["keeping your number when you switch", "no-contract wireless service"],
        features: &[
            ("Triple Cut", "triple-cut SIM", "fits standard, micro and nano slots"),
            ("No Contract", "no-contract plan", "lets you change or cancel any time"),
            ("Nationwide 5G", "nationwide 5G coverage", "keeps you connected coast to coast"),
        ],
    },
    Kind {
        weight: 2, noun: "Mobile Hotspot", short_noun: "hotspot", price: (49, 399),
        paths: &[
            &["Cell Phones", "Cell Phone Accessories", "Mobile Hotspots", "AT&T Hotspots"], &["Cell Phones", "Cell Phone Accessories", "Mobile Hotspots", "Verizon Hotspots"],
            &["Cell Phones", "Cell Phone Accessories", "Mobile Hotspots", "No-Contract Hotspots"], &["Cell Phones", "Mobile Broadband"],
        ],
        brands: &["NETGEAR", "Franklin Wireless", "Inseego", "Orbic", "Novatel", "Verizon", "AT&T", "Alcatel"],
        lines: &["NETGEAR: Nighthawk M6", "Inseego: MiFi", "Verizon: Jetpack", "Orbic: Speed", "Franklin Wireless: A50", "Unite Express"], sizes: &[], specs: &[&["5G", "4G LTE"]], colors: &["Black", "White"],
        uses: &["internet anywhere you travel", "backup internet at home"],
        features: &[
            ("Wi-Fi 6", "Wi-Fi 6 hotspot", "shares a fast connection with up to 32 devices"),
            ("Long Battery", "all-day battery", "keeps you online for up to 24 hours"),
            ("Touch Screen", "color touch screen", "shows data usage at a glance"),
        ],
    },
    Kind {
        weight: 2, noun: "Signal Booster", short_noun: "signal booster", price: (99, 999),
        paths: &[&["Cell Phones", "Cell Phone Accessories", "Signal Boosters"], &["Cell Phones", "Cell Phone Accessories", "Cell Phone Add-Ons"]],
        brands: &["weBoost", "zBoost", "SureCall", "Cel-Fi", "HiBoost"],
        lines: &["weBoost: Home Complete", "weBoost: Drive Reach", "zBoost: TRIO SOHO", "SureCall: Fusion4Home", "Cel-Fi: GO", "Home", "Vehicle"], sizes: &[], specs: &[], colors: &["Black", "White"],
        uses: &["dropped calls in rural areas", "better reception in the car"],
        features: &[
            ("All Carrier", "support for all major carriers", "boosts every phone in the house"),
            ("5G Ready", "4G LTE and 5G support", "improves data speeds"),
            ("Easy Install", "guided installation", "takes less than an hour"),
        ],
    },
    Kind {
        weight: 3, noun: "Bluetooth Tracker", short_noun: "tracker", price: (19, 99),
        paths: &[&["Cell Phones", "Cell Phone Accessories", "Smart Tracker Tags"]],
        brands: &["Tile", "Apple", "Samsung", "Chipolo", "Pebblebee", "TrackR", "Eufy"],
        lines: &["Tile: Mate", "Tile: Pro", "Tile: Slim", "Tile: Sticker", "Apple: AirTag", "Samsung: SmartTag2", "Chipolo: ONE Spot", "Pebblebee: Clip", "Key Finder"],
        sizes: &["1-Pack", "2-Pack", "4-Pack"], specs: &[], colors: &["Black", "White", "Black/White"],
        uses: &["finding keys, wallets and bags", "peace of mind when traveling"],
        features: &[
            ("Find My", "Find My network support", "locates items even when they are far away"),
            ("Loud Ring", "loud ringer", "leads you to items hidden under cushions"),
            ("Water-Resistant", "water-resistant shell", "survives rain and splashes"),
        ],
    },
    Kind {
        weight: 4, noun: "Bluetooth Headset", short_noun: "headset", price: (19, 199),
        paths: &[
            &["Cell Phones", "Cell Phone Accessories", "Cell Phone Headsets", "Bluetooth Headsets"],
            &["Cell Phones", "Cell Phone Accessories", "Cell Phone Headsets", "All Cell Phone Headsets"],
            &["Cell Phones", "Cell Phone Accessories", "Car & Travel Accessories", "Bluetooth Speakerphones"],
        ],
        brands: &["Plantronics", "Jabra", "BlueParrott", "Poly", "Samsung", "Motorola", "Insignia™", "Mpow"],
        lines: &["Plantronics: Voyager", "Jabra: Talk", "BlueParrott: B450-XT", "Poly: Voyager Legend", "Mono", "Wireless", "Trucker"], sizes: &[], specs: &[], colors: &["Black", "Gray", "White"],
        uses: &["hands-free calls while driving", "long conference calls"],
        features: &[
            ("Noise Canceling", "noise-canceling microphone", "keeps your voice clear in loud places"),
            ("Voice Control", "voice commands", "answer calls without touching your phone"),
            ("Long Talk Time", "14-hour talk time", "lasts through the longest days"),
        ],
    },
    // ---------------------------------------------------------------- Appliances
    Kind {
        weight: 6, noun: "Refrigerator", short_noun: "refrigerator", price: (149, 4999),
        paths: &[
            &["Appliances", "Refrigerators", "French Door Refrigerators"], &["Appliances", "Refrigerators", "Side-by-Side Refrigerators"],
            &["Appliances", "Refrigerators", "Top-Freezer Refrigerators"], &["Appliances", "Refrigerators", "Bottom-Freezer Refrigerators"],
            &["Appliances", "Refrigerators", "Mini Fridges"],
        ],
        brands: APPLIANCE_BRANDS,
        lines: &["Samsung: Bespoke", "Samsung: Family Hub", "LG: InstaView", "LG: Door-in-Door", "LG: Craft Ice", "Frigidaire Gallery: Counter-Depth", "GE: PrintShield", "GE Profile: Smart", "Whirlpool: Counter-Depth", "Counter-Depth", "Standard-Depth", "Flex", "Garage Ready"],
        sizes: &["3.1 Cu. Ft.", "18.2 Cu. Ft.", "20.6 Cu. Ft.", "22.1 Cu. Ft.", "25.5 Cu. Ft.", "27.6 Cu. Ft.", "28.6 Cu. Ft.", "30 Cu. Ft."],
        specs: &[], colors: APPLIANCE_COLORS,
        uses: &["a busy family kitchen", "keeping groceries fresher for longer", "entertaining and holiday gatherings"],
        features: &[
            ("4-Door", "flexible four-door layout", "puts everyday items at eye level"),
            ("Ice Maker", "dual ice makers", "make both cubed and craft ice"),
            ("Smart", "Wi-Fi connectivity", "alerts your phone when the door is left open"),
            ("ENERGY STAR", "ENERGY STAR certification", "helps lower your electricity bill"),
            ("Fingerprint Resistant", "fingerprint-resistant finish", "wipes clean with a cloth"),
            ("External Water Dispenser", "external water and ice dispenser", "serves filtered water without opening the door"),
        ],
    },
    Kind {
        weight: 3, noun: "Washer", short_noun: "washer", price: (449, 1899),
        paths: &[&["Appliances", "Washers & Dryers", "Washers", "Front-Load Washers"], &["Appliances", "Washers & Dryers", "Washers", "Top-Load Washers"]],
        brands: APPLIANCE_BRANDS,
        lines: &["Samsung: Bespoke AI", "LG: WashTower", "Whirlpool: Load & Go", "Maytag: Pet Pro", "GE: UltraFresh Vent", "Electrolux: Perfect Steam", "Smart Dial", "ColdWave", "High-Efficiency"],
        sizes: &["4.5 Cu. Ft.", "5.0 Cu. Ft.", "5.3 Cu. Ft.", "5.8 Cu. Ft."], specs: &[&["High Efficiency", "Stackable"]],
        colors: &["White", "Champagne", "Brushed Black", "Graphite Steel", "Volcano Black"],
        uses: &["family laundry days", "bulky bedding and towels"],
        features: &[
            ("Steam", "steam cycle", "loosens tough stains and reduces allergens"),
            ("Smart", "Wi-Fi connectivity", "lets you start and monitor cycles from your phone"),
            ("ENERGY STAR", "ENERGY STAR certification", "saves water and energy"),
            ("Vibration Reduction", "vibration reduction technology", "keeps cycles quiet"),
        ],
    },
    Kind {
        weight: 3, noun: "Dryer", short_noun: "dryer", price: (399, 1799),
        paths: &[&["Appliances", "Washers & Dryers", "Dryers", "Electric Dryers"], &["Appliances", "Washers & Dryers", "Dryers", "Gas Dryers"]],
        brands: APPLIANCE_BRANDS,
        lines: &["Samsung: Bespoke AI", "LG: TurboSteam", "Maytag: Pet Pro", "Whirlpool: Wrinkle Shield", "Smart Dial", "Sensor Dry", "Quick Dry"],
        sizes: &["7.3 Cu. Ft.", "7.4 Cu. Ft.", "7.8 Cu. Ft.", "9.0 Cu. Ft."], specs: &[&["Stackable", "Smart", "Vented"]],
        colors: &["White", "Champagne", "Brushed Black", "Graphite Steel"],
        uses: &["quick turnaround on laundry day", "delicates and everyday loads alike"],
        features: &[
            ("Steam", "steam refresh cycle", "removes wrinkles and odors"),
            ("Sensor Dry", "moisture sensors", "stop the cycle when clothes are dry"),
            ("ENERGY STAR", "ENERGY STAR certification", "uses less energy per load"),
        ],
    },
    Kind {
        weight: 3, noun: "Dishwasher", short_noun: "dishwasher", price: (299, 1999),
        paths: &[&["Appliances", "Dishwashers", "Built-In Dishwashers"], &["Appliances", "Dishwashers", "Portable Dishwashers"]],
        brands: APPLIANCE_BRANDS,
        lines: &["Bosch: 300 Series", "Bosch: 500 Series", "Bosch: 800 Series", "Whirlpool: QuadWash", "LG: QuadWash", "Samsung: StormWash+", "Frigidaire: Gallery", "Top Control", "Front Control", "Quiet"],
        sizes: &["18\"", "24\""], specs: &[&["Top Control", "Front Control", "Pocket Handle"]],
        colors: APPLIANCE_COLORS,
        uses: &["a kitchen that cleans up after itself", "big dinner parties"],
        features: &[
            ("Third Rack", "third rack", "fits utensils and small bowls"),
            ("Quiet", "44 dBA operation", "runs quietly during dinner"),
            ("Stainless Tub", "stainless steel tub", "retains heat for better drying"),
            ("ENERGY STAR", "ENERGY STAR certification", "saves water every cycle"),
        ],
    },
    Kind {
        weight: 3, noun: "Range", short_noun: "range", price: (499, 3999),
        paths: &[
            &["Appliances", "Ranges, Cooktops & Ovens", "Electric Ranges"], &["Appliances", "Ranges, Cooktops & Ovens", "Gas Ranges"],
            &["Appliances", "Ranges, Cooktops & Ovens", "Induction Ranges"],
        ],
        brands: APPLIANCE_BRANDS,
        lines: &["Samsung: Bespoke", "LG: ProBake", "Frigidaire Gallery: Air Fry", "GE Profile: Smart", "Café: Slide-In", "Slide-In", "Freestanding", "True Convection", "Air Fry"],
        sizes: &["30\"", "36\""], specs: &[&["5.3 Cu. Ft.", "5.8 Cu. Ft.", "6.3 Cu. Ft.", "6.9 Cu. Ft."]],
        colors: APPLIANCE_COLORS,
        uses: &["weeknight dinners and holiday feasts", "home cooks who love to bake"],
        features: &[
            ("Convection", "true convection", "bakes evenly on every rack"),
            ("Air Fry", "built-in air fry mode", "crisps food without a separate appliance"),
            ("Self-Cleaning", "self-cleaning cycle", "makes oven cleanup easy"),
            ("Griddle", "center griddle", "fits pancakes for the whole family"),
        ],
    },
    Kind {
        weight: 3, noun: "Microwave", short_noun: "microwave", price: (59, 999),
        paths: &[&["Appliances", "Microwaves", "Countertop Microwaves"], &["Appliances", "Microwaves", "Over-the-Range Microwaves"]],
        brands: APPLIANCE_BRANDS,
        lines: &["LG: NeoChef", "Panasonic: Smart Inverter", "GE: Sensor Cook", "Sensor Cook", "Convection", "Countertop", "Over-the-Range"],
        sizes: &["0.7 Cu. Ft.", "1.1 Cu. Ft.", "1.6 Cu. Ft.", "1.9 Cu. Ft.", "2.2 Cu. Ft."], specs: &[],
        colors: APPLIANCE_COLORS,
        uses: &["quick meals and leftovers", "dorm rooms and small kitchens"],
        features: &[
            ("Sensor Cooking", "sensor cooking", "adjusts time and power automatically"),
            ("Inverter", "inverter technology", "defrosts evenly without cooking the edges"),
            ("Turntable", "large turntable", "fits a full-size dinner plate"),
        ],
    },
    Kind {
        weight: 5, noun: "Vacuum", short_noun: "vacuum", price: (49, 1299),
        paths: &[
            &["Appliances", "Vacuums & Floor Care", "Robot Vacuums"], &["Appliances", "Vacuums & Floor Care", "Cordless Stick Vacuums"],
            &["Appliances", "Vacuums & Floor Care", "Upright Vacuums"], &["Appliances", "Vacuums & Floor Care", "Wet/Dry Vacuums"],
        ],
        brands: FLOORCARE_BRANDS,
        lines: &["Dyson: V15 Detect", "Dyson: Ball Animal 3", "iRobot: Roomba j7+", "iRobot: Roomba Combo", "Shark: Navigator", "Shark: Stratos", "Bissell: CrossWave", "Roborock: Q7 Max+", "Ecovacs: Deebot X2", "Tineco: Floor One S5", "Cordless Stick", "Upright", "Robot"],
        sizes: &[], specs: &[&["Cordless", "Corded", "Self-Emptying", "Bagless"]],
        colors: &["Nickel/Yellow", "Gray", "Black", "Purple", "White"],
        uses: &["homes with pets", "keeping floors clean every day", "quick cleanups between deep cleans"],
        features: &[
            ("Self-Emptying", "self-emptying base", "holds weeks of debris"),
            ("HEPA", "sealed HEPA filtration", "traps allergens and dust"),
            ("LiDAR", "LiDAR navigation", "maps your home and cleans room by room"),
            ("Anti-Hair Wrap", "anti-tangle brush roll", "keeps pet hair from wrapping"),
        ],
    },
    Kind {
        weight: 4, noun: "Coffee Maker", short_noun: "coffee maker", price: (19, 999),
        paths: &[
            &["Appliances", "Small Kitchen Appliances", "Coffee, Tea & Espresso", "Drip Coffee Makers"],
            &["Appliances", "Small Kitchen Appliances", "Coffee, Tea & Espresso", "Single-Serve Coffee Makers"],
            &["Appliances", "Small Kitchen Appliances", "Coffee, Tea & Espresso", "Espresso Machines"],
        ],
        brands: SMALL_APPLIANCE_BRANDS,
        lines: &["Keurig: K-Elite", "Keurig: K-Mini", "Breville: Barista Express", "Nespresso: VertuoPlus", "Ninja: Specialty Brewer", "De'Longhi: Magnifica", "Cuisinart: Perfecta", "Programmable", "Dual Brew", "Thermal Carafe"],
        sizes: &["Single Serve", "10-Cup", "12-Cup", "14-Cup"], specs: &[],
        colors: KITCHEN_COLORS,
        uses: &["your morning coffee routine", "café drinks at home"],
        features: &[
            ("Programmable", "24-hour programmable timer", "has coffee ready when you wake up"),
            ("Milk Frother", "steam wand", "froths milk for lattes"),
            ("Built-In Grinder", "built-in conical burr grinder", "grinds fresh beans for every cup"),
            ("Iced Coffee", "iced coffee setting", "brews strong enough to pour over ice"),
        ],
    },
    Kind {
        weight: 3, noun: "Blender", short_noun: "blender", price: (19, 699),
        paths: &[
            &["Appliances", "Small Kitchen Appliances", "Blenders & Juicers", "Countertop Blenders"],
            &["Appliances", "Small Kitchen Appliances", "Blenders & Juicers", "Personal Blenders"],
            &["Appliances", "Small Kitchen Appliances", "Blenders & Juicers", "Juicers"],
        ],
        brands: SMALL_APPLIANCE_BRANDS,
        lines: &["Vitamix: A3500", "Vitamix: Explorian", "Ninja: Professional", "Ninja: Auto-iQ", "NutriBullet: Pro 900", "Professional", "Personal", "Classic"],
        sizes: &["24-Oz.", "48-Oz.", "64-Oz.", "72-Oz."], specs: &[], colors: KITCHEN_COLORS,
        uses: &["smoothies and shakes", "soups, sauces and frozen drinks"],
        features: &[
            ("1500-Watt", "1,500-watt motor", "crushes ice in seconds"),
            ("Variable Speed", "variable speed control", "gives you the texture you want"),
            ("Self-Cleaning", "self-cleaning program", "cleans up with a drop of soap"),
        ],
    },
    Kind {
        weight: 4, noun: "Air Fryer", short_noun: "air fryer", price: (39, 349),
        paths: &[
            &["Appliances", "Small Kitchen Appliances", "Air Fryers"], &["Appliances", "Small Kitchen Appliances", "Air Fryers", "Dual-Basket Air Fryers"],
        ],
        brands: SMALL_APPLIANCE_BRANDS,
        lines: &["Ninja: Foodi", "Instant Pot: Vortex Plus", "Instant Pot: Duo Crisp", "Cosori: Pro LE", "Breville: Smart Oven Air Fryer Pro", "Dual Zone", "Crisp", "Digital", "Compact"],
        sizes: &["2-Qt.", "4-Qt.", "5.5-Qt.", "6-Qt.", "8-Qt.", "10-Qt."], specs: &[], colors: KITCHEN_COLORS,
        uses: &["crispy weeknight dinners", "healthier versions of your favorite fried foods"],
        features: &[
            ("Digital", "digital touch controls", "set time and temperature precisely"),
            ("Dual Basket", "two independent baskets", "cook a main and a side at once"),
            ("Dishwasher-Safe", "dishwasher-safe basket", "makes cleanup easy"),
        ],
    },
    Kind {
        weight: 2, noun: "Stand Mixer", short_noun: "mixer", price: (49, 699),
        paths: &[&["Appliances", "Small Kitchen Appliances", "Mixers", "Stand Mixers"]],
        brands: SMALL_APPLIANCE_BRANDS,
        lines: &["KitchenAid: Artisan", "KitchenAid: Classic Series", "KitchenAid: Professional 600", "KitchenAid: Artisan Mini", "Cuisinart: Precision Master", "Tilt-Head", "Bowl-Lift"],
        sizes: &["3.5-Qt.", "4.5-Qt.", "5-Qt.", "6-Qt."], specs: &[&["Tilt-Head", "Bowl-Lift"]], colors: KITCHEN_COLORS,
        uses: &["holiday baking", "fresh bread and pasta dough"],
        features: &[
            ("10-Speed", "10-speed control", "handles everything from stirring to whipping"),
            ("Attachment Hub", "power hub", "drives pasta, grinder and spiralizer attachments"),
            ("Pouring Shield", "pouring shield", "keeps flour off the counter"),
        ],
    },
    Kind {
        weight: 3, noun: "Air Purifier", short_noun: "air purifier", price: (39, 899),
        paths: &[
            &["Appliances", "Heating, Cooling & Air Quality", "Air Purifiers"], &["Appliances", "Heating, Cooling & Air Quality", "Air Purifiers", "HEPA Air Purifiers"],
        ],
        brands: AIR_BRANDS,
        lines: &["Levoit: Core 300", "Levoit: Vital 200S", "Coway: Airmega", "Blueair: Blue Pure", "Dyson: Purifier Cool", "Honeywell: HPA300", "Winix: 5500-2", "HEPA", "Smart", "Compact"],
        sizes: &[], specs: &[&["for Rooms up to 219 Sq. Ft.", "for Rooms up to 465 Sq. Ft.", "for Rooms up to 1,000 Sq. Ft."]],
        colors: &["White", "Black", "Gray", "White/Silver"],
        uses: &["allergy season", "homes with pets and smoke", "cleaner air in the bedroom"],
        features: &[
            ("True HEPA", "True HEPA filter", "captures 99.97% of airborne particles"),
            ("Smart", "air quality sensor", "adjusts fan speed automatically"),
            ("Quiet", "sleep mode", "runs at a whisper overnight"),
        ],
    },
    Kind {
        weight: 3, noun: "Air Conditioner", short_noun: "air conditioner", price: (149, 899),
        paths: &[
            &["Appliances", "Heating, Cooling & Air Quality", "Air Conditioners", "Window Air Conditioners"],
            &["Appliances", "Heating, Cooling & Air Quality", "Air Conditioners", "Portable Air Conditioners"],
        ],
        brands: AIR_BRANDS,
        lines: &["LG: Dual Inverter", "Frigidaire Gallery: Cool Connect", "Midea: U-Shaped", "GE: Profile", "Window", "Portable", "Energy Saver", "Smart"],
        sizes: &["6,000 BTU", "8,000 BTU", "10,000 BTU", "12,000 BTU", "14,000 BTU"], specs: &[], colors: &["White", "Black", "Silver"],
        uses: &["hot summer nights", "cooling a bedroom or home office"],
        features: &[
            ("Inverter", "inverter compressor", "cools quietly and uses less energy"),
            ("Smart", "Wi-Fi control", "cools the room before you get home"),
            ("Remote", "remote control", "adjusts settings from across the room"),
        ],
    },
    // ---------------------------------------------------------------- Audio
    Kind {
        weight: 14, noun: "Headphones", short_noun: "headphones", price: (14, 549),
        paths: &[
            &["Audio", "Headphones", "Wireless Headphones"], &["Audio", "Headphones", "Noise-Canceling Headphones"],
            &["Audio", "Headphones", "True Wireless Earbuds"], &["Audio", "Headphones", "Gaming Headsets"],
            &["Audio", "Headphones", "Kids' Headphones"], &["Audio", "Headphones", "Sports Headphones"],
        ],
        brands: HEADPHONE_BRANDS,
        lines: &["Apple: AirPods Pro", "Apple: AirPods Max", "Sony: WH-1000XM5", "Sony: WF-1000XM5", "Bose: QuietComfort Ultra", "Beats: Studio Pro", "Beats: Solo 4", "Beats: Powerbeats Pro", "JBL: Tune 760NC", "Samsung: Galaxy Buds2 Pro", "Sennheiser: Momentum 4", "Skullcandy: Crusher Evo", "Google: Pixel Buds Pro", "Jabra: Elite 85t", "Anker Soundcore: Liberty 4", "Wireless", "True Wireless", "Sport", "Studio", "Kids"],
        sizes: &[], specs: &[&["Over-the-Ear", "On-Ear", "In-Ear", "True Wireless"]],
        colors: AUDIO_COLORS,
        uses: &["commutes and long flights", "workouts and runs", "focused work in noisy places", "late-night gaming"],
        features: &[
            ("Noise Canceling", "active noise cancellation", "blocks out the world around you"),
            ("Wireless", "Bluetooth 5.3", "keeps a stable connection to your phone"),
            ("Spatial Audio", "spatial audio with head tracking", "places sound all around you"),
            ("30-Hour Battery", "30-hour battery life", "gets you through a week of commutes"),
            ("Sweat-Resistant", "IPX4 sweat resistance", "holds up to tough workouts"),
            ("Transparency Mode", "transparency mode", "lets you hear announcements without taking them off"),
        ],
    },
    Kind {
        weight: 7, noun: "Portable Bluetooth Speaker", short_noun: "speaker", price: (19, 699),
        paths: &[
            &["Audio", "Portable & Wireless Speakers", "Bluetooth Speakers"], &["Audio", "Portable & Wireless Speakers", "Waterproof Speakers"],
            &["Audio", "Portable & Wireless Speakers", "Party Speakers"],
            &["Cell Phones", "Cell Phone Accessories", "Cell Phone Speakers", "Portable Speakers"],
        ],
        brands: AUDIO_BRANDS,
        lines: &["JBL: Flip 6", "JBL: Charge 5", "JBL: Boombox 3", "JBL: PartyBox 310", "Bose: SoundLink Flex", "Sonos: Roam 2", "Sonos: Move 2", "Ultimate Ears: Wonderboom 4", "Sony: XE300", "Marshall: Emberton II", "Portable", "Rugged", "Mini", "Party"],
        sizes: &[], specs: &[], colors: AUDIO_COLORS,
        uses: &["pool parties and beach days", "music in the kitchen", "tailgates and camping trips"],
        features: &[
            ("Waterproof", "IP67 waterproof and dustproof design", "goes anywhere the party does"),
            ("Stereo Pairing", "party mode pairing", "links several speakers for bigger sound"),
            ("Voice Assistant", "built-in voice assistant", "plays music on request"),
            ("20-Hour Battery", "20-hour battery", "keeps the music going all day"),
        ],
    },
    Kind {
        weight: 2, noun: "Turntable", short_noun: "turntable", price: (59, 999),
        paths: &[&["Audio", "Turntables & Record Players"]],
        brands: &["Audio-Technica", "Victrola", "Crosley", "Fluance", "Pro-Ject", "Rega", "Sony", "Denon", "U-Turn", "Insignia™"],
        lines: &["Audio-Technica: AT-LP60X", "Audio-Technica: AT-LP120XUSB", "Victrola: Stream Carbon", "Fluance: RT85", "Pro-Ject: Debut Carbon", "Rega: Planar 1", "Crosley: Cruiser", "Bluetooth", "Hi-Fi"],
        sizes: &[], specs: &[&["Belt-Drive", "Direct-Drive"]], colors: &["Black", "Walnut", "White", "Natural"],
        uses: &["rediscovering your vinyl collection", "a warm analog listening setup"],
        features: &[
            ("Bluetooth", "Bluetooth output", "plays records through wireless speakers"),
            ("USB", "USB output", "digitizes your records"),
            ("Built-In Preamp", "built-in preamp", "connects to powered speakers directly"),
        ],
    },
    Kind {
        weight: 2, noun: "USB Microphone", short_noun: "microphone", price: (29, 399),
        paths: &[&["Audio", "Microphones & Recording", "USB Microphones"], &["Audio", "Microphones & Recording", "Podcast Microphones"]],
        brands: &["Blue Yeti", "Shure", "Rode", "HyperX", "Elgato", "Audio-Technica", "Razer", "Logitech G", "Fifine", "Samson"],
        lines: &["Blue Yeti: Yeti", "Shure: MV7+", "Rode: PodMic", "HyperX: QuadCast S", "Elgato: Wave:3", "Audio-Technica: AT2020USB", "Razer: Seiren V3", "Streaming", "Podcast"],
        sizes: &[], specs: &[&["USB-C", "USB/XLR"]], colors: &["Black", "White", "Blackout"],
        uses: &["podcasting and streaming", "crystal-clear video calls"],
        features: &[
            ("Cardioid", "cardioid pickup pattern", "focuses on your voice and ignores room noise"),
            ("Mute Button", "tap-to-mute sensor", "silences the mic instantly"),
            ("Shock Mount", "built-in shock mount", "reduces bumps and vibrations"),
        ],
    },
    // ---------------------------------------------------------------- Car Electronics
    Kind {
        weight: 2, noun: "Car Stereo Receiver", short_noun: "receiver", price: (79, 1499),
        paths: &[&["Car Electronics & GPS", "Car Audio", "Car Stereos"], &["Car Electronics & GPS", "Car Audio", "Car Stereos", "CarPlay & Android Auto Receivers"]],
        brands: CAR_BRANDS,
        lines: &["Pioneer: DMH-W4660NEX", "Kenwood: DDX", "Sony: XAV-AX4000", "JVC: KW-M", "Alpine: iLX-W670", "Digital Media", "Multimedia", "In-Dash"],
        sizes: &["6.8\"", "7\"", "9\"", "Single-DIN", "Double-DIN"], specs: &[&["Built-In Bluetooth", "Wireless Apple CarPlay", "Android Auto"]],
        colors: &["Black"],
        uses: &["a modern dashboard in an older car", "safer hands-free driving"],
        features: &[
            ("Touch-Screen", "capacitive touch screen", "responds quickly to taps and swipes"),
            ("SiriusXM-Ready", "SiriusXM-Ready tuner", "adds satellite radio"),
            ("Backup Camera Input", "backup camera input", "helps you park safely"),
        ],
    },
    Kind {
        weight: 2, noun: "Car Speakers", short_noun: "speakers", price: (39, 799),
        paths: &[
            &["Car Electronics & GPS", "Car Audio", "Car Speakers"], &["Car Electronics & GPS", "Car Audio", "Car Speakers", "Component Speakers"],
        ],
        brands: CAR_BRANDS,
        lines: &["Rockford Fosgate: Punch", "Kicker: KS Series", "Pioneer: Champion Series", "Infinity: Reference", "JL Audio: C1", "Coaxial", "Component", "Marine"],
        sizes: &["6-1/2\"", "6\" x 9\"", "8\"", "10\"", "12\""], specs: &[&["2-Way", "3-Way", "Component", "Single 4-Ohm"]], colors: &["Black"],
        uses: &["a serious upgrade over factory audio", "bass you can feel on the road"],
        features: &[
            ("Coaxial", "coaxial design", "fits factory locations without modification"),
            ("Silk Dome Tweeter", "silk dome tweeters", "produce smooth, detailed highs"),
            ("High Power", "high power handling", "plays loud without distortion"),
        ],
    },
    Kind {
        weight: 2, noun: "Dash Cam", short_noun: "dash cam", price: (49, 499),
        paths: &[&["Car Electronics & GPS", "Dash Cameras"], &["Car Electronics & GPS", "Dash Cameras", "Front & Rear Dash Cameras"]],
        brands: CAR_BRANDS,
        lines: &["Garmin: Mini 2", "Nextbase: 622GW", "Vantrue: N4 Pro", "Rexing: V1", "Cobra: SC 400D", "Front and Rear", "Mini", "Smart"],
        sizes: &[], specs: &[&["1080p", "1440p", "4K", "Front and Rear"]], colors: &["Black"],
        uses: &["peace of mind on every drive", "rideshare drivers"],
        features: &[
            ("Night Vision", "low-light sensor", "records clear footage at night"),
            ("Parking Mode", "parking mode", "records bumps while you are away"),
            ("Voice Control", "voice control", "saves clips without taking your hands off the wheel"),
        ],
    },
    // ---------------------------------------------------------------- Cameras & Drones
    Kind {
        weight: 5, noun: "Camera", short_noun: "camera", price: (69, 4499),
        paths: &[
            &["Cameras & Camcorders", "Digital Cameras", "Mirrorless Cameras"], &["Cameras & Camcorders", "Digital Cameras", "DSLR Cameras"],
            &["Cameras & Camcorders", "Digital Cameras", "Point & Shoot Cameras"], &["Cameras & Camcorders", "Digital Cameras", "Instant Cameras"],
        ],
        brands: CAMERA_BRANDS,
        lines: &["Canon: EOS R6 Mark II", "Canon: EOS Rebel T7", "Canon: PowerShot G7 X Mark III", "Nikon: Z6 III", "Nikon: Z fc", "Nikon: D7500", "Sony: Alpha 7 IV", "Sony: ZV-E10", "Sony: Cyber-shot RX100 VII", "Fujifilm: X-T5", "Fujifilm: X100VI", "Fujifilm: instax mini 12", "Panasonic: Lumix GH6", "Kodak: PIXPRO", "Polaroid: Now+", "Mirrorless", "Point & Shoot", "Instant"],
        sizes: &[], specs: &[&["Body Only", "with 18-55mm Lens", "with 24-105mm Lens", "Kit"]],
        colors: &["Black", "Silver", "Mint Green", "Pastel Blue", "Blossom Pink"],
        uses: &["travel photography", "vlogging and content creation", "capturing family moments"],
        features: &[
            ("4K Video", "4K video recording", "captures cinematic footage"),
            ("Full-Frame", "full-frame sensor", "excels in low light"),
            ("Image Stabilization", "in-body image stabilization", "keeps handheld shots sharp"),
            ("Eye AF", "eye-detection autofocus", "locks onto people and animals"),
            ("Wi-Fi", "built-in Wi-Fi", "sends photos to your phone instantly"),
        ],
    },
    Kind {
        weight: 3, noun: "Lens", short_noun: "lens", price: (99, 2999),
        paths: &[&["Cameras & Camcorders", "Camera Lenses", "Mirrorless Lenses"], &["Cameras & Camcorders", "Camera Lenses", "DSLR Lenses"]],
        brands: CAMERA_BRANDS,
        lines: &["Canon: RF", "Canon: EF", "Nikon: NIKKOR Z", "Sony: FE", "Fujifilm: XF", "Sigma: Art", "Sigma: Contemporary", "Tamron: Di III", "Zoom", "Prime", "Telephoto"],
        sizes: &["16-35mm f/4", "24-70mm f/2.8", "50mm f/1.8", "70-200mm f/2.8", "85mm f/1.4", "100-400mm f/4.5-5.6"], specs: &[], colors: &["Black"],
        uses: &["portraits with creamy background blur", "wildlife and sports", "sweeping landscapes"],
        features: &[
            ("Weather-Sealed", "weather-sealed construction", "keeps shooting in rain and dust"),
            ("Image Stabilized", "optical image stabilization", "adds stops of handheld sharpness"),
            ("Fast Aperture", "fast maximum aperture", "gathers light for indoor shots"),
        ],
    },
    Kind {
        weight: 3, noun: "Drone", short_noun: "drone", price: (49, 2199),
        paths: &[
            &["Cameras & Camcorders", "Drones & Accessories", "Camera Drones"], &["Cameras & Camcorders", "Drones & Accessories", "FPV Drones"],
        ],
        brands: DRONE_BRANDS,
        lines: &["DJI: Mini 4 Pro", "DJI: Air 3", "DJI: Avata 2", "DJI: Mavic 3 Classic", "Autel Robotics: EVO Lite+", "Ryze: Tello", "Parrot: Anafi", "Holy Stone: HS720", "Potensic: Atom", "Foldable", "Mini", "FPV"],
        sizes: &[], specs: &[&["Fly More Combo", "with RC-N2 Controller", "Standard"]], colors: &["Gray", "Black", "White"],
        uses: &["aerial photography", "action sports and adventures"],
        features: &[
            ("4K/60fps", "4K/60fps HDR video", "captures smooth, detailed footage"),
            ("Obstacle Avoidance", "omnidirectional obstacle sensing", "helps prevent crashes"),
            ("3-Axis Gimbal", "3-axis gimbal", "keeps footage steady in the wind"),
        ],
    },
    Kind {
        weight: 2, noun: "Camera Bag", short_noun: "bag", price: (19, 349),
        paths: &[
            &["Cameras & Camcorders", "Camera Accessories", "Camera Bags & Cases"], &["Cameras & Camcorders", "Camera Accessories", "Camera Bags & Cases", "Camera Backpacks"],
        ],
        brands: CAMERA_ACCESSORY_BRANDS,
        lines: &["Peak Design: Everyday Sling", "Peak Design: Travel Backpack", "Lowepro: ProTactic", "Vanguard: Alta Sky", "Think Tank Photo: Airport", "Sling", "Backpack", "Shoulder Bag"],
        sizes: &["6L", "10L", "20L", "30L"], specs: &[], colors: &["Black", "Charcoal", "Midnight", "Sage"],
        uses: &["photo walks and travel", "carrying a full kit on shoots"],
        features: &[
            ("Weatherproof", "weatherproof shell", "protects gear in bad weather"),
            ("Custom Dividers", "adjustable dividers", "fit your lenses perfectly"),
            ("Quick Access", "side access panel", "gets your camera out fast"),
        ],
    },
    Kind {
        weight: 3, noun: "Security Camera", short_noun: "camera", price: (24, 449),
        paths: &[
            &["Smart Home", "Security Cameras & Systems", "Indoor Cameras"], &["Smart Home", "Security Cameras & Systems", "Outdoor Cameras"],
            &["Smart Home", "Security Cameras & Systems", "Video Doorbells"],
        ],
        brands: SMART_HOME_BRANDS,
        lines: &["Ring: Stick Up Cam", "Ring: Spotlight Cam Plus", "Ring: Video Doorbell Pro 2", "Arlo: Essential", "Arlo: Pro 5S", "Wyze: Cam v4", "Google: Nest Cam", "Blink: Outdoor 4th Gen", "eufy: SoloCam", "Indoor", "Outdoor", "Floodlight"],
        sizes: &["1-Pack", "2-Pack", "3-Pack", "4-Camera System"], specs: &[&["Wired", "Battery", "Solar"]], colors: &["White", "Black", "Satin Nickel"],
        uses: &["keeping an eye on home while you are away", "checking on pets and packages"],
        features: &[
            ("2K", "2K HDR video", "shows faces and license plates clearly"),
            ("Color Night Vision", "color night vision", "sees details after dark"),
            ("Two-Way Talk", "two-way audio", "lets you talk to visitors from your phone"),
            ("Local Storage", "local storage", "records without a subscription"),
        ],
    },
    // ---------------------------------------------------------------- Video Games
    Kind {
        weight: 3, noun: "Console", short_noun: "console", price: (199, 699),
        paths: &[
            &["Video Games", "PlayStation 5", "PS5 Consoles"], &["Video Games", "Xbox Series X & S", "Xbox Consoles"],
            &["Video Games", "Nintendo Switch", "Nintendo Switch Consoles"], &["Video Games", "PC Gaming", "Handheld Gaming PCs"],
        ],
        brands: GAMING_BRANDS,
        lines: &["Sony: PlayStation 5 Slim", "Sony: PlayStation 5 Pro", "Microsoft: Xbox Series X", "Microsoft: Xbox Series S", "Nintendo: Switch OLED Model", "Nintendo: Switch Lite", "Valve: Steam Deck OLED", "ASUS ROG: Ally", "Lenovo Legion: Go"],
        sizes: &["512GB", "1TB", "2TB", "64GB"], specs: &[&["Digital Edition", "Disc Edition", "Bundle", "Standard"]],
        colors: &["White", "Black", "Robot White", "Neon Red/Neon Blue", "Carbon Black"],
        uses: &["next-gen gaming", "couch co-op with the family", "gaming on the go"],
        features: &[
            ("4K", "4K gaming at up to 120fps", "makes worlds look stunning"),
            ("SSD", "ultra-high-speed SSD", "loads games in seconds"),
            ("Portable", "handheld mode", "takes your games anywhere"),
        ],
    },
    Kind {
        weight: 5, noun: "Controller", short_noun: "controller", price: (19, 199),
        paths: &[
            &["Video Games", "PlayStation 5", "PS5 Controllers"], &["Video Games", "Xbox Series X & S", "Xbox Controllers"],
            &["Video Games", "Nintendo Switch", "Nintendo Switch Controllers"], &["Video Games", "PC Gaming", "PC Gaming Controllers"],
        ],
        brands: GAMING_BRANDS,
        lines: &["Sony: DualSense", "Sony: DualSense Edge", "Microsoft: Elite Series 2", "Microsoft: Wireless", "Nintendo: Pro Controller", "Nintendo: Joy-Con", "PowerA: Enhanced Wired", "8BitDo: Ultimate", "SCUF: Reflex", "Turtle Beach: Stealth Ultra", "Wireless", "Wired", "Pro"],
        sizes: &[], specs: &[&["Wireless", "Wired"]], colors: &["White", "Midnight Black", "Cobalt Blue", "Volcanic Red", "Carbon Black", "Neon Red/Neon Blue"],
        uses: &["competitive online matches", "a second player on the couch"],
        features: &[
            ("Haptic Feedback", "haptic feedback", "lets you feel every impact"),
            ("Back Buttons", "remappable back buttons", "keep your thumbs on the sticks"),
            ("Rechargeable", "rechargeable battery", "plays for hours between charges"),
        ],
    },
    Kind {
        weight: 2, noun: "VR Headset", short_noun: "headset", price: (299, 3499),
        paths: &[&["Video Games", "Virtual Reality", "VR Headsets"], &["Video Games", "Virtual Reality", "VR Accessories"]],
        brands: &["Meta", "Sony", "Apple", "HTC", "Valve", "Pico", "HP"],
        lines: &["Meta: Quest 3", "Meta: Quest 3S", "Sony: PlayStation VR2", "Apple: Vision Pro", "HTC: VIVE XR Elite", "Valve: Index", "Pico: 4"],
        sizes: &["128GB", "256GB", "512GB"], specs: &[], colors: &["White", "Black"],
        uses: &["immersive gaming", "fitness workouts in virtual worlds"],
        features: &[
            ("Mixed Reality", "full-color passthrough", "blends virtual objects into your room"),
            ("Hand Tracking", "hand tracking", "lets you play without controllers"),
            ("Wireless", "standalone design", "needs no PC or cables"),
        ],
    },
    Kind {
        weight: 2, noun: "Gaming Chair", short_noun: "chair", price: (99, 699),
        paths: &[&["Video Games", "Gaming Accessories", "Gaming Chairs"]],
        brands: &["Secretlab", "Corsair", "Razer", "Cooler Master", "DXRacer", "Respawn", "Insignia™", "Noblechairs"],
        lines: &["Secretlab: TITAN Evo", "Corsair: TC100", "Razer: Iskur", "Cooler Master: Caliber", "DXRacer: Formula", "Respawn: 110", "Ergonomic", "Racing Style"], sizes: &["Regular", "XL"], specs: &[], colors: &["Black", "Gray", "White", "Black/Red"],
        uses: &["long gaming sessions", "a comfortable home office"],
        features: &[
            ("Lumbar Support", "adjustable lumbar support", "keeps your back supported for hours"),
            ("4D Armrests", "4D armrests", "move to the perfect position"),
            ("Recline", "165-degree recline", "lets you kick back between matches"),
        ],
    },
    Kind {
        weight: 2, noun: "Gift Card", short_noun: "gift card", price: (10, 100),
        paths: &[&["Gift Cards"], &["Gift Cards", "Gaming Gift Cards"], &["Gift Cards", "Entertainment Gift Cards"]],
        brands: &["PlayStation Store", "Xbox", "Nintendo eShop", "Steam", "Roblox", "Netflix", "Spotify", "Apple", "Google Play", "Uber", "DoorDash", "Hulu"],
        lines: &["Digital", "Physical", "eGift"], sizes: &["$10", "$15", "$25", "$50", "$100"], specs: &[], colors: &[],
        uses: &["gamers and music lovers", "a last-minute gift"],
        features: &[
            ("Instant Delivery", "email delivery", "arrives in minutes"),
            ("No Expiration", "no-expiration balance", "lets them shop whenever they like"),
            ("Redeemable Online", "online redemption", "works on consoles, phones and PCs"),
        ],
    },
    // ---------------------------------------------------------------- Smart Home & Wearables
    Kind {
        weight: 4, noun: "Smart Light Bulb", short_noun: "smart bulb", price: (9, 229),
        paths: &[
            &["Smart Home", "Smart Lighting", "Smart Light Bulbs"], &["Smart Home", "Smart Lighting", "Smart Light Strips"],
        ],
        brands: SMART_HOME_BRANDS,
        lines: &["Philips Hue: White and Color Ambiance", "Philips Hue: Lightstrip Plus", "LIFX: Color", "Govee: Smart Wi-Fi", "Nanoleaf: Essentials", "Kasa Smart: Color", "Wyze: Bulb Color", "Tunable White", "Smart Wi-Fi", "Color"],
        sizes: &["A19", "BR30", "1-Pack", "2-Pack", "4-Pack", "6.5'", "16.4'"], specs: &[], colors: &["White", "Multicolor"],
        uses: &["setting the mood at home", "automating your lights"],
        features: &[
            ("Wi-Fi", "Wi-Fi connectivity", "works without a hub"),
            ("Voice Control", "Alexa and Google Assistant support", "turns lights on by voice"),
            ("Schedules", "custom schedules", "make it look like someone is home"),
        ],
    },
    Kind {
        weight: 2, noun: "Smart Thermostat", short_noun: "thermostat", price: (79, 279),
        paths: &[&["Smart Home", "Smart Thermostats"]],
        brands: SMART_HOME_BRANDS,
        lines: &["Google: Nest Learning Thermostat", "Nest: Thermostat", "ecobee: Smart Thermostat Premium", "ecobee: Enhanced", "Honeywell: Lyric T5", "Amazon: Smart Thermostat", "Programmable", "Smart"],
        sizes: &[], specs: &[], colors: &["White", "Black", "Polished Steel", "Mirror", "Charcoal"],
        uses: &["a smarter, more efficient home", "comfort without thinking about it"],
        features: &[
            ("Energy Saving", "automatic schedules", "lower heating and cooling bills"),
            ("Remote Access", "app control", "adjusts settings from anywhere"),
            ("Voice Control", "voice assistant support", "answers to simple commands"),
        ],
    },
    Kind {
        weight: 5, noun: "Smartwatch", short_noun: "smartwatch", price: (49, 999),
        paths: &[
            &["Wearable Technology", "Smartwatches", "Apple Watch"], &["Wearable Technology", "Smartwatches", "Android Smartwatches"],
        ],
        brands: WEARABLE_BRANDS,
        lines: &["Apple: Watch Series 9", "Apple: Watch Ultra 2", "Apple: Watch SE", "Samsung: Galaxy Watch6", "Google: Pixel Watch 2", "Garmin: Forerunner 265", "Garmin: Venu 3", "Garmin: fenix 7", "Fitbit: Versa 4", "Fossil: Gen 6", "Amazfit: GTR 4", "Sport", "Classic", "Hybrid"],
        sizes: &["40mm", "41mm", "44mm", "45mm", "47mm", "49mm"], specs: &[&["GPS", "GPS + Cellular", "Bluetooth"]],
        colors: &["Midnight Aluminum", "Starlight", "Silver", "Black", "Graphite", "Pink", "Slate"],
        uses: &["tracking workouts and sleep", "staying connected from your wrist"],
        features: &[
            ("Heart Rate", "optical heart rate sensor", "tracks your health around the clock"),
            ("GPS", "built-in GPS", "maps runs without your phone"),
            ("Always-On", "always-on display", "shows the time without a tap"),
            ("Sleep Tracking", "sleep tracking", "helps you build better habits"),
        ],
    },
    // ---------------------------------------------------------------- Health, Fitness & Beauty
    Kind {
        weight: 3, noun: "Electric Toothbrush", short_noun: "toothbrush", price: (19, 299),
        paths: &[&["Health, Fitness & Beauty", "Oral Care", "Electric Toothbrushes"]],
        brands: PERSONAL_CARE_BRANDS,
        lines: &["Philips Sonicare: DiamondClean", "Philips Sonicare: ProtectiveClean 6100", "Oral-B: iO Series 9", "Oral-B: Pro 1000", "Oral-B: Genius X", "Quip: Smart", "Sonic", "Rechargeable"],
        sizes: &[], specs: &[&["Rechargeable", "Travel"]], colors: &["White", "Black", "Pink", "Blue", "Rose Gold"],
        uses: &["a dentist-clean feeling every day", "better brushing habits"],
        features: &[
            ("Pressure Sensor", "pressure sensor", "warns you when you brush too hard"),
            ("Smart Timer", "two-minute timer", "tells you when to switch areas"),
            ("Travel Case", "travel case", "keeps it clean on trips"),
        ],
    },
    Kind {
        weight: 3, noun: "Hair Dryer", short_noun: "hair dryer", price: (19, 599),
        paths: &[
            &["Health, Fitness & Beauty", "Personal Care", "Hair Care", "Hair Dryers"], &["Health, Fitness & Beauty", "Personal Care", "Hair Care"],
        ],
        brands: PERSONAL_CARE_BRANDS,
        lines: &["Dyson: Supersonic", "Dyson: Airwrap", "Conair: Infinitipro", "Revlon: One-Step Hair Volumizer", "T3: Featherweight", "Shark Beauty: FlexStyle", "Ionic Pro", "Professional", "Travel"],
        sizes: &[], specs: &[&["1875W", "Compact", "Travel"]], colors: &["Black", "White", "Nickel/Copper", "Rose", "Blue"],
        uses: &["a quick morning routine", "salon results at home"],
        features: &[
            ("Ionic", "ionic technology", "reduces frizz and static"),
            ("Heat Control", "intelligent heat control", "protects hair from extreme heat"),
            ("Diffuser", "diffuser attachment", "defines curls and waves"),
        ],
    },
    Kind {
        weight: 2, noun: "Massage Gun", short_noun: "massager", price: (49, 599),
        paths: &[&["Health, Fitness & Beauty", "Fitness & Recovery", "Massagers"]],
        brands: PERSONAL_CARE_BRANDS,
        lines: &["Therabody: Theragun Prime", "Therabody: Theragun Mini", "Hypervolt: 2 Pro", "Renpho: Active", "Homedics: Pro Physio", "Deep Tissue", "Mini", "Pro"], sizes: &[], specs: &[], colors: &["Black", "White", "Desert Rose"],
        uses: &["post-workout recovery", "loosening tight muscles"],
        features: &[
            ("Percussive", "percussive therapy", "eases soreness after tough workouts"),
            ("Quiet", "QuietForce motor", "runs quietly enough to use anywhere"),
            ("App-Guided", "app-guided routines", "show you where and how long to massage"),
        ],
    },
    Kind {
        weight: 2, noun: "Electric Scooter", short_noun: "scooter", price: (199, 1999),
        paths: &[
            &["Health, Fitness & Beauty", "Electric Transportation", "Electric Scooters"],
        ],
        brands: RIDE_BRANDS,
        lines: &["Segway: Ninebot Max G2", "Segway: Ninebot F40", "GOTRAX: G4", "Hiboy: S2 Pro", "Unagi: Model One", "Jetson: Eclipse", "Commuter", "Foldable", "Kids"],
        sizes: &[], specs: &[&["Foldable", "Commuter", "Long Range"]], colors: &["Black", "Gray", "White", "Blue"],
        uses: &["a greener commute", "weekend rides around town"],
        features: &[
            ("Long Range", "long-range battery", "travels up to 40 miles per charge"),
            ("Foldable", "one-step folding", "fits in a car trunk or under a desk"),
            ("Dual Brakes", "dual braking system", "stops quickly and safely"),
        ],
    },
    // ---------------------------------------------------------------- Smaller kinds, one noun per category
    Kind {
        weight: 2, noun: "Internal Solid State Drive", short_noun: "SSD", price: (39, 499),
        paths: &[&["Computers & Tablets", "Hard Drives & Storage", "Internal SSDs"], &["Computers & Tablets", "Hard Drives & Storage", "Internal SSDs", "NVMe SSDs"]],
        brands: STORAGE_BRANDS,
        lines: &["Samsung: 990 PRO", "Samsung: 980", "WD: Black SN850X", "WD: Blue SN580", "Crucial: P5 Plus", "Crucial: T500", "Seagate: FireCuda 530", "Kingston: KC3000", "Corsair: MP600", "NVMe", "SATA"],
        sizes: &["500GB", "1TB", "2TB", "4TB"], specs: &[&["PCIe Gen 4 x4 NVMe M.2", "PCIe Gen 5 NVMe M.2", "SATA 2.5\""]], colors: &[],
        uses: &["faster boot and load times", "upgrading a laptop or PS5"],
        features: &[
            ("Heatsink", "slim heatsink", "prevents throttling under load"),
            ("7,000MB/s", "sequential reads up to 7,000MB/s", "open huge files instantly"),
            ("PS5 Compatible", "PS5 compatibility", "expands console storage"),
        ],
    },
    Kind {
        weight: 2, noun: "USB Flash Drive", short_noun: "flash drive", price: (5, 99),
        paths: &[&["Computers & Tablets", "Hard Drives & Storage", "USB Flash Drives"]],
        brands: STORAGE_BRANDS,
        lines: &["SanDisk: Ultra Flair", "SanDisk: Cruzer Glide", "Kingston: DataTraveler Exodia", "Samsung: BAR Plus", "PNY: Turbo Attaché", "Dual Drive", "Metal", "Mini"],
        sizes: &["32GB", "64GB", "128GB", "256GB", "512GB"], specs: &[&["USB 3.2 Gen 1", "USB-C", "USB-A/USB-C"]], colors: &["Black", "Silver", "Blue", "Red"],
        uses: &["moving files between computers", "carrying presentations"],
        features: &[
            ("Metal Casing", "durable metal casing", "survives life on a keychain"),
            ("Password Protection", "password protection software", "keeps private files private"),
            ("Dual Connector", "dual USB-A and USB-C connectors", "work with phones and laptops"),
        ],
    },
    Kind {
        weight: 1, noun: "Wine Cooler", short_noun: "wine cooler", price: (199, 2499),
        paths: &[&["Appliances", "Refrigerators", "Wine & Beverage Coolers"]],
        brands: APPLIANCE_BRANDS,
        lines: &["Dual Zone", "Built-In", "Freestanding", "Designer Series", "Beverage Center"],
        sizes: &["18-Bottle", "24-Bottle", "46-Bottle", "120-Can"], specs: &[], colors: &["Stainless Steel", "Black", "Black Stainless Steel"],
        uses: &["keeping wine at serving temperature", "a home bar"],
        features: &[
            ("Dual Zone", "dual temperature zones", "store reds and whites side by side"),
            ("UV-Protected Glass", "UV-protected glass door", "shields bottles from light"),
            ("Quiet", "compressor cooling", "runs quietly and evenly"),
        ],
    },
    Kind {
        weight: 2, noun: "Multi-Cooker", short_noun: "multi-cooker", price: (49, 299),
        paths: &[&["Appliances", "Small Kitchen Appliances", "Multi-Cookers & Pressure Cookers"], &["Appliances", "Small Kitchen Appliances", "Slow Cookers"]],
        brands: SMALL_APPLIANCE_BRANDS,
        lines: &["Instant Pot: Duo", "Instant Pot: Pro Plus", "Ninja: Foodi PossibleCooker", "Crock-Pot: Express Crock", "Instant Pot: Rio", "Programmable", "Pressure"],
        sizes: &["3-Qt.", "6-Qt.", "8-Qt."], specs: &[&["9-in-1", "11-in-1", "14-in-1"]], colors: KITCHEN_COLORS,
        uses: &["one-pot weeknight dinners", "meal prep for the week"],
        features: &[
            ("Pressure Cook", "pressure cooking", "makes stews in a fraction of the time"),
            ("Slow Cook", "slow cook mode", "has dinner ready when you get home"),
            ("Sous Vide", "sous vide setting", "cooks steak to an exact temperature"),
        ],
    },
    Kind {
        weight: 2, noun: "Toaster Oven", short_noun: "toaster oven", price: (29, 499),
        paths: &[&["Appliances", "Small Kitchen Appliances", "Toaster Ovens"], &["Appliances", "Small Kitchen Appliances", "Toasters"]],
        brands: SMALL_APPLIANCE_BRANDS,
        lines: &["Breville: Smart Oven", "Cuisinart: Chef's Convection", "Hamilton Beach: Easy Reach", "Ninja: Flip", "Countertop", "Digital", "French Door"],
        sizes: &["4-Slice", "6-Slice", "12-Inch Pizza"], specs: &[], colors: KITCHEN_COLORS,
        uses: &["quick breakfasts and snacks", "small kitchens without a wall oven"],
        features: &[
            ("Convection", "convection fan", "bakes evenly and quickly"),
            ("Air Fry", "air fry function", "crisps frozen foods"),
            ("Even Toast", "quartz heating elements", "toast evenly edge to edge"),
        ],
    },
    Kind {
        weight: 1, noun: "Hand Mixer", short_noun: "hand mixer", price: (19, 129),
        paths: &[&["Appliances", "Small Kitchen Appliances", "Mixers", "Hand Mixers"]],
        brands: SMALL_APPLIANCE_BRANDS,
        lines: &["KitchenAid: Cordless", "Cuisinart: Power Advantage", "Hamilton Beach: Ultra Power", "Easy Clean", "Classic"], sizes: &["5-Speed", "7-Speed", "9-Speed"], specs: &[], colors: KITCHEN_COLORS,
        uses: &["quick batters and whipped cream", "bakers with small kitchens"],
        features: &[
            ("Cordless", "rechargeable battery", "mixes anywhere in the kitchen"),
            ("Turbo Boost", "turbo boost", "adds power for thick doughs"),
            ("Snap-On Case", "snap-on storage case", "keeps beaters together"),
        ],
    },
    Kind {
        weight: 2, noun: "Humidifier", short_noun: "humidifier", price: (29, 399),
        paths: &[&["Appliances", "Heating, Cooling & Air Quality", "Humidifiers"], &["Appliances", "Heating, Cooling & Air Quality", "Dehumidifiers"]],
        brands: AIR_BRANDS,
        lines: &["Levoit: OasisMist", "Honeywell: Cool Mist", "Vornado: Evap40", "Frigidaire: Dehumidifier", "Cool Mist", "Warm Mist", "Classic", "Smart"], sizes: &["1.5-Gallon", "4-Liter", "35-Pint", "50-Pint"], specs: &[],
        colors: &["White", "Gray", "Black"],
        uses: &["dry winter air", "damp basements"],
        features: &[
            ("Ultrasonic", "ultrasonic mist", "runs whisper-quiet"),
            ("Auto Shut-Off", "automatic shut-off", "turns off when the tank is empty"),
            ("Humidistat", "built-in humidistat", "keeps humidity at the level you choose"),
        ],
    },
    Kind {
        weight: 2, noun: "Tower Fan", short_noun: "fan", price: (24, 649),
        paths: &[&["Appliances", "Heating, Cooling & Air Quality", "Fans"], &["Appliances", "Heating, Cooling & Air Quality", "Space Heaters"]],
        brands: AIR_BRANDS,
        lines: &["Dyson: Purifier Hot+Cool", "Vornado: Whole Room", "Lasko: Oscillating Ceramic", "Honeywell: QuietSet", "Oscillating", "Ceramic", "Tower", "Pedestal"], sizes: &["36\"", "40\"", "42\""], specs: &[], colors: &["White", "Black", "Silver"],
        uses: &["year-round comfort", "home offices and bedrooms"],
        features: &[
            ("Bladeless", "bladeless design", "is safe around kids and pets"),
            ("Oscillating", "wide oscillation", "moves air around the whole room"),
            ("Heat", "ceramic heating", "warms the room quickly in winter"),
        ],
    },
    Kind {
        weight: 3, noun: "Smart Speaker", short_noun: "smart speaker", price: (29, 299),
        paths: &[&["Audio", "Smart Speakers"], &["Smart Home", "Smart Speakers & Displays", "Smart Displays"]],
        brands: &["Amazon", "Google", "Apple", "Sonos", "Bose", "JBL", "Marshall", "Harman Kardon"],
        lines: &["Amazon: Echo Dot", "Amazon: Echo Show 8", "Amazon: Echo Studio", "Google: Nest Mini", "Google: Nest Hub Max", "Apple: HomePod mini", "Apple: HomePod", "Sonos: Era 100", "Bose: Smart Speaker 500"],
        sizes: &[], specs: &[], colors: &["Charcoal", "Glacier White", "Midnight", "Chalk", "Sage"],
        uses: &["hands-free help around the house", "music and news in the kitchen"],
        features: &[
            ("Voice Assistant", "built-in voice assistant", "answers questions and sets timers"),
            ("Smart Home Hub", "built-in smart home hub", "controls lights, locks and thermostats"),
            ("Room-Filling Sound", "room-filling speaker", "plays music with clear vocals and deep bass"),
        ],
    },
    Kind {
        weight: 1, noun: "Radar Detector", short_noun: "radar detector", price: (99, 699),
        paths: &[&["Car Electronics & GPS", "Radar Detectors"], &["Car Electronics & GPS", "GPS Navigation", "Car GPS"]],
        brands: CAR_BRANDS,
        lines: &["Escort: Max 360c", "Escort: Redline 360c", "Uniden: R3", "Cobra: RAD 480i", "Garmin: DriveSmart 66", "Rand McNally: TND 750", "Long Range", "GPS"], sizes: &[], specs: &[], colors: &["Black"],
        uses: &["long highway drives", "commuters who want fewer surprises"],
        features: &[
            ("Long Range", "long-range detection", "gives early warnings"),
            ("GPS", "built-in GPS", "learns and mutes false alerts"),
            ("App Alerts", "companion app", "shares real-time alerts from other drivers"),
        ],
    },
    Kind {
        weight: 1, noun: "Car Subwoofer", short_noun: "subwoofer", price: (79, 999),
        paths: &[&["Car Electronics & GPS", "Car Audio", "Car Subwoofers"], &["Car Electronics & GPS", "Car Audio", "Car Amplifiers"]],
        brands: CAR_BRANDS,
        lines: &["Kicker: CompR", "Rockford Fosgate: Punch P3", "JL Audio: W3v3", "Alpine: Type-R", "Boss Audio: Armor", "Shallow Mount", "Hideaway", "Loaded Enclosure"], sizes: &["8\"", "10\"", "12\"", "15\""], specs: &[&["Single 4-Ohm", "Dual 2-Ohm", "Dual 4-Ohm"]], colors: &["Black"],
        uses: &["bass you can feel on the road", "a full car audio build"],
        features: &[
            ("High Excursion", "high-excursion cone", "moves more air for deeper bass"),
            ("Ported Enclosure", "ported enclosure", "boosts low-frequency output"),
            ("Class D", "Class D amplification", "delivers power efficiently"),
        ],
    },
    Kind {
        weight: 2, noun: "Action Camera", short_noun: "action camera", price: (99, 549),
        paths: &[&["Cameras & Camcorders", "Action Cameras & Accessories", "Action Cameras"], &["Cameras & Camcorders", "Action Cameras & Accessories", "360 Cameras"]],
        brands: DRONE_BRANDS,
        lines: &["GoPro: HERO12 Black", "GoPro: HERO11 Black Mini", "Insta360: X4", "Insta360: Ace Pro", "DJI: Osmo Action 4", "Akaso: Brave 7", "4K", "Waterproof"], sizes: &[], specs: &[&["Bundle", "Creator Edition", "Standard"]], colors: &["Black", "Gray"],
        uses: &["action sports and adventures", "underwater video"],
        features: &[
            ("Waterproof", "waterproof body", "goes diving and surfing with you"),
            ("HyperSmooth", "electronic stabilization", "keeps bumpy footage steady"),
            ("5.3K", "5.3K video", "captures every detail of the action"),
        ],
    },
    Kind {
        weight: 1, noun: "Tripod", short_noun: "tripod", price: (19, 499),
        paths: &[&["Cameras & Camcorders", "Camera Accessories", "Tripods & Monopods"]],
        brands: CAMERA_ACCESSORY_BRANDS,
        lines: &["Joby: GorillaPod", "Manfrotto: Befree", "Peak Design: Travel Tripod", "Vanguard: VEO 3", "Travel", "Video", "Compact"], sizes: &["50\"", "60\"", "65\""], specs: &[&["Aluminum", "Carbon Fiber"]], colors: &["Black", "Red", "Blue"],
        uses: &["sharp long exposures", "steady video"],
        features: &[
            ("Ball Head", "ball head", "aims the camera smoothly"),
            ("Lightweight", "lightweight legs", "pack easily for travel"),
            ("Quick Release", "quick-release plate", "swaps cameras in seconds"),
        ],
    },
    Kind {
        weight: 1, noun: "Camera Battery", short_noun: "battery", price: (19, 129),
        paths: &[&["Cameras & Camcorders", "Camera Accessories", "Camera Batteries & Power"]],
        brands: CAMERA_ACCESSORY_BRANDS,
        lines: &["Canon: LP-E6NH", "Nikon: EN-EL15c", "Sony: NP-FZ100", "Fujifilm: NP-W235", "Wasabi Power: Dual Charger Kit", "Watson: Pro", "Replacement", "Extended Life"], sizes: &[], specs: &[&["Rechargeable Lithium-Ion", "2-Pack"]], colors: &["Black"],
        uses: &["long shooting days", "a spare in your camera bag"],
        features: &[
            ("High Capacity", "high-capacity cells", "shoot hundreds more frames"),
            ("USB-C Charging", "USB-C charging", "tops up from a power bank"),
            ("Info Chip", "info chip", "shows remaining charge on your camera"),
        ],
    },
    Kind {
        weight: 1, noun: "Camcorder", short_noun: "camcorder", price: (149, 1999),
        paths: &[&["Cameras & Camcorders", "Camcorders"], &["Cameras & Camcorders", "Camcorders", "4K Camcorders"]],
        brands: CAMERA_BRANDS,
        lines: &["Canon: VIXIA HF G70", "Panasonic: HC-V800", "Sony: FDR-AX43A", "Panasonic: HC-X1500", "HD", "4K"], sizes: &[], specs: &[&["4K", "Full HD"]], colors: &["Black"],
        uses: &["recording school plays and sports", "family events"],
        features: &[
            ("Optical Zoom", "20x optical zoom", "brings distant action close"),
            ("Stabilization", "optical stabilization", "smooths handheld video"),
            ("Dual SD", "dual SD card slots", "record for hours without stopping"),
        ],
    },
    Kind {
        weight: 2, noun: "eReader", short_noun: "eReader", price: (99, 399),
        paths: &[&["Computers & Tablets", "E-Readers"]],
        brands: &["Amazon", "Kobo", "reMarkable", "Boox", "Barnes & Noble"], lines: &["Amazon: Kindle", "Amazon: Kindle Paperwhite", "Amazon: Kindle Scribe", "Kobo: Clara BW", "Kobo: Libra Colour", "Barnes & Noble: Nook GlowLight 4", "reMarkable: 2", "Boox: Note Air3"],
        sizes: &["6\"", "6.8\"", "7\"", "10.2\""], specs: &[&["16GB", "32GB", "64GB"]], colors: &["Black", "Agave Green", "Denim", "White"],
        uses: &["reading at the beach", "bedtime reading without eye strain"],
        features: &[
            ("Glare-Free", "glare-free display", "reads like paper even in sunlight"),
            ("Waterproof", "IPX8 waterproofing", "survives a drop in the bath"),
            ("Warm Light", "adjustable warm light", "is easy on the eyes at night"),
        ],
    },
    Kind {
        weight: 1, noun: "Controller Charging Station", short_noun: "charging station", price: (14, 59),
        paths: &[&["Video Games", "Gaming Accessories", "Charging Stations"]],
        brands: GAMING_BRANDS, lines: &["Dual", "Twin", "Pro", "Ultra"], sizes: &[], specs: &[&["for PS5", "for Xbox", "for Nintendo Switch Joy-Con"]], colors: &["Black", "White"],
        uses: &["always-ready controllers", "a tidy gaming setup"],
        features: &[
            ("Fast Charge", "fast charging", "refills controllers in about two hours"),
            ("LED Indicators", "LED indicators", "show charging status at a glance"),
            ("Drop-and-Charge", "drop-and-charge docks", "need no cables"),
        ],
    },
    Kind {
        weight: 2, noun: "Smart Plug", short_noun: "smart plug", price: (9, 59),
        paths: &[&["Smart Home", "Smart Plugs & Switches"], &["Smart Home", "Smart Plugs & Switches", "Smart Light Switches"]],
        brands: SMART_HOME_BRANDS, lines: &["Kasa Smart: Mini", "Meross: Matter", "Wemo: Mini", "Lutron: Caseta Dimmer", "TP-Link: Tapo", "Mini", "Matter", "Dimmer", "Outdoor", "Energy Monitoring"], sizes: &["1-Pack", "2-Pack", "4-Pack"], specs: &[], colors: &["White", "Black"],
        uses: &["automating lamps and fans", "making any outlet smart"],
        features: &[
            ("Matter", "Matter support", "works with every major smart home platform"),
            ("Energy Monitoring", "energy monitoring", "shows what each device costs to run"),
            ("Away Mode", "away mode", "turns lights on and off while you travel"),
        ],
    },
    Kind {
        weight: 1, noun: "Smart Lock", short_noun: "smart lock", price: (99, 399),
        paths: &[&["Smart Home", "Smart Locks"], &["Smart Home", "Smart Locks", "Keypad Locks"]],
        brands: SMART_HOME_BRANDS, lines: &["August: Wi-Fi Smart Lock", "Schlage: Encode Plus", "Yale: Assure Lock 2", "Kwikset: Halo", "Level: Lock+", "Eufy: Video Smart Lock", "Wi-Fi", "Keypad"], sizes: &[], specs: &[&["Deadbolt", "Keypad", "Fingerprint"]],
        colors: &["Satin Nickel", "Matte Black", "Venetian Bronze", "Polished Brass"],
        uses: &["keyless entry for the whole family", "letting in guests while you are away"],
        features: &[
            ("Auto-Lock", "auto-lock", "locks the door behind you"),
            ("Fingerprint", "fingerprint reader", "opens in under a second"),
            ("Guest Codes", "temporary guest codes", "let visitors in on a schedule"),
        ],
    },
    Kind {
        weight: 2, noun: "Fitness Tracker", short_noun: "fitness tracker", price: (29, 449),
        paths: &[&["Wearable Technology", "Fitness Trackers"], &["Wearable Technology", "Smart Rings"]],
        brands: WEARABLE_BRANDS, lines: &["Fitbit: Charge 6", "Fitbit: Inspire 3", "Garmin: Vivosmart 5", "Amazfit: Band 7", "Oura: Ring Gen3", "Samsung: Galaxy Ring", "WHOOP: 4.0", "Activity", "Slim"], sizes: &[], specs: &[],
        colors: &["Black", "Silver", "Gold", "Coral", "Obsidian"],
        uses: &["tracking steps, sleep and recovery", "reaching your fitness goals"],
        features: &[
            ("Sleep Tracking", "detailed sleep tracking", "shows how well you recover"),
            ("7-Day Battery", "7-day battery", "rarely needs a charge"),
            ("SpO2", "blood oxygen sensor", "adds another view of your health"),
        ],
    },
    Kind {
        weight: 1, noun: "Water Flosser", short_noun: "water flosser", price: (29, 129),
        paths: &[&["Health, Fitness & Beauty", "Oral Care", "Water Flossers"]],
        brands: PERSONAL_CARE_BRANDS, lines: &["Waterpik: Aquarius", "Waterpik: Cordless Advanced", "Philips Sonicare: Power Flosser 3000", "Waterpik: Ultra Plus", "Cordless", "Countertop"], sizes: &[], specs: &[&["Countertop", "Cordless"]],
        colors: &["White", "Black", "Blue"],
        uses: &["healthier gums", "braces and implants"],
        features: &[
            ("10 Pressure Settings", "10 pressure settings", "let you start gently"),
            ("Rotating Tip", "rotating tip", "reaches every tooth"),
            ("Large Reservoir", "large reservoir", "lasts for a full cleaning"),
        ],
    },
    Kind {
        weight: 2, noun: "Electric Shaver", short_noun: "shaver", price: (29, 399),
        paths: &[
            &["Health, Fitness & Beauty", "Personal Care", "Shaving & Grooming", "Electric Shavers"],
            &["Health, Fitness & Beauty", "Personal Care", "Shaving & Grooming", "Beard Trimmers"],
        ],
        brands: PERSONAL_CARE_BRANDS, lines: &["Braun: Series 9 Pro", "Philips Norelco: OneBlade", "Philips Norelco: Multigroom 7000", "Panasonic: Arc5", "Philips Norelco: 9500", "Remington: F5", "Wahl: Stainless Steel", "Rotary", "Foil"], sizes: &[], specs: &[&["Wet & Dry", "Cordless"]],
        colors: &["Black", "Silver", "Graphite", "Chrome"],
        uses: &["a close shave every morning", "keeping your beard in shape"],
        features: &[
            ("Wet & Dry", "wet and dry operation", "shaves with gel or in the shower"),
            ("Precision Trimmer", "pop-up precision trimmer", "shapes sideburns and mustaches"),
            ("Cleaning Station", "automatic cleaning station", "keeps blades fresh"),
        ],
    },
    Kind {
        weight: 1, noun: "Hair Straightener", short_noun: "straightener", price: (29, 499),
        paths: &[&["Health, Fitness & Beauty", "Personal Care", "Hair Care", "Hair Straighteners"], &["Health, Fitness & Beauty", "Personal Care", "Hair Care", "Curling Irons"]],
        brands: PERSONAL_CARE_BRANDS, lines: &["Ghd: Platinum+", "Chi: Original", "BaBylissPRO: Nano Titanium", "Hot Tools: Pro Signature", "Conair: Double Ceramic", "Ceramic", "Titanium", "Travel"], sizes: &["1\"", "1.25\"", "1.5\""], specs: &[], colors: &["Black", "Rose Gold", "Nickel/Fuchsia"],
        uses: &["sleek styles at home", "quick touch-ups"],
        features: &[
            ("Ceramic", "ceramic plates", "glide smoothly without snagging"),
            ("Adjustable Heat", "adjustable heat settings", "suit every hair type"),
            ("Auto Shut-Off", "automatic shut-off", "adds peace of mind"),
        ],
    },
    Kind {
        weight: 1, noun: "Smart Scale", short_noun: "smart scale", price: (19, 199),
        paths: &[&["Health, Fitness & Beauty", "Fitness & Recovery", "Smart Scales"]],
        brands: &["Withings", "Renpho", "eufy", "Fitbit", "Garmin", "Etekcity", "Wyze"], lines: &["Withings: Body+", "Withings: Body Comp", "Fitbit: Aria Air", "Garmin: Index S2", "eufy: Smart Scale P2", "Renpho: Elis", "Wi-Fi", "Bluetooth"], sizes: &[], specs: &[], colors: &["Black", "White"],
        uses: &["tracking your progress", "a healthier family routine"],
        features: &[
            ("Body Composition", "body composition analysis", "tracks fat, muscle and water"),
            ("Wi-Fi Sync", "Wi-Fi sync", "sends results to your phone automatically"),
            ("Multi-User", "multi-user recognition", "knows who is stepping on"),
        ],
    },
    Kind {
        weight: 1, noun: "Electric Bike", short_noun: "e-bike", price: (699, 3999),
        paths: &[&["Health, Fitness & Beauty", "Electric Transportation", "Electric Bikes"], &["Health, Fitness & Beauty", "Electric Transportation", "Hoverboards"]],
        brands: RIDE_BRANDS, lines: &["Aventon: Level 2", "Aventon: Aventure.2", "Lectric eBikes: XP 3.0", "Rad Power Bikes: RadWagon 4", "Jetson: Nova", "Super73: Z Miami", "Commuter", "Folding", "Cruiser"], sizes: &[], specs: &[&["Step-Through", "Step-Over", "Folding"]], colors: &["Black", "Gray", "White", "Sage"],
        uses: &["a greener commute", "weekend rides around town"],
        features: &[
            ("Pedal Assist", "five levels of pedal assist", "flatten hills"),
            ("Hydraulic Brakes", "hydraulic disc brakes", "stop confidently in the rain"),
            ("Removable Battery", "removable battery", "charges inside your home"),
        ],
    },
    Kind {
        weight: 2, noun: "Phone Camera Lens", short_noun: "lens kit", price: (19, 129),
        paths: &[&["Cell Phones", "Cell Phone Accessories", "Photography Accessories", "Cell Phone Camera Lenses"]],
        brands: &["Olloclip", "ExoLens", "Moment", "Sandmarc", "PolarPro", "Zeiss", "Ztylus"], lines: &["Olloclip: Multi-Lens", "Moment: Macro", "Sandmarc: Telephoto", "ExoLens: Pro", "Macro", "Fisheye", "Wide-Angle"], sizes: &[], specs: &[&["for Apple® iPhone® 15 Pro", "for Most Cell Phones"]],
        colors: &["Black", "Silver"],
        uses: &["creative mobile photography", "close-ups and wide landscapes"],
        features: &[
            ("Macro", "15x macro lens", "reveals tiny details"),
            ("Wide-Angle", "wide-angle lens", "fits more into every shot"),
            ("Clip-On", "clip-on mount", "attaches in seconds"),
        ],
    },
    Kind {
        weight: 2, noun: "Prepaid Phone Card", short_noun: "phone card", price: (10, 100),
        paths: &[&["Cell Phones", "Cell Phone Accessories", "Prepaid Minutes"]],
        brands: &["Boost Mobile", "Cricket Wireless", "TracFone", "Straight Talk", "Verizon Prepaid", "AT&T PREPAID", "Total Wireless", "Simple Mobile", "Net10"],
        lines: &["Boost Mobile: Re-Boost", "TracFone: Airtime", "Straight Talk: Refill", "Cricket Wireless: Refill", "Airtime", "Refill", "Unlimited Talk & Text"], sizes: &["$10", "$25", "$35", "$50", "$60", "$100"], specs: &[], colors: &[],
        uses: &["topping up without a contract", "a prepaid plan for the kids"],
        features: &[
            ("Instant Refill", "instant PIN delivery", "adds minutes right away"),
            ("No Contract", "no-contract service", "lets you pay as you go"),
            ("Data Included", "included data", "keeps you browsing"),
        ],
    },
    // ---------------------------------------------------------------- Musical Instruments, Office, Outdoor, Baby
    Kind {
        weight: 2, noun: "Digital Piano", short_noun: "digital piano", price: (99, 2499),
        paths: &[
            &["Musical Instruments", "Keyboards & Pianos", "Digital Pianos"], &["Musical Instruments", "Keyboards & Pianos", "Portable Keyboards"],
            &["Musical Instruments", "Keyboards & Pianos", "MIDI Controllers"],
        ],
        brands: &["Yamaha", "Casio", "Roland", "Korg", "Alesis", "Kawai", "Williams", "Akai Professional", "Novation", "Arturia"],
        lines: &["Yamaha: Arius", "Yamaha: P-145", "Casio: Privia", "Casio: CT-S1", "Roland: FP-30X", "Williams: Legato", "Alesis: Recital Pro", "Akai Professional: MPK Mini", "Novation: Launchkey", "Portable", "Home"],
        sizes: &["25-Key", "49-Key", "61-Key", "88-Key"], specs: &[&["Weighted", "Semi-Weighted", "Velocity-Sensitive"]], colors: &["Black", "White", "Rosewood"],
        uses: &["learning to play at home", "songwriting and production"],
        features: &[
            ("Hammer Action", "graded hammer action", "feels like an acoustic piano"),
            ("Bluetooth MIDI", "Bluetooth MIDI", "connects to learning apps wirelessly"),
            ("Headphone Jack", "headphone jack", "lets you practice silently"),
        ],
    },
    Kind {
        weight: 2, noun: "Electric Guitar", short_noun: "guitar", price: (149, 1999),
        paths: &[
            &["Musical Instruments", "Guitars", "Electric Guitars"], &["Musical Instruments", "Guitars", "Acoustic Guitars"],
            &["Musical Instruments", "Guitars", "Guitar Amplifiers"],
        ],
        brands: &["Fender", "Squier", "Gibson", "Epiphone", "Yamaha", "Ibanez", "Gretsch", "PRS", "Taylor", "Martin", "Boss", "Positive Grid"],
        lines: &["Fender: Stratocaster", "Fender: Telecaster", "Squier: Classic Vibe", "Gibson: Les Paul Standard", "Epiphone: SG Special", "Yamaha: Pacifica", "Taylor: GS Mini", "Boss: Katana", "Positive Grid: Spark", "Player Series", "Starter Pack"],
        sizes: &["Full-Size", "3/4-Size"], specs: &[&["Maple Fingerboard", "Rosewood Fingerboard", "Solid Spruce Top"]], colors: &["Sunburst", "Black", "Olympic White", "Cherry", "Natural"],
        uses: &["beginners and seasoned players", "practice, gigs and recording"],
        features: &[
            ("Humbucker", "humbucking pickups", "deliver thick, noise-free tone"),
            ("Fast Neck", "slim modern neck", "makes chords easy to reach"),
            ("Gig Bag", "padded gig bag", "protects it on the way to rehearsal"),
        ],
    },
    Kind {
        weight: 1, noun: "DJ Controller", short_noun: "DJ controller", price: (99, 1499),
        paths: &[&["Musical Instruments", "DJ Equipment", "DJ Controllers"]],
        brands: &["Pioneer DJ", "Numark", "Rane", "Native Instruments", "Hercules", "Denon DJ", "Roland"],
        lines: &["Pioneer DJ: DDJ-FLX4", "Numark: Mixtrack Pro FX", "Native Instruments: Traktor Kontrol S2", "Denon DJ: Prime Go+", "Hercules: Inpulse 500", "Starter", "Pro"], sizes: &["2-Channel", "4-Channel"], specs: &[], colors: &["Black"],
        uses: &["learning to mix", "house parties and small gigs"],
        features: &[
            ("Jog Wheels", "large jog wheels", "make scratching and nudging precise"),
            ("Built-In Effects", "built-in effects", "add filters and echoes on the fly"),
            ("USB Powered", "USB bus power", "needs no separate adapter"),
        ],
    },
    Kind {
        weight: 1, noun: "Paper Shredder", short_noun: "shredder", price: (29, 499),
        paths: &[&["Office & School Supplies", "Office Electronics", "Shredders"]],
        brands: &["Fellowes", "Aurora", "Bonsaii", "AmazonBasics", "Royal", "Insignia™"],
        lines: &["Fellowes: Powershred", "Fellowes: AutoMax", "Micro-Cut", "Cross-Cut", "Pro Series"], sizes: &["8-Sheet", "12-Sheet", "18-Sheet", "150-Sheet Auto Feed"], specs: &[], colors: &["Black", "Silver"],
        uses: &["keeping paperwork under control", "a secure home office"],
        features: &[
            ("Micro-Cut", "micro-cut shredding", "protects sensitive documents"),
            ("Jam-Proof", "jam-proof feed", "keeps work moving"),
            ("Quiet", "quiet motor", "runs without disturbing calls"),
        ],
    },
    Kind {
        weight: 1, noun: "Label Maker", short_noun: "label maker", price: (19, 199),
        paths: &[&["Office & School Supplies", "Office Electronics", "Label Makers"]],
        brands: &["DYMO", "Brother", "Phomemo", "Epson"], lines: &["DYMO: LabelManager", "DYMO: LetraTag", "Brother: P-touch", "Epson: LabelWorks", "Handheld", "Portable"], sizes: &[], specs: &[&["Handheld", "Bluetooth", "Desktop"]], colors: &["Black", "White", "Blue"],
        uses: &["an organized pantry and garage", "filing and shipping"],
        features: &[
            ("Bluetooth", "Bluetooth printing", "designs labels on your phone"),
            ("QWERTY Keyboard", "QWERTY keyboard", "makes typing labels quick"),
            ("Laminated Tape", "laminated tape", "resists water and fading"),
        ],
    },
    Kind {
        weight: 2, noun: "Office Chair", short_noun: "chair", price: (99, 1499),
        paths: &[&["Office & School Supplies", "Office Furniture", "Office Chairs"]],
        brands: &["Steelcase", "Herman Miller", "Branch", "Autonomous", "Insignia™", "Serta", "La-Z-Boy", "Flash Furniture"],
        lines: &["Steelcase: Series 1", "Herman Miller: Aeron", "Branch: Ergonomic", "La-Z-Boy: Executive", "Mesh Task", "Executive", "Ergonomic"], sizes: &[], specs: &[&["Mesh", "Bonded Leather", "Fabric"]], colors: &["Black", "Gray", "Navy", "White"],
        uses: &["long workdays at home", "a comfortable study space"],
        features: &[
            ("Lumbar Support", "adjustable lumbar support", "keeps your back supported for hours"),
            ("Breathable Mesh", "breathable mesh back", "keeps you cool"),
            ("Adjustable Arms", "adjustable armrests", "fit your desk height"),
        ],
    },
    Kind {
        weight: 1, noun: "Standing Desk", short_noun: "desk", price: (149, 1299),
        paths: &[&["Office & School Supplies", "Office Furniture", "Standing Desks"]],
        brands: &["Flexispot", "Branch", "Autonomous", "Uplift", "Bush Business Furniture", "Insignia™", "Vari"],
        lines: &["Flexispot: E7", "Branch: Duo", "Autonomous: SmartDesk Core", "Uplift: V2 Commercial", "Vari: Electric", "Electric", "L-Shaped"], sizes: &["48\" x 30\"", "55\" x 28\"", "60\" x 30\"", "72\" x 30\""], specs: &[&["Dual Motor", "Single Motor"]],
        colors: &["Black", "White", "Walnut", "Oak"],
        uses: &["a healthier workday", "a flexible home office"],
        features: &[
            ("Memory Presets", "memory presets", "return to your favorite heights"),
            ("Anti-Collision", "anti-collision sensor", "stops if it meets an obstacle"),
            ("Quiet Motor", "quiet motor", "adjusts without interrupting calls"),
        ],
    },
    Kind {
        weight: 2, noun: "Portable Power Station", short_noun: "power station", price: (149, 2999),
        paths: &[&["Outdoor Living", "Portable Power", "Portable Power Stations"], &["Outdoor Living", "Portable Power", "Solar Generators"]],
        brands: &["Jackery", "EcoFlow", "Anker SOLIX", "Goal Zero", "Bluetti"],
        lines: &["Jackery: Explorer 1000 Plus", "EcoFlow: DELTA 2", "EcoFlow: RIVER 2 Pro", "Anker SOLIX: C1000", "Goal Zero: Yeti 1500X", "Bluetti: AC180", "Portable"], sizes: &["300Wh", "1,000Wh", "1,264Wh", "2,000Wh"], specs: &[], colors: &["Gray", "Black", "Orange"],
        uses: &["camping and power outages", "off-grid weekends"],
        features: &[
            ("Solar Charging", "solar charging input", "recharges off the grid"),
            ("Fast Recharge", "fast AC recharging", "refills to 80% in about an hour"),
            ("Quiet", "silent operation", "runs without fumes or noise"),
        ],
    },
    Kind {
        weight: 1, noun: "Pellet Grill", short_noun: "grill", price: (299, 1999),
        paths: &[&["Outdoor Living", "Grills & Outdoor Cooking", "Pellet Grills"], &["Outdoor Living", "Grills & Outdoor Cooking", "Gas Grills"]],
        brands: &["Traeger", "Weber", "Ninja", "Pit Boss", "Char-Broil", "Z Grills"], lines: &["Traeger: Ironwood", "Traeger: Pro 780", "Weber: Spirit", "Weber: Genesis", "Ninja: Woodfire", "Pit Boss: Navigator", "Smart"], sizes: &["22\"", "34\"", "575 Sq. In."], specs: &[], colors: &["Black", "Bronze"],
        uses: &["backyard cookouts", "low-and-slow barbecue"],
        features: &[
            ("WiFIRE", "Wi-Fi temperature control", "lets you check the cook from your couch"),
            ("Meat Probe", "built-in meat probe", "tells you exactly when it is done"),
            ("Wood-Fired", "wood-fired flavor", "adds real smoke to every meal"),
        ],
    },
    Kind {
        weight: 1, noun: "Cordless Lawn Mower", short_noun: "mower", price: (199, 999),
        paths: &[&["Outdoor Living", "Lawn & Garden", "Cordless Lawn Mowers"], &["Outdoor Living", "Lawn & Garden", "Robotic Lawn Mowers"]],
        brands: &["EGO", "Greenworks", "Ryobi", "DeWalt", "Husqvarna", "Worx", "Segway"], lines: &["EGO: Power+ Select Cut", "Greenworks: Pro", "Ryobi: 40V HP", "Husqvarna: Automower", "Segway: Navimow", "Worx: Landroid", "Self-Propelled", "Push"], sizes: &["21\"", "20\"", "56V", "80V"], specs: &[], colors: &["Black", "Green", "Orange"],
        uses: &["weekend yard work", "a quieter, gas-free lawn"],
        features: &[
            ("Self-Propelled", "self-propelled drive", "makes hills easy"),
            ("Brushless", "brushless motor", "delivers gas-like power"),
            ("Folds Flat", "fold-flat design", "stores upright in the garage"),
        ],
    },
    Kind {
        weight: 1, noun: "Baby Monitor", short_noun: "baby monitor", price: (39, 399),
        paths: &[&["Baby & Family", "Baby Monitors"], &["Baby & Family", "Baby Monitors", "Video Baby Monitors"]],
        brands: &["Nanit", "Owlet", "Infant Optics", "Motorola", "VTech", "Eufy", "Hatch"],
        lines: &["Nanit: Pro", "Owlet: Dream Sock", "Infant Optics: DXR-8 Pro", "Hatch: Rest", "Motorola: VM44", "VTech: SpaceView", "Video", "Audio"], sizes: &["5\" Screen", "720p", "1080p"], specs: &[], colors: &["White", "Gray", "Blue"],
        uses: &["peace of mind at bedtime", "keeping an eye on the nursery"],
        features: &[
            ("Night Vision", "infrared night vision", "shows a clear picture in the dark"),
            ("Two-Way Talk", "two-way talk", "lets you soothe from another room"),
            ("Sleep Tracking", "sleep tracking app", "shows how your baby slept"),
        ],
    },
    Kind {
        weight: 1, noun: "Coding Robot", short_noun: "robot", price: (29, 399),
        paths: &[&["Toys, Games & Drones", "STEM Toys"], &["Toys, Games & Drones", "STEM Toys", "Coding Robots"]],
        brands: &["Sphero", "LEGO", "Wonder Workshop", "Snap Circuits", "Makeblock", "UBTECH"], lines: &["Sphero: BOLT", "Sphero: Mini", "Wonder Workshop: Dash", "Makeblock: mBot2", "UBTECH: Jimu", "Programmable", "Building"], sizes: &[], specs: &[], colors: &["Clear", "Blue", "White"],
        uses: &["learning through play", "young inventors"],
        features: &[
            ("App Coding", "block-based coding app", "teaches programming step by step"),
            ("Rechargeable", "rechargeable battery", "plays for hours"),
            ("Sensors", "built-in sensors", "react to light, motion and sound"),
        ],
    },
    Kind {
        weight: 1, noun: "RC Car", short_noun: "RC car", price: (29, 699),
        paths: &[&["Toys, Games & Drones", "Remote Control Cars"]],
        brands: &["Traxxas", "Arrma", "Sharper Image", "Losi", "Redcat"], lines: &["Traxxas: Slash", "Traxxas: Rustler", "Arrma: Granite", "Traxxas: Maxx", "Sharper Image: Stunt", "Off-Road", "Monster Truck"], sizes: &["1/10 Scale", "1/16 Scale", "1/24 Scale"], specs: &[], colors: &["Red", "Blue", "Green", "Orange"],
        uses: &["backyard racing", "weekend fun for all ages"],
        features: &[
            ("4WD", "four-wheel drive", "tackles dirt, grass and gravel"),
            ("Waterproof Electronics", "waterproof electronics", "keep running through puddles"),
            ("2.4GHz", "2.4GHz radio", "gives interference-free control"),
        ],
    },
];
