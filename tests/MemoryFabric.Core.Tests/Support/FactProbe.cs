namespace MemoryFabric.Core.Tests.Support;

/// <summary>
/// Distinct facts for read-after-write probes: 20 people × 10 favourites ("Greta's favourite instrument is harp."),
/// each with the question that asks for it ("What is Greta's favourite instrument?"). Every fact shares words with
/// many others (the person with ten, the attribute with twenty, "favourite" with all), so older partial matches
/// compete with the fact just written. Shuffled with a fixed seed.
/// </summary>
public static class FactProbe
{
    private static readonly string[] Names =
        ["Alice", "Bruno", "Chiara", "Dmitri", "Elena", "Farid", "Greta", "Hiro", "Ines", "Jonas",
         "Kavya", "Lars", "Mira", "Nadia", "Omar", "Priya", "Quentin", "Rosa", "Sven", "Tomas"];

    private static readonly (string Attribute, string Values)[] Attributes =
    [
        ("colour", "teal crimson ochre lilac maroon amber indigo coral olive saffron cyan magenta beige scarlet turquoise lavender mustard navy peach violet"),
        ("dish", "paella lasagne ramen tagine pierogi goulash moussaka risotto biryani ceviche falafel gnocchi pho couscous bibimbap fondue borscht tacos curry sushi"),
        ("instrument", "oboe cello banjo harp tuba violin clarinet sitar accordion flute trombone ukulele bassoon mandolin harmonica piano saxophone marimba bagpipes drums"),
        ("sport", "rowing fencing curling archery squash cricket handball judo lacrosse polo rugby badminton hockey karate sailing skiing surfing tennis volleyball wrestling"),
        ("flower", "tulip orchid peony daisy lily lotus iris poppy dahlia violet jasmine magnolia camellia marigold azalea begonia freesia gardenia hyacinth zinnia"),
        ("drink", "espresso kombucha lemonade cider matcha chai mojito sangria kefir horchata lassi mead absinthe ouzo sake grappa kvass bourbon prosecco rooibos"),
        ("author", "Tolstoy Austen Borges Calvino Dickens Eliot Faulkner Goethe Hugo Ibsen Joyce Kafka Lorca Mann Nabokov Orwell Proust Rilke Steinbeck Twain"),
        ("animal", "otter lynx panda koala walrus falcon badger heron gecko bison llama moose ferret beaver alpaca toucan lemur jaguar iguana puffin"),
        ("planet", "Mercury Venus Mars Jupiter Saturn Uranus Neptune Pluto Ceres Eris Haumea Makemake Titan Europa Io Callisto Ganymede Triton Enceladus Phobos"),
        ("film", "Casablanca Vertigo Amelie Alien Rocky Jaws Psycho Fargo Heat Brazil Memento Gravity Inception Titanic Zodiac Arrival Up Coco Frozen Cars"),
    ];

    /// <summary>The 200 facts, shuffled.</summary>
    /// <returns>Each fact's text, question, person and value.</returns>
    public static IReadOnlyList<(string Text, string Question, string Person, string Value)> Facts()
    {
        var facts = new List<(string, string, string, string)>();
        for (var a = 0; a < Attributes.Length; a++)
        {
            var (attribute, list) = Attributes[a];
            var values = list.Split(' ');
            for (var i = 0; i < Names.Length; i++)
            {
                var value = values[(i + a) % values.Length];
                facts.Add(($"{Names[i]}'s favourite {attribute} is {value}.", $"What is {Names[i]}'s favourite {attribute}?", Names[i], value));
            }
        }

        var random = new Random(7);
        for (var i = facts.Count - 1; i > 0; i--)
        {
            var j = random.Next(i + 1);
            (facts[i], facts[j]) = (facts[j], facts[i]);
        }

        return facts;
    }
}
