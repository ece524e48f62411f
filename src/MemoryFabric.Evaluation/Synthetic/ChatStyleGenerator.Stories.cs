namespace MemoryFabric.Evaluation.Synthetic;

internal sealed partial class ChatStyleGenerator
{
    private void React(ChatPerson person, params ReadOnlySpan<string> options)
    {
        if (_random.Chance(0.8))
        {
            Say(person, options.IsEmpty ? _random.Pick(Vocabulary.Reactions) : _random.Choose(options));
        }
    }

    private void Tell(ChatPerson p, StoryKind kind, DateTimeOffset date)
    {
        var o = Other(p);
        switch (kind)
        {
            case StoryKind.HomeInitial:
                {
                    var city = _random.Pick(Vocabulary.Cities);
                    var turn = Say(p, _random.Pick(ChatPhrases.HomeInitial), ("city", city));
                    p.Homes.Add((city, [turn], date));
                    Seen("city", city);
                    React(o);
                    break;
                }

            case StoryKind.Move:
                {
                    var city = _random.PickOther(Vocabulary.Cities, p.Homes.Select(h => h.City));
                    var announce = Say(p, _random.Pick(ChatPhrases.MoveAnnounce));
                    Say(o, _random.Pick(ChatPhrases.MoveWhere));
                    var where = Say(p, _random.Pick(ChatPhrases.MoveCity), ("city", city));
                    React(o, "omg congrats!!", "noooo that's so far", "ok i'm visiting immediately", "wow big move");
                    p.Homes.Add((city, [announce, where], date));
                    Seen("city", city);
                    break;
                }

            case StoryKind.JobInitial or StoryKind.JobChange:
                {
                    var job = _random.PickOther(Vocabulary.Jobs, p.Jobs.Select(j => j.Job));
                    var company = Vocabulary.Company(_random);
                    if (kind == StoryKind.JobChange && p.Jobs.Count > 0)
                    {
                        Say(p, _random.Pick(ChatPhrases.JobQuit), ("oldco", p.Jobs[^1].Company));
                        React(o, "omg finally", "good for u", "wait what's next??");
                    }

                    Say(p, _random.Pick(ChatPhrases.JobAnnounce));
                    Say(o, _random.Pick(ChatPhrases.JobWhich));
                    var role = Say(p, _random.Pick(ChatPhrases.JobRole), ("job", job));
                    if (_random.Chance(0.5))
                    {
                        React(o);
                    }

                    var where = Say(p, _random.Pick(ChatPhrases.JobCompany), ("company", company));
                    React(o, "omg congrats", "so proud of u", "drinks on u then", "🎉🎉🎉");
                    p.Jobs.Add((job, company, [role, where], date));
                    Seen("job", job);
                    Seen("company", company);
                    break;
                }

            case StoryKind.RelativeIntro:
                {
                    var turn = Say(p, _random.Pick(ChatPhrases.RelativeIntro), ("rel", _random.Chance(0.6) ? p.Relative.ChatForm : p.Relative.Relation), ("name", p.Relative.Name));
                    p.Relative = p.Relative with { IntroTurn = turn };
                    React(o, "aw say hi from me", "fun!!", "omg i haven't seen them in forever");
                    break;
                }

            case StoryKind.RelativeEvent:
                {
                    if (p.Relative.IntroTurn is null)
                    {
                        break;
                    }

                    var news = _random.Pick(ChatPhrases.RelativeNews);
                    var turn = Say(p, _random.Pick(ChatPhrases.RelativeEvent), ("rel", p.Relative.ChatForm), ("what", news));
                    React(o, "NO WAY", "omg tell them congrats", "that's huge!!");
                    p.Facts.Add((
                        _random.Choose($"What big news did {p.Relative.Name} have?", $"What happened with {p.Relative.Name} recently?", $"What did {p.Name}'s {p.Relative.Relation} {p.Relative.Name} just do?"),
                        news, [p.Relative.IntroTurn, turn], "alias",
                        $"{p.Relative.Name} is {p.Name}'s {p.Relative.Relation}; {p.Relative.Name} {news}."));
                    break;
                }

            case StoryKind.PetCue:
                {
                    var cue = p.PetKind.Cues[p.PetTurns.Count % p.PetKind.Cues.Length];
                    p.PetTurns.Add(Say(p, cue, ("pet", p.PetKind.Pet)));
                    React(o);
                    break;
                }

            case StoryKind.ImpliedCue:
                {
                    var implied = ChatPhrases.Implied[p.Implied];
                    var (template, keyword) = implied.Cues[(p.ImpliedTurns.Count + p.Implied) % implied.Cues.Length];
                    p.ImpliedTurns.Add((Say(p, template, ("k", keyword)), keyword));
                    React(o);
                    break;
                }

            case StoryKind.Event:
                {
                    var evt = _random.PickOther(Vocabulary.Events, _people.SelectMany(x => x.Events).Select(e => e.Event));
                    var (phrase, day) = Templates.RelativeDay(_random, date);
                    Seen("event", evt);
                    if (_random.Chance(0.6))
                    {
                        var when = Say(p, _random.Pick(ChatPhrases.EventWhere), ("when", phrase));
                        Say(o, _random.Choose("where", "??", "tell me", "omg what"));
                        var what = Say(p, _random.Pick(ChatPhrases.EventWhat), ("event", evt));
                        p.Events.Add((evt, day, [when, what]));
                    }
                    else
                    {
                        p.Events.Add((evt, day, [Say(p, _random.Pick(ChatPhrases.EventSingle), ("event", evt), ("when", phrase))]));
                    }

                    React(o);
                    break;
                }

            case StoryKind.Photo:
                {
                    var (thing, caption) = _random.Pick(Vocabulary.Makes);
                    var filled = Templates.Fill(caption, ("c", _random.Pick(Vocabulary.Colours)));
                    var turn = Say(p, _random.Pick(ChatPhrases.MakePhoto), ("caption", filled), ("when", _random.Choose("today", "last night", "this weekend")));
                    React(o, "WAIT you made that??", "that's gorgeous", "ok talent", "need one pls");
                    p.Facts.Add((
                        _random.Choose($"What did {p.Name} make and share a photo of?", $"What handmade thing did {p.Name} show in a picture?", $"{p.Name} sent a photo of something they made. What was it?"),
                        thing, [turn], "photo", $"{p.Name} made {thing} and shared a photo of {filled}."));
                    break;
                }

            case StoryKind.Instrument:
                {
                    var instrument = _random.Pick(Vocabulary.Instruments);
                    Seen("instrument", instrument);
                    var turn = Say(p, _random.Pick(ChatPhrases.Instrument), ("instrument", instrument));
                    React(o, "omg play me smth", "the neighbours will love that lol", "rockstar era");
                    p.Facts.Add((
                        _random.Choose($"What instrument is {p.Name} learning?", $"Which instrument did {p.Name} get?", $"What does {p.Name} play now?"),
                        instrument, [turn], "single-hop", $"{p.Name} is learning the {instrument}."));
                    break;
                }

            case StoryKind.Hobby:
                {
                    var hobby = _random.Pick(Vocabulary.Hobbies);
                    Seen("hobby", hobby);
                    var turn = Say(p, _random.Pick(ChatPhrases.Hobby), ("hobby", hobby));
                    React(o, "look at u go", "wait that's so cool", "u have to teach me");
                    p.Facts.Add((
                        _random.Choose($"What class did {p.Name} sign up for?", $"What new activity has {p.Name} taken up?", $"What is {p.Name} taking lessons in?"),
                        hobby, [turn], "single-hop", $"{p.Name} started {hobby} classes."));
                    break;
                }

            case StoryKind.Band:
                {
                    var band = _random.Pick(Vocabulary.Bands);
                    Seen("band", band);
                    var turn = Say(p, _random.Pick(ChatPhrases.Band), ("band", band));
                    React(o, "taste", "never heard of them lol", "send me a song");
                    p.Facts.Add((
                        _random.Choose($"Which band is {p.Name} into lately?", $"What group has {p.Name} been listening to?", $"Whose music is {p.Name} obsessed with?"),
                        band, [turn], "single-hop", $"{p.Name} is a fan of {band}."));
                    break;
                }
        }
    }
}
