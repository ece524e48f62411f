namespace MemoryFabric.Evaluation.Synthetic;

internal static partial class Vocabulary
{
    /// <summary>Emoji used in chat.</summary>
    public static readonly IReadOnlyList<string> Emoji = ["😂", "🙌", "😭", "❤️", "🔥", "👀", "😅", "🥲", "✨", "🙃", "💀", "🎉", "😬", "🤞", "😍", "👍"];

    /// <summary>Word → chat spellings.</summary>
    public static readonly IReadOnlyDictionary<string, string[]> Abbreviations = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        ["you"] = ["u", "ya"], ["are"] = ["r"], ["your"] = ["ur"], ["tonight"] = ["2nite", "tn"], ["because"] = ["bc", "cuz"],
        ["really"] = ["rly"], ["please"] = ["pls", "plz"], ["people"] = ["ppl"], ["tomorrow"] = ["tmrw", "tmr"],
        ["weekend"] = ["wknd"], ["though"] = ["tho"], ["probably"] = ["prob", "prolly"], ["something"] = ["smth"],
        ["thanks"] = ["thx", "ty"], ["okay"] = ["ok", "k"], ["want to"] = ["wanna"], ["going to"] = ["gonna"],
        ["got to"] = ["gotta"], ["don't know"] = ["dunno", "idk"], ["right now"] = ["rn"], ["about"] = ["abt"],
        ["before"] = ["b4"], ["message"] = ["msg"], ["favourite"] = ["fav", "fave"], ["definitely"] = ["def", "defo"],
    };

    /// <summary>Reactions that carry no fact.</summary>
    public static readonly IReadOnlyList<string> Reactions =
    [
        "lol", "lmao", "omg", "no way", "haha same", "wait what", "stoppp", "ugh", "yesss", "ngl that's wild", "fr", "big mood",
        "hahaha", "nooo", "oof", "love that", "so cute", "iconic", "mood", "yikes", "lol ok", "say less", "bet", "for real??",
        "that's amazing", "aw", "classic", "dying 💀", "i can't", "respect", "tell me everything", "ok but why",
    ];

    /// <summary>Small talk templates; {city}, {band}, {hobby}, {food}, {name}, {day} are filled at random, so that
    /// filler mentions the same kinds of things as the facts.</summary>
    public static readonly IReadOnlyList<string> SmallTalk =
    [
        "weather here is so grim today", "did you watch the new episode", "i need a nap already", "work was chaos again",
        "anyway how's your week going", "i'm eating way too much {food} lately", "have you ever been to {city}? looks so pretty",
        "my coworker won't stop talking about {city}", "saw a poster for {band} and thought of you", "someone at the gym was doing {hobby} drills",
        "my neighbour {name} says hi lol", "traffic was a nightmare this morning", "i have 47 tabs open rn", "what are you up to on {day}",
        "ok i need coffee", "my phone is on 3% brb", "thinking about getting bangs. bad idea?", "the bus was 20 min late again",
        "we should do a movie night soon", "have you tried that {food} place near the station", "my plant is dying and i feel guilty",
        "just did laundry and lost a sock. every time", "i keep seeing ads for {hobby} classes", "my mum sent me 9 voice notes",
        "watched a documentary about {city} last night", "is it bad that i still haven't unpacked", "ok brb cooking {food}",
        "i think i'm getting a cold", "my landlord finally fixed the heating", "do you still listen to {band}?",
        "the new cafe does amazing {food}", "someone on the train was playing {band} out loud", "i need a holiday so bad",
    ];

    /// <summary>Foods mentioned in chat small talk.</summary>
    public static readonly IReadOnlyList<string> ChatFoods = ["tacos", "ramen", "dumplings", "pizza", "pho", "croissants", "sushi", "falafel", "curry", "pancakes", "burritos", "bagels"];
}
