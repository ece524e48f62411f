namespace MemoryFabric.Evaluation.Synthetic;

internal static partial class Vocabulary
{
    /// <summary>Jobs (a noun phrase without article).</summary>
    public static readonly IReadOnlyList<string> Jobs =
    [
        "nurse", "data analyst", "line cook", "pharmacist", "structural engineer", "kindergarten teacher", "paramedic",
        "graphic designer", "physiotherapist", "barista", "librarian", "electrician", "veterinary technician", "accountant",
        "sous chef", "urban planner", "speech therapist", "museum curator", "bike mechanic", "software tester", "florist",
        "translator", "dental hygienist", "social worker", "landscape gardener", "radio producer", "copy editor",
        "research chemist", "occupational therapist", "carpenter", "sommelier", "air traffic controller", "midwife",
        "tax adviser", "UX researcher", "welder", "zookeeper", "court stenographer", "tour guide", "lab technician",
        "video editor", "real estate agent", "firefighter", "optician", "piano tuner", "ship broker", "game designer",
        "wedding photographer", "school counselor", "marine biologist", "data engineer", "brewer", "baker", "locksmith",
    ];

    /// <summary>Pet species with words that imply them (for implicit facts).</summary>
    public static readonly IReadOnlyList<(string Species, string[] Breeds, string[] Cues)> Pets =
    [
        ("dog", ["beagle", "corgi", "greyhound", "border collie", "dachshund", "labrador", "whippet", "shiba inu"],
            ["have to walk {pet} before work, {pet} pulls at every squirrel", "{pet} chewed through the leash AGAIN", "taking {pet} to the park to chase the ball after this"]),
        ("cat", ["tabby", "maine coon", "siamese", "ragdoll", "tuxedo cat", "sphynx"],
            ["litter box duty again, {pet} is judging me", "{pet} knocked my mug off the table and purred about it", "{pet} sat on my keyboard for the whole call"]),
        ("rabbit", ["lop rabbit", "dutch rabbit", "lionhead rabbit"],
            ["{pet} chewed the charger cable, the flat needs proofing", "buying more hay for {pet} lol"]),
        ("parrot", ["african grey", "cockatiel", "budgie"],
            ["{pet} learned to whistle the microwave beep", "{pet} keeps saying hello to the doorbell"]),
        ("tortoise", ["hermann's tortoise", "russian tortoise"],
            ["{pet} is finally out of hibernation", "cleaning {pet}'s shell and heat lamp today"]),
        ("horse", ["chestnut mare", "welsh pony"],
            ["mucking out {pet}'s stall at 6am", "{pet} threw a shoe so the farrier is coming"]),
    ];

    /// <summary>Pet names.</summary>
    public static readonly IReadOnlyList<string> PetNames =
    [
        "Biscuit", "Pepper", "Mochi", "Waffles", "Juniper", "Pickle", "Noodle", "Ziggy", "Clementine", "Bagel", "Turnip",
        "Olive", "Pretzel", "Marzipan", "Gizmo", "Basil", "Nacho", "Cinnamon", "Dumpling", "Tofu", "Rocket", "Pixel",
        "Sprout", "Kiwi", "Bramble", "Crumpet", "Fennel", "Gnocchi", "Hopscotch", "Jellybean", "Lentil", "Muffin",
        "Nutmeg", "Pumpernickel", "Quokka", "Radish", "Sesame", "Tater", "Walnut", "Yoshi", "Zucchini", "Paprika",
    ];

    /// <summary>Hobbies and activities (gerund phrases).</summary>
    public static readonly IReadOnlyList<string> Hobbies =
    [
        "bouldering", "pottery", "salsa dancing", "birdwatching", "sourdough baking", "woodworking", "open-water swimming",
        "trail running", "knitting", "chess", "rowing", "fencing", "beekeeping", "calligraphy", "archery", "sailing",
        "ice skating", "improv theatre", "mountain biking", "stand-up paddleboarding", "watercolour painting", "fly fishing",
        "tango", "kayaking", "jiu-jitsu", "pickleball", "community gardening", "astrophotography", "film photography",
        "ukulele", "cello", "choir singing", "roller derby", "orienteering", "bookbinding", "glassblowing", "volleyball",
        "table tennis", "kitesurfing", "crossword setting", "lino printing", "embroidery", "scuba diving", "ultimate frisbee",
    ];

    /// <summary>Diets (value, a clause that says it in passing).</summary>
    public static readonly IReadOnlyList<string> Diets =
    [
        "vegetarian", "vegan", "pescatarian", "gluten-free", "dairy-free", "low-carb", "keto", "halal", "kosher",
        "low-sodium", "nut-free", "paleo", "low-FODMAP", "plant-based",
    ];

    /// <summary>Preference kinds: the question about it, the statements in passing and the values.</summary>
    public static readonly IReadOnlyList<Preference> Preferences =
    [
        new("podcast genre",
            ["I'm hooked on {v} podcasts lately", "my commute is basically one long {v} podcast binge", "nothing beats a good {v} podcast on a long drive"],
            ["Can you recommend a podcast for my commute, something I'd actually like?", "What kind of podcasts would suit me for a road trip?", "Suggest something to listen to on my drive to work."],
            ["true crime", "history", "science", "comedy", "economics", "philosophy", "sports", "design", "language-learning"]),
        new("coffee order",
            ["I can't function before my {v} in the morning", "my usual is a {v}, nothing fancy", "I'm picky, it has to be a {v}"],
            ["What should I order for myself on the coffee run?", "If you were getting me a coffee, what would you pick?", "I'm at the cafe counter, what do I usually drink?"],
            ["flat white", "oat milk cortado", "double espresso", "iced americano", "cardamom latte", "cold brew", "macchiato", "chai latte"]),
        new("seat preference",
            ["I always book a {v} seat on planes", "I can only sleep on flights in a {v} seat", "I get twitchy unless I'm in a {v} seat"],
            ["Which seat should I pick on my next flight?", "Help me choose a seat for the flight to my conference.", "What kind of airplane seat suits me?"],
            ["window", "aisle", "exit row", "front row", "bulkhead"]),
        new("workout time",
            ["I only manage to work out {v}", "my training slot is {v}, every day", "I've learned I'm useless unless I train {v}"],
            ["When should I schedule my new training sessions?", "Plan my workout at a time that suits me.", "What time of day do I prefer to exercise?"],
            ["before sunrise", "at lunchtime", "late in the evening", "right after work", "early on weekend mornings"]),
        new("book genre",
            ["I devour {v} novels", "my nightstand is all {v} books right now", "give me a good {v} novel and I'm happy"],
            ["Recommend me a book for my holiday.", "What should I read next, given my taste?", "Which genre of book would I enjoy on the train?"],
            ["historical fiction", "science fiction", "cozy mystery", "fantasy", "literary thriller", "graphic novel", "memoir", "horror"]),
        new("music",
            ["I've had {v} on repeat for weeks", "I do my best work with {v} playing", "{v} is the only thing that gets me through chores"],
            ["Make me a playlist for cleaning the flat.", "What music should be on at my housewarming?", "What kind of music do I like to work to?"],
            ["lo-fi hip hop", "bossa nova", "80s synthpop", "baroque harpsichord", "afrobeat", "bluegrass", "post-rock", "k-pop"]),
    ];

    /// <summary>Car makes and models.</summary>
    public static readonly IReadOnlyList<string> Cars =
    [
        "Subaru Outback", "Toyota Corolla", "Honda Civic", "Mazda 3", "Volkswagen Golf", "Skoda Octavia", "Kia Niro",
        "Hyundai Ioniq", "Ford Fiesta", "Volvo V60", "Renault Clio", "Fiat Panda", "Nissan Leaf", "Tesla Model 3",
        "Peugeot 208", "Mini Cooper", "Jeep Wrangler", "Toyota RAV4", "Citroen Berlingo", "Dacia Duster",
    ];

    /// <summary>Colours.</summary>
    public static readonly IReadOnlyList<string> Colours =
    [
        "red", "navy", "teal", "mustard", "forest green", "silver", "white", "black", "burgundy", "sky blue", "orange",
        "lilac", "charcoal", "olive", "cream", "copper",
    ];

    /// <summary>Medical allergies and conditions said in passing.</summary>
    public static readonly IReadOnlyList<string> Allergies =
    [
        "peanuts", "shellfish", "sesame", "penicillin", "cats", "bee stings", "kiwi", "hazelnuts", "latex", "pollen",
        "eggs", "mustard", "celery", "soy",
    ];

    /// <summary>Instruments.</summary>
    public static readonly IReadOnlyList<string> Instruments =
    [
        "cello", "trumpet", "banjo", "harp", "clarinet", "drums", "violin", "saxophone", "accordion", "mandolin", "oboe",
        "bass guitar", "flute", "piano", "trombone",
    ];

    /// <summary>Invented band names.</summary>
    public static readonly IReadOnlyList<string> Bands =
    [
        "The Velvet Ferns", "Moth Parade", "Saltwater Choir", "Neon Orchards", "The Paper Kites", "Glass Lanterns",
        "Honey Static", "Quiet Atlas", "The Burnt Toasts", "Lunar Goats", "Cassette Weather", "Marigold Riot", "Soft Machines",
        "The Lost Mittens", "Coral Static", "Dune Radio", "Polar Cinema", "Tin Cathedral", "Wolf Alley", "Velcro Saints",
    ];

    /// <summary>Events people go to.</summary>
    public static readonly IReadOnlyList<string> Events =
    [
        "a pottery fair", "a jazz festival", "a friend's wedding", "a food truck rally", "a comic convention", "a half marathon",
        "a book signing", "a climbing competition", "a wine tasting", "a charity bike ride", "a street parade", "an open mic night",
        "a drag brunch", "a farmers market", "a planetarium show", "a silent disco", "a chess tournament", "a science fair",
        "a film festival", "a night hike", "a cooking class", "a vintage car show", "a lantern festival", "a pub quiz final",
    ];

    /// <summary>Things people make and share photos of.</summary>
    public static readonly IReadOnlyList<(string Thing, string Caption)> Makes =
    [
        ("a sourdough loaf", "a round sourdough loaf with a deep ear on a wooden board"),
        ("a quilt", "a patchwork quilt in {c} and white folded over a sofa"),
        ("a bookshelf", "a hand-built {c} bookshelf against a brick wall"),
        ("a birthday cake", "a three-layer birthday cake with {c} icing and sparklers"),
        ("a ceramic vase", "a lopsided {c} ceramic vase drying on a workbench"),
        ("a painting", "a watercolour painting of a harbour at sunset in {c} tones"),
        ("a sweater", "a chunky knitted {c} sweater laid flat on a bed"),
        ("a terrarium", "a glass terrarium with moss, ferns and a tiny {c} mushroom"),
        ("a skateboard deck", "a skateboard deck painted {c} with a cartoon fox"),
        ("a kite", "a handmade {c} kite on a windy beach"),
        ("a bird feeder", "a wooden bird feeder painted {c} hanging from an apple tree"),
        ("a lamp", "a lamp made from an old {c} teapot glowing on a desk"),
    ];

    /// <summary>Weekday names.</summary>
    public static readonly IReadOnlyList<string> Weekdays = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

    /// <summary>Ordinal words, 1-based (index 0 is "first").</summary>
    public static readonly IReadOnlyList<string> Ordinals = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth"];
}

/// <summary>A kind of preference: statements in passing (<c>{v}</c> = the value), questions whose answer is the value,
/// and the values.</summary>
internal sealed record Preference(string Kind, string[] Statements, string[] Questions, string[] Values);
