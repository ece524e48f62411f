namespace MemoryFabric.Evaluation.Synthetic;

internal static partial class Vocabulary
{
    /// <summary>Dishes with their main ingredients.</summary>
    public static readonly IReadOnlyList<(string Dish, string[] Ingredients)> Dishes =
    [
        ("chickpea curry", ["chickpeas", "coconut milk", "cumin seeds", "fresh ginger", "spinach", "tomato paste"]),
        ("mushroom risotto", ["arborio rice", "porcini mushrooms", "shallots", "white wine", "parmesan", "thyme"]),
        ("shakshuka", ["eggs", "red peppers", "smoked paprika", "crushed tomatoes", "feta", "coriander"]),
        ("lentil soup", ["red lentils", "carrots", "celery", "turmeric", "lemon zest", "vegetable stock"]),
        ("pad thai", ["rice noodles", "tamarind paste", "tofu", "bean sprouts", "roasted peanuts", "spring onions"]),
        ("banana bread", ["ripe bananas", "brown sugar", "walnuts", "baking soda", "melted butter", "cinnamon"]),
        ("fish tacos", ["white fish", "corn tortillas", "red cabbage", "lime", "chipotle mayo", "pickled onions"]),
        ("ratatouille", ["aubergine", "courgettes", "red onion", "garlic", "herbes de provence", "olive oil"]),
        ("beef stew", ["chuck steak", "pearl onions", "red wine", "carrots", "bay leaves", "potatoes"]),
        ("miso ramen", ["ramen noodles", "white miso", "soft-boiled eggs", "bok choy", "sesame oil", "nori"]),
        ("spanakopita", ["filo pastry", "spinach", "feta", "dill", "nutmeg", "spring onions"]),
        ("black bean chili", ["black beans", "ancho chillies", "sweet potato", "cocoa powder", "oregano", "lime"]),
        ("lemon drizzle cake", ["caster sugar", "self-raising flour", "lemons", "eggs", "icing sugar", "butter"]),
        ("paella", ["bomba rice", "saffron", "chorizo", "prawns", "green beans", "chicken stock"]),
        ("gnocchi with sage butter", ["floury potatoes", "00 flour", "sage leaves", "brown butter", "egg yolk", "pecorino"]),
        ("tom kha soup", ["galangal", "lemongrass", "coconut milk", "oyster mushrooms", "fish sauce", "kaffir lime leaves"]),
        ("falafel wraps", ["dried chickpeas", "parsley", "tahini", "flatbreads", "pickled turnips", "cumin"]),
        ("apple crumble", ["bramley apples", "rolled oats", "demerara sugar", "cold butter", "cinnamon", "custard"]),
        ("dal makhani", ["black lentils", "kidney beans", "cream", "garam masala", "fenugreek leaves", "ginger garlic paste"]),
        ("jollof rice", ["long-grain rice", "scotch bonnet", "tomato puree", "red onions", "thyme", "curry powder"]),
        ("pierogi", ["potatoes", "farmer's cheese", "caramelised onions", "flour", "sour cream", "chives"]),
        ("bibimbap", ["short-grain rice", "gochujang", "spinach", "carrots", "fried egg", "shiitake mushrooms"]),
    ];

    /// <summary>Recipe step templates ({a}, {b} = ingredients; {t} = minutes).</summary>
    public static readonly IReadOnlyList<string> RecipeSteps =
    [
        "toast the {a} in a dry pan for {t} minutes until fragrant", "finely chop the {a} and set it aside with the {b}",
        "whisk the {a} with the {b} until smooth", "simmer the {a} gently for {t} minutes, stirring now and then",
        "fold the {a} into the {b} with a spatula", "roast the {a} at 200 degrees for {t} minutes",
        "blend the {a} with a splash of water into a paste", "marinate the {a} in the {b} for {t} minutes",
        "soak the {a} in warm water for {t} minutes, then drain", "fry the {a} in olive oil over medium heat for {t} minutes",
        "season the {a} with salt and stir in the {b}", "layer the {a} over the {b} in a greased dish",
        "rest the {a} for {t} minutes before slicing", "blanch the {a} for {t} minutes, then plunge it into iced water",
        "caramelise the {a} slowly with a pinch of sugar for {t} minutes", "grate the {a} and squeeze out the moisture",
        "deglaze the pan with the {a} and scrape up the brown bits", "knead the {a} with the {b} for {t} minutes",
        "scatter the {a} on top and finish with the {b}", "bake the {a} for {t} minutes until golden",
    ];

    /// <summary>Programming languages.</summary>
    public static readonly IReadOnlyList<string> Languages = ["Python", "JavaScript", "Go", "Rust", "C#", "Java", "Kotlin", "Ruby", "TypeScript", "Bash"];

    /// <summary>Programming tasks a user asks for help with.</summary>
    public static readonly IReadOnlyList<string> CodeTasks =
    [
        "parse a CSV export of my bank transactions", "rename a folder of holiday photos by date", "debounce a search box",
        "back up my notes folder every night", "merge two spreadsheets of club members", "scrape the bus timetable",
        "resize product images for my shop", "track my running splits", "send a reminder email for unpaid invoices",
        "deduplicate my contact list", "convert recipe quantities between metric and imperial", "tally votes for the book club",
    ];

    /// <summary>Verbs and nouns of invented function names.</summary>
    public static readonly IReadOnlyList<string> CodeVerbs = ["load", "parse", "merge", "filter", "group", "rename", "validate", "normalize", "export", "schedule", "fetch", "sort"];

    /// <summary>Nouns of invented function names.</summary>
    public static readonly IReadOnlyList<string> CodeNouns = ["rows", "dates", "photos", "contacts", "splits", "invoices", "votes", "records", "headers", "amounts", "files", "batches"];

    /// <summary>What a function does (explanation fragments; {x} = a noun).</summary>
    public static readonly IReadOnlyList<string> CodeExplanations =
    [
        "reads every line and skips the header row", "turns each date string into an ISO timestamp",
        "drops rows whose amount is empty or zero", "groups the {x} by month in a dictionary",
        "retries the request three times with exponential backoff", "writes the result to a new file instead of overwriting",
        "compares lower-cased email addresses to find duplicates", "sorts the {x} newest first",
        "logs a warning instead of crashing on a malformed line", "caches the results in a local JSON file",
        "builds the output path from the year and month", "sums the {x} per category and rounds to two decimals",
    ];

    /// <summary>Exercises of workout plans.</summary>
    public static readonly IReadOnlyList<string> Exercises =
    [
        "goblet squats", "Romanian deadlifts", "push-ups", "plank holds", "walking lunges", "kettlebell swings", "pull-ups",
        "hip thrusts", "box jumps", "dead bugs", "farmer's carries", "step-ups", "bent-over rows", "mountain climbers",
        "glute bridges", "overhead presses", "bird dogs", "burpees", "wall sits", "side planks",
    ];

    /// <summary>Gift ideas.</summary>
    public static readonly IReadOnlyList<string> Gifts =
    [
        "a hand-thrown ramen bowl", "a star map of the night they met", "a sourdough starter kit", "a vintage film camera",
        "a weekend pottery course", "a personalised cutting board", "a hammock for the balcony", "a jigsaw of their hometown",
        "noise-cancelling headphones", "a houseplant subscription", "a cast-iron skillet", "a framed concert poster",
        "a hot sauce tasting set", "a leather notebook", "a birdwatching guide with binoculars", "a cocktail shaker set",
    ];

    /// <summary>Budget categories.</summary>
    public static readonly IReadOnlyList<string> BudgetLines = ["rent", "groceries", "transport", "savings", "eating out", "utilities", "subscriptions", "gym", "travel fund", "gifts"];
}
