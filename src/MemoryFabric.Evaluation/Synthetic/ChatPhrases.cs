namespace MemoryFabric.Evaluation.Synthetic;

/// <summary>Message templates of two-friend chats. Values that answers need are <c>{slots}</c>.</summary>
internal static class ChatPhrases
{
    public static readonly string[] Greetings = ["heyyy", "hiii {nick}", "u alive?", "morning!!", "ok i have news", "{nick}!!!", "hey stranger", "yo", "omg hi", "helloooo"];

    public static readonly string[] GreetingReplies = ["hey!!", "barely lol", "hiii", "hey you", "what's up", "omg hi {nick}", "here!! sorry was at work", "yo what's good"];

    public static readonly string[] Goodbyes = ["ok gtg", "night!!", "talk soon 💕", "ok i need to sleep", "brb forever lol", "ttyl", "gotta run, later!!", "ok bye for real this time"];

    public static readonly string[] GoodbyeReplies = ["byeee", "night night", "later!!", "sleep well", "ttyl ❤️", "bye!!"];

    public static readonly string[] HomeInitial =
    [
        "rent in {city} went up AGAIN", "love living in {city} but the rent is killing me", "my flat in {city} has no heating again",
        "another grey day here in {city}", "{city} in the rain is my whole personality now, i've lived here too long",
    ];

    public static readonly string[] MoveAnnounce = ["we signed the lease!!!", "ok so we're moving", "big news: new flat", "i found a place!!! finally"];

    public static readonly string[] MoveWhere = ["wait where", "WHERE", "omg where??", "where to?"];

    public static readonly string[] MoveCity = ["{city}!! the flat near the park", "{city}, can you believe it", "{city} baby", "it's in {city}, moving on the 3rd"];

    public static readonly string[] JobAnnounce = ["guess who got the job", "ok i got it!!!", "THEY CALLED BACK", "so... i got an offer"];

    public static readonly string[] JobWhich = ["WAIT which one", "which one??", "the one you interviewed for?", "omg which job"];

    public static readonly string[] JobRole = ["the {job} one!!", "{job}. actual {job}", "it's the {job} position", "{job}!! i'm shaking"];

    public static readonly string[] JobCompany = ["at {company}", "{company}, the one downtown", "it's with {company}", "at {company} of all places"];

    public static readonly string[] JobQuit = ["handed in my notice at {oldco} today", "quit {oldco}. it's done", "last day at {oldco} friday!!"];

    public static readonly string[] RelativeIntro =
    [
        "my {rel} {name} is visiting this weekend", "{name} (my {rel}) just landed, chaos begins", "having brunch with my {rel} {name}",
        "my {rel} {name} says hi btw", "picking up my {rel} {name} from the station",
    ];

    public static readonly string[] RelativeEvent = ["my {rel} just {what}!!", "ok my {rel} {what} and i'm crying", "guess who {what}. my {rel}!!", "update: {rel} {what}"];

    public static readonly string[] RelativeNews = ["got engaged", "got into med school", "bought a house", "started a bakery", "passed the bar exam", "got a puppy", "ran a marathon", "won a poetry prize", "opened a tattoo studio", "got a record deal"];

    public static readonly string[] EventWhere = ["guess where i was {when}", "ok so {when} happened", "you'll never guess what i did {when}"];

    public static readonly string[] EventWhat = ["{event}!!", "{event}, by myself lol", "{event} with people from work", "went to {event}"];

    public static readonly string[] EventSingle = ["went to {event} {when}, so fun", "{when} i dragged myself to {event}", "did {event} {when} and i'm exhausted"];

    public static readonly string[] MakePhoto = ["made this!! [shares a photo of {caption}]", "[shares a photo of {caption}] finished it {when}", "look what i made [shares a photo of {caption}]"];

    public static readonly string[] Instrument = ["finally bought a {instrument}", "{instrument} lessons start tomorrow, wish me luck", "i got a second-hand {instrument} off a guy online"];

    public static readonly string[] Hobby = ["started {hobby} classes, very humbling", "signed up for {hobby} lessons!!", "first {hobby} session tonight, wish me luck", "i'm doing {hobby} now apparently"];

    public static readonly string[] Band = ["been blasting {band} all week", "got tickets for {band}!!!", "{band} just dropped a new album and i'm obsessed"];

    public static readonly string[] DistractorPhotos =
    [
        "[shares a photo of a sunset over rooftops]", "[shares a photo of a messy desk with three coffee cups]", "[shares a photo of a cat on a fence]",
        "[shares a photo of a plate of {food}]", "[shares a photo of a rainy street in {city}]", "[shares a photo of a concert crowd]",
    ];

    /// <summary>Near-miss facts about other people: the same kinds of values as the questions ask for.</summary>
    public static readonly string[] NearMiss =
    [
        "my cousin just moved to {city} lol", "my coworker got a job at {company}", "my neighbour's {species} barks all night",
        "someone at work is learning the {instrument}", "my ex is a {job} now apparently", "my flatmate went to {event} and hated it",
        "my boss's {rel} got engaged, he won't shut up about it", "my friend from uni made {make}, so talented", "my brother is obsessed with {band}",
    ];

    /// <summary>Implied facts: the answer concept, questions that do not name it, and cues (the <c>{k}</c> keyword
    /// is kept in the answer).</summary>
    public static readonly (string Concept, string[] Questions, (string Template, string Keyword)[] Cues)[] Implied =
    [
        ("a baby", ["What recent change in {p}'s family can be inferred from the chats?", "Who new might be living in {p}'s home?"],
            [("we're bringing the {k} so we'll need a table near the door", "stroller"), ("sorry, {k} rules my life now", "nap schedule"), ("up at 4am with {k} again", "teething"), ("the {k} weighs more than my suitcase", "diaper bag")]),
        ("a teacher", ["What is {p}'s likely profession?", "What does {p} probably do for work?"],
            [("{k} tonight, send help", "grading 30 essays"), ("{k} ran until 9", "parents' evening"), ("my {k} were feral today", "year 9s"), ("{k} is endless this term", "marking")]),
        ("a student", ["What is {p} probably doing besides work?", "What stage of life is {p} likely in?"],
            [("{k} is killing me", "finals week"), ("my {k} ghosted me again", "dissertation supervisor"), ("{k} again, send snacks", "library till midnight"), ("just submitted my {k}", "thesis draft")]),
        ("training for a marathon", ["What is {p} likely training for?", "What athletic goal does {p} seem to have?"],
            [("{k} this sunday", "20 miler"), ("my {k} today was brutal", "long run"), ("{k} is my favourite part of this lol", "carb loading"), ("my {k} came in the post", "race bib")]),
        ("renovating their home", ["What big project is {p} probably in the middle of?", "What's going on with {p}'s house?"],
            [("{k} all weekend", "tiling the bathroom"), ("the {k} finally came", "plasterer"), ("our kitchen is just {k} right now", "a sink and a microwave"), ("{k} everywhere, i'm choking", "dust from the sanding")]),
        ("playing in a band", ["What does {p} probably do in the evenings?", "What creative activity is {p} likely part of?"],
            [("{k} friday, we go on at 10", "gig at the pub"), ("our {k} quit mid rehearsal", "drummer"), ("new {k} is fire", "setlist"), ("{k} tonight, my fingers hurt", "rehearsal")]),
    ];
}
