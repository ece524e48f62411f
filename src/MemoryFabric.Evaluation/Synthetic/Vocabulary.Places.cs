namespace MemoryFabric.Evaluation.Synthetic;

internal static partial class Vocabulary
{
    /// <summary>Cities people live in, move to and travel to.</summary>
    public static readonly IReadOnlyList<string> Cities =
    [
        "Denver", "Lisbon", "Porto", "Montreal", "Vancouver", "Edinburgh", "Glasgow", "Dublin", "Cork", "Leeds", "Bristol",
        "Manchester", "Rotterdam", "Utrecht", "Ghent", "Antwerp", "Lyon", "Marseille", "Bordeaux", "Toulouse", "Seville",
        "Valencia", "Bilbao", "Bologna", "Turin", "Naples", "Trieste", "Ljubljana", "Zagreb", "Krakow", "Gdansk", "Wroclaw",
        "Brno", "Graz", "Salzburg", "Leipzig", "Dresden", "Hamburg", "Cologne", "Aarhus", "Malmo", "Gothenburg", "Bergen",
        "Tampere", "Tallinn", "Riga", "Vilnius", "Thessaloniki", "Izmir", "Tbilisi", "Austin", "Portland", "Seattle",
        "Pittsburgh", "Minneapolis", "Milwaukee", "Nashville", "Atlanta", "Raleigh", "Richmond", "Baltimore", "Boston",
        "Providence", "Albuquerque", "Tucson", "Sacramento", "Oakland", "San Diego", "Boise", "Halifax", "Ottawa",
        "Calgary", "Winnipeg", "Auckland", "Wellington", "Brisbane", "Adelaide", "Perth", "Hobart", "Osaka", "Fukuoka",
        "Busan", "Taipei", "Kaohsiung", "Penang", "Chiang Mai", "Hanoi", "Da Nang", "Cape Town", "Durban", "Nairobi",
        "Accra", "Marrakesh", "Valparaiso", "Medellin", "Cusco", "Oaxaca", "Guadalajara", "Merida", "Montevideo",
    ];

    /// <summary>Kinds of places to see on a trip.</summary>
    public static readonly IReadOnlyList<string> Attractions =
    [
        "old harbour", "botanical garden", "night market", "cathedral", "modern art museum", "castle ruins", "covered market",
        "lighthouse", "hilltop fortress", "science museum", "riverside promenade", "street art district", "tram museum",
        "city aquarium", "rose garden", "open-air museum", "hot springs", "sculpture park", "flea market", "old town square",
        "maritime museum", "observatory", "textile museum", "photography gallery", "cable car", "sand dunes", "canal tour",
        "monastery", "tea house", "jazz club", "food hall", "vineyard", "bird sanctuary", "palace gardens", "glass museum",
        "railway bridge", "clock tower", "fishing village", "cliff walk", "ceramics workshop", "spice bazaar", "book market",
    ];

    /// <summary>Cuisines.</summary>
    public static readonly IReadOnlyList<string> Cuisines =
    [
        "Ethiopian", "Georgian", "Peruvian", "Lebanese", "Vietnamese", "Korean", "Sichuan", "Oaxacan", "Basque", "Sicilian",
        "Malaysian", "Turkish", "Persian", "Moroccan", "Japanese", "Thai", "Keralan", "Portuguese", "Greek", "Nepalese",
        "Filipino", "Jamaican", "Brazilian", "Hungarian", "Polish", "Cantonese", "Indonesian", "Tunisian", "Argentinian",
    ];

    /// <summary>First words of invented business names.</summary>
    public static readonly IReadOnlyList<string> BrandHeads =
    [
        "Bluefin", "Cedarline", "Northwind", "Brightwater", "Ironbark", "Silverleaf", "Copperfield", "Harbourview", "Redkite",
        "Stonebridge", "Larkspur", "Foxglove", "Greyhaven", "Tidewater", "Sunpeak", "Oakhurst", "Wildrose", "Kestrel",
        "Meridian", "Lumen", "Quarry", "Juniper", "Alder", "Beacon", "Cobalt", "Driftwood", "Ember", "Fjord", "Granite",
        "Hollow", "Indigo", "Jetty", "Kelp", "Lantern", "Mosaic", "Nimbus", "Orchard", "Pebble", "Quill", "Saffron",
    ];

    /// <summary>Last words of invented business names.</summary>
    public static readonly IReadOnlyList<string> BrandTails =
    [
        "Logistics", "Analytics", "Studio", "Health", "Robotics", "Bakery", "Architects", "Labs", "Media", "Insurance",
        "Pharma", "Games", "Dental", "Foods", "Energy", "Bank", "Clinic", "Press", "Outfitters", "Brewing", "Software",
        "Consulting", "Hotels", "Academy", "Motors", "Farms", "Biotech", "Records", "Textiles", "Airlines",
    ];

    /// <summary>An invented company name.</summary>
    public static string Company(SeededRandom random) => $"{random.Pick(BrandHeads)} {random.Pick(BrandTails)}";
}
