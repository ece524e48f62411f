namespace MemoryFabric.Evaluation.Synthetic;

/// <summary>The ways a user of an assistant mentions personal facts in passing, and the filler around them.</summary>
internal static class AssistantPhrases
{
    public static readonly string[] HomeInitial =
    [
        "I live in {city}, so anything that needs a car is out", "here in {city} the shops close early on Sundays",
        "for context, I'm based in {city}", "I've been renting a flat in {city} for a few years now",
        "winters in {city}, where I live, are long and grey", "my place in {city} only has a tiny balcony",
    ];

    public static readonly string[] Move =
    [
        "we finally moved to {city} last month, so I'm still figuring out where everything is",
        "now that I've relocated to {city}, my commute is completely different",
        "the move from {old} to {city} is done, though there are boxes everywhere",
        "my new flat in {city} has a much smaller kitchen than the old one",
        "since moving to {city} I've had to find a new dentist, a new gym, everything",
        "I left {old} for {city} a few weeks ago and I'm still settling in",
    ];

    public static readonly string[] JobInitial =
    [
        "I work as a {job} at {company}", "my job as a {job} at {company} keeps me busy", "I'm a {job} at {company}, so my hours are odd",
        "between my shifts as a {job} at {company} I have little free time", "being a {job} (at {company}) means I'm on my feet all day",
    ];

    public static readonly string[] JobChange =
    [
        "I started a new job this week as a {job} at {company}", "I've left {oldco} and I'm now a {job} at {company}",
        "it's my first month at {company} as their new {job}", "I accepted an offer to be a {job} at {company}, so my schedule changed",
        "after years at {oldco}, I switched careers and I'm a {job} at {company} now",
    ];

    public static readonly string[] DietInitial =
    [
        "I'm {diet}", "I eat {diet}, which limits my options", "I've been {diet} for years", "please keep in mind I follow a {diet} diet",
    ];

    public static readonly string[] DietChange =
    [
        "I've switched to a {diet} diet after my last check-up", "I've gone {diet} as of this month", "I'm no longer {old}; I'm {diet} now",
        "my doctor suggested I go {diet}, so that's what I'm doing these days", "I changed my diet recently and I'm now {diet}",
    ];

    public static readonly string[] Relative =
    [
        "my {relation} {name} lives in {city}", "{name}, my {relation}, is flying in from {city} next month", "my {relation} {name} settled in {city} a while ago",
        "I'm visiting my {relation} {name} in {city} soon", "my {relation} {name} keeps inviting me to stay at their place in {city}",
    ];

    public static readonly string[] Pet =
    [
        "we adopted a {breed} called {pet} {when}", "{pet}, the {breed} I brought home {when}, needs walking twice a day",
        "I got a {breed} {when}, named {pet}, and my flat is chaos", "our new {breed}, {pet}, arrived {when}",
    ];

    public static readonly string[] Hobby =
    [
        "I started {hobby} lessons {when}", "I signed up for a {hobby} course {when}", "I took up {hobby} {when} and I'm hooked",
        "I had my first {hobby} class {when}",
    ];

    public static readonly string[] Car =
    [
        "I bought a {colour} {car} {when}", "I picked up my new {car}, a {colour} one, {when}", "I finally got a car {when}: a {colour} {car}",
    ];

    public static readonly string[] Allergy =
    [
        "I'm allergic to {allergy}", "I carry an EpiPen because of my {allergy} allergy", "I react badly to {allergy}, so I have to be careful",
    ];

    /// <summary>Filler with near-miss facts about other people, and neutral filler.</summary>
    public static readonly string[] Filler =
    [
        "My colleague {name} just moved to {city}, lucky them.", "My friend {name} went {diet} recently and talks about nothing else.",
        "{name} from work adopted a {breed} and shows everyone photos.", "My cousin started {hobby} and keeps sending me videos.",
        "My neighbour bought a {colour} {car} and parks it across two spaces.", "{name} at the office is allergic to {allergy}, so we all have to be careful at lunch.",
        "My old flatmate works as a {job} at {company} now.", "I visited {city} years ago and barely remember it.",
        "It's been raining all week, which isn't helping my mood.", "I slept terribly, so sorry if this rambles.",
        "Things at work have been hectic, and I keep forgetting to eat lunch.", "I'm writing this on my phone on the bus, so excuse typos.",
        "A podcast I listened to yesterday made me want to get more organised.", "I've been trying to spend less time on my phone in the evenings.",
        "My {relation} says I overthink everything, and they might be right.", "{name}, a friend from university, is getting married in {city} next year.",
        "I'm trying to be better about planning ahead instead of doing everything last minute.", "My manager {name} moved every deadline up by a week.",
        "The heating in my building broke again, so I'm typing this in a coat.", "I keep meaning to learn more about this but never find the time.",
        "My friend {name} is a {job} and says I should just wing it.", "Someone at my gym just got back from {city} and recommended asking you.",
    ];

    /// <summary>When an aside happened.</summary>
    public static readonly string[] AsideTimes =
    [
        "Last weekend", "On Tuesday", "A couple of days ago", "Earlier today", "Over the holidays", "Last night", "This morning",
        "The other day", "Last month", "On my lunch break", "Yesterday evening", "Before work",
    ];

    /// <summary>Asides about daily life (after an <see cref="AsideTimes"/> opener), mentioning the same kinds of
    /// things as the facts.</summary>
    public static readonly string[] Asides =
    [
        "I helped {name} carry a sofa up four flights of stairs", "I finally cleaned out the fridge and found things I don't want to describe",
        "I tried a {cuisine} place near work and it was great", "I spent an hour on hold with my bank", "I watched a documentary about {city}",
        "I went for a long walk by the river to clear my head", "{name} and I argued about whether soup counts as a meal",
        "I fixed the wobbly shelf in the hallway with a folded beer mat", "I got caught in the rain without a coat, again",
        "I called my {relation} and we talked for two hours", "I found an old photo album from a trip to {city}",
        "I cooked a {cuisine} dish from a video and it was edible", "I had a long chat with {name}, who works as a {job}",
        "I signed up for a newsletter about {hobby} by accident", "my upstairs neighbour started learning the drums",
        "I missed my train and had to wait forty minutes", "I booked a dentist appointment I've been avoiding for a year",
        "I reorganised my bookshelf by colour, which was a mistake", "I helped {name} with their CV for a {job} role",
        "I met {name}'s new {breed}, who is very loud", "I saw a {colour} {car} exactly like the one my parents used to have",
        "I went to a birthday party where everyone talked about {hobby}", "I paid a parking fine I'm still annoyed about",
        "I read half a book about productivity and then took a nap",
    ];

    /// <summary>Sentences an assistant adds to a long answer.</summary>
    public static readonly string[] AssistantExtras =
    [
        "A general note: it's easier to stick to a plan when the first step is small and obvious.",
        "If something here doesn't fit your situation, tell me and I'll adjust it rather than you forcing it to work.",
        "Keep a short note of what worked and what didn't; next time we can refine it in a minute.",
        "Don't worry about getting everything perfect the first time; most of this improves with repetition.",
        "If you're short on time, do the parts marked first and skip the optional extras.",
        "I've assumed a normal home setup; if you have any special equipment, there are shortcuts I can suggest.",
        "Prices and opening times change, so double-check anything time-sensitive before you rely on it.",
        "You can always come back and ask me to break any part of this down further.",
        "It helps to block the time in your calendar so the plan doesn't get squeezed out by other things.",
        "Most people find the second attempt much easier than the first, so don't judge it by day one.",
        "One more thing: write down anything you change, because in a month you won't remember why you did it.",
        "If you want, next time tell me what went wrong and we'll troubleshoot it together step by step.",
        "A lot of this is personal taste, so treat my suggestions as a starting point rather than rules.",
        "If your schedule changes, the order of the parts matters less than doing them at all.",
        "I'd avoid changing too many things at once; adjust one variable, see what happens, then the next.",
        "If budget is a concern, most of the extras can be swapped for cheaper alternatives without much loss.",
        "When in doubt, simpler is better; the fancy version rarely makes as big a difference as it promises.",
        "It's worth checking with someone who knows your situation in person if anything here feels off.",
        "You'll probably find a rhythm after the first couple of tries, and then it takes half the time.",
        "Feel free to print this or save it somewhere handy so you don't have to scroll back to find it.",
    ];
}
