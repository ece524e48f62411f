namespace MemoryFabric.Evaluation.Synthetic;

/// <summary>The word lists the generators draw from: people, places, jobs, pets, food, activities, phrasing.</summary>
internal static partial class Vocabulary
{
    /// <summary>Women's names.</summary>
    public static readonly IReadOnlyList<string> FemaleNames =
    [
        "Amara", "Beatriz", "Chiara", "Daniela", "Eleni", "Farah", "Greta", "Hana", "Ingrid", "Jasmine", "Keiko", "Lucia",
        "Mei", "Nadia", "Odette", "Paloma", "Quinn", "Rosa", "Selin", "Talia", "Ursula", "Valentina", "Wren", "Ximena",
        "Yara", "Zofia", "Aisha", "Brigid", "Carmen", "Delphine", "Esme", "Freya", "Giulia", "Hazel", "Imani", "Juniper",
        "Kavya", "Leona", "Marisol", "Noor", "Olga", "Priya", "Rania", "Saoirse", "Tamsin", "Uma", "Vera", "Willa",
        "Anouk", "Bianca", "Clara", "Dalia", "Emilia", "Fatima", "Gemma", "Helga", "Ines", "Joelle", "Kira", "Lena",
        "Mira", "Nell", "Oona", "Petra", "Renata", "Sunita", "Thea", "Viola", "Ada", "Bea", "Cleo", "Dina", "Elif",
        "Flora", "Gwen", "Hilde", "Ivy", "Lotte", "Maeve", "Nina", "Pilar", "Ruth", "Signe", "Tove", "Yasmin",
    ];

    /// <summary>Men's names.</summary>
    public static readonly IReadOnlyList<string> MaleNames =
    [
        "Aarav", "Bastian", "Cyrus", "Dmitri", "Emeka", "Felipe", "Gunnar", "Hiroshi", "Idris", "Joaquin", "Kwame", "Lars",
        "Mateo", "Nikhil", "Oskar", "Pavel", "Rafael", "Soren", "Tariq", "Ulrich", "Viktor", "Wendell", "Yusuf", "Zoltan",
        "Anders", "Bruno", "Caspian", "Desmond", "Elias", "Florian", "Gideon", "Hugo", "Ivo", "Jonas", "Kenji", "Luca",
        "Marek", "Nils", "Omar", "Piotr", "Ronan", "Silas", "Tobias", "Umar", "Vikram", "Wim", "Xavier", "Yannick",
        "Ahmed", "Bram", "Cosmo", "Dario", "Ezra", "Finn", "Goran", "Hamza", "Ilya", "Jasper", "Kofi", "Leif", "Milo",
        "Nico", "Otto", "Rhys", "Sami", "Teo", "Vaughn", "Arlo", "Boris", "Callum", "Diego", "Emil", "Fabian", "Gus",
    ];

    /// <summary>Full names with the short forms friends use (first is the full name).</summary>
    public static readonly IReadOnlyList<string[]> Nicknamed =
    [
        ["Alexandra", "Lexi", "Alex"], ["Benjamin", "Benji", "Ben"], ["Christopher", "Chris", "Topher"], ["Elizabeth", "Lizzie", "Liz"],
        ["Jennifer", "Jen", "Jenny"], ["Katherine", "Kat", "Katie"], ["Margaret", "Mags", "Maggie"], ["Nicholas", "Nick", "Nicky"],
        ["Rebecca", "Becca", "Bex"], ["Samantha", "Sammy", "Sam"], ["Theodore", "Theo", "Teddy"], ["Victoria", "Tori", "Vic"],
        ["William", "Will", "Billy"], ["Jonathan", "Jon", "Jonny"], ["Daniel", "Danny", "Dan"], ["Jessica", "Jess", "Jessie"],
        ["Abigail", "Abby", "Abs"], ["Matthew", "Matty", "Matt"], ["Joseph", "Joey", "Joe"], ["Patricia", "Trish", "Patty"],
        ["Robert", "Rob", "Bobby"], ["Stephanie", "Steph", "Stevie"], ["Zachary", "Zach", "Zee"], ["Gabriella", "Gabby", "Ella"],
        ["Olivia", "Liv", "Livvy"], ["Isabella", "Izzy", "Bella"], ["Michael", "Mikey", "Mike"], ["Anthony", "Tony", "Ant"],
        ["Andrew", "Drew", "Andy"], ["Natalie", "Nat", "Nattie"], ["Josephine", "Jo", "Josie"], ["Frederick", "Freddie", "Fred"],
        ["Cassandra", "Cass", "Cassie"], ["Harrison", "Harry", "Haz"], ["Penelope", "Penny", "Pen"], ["Sebastian", "Seb", "Bash"],
    ];

    /// <summary>Family relations with the gender of the relative (F, M or X).</summary>
    public static readonly IReadOnlyList<(string Relation, string ChatForm, char Gender)> Relatives =
    [
        ("sister", "sis", 'F'), ("brother", "bro", 'M'), ("cousin", "cuz", 'X'), ("aunt", "auntie", 'F'), ("uncle", "unc", 'M'),
        ("niece", "niece", 'F'), ("nephew", "nephew", 'M'), ("grandma", "nana", 'F'), ("grandpa", "gramps", 'M'),
        ("best friend", "bestie", 'X'), ("roommate", "roomie", 'X'), ("stepmom", "stepmom", 'F'),
    ];

    /// <summary>A name of the given gender (X: either).</summary>
    public static string NameOf(SeededRandom random, char gender, IEnumerable<string> excluded) => gender switch
    {
        'F' => random.PickOther(FemaleNames, excluded),
        'M' => random.PickOther(MaleNames, excluded),
        _ => random.Chance(0.5) ? random.PickOther(FemaleNames, excluded) : random.PickOther(MaleNames, excluded),
    };
}
